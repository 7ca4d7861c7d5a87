import * as fs from 'fs';
import * as path from 'path';
import { runToolOk, withTempDir, writeFiles } from '../support/tools';

const root = path.resolve(__dirname, '..', '..');
const tsc = require.resolve('typescript/bin/tsc');

/**
 * Installs the package as a consumer sees it: lib/ compiled into `build/lib`, package.json beside it,
 * in `<dir>/node_modules/cdk8s-ai-agent-platform`, next to (links to) the repository's dependencies.
 */
function installPackage(dir: string): void {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (entry === '.bin' || entry.startsWith('.')) continue;
    fs.symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  const pkg = path.join(modules, 'cdk8s-ai-agent-platform');
  fs.mkdirSync(pkg);
  fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  writeFiles(dir, {
    'tsconfig.build.json': JSON.stringify({
      extends: path.join(root, 'tsconfig.json'),
      compilerOptions: {
        rootDir: path.join(root, 'lib'),
        outDir: path.join(pkg, 'build', 'lib'),
        tsBuildInfoFile: path.join(dir, 'build.tsbuildinfo'),
      },
      include: [path.join(root, 'lib', '**', '*.ts')],
      exclude: [],
    }),
  });
  runToolOk(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.build.json')], { cwd: dir });
}

/** The first TypeScript block of a README section. */
function readmeExample(heading: string): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`${heading}\n`));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (readme.indexOf(`${heading}\n`) < 0 || !block) {
    throw new Error(`README has no TypeScript example under '${heading}'`);
  }
  return block[1];
}

describe('package entry points', () => {
  test('only the /pulumi entry loads @pulumi modules; types resolve for both entries and the README example', () => {
    withTempDir((dir) => {
      installPackage(dir);
      writeFiles(dir, {
        'probe.js': `
          const path = require('path');
          const pulumiModules = () => Object.keys(require.cache).filter((f) => f.split(path.sep).includes('@pulumi'));
          const main = require('cdk8s-ai-agent-platform');
          const afterMain = pulumiModules();
          const adapter = require('cdk8s-ai-agent-platform/pulumi');
          console.log(JSON.stringify({
            mainExports: typeof main.AiAgentPlatform,
            afterMain,
            adapterExports: typeof adapter.AiAgentPlatformDeployment,
            afterAdapter: pulumiModules().length,
          }));
        `,
        // A consumer on Node's own module resolution, which honours the `exports` map and its `types`.
        'consumer.ts': `
          import { App } from 'cdk8s';
          import { AiAgentPlatform } from 'cdk8s-ai-agent-platform';
          import { AiAgentPlatformDeployment, AiAgentPlatformDeploymentArgs } from 'cdk8s-ai-agent-platform/pulumi';
          const app = new App();
          new AiAgentPlatform(app, 'ai-platform');
          const args: AiAgentPlatformDeploymentArgs = { source: app, crdObjects: 'skip' };
          export const deployment = (name: string) => new AiAgentPlatformDeployment(name, args);
        `,
        'readme-pulumi.ts': readmeExample('### AiAgentPlatformDeployment (Pulumi)'),
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            module: 'node16',
            moduleResolution: 'node16',
            target: 'ES2022',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: [],
          },
          files: ['consumer.ts', 'readme-pulumi.ts'],
        }),
      });

      const probe = JSON.parse(runToolOk(process.execPath, ['probe.js'], { cwd: dir }).stdout);
      expect(probe.mainExports).toBe('function');
      expect(probe.afterMain).toEqual([]);
      // The check above can fail: the adapter entry does load them.
      expect(probe.adapterExports).toBe('function');
      expect(probe.afterAdapter).toBeGreaterThan(0);

      runToolOk(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: dir });
    });
  });

  test('@pulumi packages are optional peer dependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    for (const name of ['@pulumi/pulumi', '@pulumi/kubernetes']) {
      expect(pkg.peerDependencies[name]).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
      expect(pkg.dependencies?.[name]).toBeUndefined();
    }
    expect(pkg.exports['./pulumi']).toEqual({
      types: './build/lib/pulumi/index.d.ts',
      default: './build/lib/pulumi/index.js',
    });
  });
});
