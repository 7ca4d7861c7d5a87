import * as fs from 'fs';
import * as path from 'path';
import { expectValidKubernetes, findObject } from './support/kube-schema';
import { readManifests, REPO } from './support/reference';
import { runToolOk, withTempDir } from './support/tools';

const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const version = (pkg: string) => require(path.join(REPO, 'node_modules', pkg, 'package.json')).version;

describe('README', () => {
  test('the quick start has exactly the two commands', () => {
    const quickStart = README.split('## Quick start')[1].split('\n## ')[0];
    const commands = [...quickStart.matchAll(/^(npm .*?)(\s+#.*)?$/gm)].map((m) => m[1].trim());
    expect(commands).toEqual(['npm ci && npm run synth', 'npm ci && npm test']);
  });

  // npm pack → install into a fresh project with the peers → tsc --strict → run: the example as pasted.
  test('the first ts example compiles with tsc --strict against the packed package and writes the manifests', () => withTempDir((dir) => {
    const example = README.match(/```ts\n([\s\S]*?)```/)![1];
    const packed = runToolOk('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO }).stdout.trim().split('\n').pop()!;
    const tarball = path.join(dir, packed);
    const listing = runToolOk('tar', ['-tzf', tarball]).stdout.split('\n').filter(Boolean);
    expect(listing).toContain('package/build/lib/index.js');
    expect(listing).toContain('package/build/lib/index.d.ts');
    expect(listing.filter((f) => !/^package\/(build\/lib\/.*\.(js|d\.ts)|package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);

    const project = path.join(dir, 'consumer');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
    runToolOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball,
      `cdk8s@${version('cdk8s')}`, `cdk8s-plus-28@${version('cdk8s-plus-28')}`, `constructs@${version('constructs')}`], { cwd: project, timeout: 300_000 });
    fs.writeFileSync(path.join(project, 'main.ts'), example);
    runToolOk(process.execPath, [require.resolve('typescript/bin/tsc'), '--strict', '--target', 'ES2022', '--module', 'commonjs',
      '--moduleResolution', 'node', '--types', 'node', '--typeRoots', path.join(REPO, 'node_modules', '@types'), 'main.ts'], { cwd: project });
    runToolOk(process.execPath, ['main.js'], { cwd: project });

    const objects = readManifests(path.join(project, 'dist'));
    expectValidKubernetes(objects);
    expect(findObject(objects, 'Deployment', 'ai-agent').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
  }), 600_000);
});
