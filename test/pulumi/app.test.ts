import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { runTool, runToolOk } from '../support/tools';

// apps/pulumi is the README's live-cluster path (`cd apps/pulumi && pulumi up`). There is no Pulumi
// CLI here, so these tests do what its Node.js language host does, minus the engine.
const project = path.resolve(__dirname, '..', '..', 'apps', 'pulumi');

/**
 * Starts the program like Pulumi's Node.js runtime (`@pulumi/pulumi/cmd/run`): in the project
 * directory, TypeScript through the ts-node registration Pulumi uses (its vendored ts-node unless one
 * is installed, with the compiler options it passes and the project's tsconfig.json, type-checking),
 * then `main` from Pulumi.yaml, with the engine replaced by mocks. Prints every registered resource
 * and the stack outputs once the event loop is empty.
 */
const RUN_LIKE_PULUMI = `
  const path = require('path');
  const pulumi = require('@pulumi/pulumi');
  const tsutils = require('@pulumi/pulumi/tsutils');
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  require(tsnodeRequire).register({
    compiler: typescriptRequire,
    project: 'tsconfig.json',
    skipProject: false,
    compilerOptions: {
      target: 'ES2020', module: 'nodenext', moduleResolution: 'nodenext', sourceMap: 'true',
      ...tsutils.loadTypeScriptCompilerOptions('tsconfig.json'),
    },
  });
  const registered = [];
  pulumi.runtime.setMocks({
    newResource: (r) => {
      const metadata = r.inputs.metadata || {};
      registered.push({
        type: r.type, name: r.name, kind: r.inputs.kind, namespace: metadata.namespace, objectName: metadata.name,
        skipAwait: (metadata.annotations || {})['pulumi.com/skipAwait'],
      });
      return { id: r.custom ? r.name + '-id' : undefined, state: r.inputs };
    },
    call: (c) => c.inputs,
  }, 'ai-agent-platform', 'dev', false);
  const outputs = {};
  const program = require(path.resolve(process.argv[1]));
  for (const [name, value] of Object.entries(program)) {
    if (pulumi.Output.isInstance(value)) value.apply((v) => { outputs[name] = v; });
    else outputs[name] = value === undefined ? null : value;
  }
  process.once('beforeExit', () => console.log(JSON.stringify({ registered, outputs })));
`;

describe('apps/pulumi', () => {
  test('Pulumi runs the program with the project\'s ts-node and TypeScript (dev dependencies), not its vendored '
    + 'ts-node 7 with TypeScript 3.8', () => {
    const picked = runToolOk(process.execPath, ['-e',
      'console.log(JSON.stringify(require("@pulumi/pulumi/tsutils").typeScriptRequireStrings()))'], { cwd: project });
    expect(JSON.parse(picked.stdout)).toEqual({ typescriptRequire: 'typescript', tsnodeRequire: 'ts-node' });
    const versions = runToolOk(process.execPath, ['-e',
      'console.log(require("ts-node/package.json").version, require("typescript").version)'], { cwd: project });
    expect(versions.stdout.trim()).toMatch(/^10\.\d+\.\d+ 5\.\d+\.\d+$/);
  });

  test('is a Pulumi project whose main is the TypeScript program', () => {
    const manifest = parse(fs.readFileSync(path.join(project, 'Pulumi.yaml'), 'utf8'));
    expect(manifest.runtime).toEqual({ name: 'nodejs', options: { typescript: true } });
    // Without main, Pulumi would run the repository package.json's entry point (the library).
    expect(manifest.main).toBe('index.ts');
    expect(fs.existsSync(path.join(project, manifest.main))).toBe(true);
  });

  test('type-checks with its own tsconfig (the root tsconfig excludes it)', () => {
    runToolOk(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(project, 'tsconfig.json')], {
      cwd: project,
    });
  });

  /** Runs the program like Pulumi with the given stack config (`pulumi config set key value`). */
  function runProgram(config: Record<string, string> = {}) {
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [`ai-agent-platform:${k}`, v])),
      ),
    };
    return runTool(process.execPath, ['-e', RUN_LIKE_PULUMI, 'index.ts'], { cwd: project, env });
  }

  function programResult(config: Record<string, string> = {}): { registered: any[]; outputs: Record<string, unknown> } {
    const result = runProgram(config);
    if (result.status !== 0) throw new Error(`the program failed:\n${result.stdout}\n${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').pop()!);
  }

  test('deploys every object of the reference platform when Pulumi runs it', () => {
    const app = new App();
    buildReferencePlatform(app);
    const expected = app.charts.flatMap((chart) => chart.toJson())
      .map((o: any) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`).sort();

    const { registered, outputs } = programResult();

    expect(registered[0]).toMatchObject({
      type: 'cdk8s-ai-agent-platform:index:AiAgentPlatformDeployment',
      name: 'ai-agent-platform',
    });
    const objects = registered.slice(1);
    expect(objects.map((r: any) => `${r.kind} ${r.namespace ?? '-'}/${r.objectName}`).sort()).toEqual(expected);
    expect(outputs.namespaces).toEqual(
      app.charts
        .flatMap((chart) => chart.toJson())
        .filter((o: any) => o.kind === 'Namespace')
        .map((o: any) => o.metadata.name),
    );
    expect(outputs.namespaces).toContain('ai-platform');
    expect(Object.keys(outputs).sort()).toEqual(['gatewayServiceName', 'gatewayServiceNamespace', 'namespaces']);
    expect(objects.filter((r: any) => r.skipAwait !== undefined)).toEqual([]);
  });

  test('reads skipAwait and crdObjects from the stack config', () => {
    const { registered } = programResult({ skipAwait: 'true', crdObjects: 'skip' });
    const objects = registered.slice(1);
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) expect(object.skipAwait).toBe('true');

    const bogus = runProgram({ crdObjects: 'sometimes' });
    expect(bogus.status).not.toBe(0);
    expect(bogus.stderr).toContain(
      "AiAgentPlatformDeployment 'ai-agent-platform': crdObjects (\"sometimes\") must be 'include' or 'skip'",
    );
  });
});
