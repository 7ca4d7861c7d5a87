/**
 * The habits of the codebase, checked by the tools that define them: ESLint with typescript-eslint and ESLint
 * Stylistic (eslint.config.mjs: style, lines of at most 120 characters, functions of at most 60 in lib/) and
 * dependency-cruiser (.dependency-cruiser.cjs: formats never import features, features never import
 * platform/, core/ imports no other folder, no import cycles). Each rule is also shown to bite.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../support/reference';
import { runTool, ToolResult, withTempDir } from '../support/tools';

const ESLINT = path.join(REPO, 'node_modules', 'eslint', 'bin', 'eslint.js');
const DEPCRUISE = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const LINTED = [
  'lib', 'apps', 'test', 'bench', 'scripts', 'eslint.config.mjs', 'jest.config.js', '.dependency-cruiser.cjs',
];

function node(script: string, args: string[], options: { cwd: string; input?: string }): ToolResult {
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run npm ci`);
  return runTool(process.execPath, [script, ...args], { ...options, timeout: 300_000 });
}

const output = (r: ToolResult) => `${r.stdout}${r.stderr}`.trim();

describe('ESLint', () => {
  test('finds no problem in the repository', () => {
    const result = node(ESLINT, ['--max-warnings', '0', ...LINTED], { cwd: REPO });
    expect(output(result)).toBe('');
    expect(result.status).toBe(0);
  });

  test('rejects a line over 120 characters and a function over 60 lines in lib/', () => {
    const long = `export const x = '${'a'.repeat(120)}';\n`;
    const body = Array.from({ length: 61 }, (_, i) => `  const v${i} = ${i};\n`).join('');
    const source = `${long}export function f(): number {\n${body}  return v0;\n}\n`;
    const args = ['--stdin', '--stdin-filename', 'lib/core/example.ts'];
    const result = node(ESLINT, args, { cwd: REPO, input: source });
    expect(result.status).toBe(1);
    expect(output(result)).toContain('@stylistic/max-len');
    expect(output(result)).toContain('max-lines-per-function');
  });
});

describe('dependency-cruiser', () => {
  test('the layering of lib/ holds and there is no import cycle', () => {
    const args = ['--config', '.dependency-cruiser.cjs', '--output-type', 'err'];
    const result = node(DEPCRUISE, [...args, 'lib', 'apps', 'test', 'bench', 'scripts'], { cwd: REPO });
    expect(output(result)).toMatch(/^✔ no dependency violations found/);
    expect(result.status).toBe(0);
  });

  test('reports a format that imports a feature, a feature that imports the platform, and a cycle', () => {
    withTempDir((dir) => {
      const files: Record<string, string> = {
        'lib/nginx/model.ts': "import { route } from '../gateway/route';\nexport const model = route;\n",
        'lib/gateway/route.ts': "import { app } from '../platform/app';\nexport const route = app;\n",
        'lib/platform/app.ts': 'export const app = 1;\n',
        'lib/core/a.ts': "import { b } from './b';\nexport const a = b;\n",
        'lib/core/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        'tsconfig.test.json': JSON.stringify({ compilerOptions: { module: 'commonjs' }, include: ['lib/**/*.ts'] }),
      };
      for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), content);
      }
      fs.copyFileSync(path.join(REPO, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
      const args = ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'lib'];
      const result = node(DEPCRUISE, args, { cwd: dir });
      expect(result.status).not.toBe(0);
      const report = output(result);
      expect(report).toContain('formats-import-no-feature: lib/nginx/model.ts → lib/gateway/route.ts');
      expect(report).toContain('features-import-no-platform: lib/gateway/route.ts → lib/platform/app.ts');
      expect(report).toMatch(/no-cycles: lib\/core\/a\.ts →\s+lib\/core\/b\.ts →\s+lib\/core\/a\.ts/);
    });
  });
});
