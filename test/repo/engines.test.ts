import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../support/reference';

const pkg = require(path.join(REPO, 'package.json'));
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The lowest Node major a simple `>=N[.x.y]` range admits, or undefined for other forms. */
function lowestMajor(range: string): number | undefined {
  const m = /^>=\s*(\d+)(\.\d+)*$/.exec(range.trim());
  return m ? Number(m[1]) : undefined;
}

/** Every installed package's name and `engines.node`, by walking node_modules (scoped folders too). */
function installedEngines(): Array<[string, string]> {
  const root = path.join(REPO, 'node_modules');
  const names = fs.readdirSync(root).flatMap((entry) => entry.startsWith('@')
    ? fs.readdirSync(path.join(root, entry)).map((sub) => `${entry}/${sub}`)
    : entry.startsWith('.') ? [] : [entry]);
  return names.flatMap((name): Array<[string, string]> => {
    const file = path.join(root, name, 'package.json');
    if (!fs.existsSync(file)) return [];
    const node = JSON.parse(fs.readFileSync(file, 'utf8')).engines?.node;
    return typeof node === 'string' ? [[name, node]] : [];
  });
}

describe('Node versions, as package.json and the README state them', () => {
  test('using the library: Node >= 20; developing it: Node >= 22, a warning, not a failure', () => {
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.devEngines).toEqual({ runtime: { name: 'node', version: '>=22', onFail: 'warn' } });
  });

  test('devEngines is what the development dependencies declare: some need 22, none more', () => {
    const simple = installedEngines().map(([name, range]) => [name, lowestMajor(range)] as const)
      .filter(([, major]) => major !== undefined) as Array<readonly [string, number]>;
    const needs22 = simple.filter(([, major]) => major === 22).map(([name]) => name);
    expect(needs22).toContain('kubernetes-models');
    expect(simple.filter(([, major]) => major > 22)).toEqual([]);
  });

  test('the runtime dependency needs no more than the library states', () => {
    for (const dep of Object.keys(pkg.dependencies)) {
      const range = require(path.join(REPO, 'node_modules', dep, 'package.json')).engines?.node ?? '>=0';
      expect([dep, (lowestMajor(range) ?? 0) <= 20]).toEqual([dep, true]);
    }
  });

  test('the README says both, and that Node 20 is past its end of life', () => {
    expect(README).toMatch(/Node\.js 20 or later to use the library/);
    expect(README).toMatch(/Node\.js 22 or later to develop it/);
    expect(README).toMatch(/Node\.js 20 reached its end of life/);
  });
});
