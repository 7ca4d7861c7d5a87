/**
 * PlatformApp writes the manifests itself, one object at a time (lib/platform/_manifest-writer.ts): the files,
 * their names and their bytes must be those of cdk8s' own `App.synth()`, for every shape of app cdk8s handles,
 * and a failing validation must fail with cdk8s' message.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { AiAgentPlatform, PlatformApp, RatePlan } from '../../lib';
import { withTempDir } from '../support/tools';

/** A ConfigMap named `name` in `scope`. */
function configMap(scope: Construct, name: string): ApiObject {
  return new ApiObject(scope, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { key: name } });
}

/** Every file under `dir`, by relative path. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

/** Synthesizes `build`'s app with PlatformApp and with cdk8s' App; expects the same files, byte for byte. */
function expectSameAsCdk8s(build: (app: App) => void, props: AppProps = {}): Record<string, string> {
  return withTempDir((dir) => {
    const ours = new PlatformApp({ ...props, outdir: path.join(dir, 'ours') });
    build(ours);
    ours.synth();
    const cdk8s = new App({ ...props, outdir: path.join(dir, 'cdk8s') });
    build(cdk8s);
    cdk8s.synth();
    const written = files(path.join(dir, 'ours'));
    expect(written).toEqual(files(path.join(dir, 'cdk8s')));
    return written;
  });
}

/** The failure of `synth`, as a string. */
function failure(synth: () => void): string {
  try {
    synth();
  } catch (error) {
    return String(error);
  }
  throw new Error('synth did not fail');
}

describe('PlatformApp writes the manifests as cdk8s does', () => {
  test('charts that depend on each other: numbered files, dependencies first', () => {
    const written = expectSameAsCdk8s((app) => {
      const base = new Chart(app, 'base');
      const top = new Chart(app, 'top');
      const a = configMap(top, 'a');
      const b = configMap(top, 'b');
      a.addDependency(b);
      top.addDependency(base);
      configMap(base, 'c');
    });
    expect(Object.keys(written)).toEqual(['0000-base.k8s.yaml', '0001-top.k8s.yaml']);
  });

  test('an object depending on an object of another chart: the charts depend on each other', () => {
    const written = expectSameAsCdk8s((app) => {
      const first = new Chart(app, 'first');
      const second = new Chart(app, 'second');
      configMap(first, 'a').addDependency(configMap(second, 'b'));
    });
    expect(Object.keys(written)).toEqual(['0000-second.k8s.yaml', '0001-first.k8s.yaml']);
  });

  test('objects in dependency order: several roots, a diamond, dependencies declared out of tree order', () => {
    const written = expectSameAsCdk8s((app) => {
      const chart = new Chart(app, 'chart');
      const objects = new Map(['x1', 'x2', 'x3', 'x4', 'x5', 'x6'].map((name) => [name, configMap(chart, name)]));
      const edges = [['x1', 'x4'], ['x1', 'x3'], ['x3', 'x5'], ['x4', 'x5'], ['x6', 'x2'], ['x4', 'x6']];
      for (const [from, to] of edges) objects.get(from)!.addDependency(objects.get(to)!);
    });
    const order = [...written['chart.k8s.yaml'].matchAll(/name: (x\d)/g)].map((m) => m[1]);
    expect(order).toEqual(['x5', 'x2', 'x6', 'x4', 'x3', 'x1']);
  });

  test('nested charts, and construct dependencies passed on to the objects under them', () => {
    expectSameAsCdk8s((app) => {
      const outer = new Chart(app, 'outer');
      const inner = new Chart(outer, 'inner');
      const group = new Construct(outer, 'group');
      configMap(group, 'g1');
      configMap(group, 'g2');
      const other = new Construct(outer, 'other');
      configMap(other, 'o1');
      group.node.addDependency(other);
      configMap(inner, 'i1');
    });
  });

  test('a platform with tenants beside a chart of its own, and a chart with its own toJson', () => {
    class Annotating extends Chart {
      public override toJson(): any[] {
        return super.toJson().map((o) => ({ ...o, metadata: { ...o.metadata, annotations: { seen: 'yes' } } }));
      }
    }
    const written = expectSameAsCdk8s((app) => {
      const platform = new AiAgentPlatform(app, 'ai-platform');
      const plan = platform.addRatePlan(RatePlan.perSecond('bronze', 10));
      new ApiObject(platform, 'early', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'early', namespace: 'tenant-acme' },
      });
      platform.addTenant('acme', { plan });
      configMap(new Annotating(app, 'annotated'), 'x');
      configMap(new Chart(app, 'empty-but-one'), 'y');
    });
    expect(written['annotated.k8s.yaml']).toContain('seen: "yes"');
    // Added before its tenant's Namespace, written after it (AiAgentPlatform's toJson orders them).
    const platformYaml = written['ai-platform.k8s.yaml'];
    expect(platformYaml.indexOf('name: early')).toBeGreaterThan(platformYaml.indexOf('name: tenant-acme\n'));
  });

  test('other output types and construct metadata are left to cdk8s', () => {
    const build = (app: App) => {
      configMap(new Chart(app, 'one'), 'a');
      configMap(new Chart(app, 'two'), 'b');
    };
    expectSameAsCdk8s(build, { yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    expectSameAsCdk8s(build, { yamlOutputType: YamlOutputType.FILE_PER_APP });
    expect(Object.keys(expectSameAsCdk8s(build, { recordConstructMetadata: true }))).toContain(
      'construct-metadata.json',
    );
  });

  test('fails with cdk8s\' message on a dependency cycle, reached from outside it or not', () => withTempDir((dir) => {
    const cycles: Record<string, Array<[string, string]>> = {
      closed: [['a', 'b'], ['b', 'c'], ['c', 'a']],
      reached: [['d', 'a'], ['a', 'b'], ['b', 'a']],
    };
    for (const [shape, edges] of Object.entries(cycles)) {
      const build = (app: App) => {
        const chart = new Chart(app, 'chart');
        const objects = new Map(['a', 'b', 'c', 'd'].map((name) => [name, configMap(chart, name)]));
        for (const [from, to] of edges) objects.get(from)!.addDependency(objects.get(to)!);
      };
      const ours = new PlatformApp({ outdir: path.join(dir, `ours-${shape}`) });
      build(ours);
      const cdk8s = new App({ outdir: path.join(dir, `cdk8s-${shape}`) });
      build(cdk8s);
      const message = failure(() => ours.synth());
      expect(message).toBe(failure(() => cdk8s.synth()));
      expect(message).toContain('Dependency cycle detected');
    }
  }));

  test('fails with cdk8s\' message, naming every problem', () => withTempDir((dir) => {
    const build = (app: App) => {
      const chart = new Chart(app, 'chart');
      configMap(chart, 'a').node.addValidation({ validate: () => ['first problem', 'second problem'] });
      chart.node.addValidation({ validate: () => ['chart problem'] });
    };
    const ours = new PlatformApp({ outdir: path.join(dir, 'ours') });
    build(ours);
    const cdk8s = new App({ outdir: path.join(dir, 'cdk8s') });
    build(cdk8s);
    const message = failure(() => ours.synth());
    expect(message).toBe(failure(() => cdk8s.synth()));
    expect(message).toContain('[chart/a] second problem');
  }));
});
