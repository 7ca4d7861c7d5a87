import * as fs from 'fs';
import * as path from 'path';
import { expectValidKubernetes, findObject } from '../support/kube-schema';
import { readManifests, REPO } from '../support/reference';
import { runToolOk, withTempDir } from '../support/tools';

const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const version = (pkg: string) => require(path.join(REPO, 'node_modules', pkg, 'package.json')).version;

/**
 * Every later ```ts snippet of the README as a program: the first example (without its synth) in scope,
 * plus imports of the package's exports and of cdk8s / cdk8s-plus-28 names the snippet uses. Snippets
 * with imports of their own (the Pulumi one, tested in test/pulumi/) are left out.
 */
function snippetPrograms(example: string, exported: string[]): string[] {
  const lines = example.split('\n');
  const lastImport = lines.reduce((last, line, i) => (/from '[^']+';$/.test(line) ? i : last), -1);
  const imports = lines.slice(0, lastImport + 1).join('\n');
  const body = lines.slice(lastImport + 1).filter((l) => !/^app\.synth\(\)/.test(l)).join('\n');
  const imported = new Set([...imports.matchAll(/\b[A-Z][A-Za-z0-9]*\b/g)].map((m) => m[0]));
  const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .slice(1)
    .filter((b) => !/^import /m.test(b));
  return blocks.map((block) => {
    const used = [...new Set([...block.matchAll(/\b[A-Z][A-Za-z0-9]*\b/g)].map((m) => m[0]))].filter(
      (n) => !imported.has(n),
    );
    const fromLib = used.filter((n) => exported.includes(n));
    const fromCdk8s = used.filter((n) => ['Duration', 'Size'].includes(n));
    const fromPlus = used.filter((n) => n === 'Cpu');
    return [
      imports,
      fromLib.length ? `import { ${fromLib.join(', ')} } from 'cdk8s-ai-agent-platform';` : '',
      fromCdk8s.length ? `import { ${fromCdk8s.join(', ')} } from 'cdk8s';` : '',
      fromPlus.length ? `import { ${fromPlus.join(', ')} } from 'cdk8s-plus-28';` : '',
      body,
      '{',
      block,
      '}',
      'export {};',
    ].join('\n');
  });
}

describe('README', () => {
  test('the quick start has exactly the two commands', () => {
    const quickStart = README.split('## Quick start')[1].split('\n## ')[0];
    const commands = [...quickStart.matchAll(/^(npm .*?)(\s+#.*)?$/gm)].map((m) => m[1].trim());
    expect(commands).toEqual(['npm ci && npm run synth', 'npm ci && npm test']);
  });

  // npm pack → install into a fresh project with the peers → tsc --strict → run: the example as pasted.
  test(
    'the first ts example compiles with tsc --strict against the packed package and writes the manifests;'
      + ' every snippet type-checks',
    () =>
      withTempDir((dir) => {
        const example = README.match(/```ts\n([\s\S]*?)```/)![1];
        const packed = runToolOk('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: REPO })
          .stdout.trim()
          .split('\n')
          .pop()!;
        const tarball = path.join(dir, packed);
        // The README's install steps name this very tarball, and a git install builds through prepare.
        expect(README).toContain(`\`npm install ./${packed} cdk8s cdk8s-plus-28 constructs\``);
        expect(require(path.join(REPO, 'package.json')).scripts.prepare).toBe('node scripts/build.js');
        const listing = runToolOk('tar', ['-tzf', tarball]).stdout.split('\n').filter(Boolean);
        expect(listing).toContain('package/build/lib/index.js');
        expect(listing).toContain('package/build/lib/index.d.ts');
        expect(
          listing.filter((f) => !/^package\/(build\/lib\/.*\.(js|d\.ts)|package\.json|README\.md|LICENSE)$/.test(f)),
        ).toEqual([]);

        const project = path.join(dir, 'consumer');
        fs.mkdirSync(project);
        fs.writeFileSync(
          path.join(project, 'package.json'),
          JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }),
        );
        runToolOk(
          'npm',
          [
            'install',
            '--no-audit',
            '--no-fund',
            '--prefer-offline',
            '--loglevel=error',
            tarball,
            `cdk8s@${version('cdk8s')}`,
            `cdk8s-plus-28@${version('cdk8s-plus-28')}`,
            `constructs@${version('constructs')}`,
          ],
          { cwd: project, timeout: 300_000 },
        );
        fs.writeFileSync(path.join(project, 'main.ts'), example);
        const snippets = snippetPrograms(
          example,
          Object.keys(require(path.join(project, 'node_modules', 'cdk8s-ai-agent-platform'))),
        );
        snippets.forEach((program, i) => fs.writeFileSync(path.join(project, `snippet${i}.ts`), program));
        expect(snippets.length).toBeGreaterThanOrEqual(5);
        // Every other snippet type-checks in the example's context (TypeScript 5.9, the repository's).
        runToolOk(
          process.execPath,
          [
            require.resolve('typescript/bin/tsc'),
            '--strict',
            '--noEmit',
            '--target',
            'ES2022',
            '--module',
            'nodenext',
            '--types',
            'node',
            '--typeRoots',
            path.join(REPO, 'node_modules', '@types'),
            ...snippets.map((_, i) => `snippet${i}.ts`),
          ],
          { cwd: project },
        );
        // The example itself with the README's own command, under TypeScript 5.9 and under the 7 a user's
        // `npm install typescript` gets today (installed here; no network fails the test, never skips it).
        const command = README.match(/Compile it with `npx tsc ([^`]+) main\.ts`/)![1].split(' ');
        expect(command).toEqual(['--strict', '--module', 'nodenext', '--target', 'es2022']);
        const ts7 = path.join(dir, 'ts7');
        fs.mkdirSync(ts7);
        runToolOk('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', ts7, 'typescript@7'],
          { timeout: 300_000 });
        const compilers = [require.resolve('typescript/bin/tsc'), path.join(ts7, 'node_modules', '.bin', 'tsc')];
        expect(runToolOk(compilers[1], ['--version']).stdout).toMatch(/^Version 7\./);
        for (const tsc of compilers) {
          fs.rmSync(path.join(project, 'dist'), { recursive: true, force: true });
          runToolOk(tsc, [...command, 'main.ts'], { cwd: project });
          expect(fs.readFileSync(path.join(project, 'main.js'), 'utf8')).toMatch(/^"use strict";/);
          const run = runToolOk(process.execPath, ['main.js'], { cwd: project });
          expect(run.stderr).toBe('');
          expectValidKubernetes(readManifests(path.join(project, 'dist')));
        }
        // `cdk8s synth -o other` sets CDK8S_OUTDIR for the app: the example writes there, not to dist/.
        const { CDK8S_OUTDIR: _unused, ...env } = process.env;
        runToolOk(process.execPath, ['main.js'], { cwd: project, env: { ...env, CDK8S_OUTDIR: 'other' } });
        expect(readManifests(path.join(project, 'other'))).toEqual(readManifests(path.join(project, 'dist')));
        expect(fs.existsSync(path.join(project, 'other', 'nginx', 'nginx.conf'))).toBe(true);

        const objects = readManifests(path.join(project, 'dist'));
        expectValidKubernetes(objects);
        expect(
          findObject(objects, 'Deployment', 'ai-agent').spec.template.spec.containers[0].resources.limits[
            'nvidia.com/gpu'
          ],
        ).toBe('1');
      }),
    600_000,
  );
});
