/**
 * PlatformApp's writing of the Kubernetes manifests: cdk8s' `App.synth()` for its default output (one YAML file
 * per chart), except that each object is resolved, serialised and written before the next one is resolved.
 * cdk8s resolves every object of a chart (`chart.toJson()`) before it serialises any, so a synth held the
 * construct tree and every resolved manifest at once: at 1000 agents + 5000 tenants, 56 k manifests.
 *
 * The steps and their order are cdk8s' own (`App.synth` in cdk8s 2.x, src/app.ts): validate every construct,
 * turn construct dependencies into chart and object dependencies, name the files (indexed when charts depend
 * on each other), write each chart's objects in dependency order. cdk8s' `chart.toJson()` validates and
 * resolves the dependencies once more per chart, which cannot change the result; here they run once.
 * A chart is streamed only when its `toJson()` is known to be cdk8s' own, possibly after an ordering step the
 * chart class declares with {@link streamsManifests}; any other chart's `toJson()` is called, as cdk8s does.
 * test/platform/manifest-writer.test.ts compares the output with cdk8s' own synth.
 */
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names } from 'cdk8s';
import { IConstruct } from 'constructs';

type ToJson = Chart['toJson'];

/** `toJson` implementations that are `prepare(chart)` and then cdk8s' own: their charts can be streamed. */
const streamable = new Map<ToJson, (chart: Chart) => void>([[Chart.prototype.toJson, () => undefined]]);

/**
 * Declares that `toJson` (a Chart subclass's override) is `prepare(chart)` followed by cdk8s' own
 * `Chart.toJson()`, so that PlatformApp may run `prepare` and then write the chart's objects one at a time.
 */
export function streamsManifests(toJson: ToJson, prepare: (chart: Chart) => void): void {
  streamable.set(toJson, prepare);
}

/**
 * Writes the manifests of every chart of `app` into `outdir` (which exists): `write(filePath, documents)` per
 * chart, with the documents resolved as `write` iterates them.
 */
export function writeManifests(
  app: App,
  outdir: string,
  write: (filePath: string, documents: Iterable<unknown>) => void,
): void {
  const tree = new SubtreeCache();
  validate(app, tree);
  const dependantCharts = resolveDependencies(app, tree);
  // cdk8s orders the charts by a dependency graph of every construct of the app; one chart needs no order.
  const charts = tree.findAll(app).filter((c): c is Chart => c instanceof Chart);
  (charts.length === 1 ? charts : app.charts).forEach((chart, index) => {
    const prefix = dependantCharts ? `${String(index).padStart(4, '0')}-` : '';
    write(path.join(outdir, `${prefix}${Names.toDnsLabel(chart)}${app.outputFileExtension}`), manifests(chart));
  });
}

/** A chart's manifests in the order of its `toJson()`, resolved one at a time when the chart can be streamed. */
function manifests(chart: Chart): Iterable<unknown> {
  const prepare = streamable.get(chart.toJson);
  if (!prepare) return Object.values(chart.toJson());
  prepare(chart);
  return (function* resolveEach() {
    for (const object of chartObjects(chart)) yield object.toJson();
  })();
}

/**
 * The objects a chart renders, in the order of cdk8s' `chartToKube` (`DependencyGraph(chart.node).topology()`):
 * from each construct of the chart that nothing in the chart depends on, in tree order, a depth-first walk along
 * dependencies, each construct after those it depends on. cdk8s builds a graph vertex with two sets per
 * construct for it (67 k constructs at 1000 agents + 5000 tenants); this walks the constructs themselves. On a
 * dependency cycle it lets cdk8s' graph report it.
 */
function chartObjects(chart: Chart): ApiObject[] {
  const constructs = chart.node.findAll();
  const prefix = `${chart.node.path}/`;
  const root = chart.node.root;
  // cdk8s' graph has the chart's constructs only: a dependency outside the chart is no edge.
  const dependenciesOf = (construct: IConstruct) => construct.node.dependencies
    .filter((d) => d.node.root === root && (d === chart || d.node.path.startsWith(prefix)));
  const dependedOn = new Set(constructs.flatMap(dependenciesOf));
  const ordered: IConstruct[] = [];
  const state = new Map<IConstruct, 'visiting' | 'done'>();
  const visit = (construct: IConstruct): void => {
    const seen = state.get(construct);
    if (seen === 'done') return;
    if (seen === 'visiting') throw cycleError(chart);
    state.set(construct, 'visiting');
    dependenciesOf(construct).forEach(visit);
    state.set(construct, 'done');
    ordered.push(construct);
  };
  constructs.filter((c) => !dependedOn.has(c)).forEach(visit);
  if (ordered.length !== constructs.length) throw cycleError(chart); // a cycle nothing outside it leads to
  return ordered.filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

/** cdk8s' own error for a dependency cycle in `chart` (its graph throws it when built). */
function cycleError(chart: Chart): Error {
  new DependencyGraph(chart.node);
  return new Error(`Dependency cycle detected in '${chart.node.path}'`);
}

/** Every construct of a subtree, computed once per subtree and synth (cdk8s' `SynthRequestCache`). */
class SubtreeCache {
  private readonly cache = new Map<IConstruct, IConstruct[]>();

  public findAll(scope: IConstruct): IConstruct[] {
    let all = this.cache.get(scope);
    if (!all) {
      all = scope.node.findAll();
      this.cache.set(scope, all);
    }
    return all;
  }
}

/** Runs every construct's validations; throws cdk8s' error listing every problem. */
function validate(app: App, tree: SubtreeCache): void {
  const errors = tree.findAll(app).flatMap((c) => c.node.validate().map((error) => `[${c.node.path}] ${error}`));
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/** Every construct dependency of the app, source and target. */
function dependencies(app: App, tree: SubtreeCache): Array<{ source: IConstruct; target: IConstruct }> {
  return tree.findAll(app).flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
}

/**
 * cdk8s' `resolveDependencies`: a chart depends on the charts nested in it and on the charts its constructs
 * depend on; an object depends on the objects of the constructs its construct depends on. Returns whether any
 * chart depends on another (the files are then numbered).
 */
function resolveDependencies(app: App, tree: SubtreeCache): boolean {
  let dependantCharts = false;
  for (const parent of tree.findAll(app).filter((c): c is Chart => c instanceof Chart)) {
    for (const child of parent.node.children.filter((c) => c instanceof Chart)) {
      parent.node.addDependency(child);
      dependantCharts = true;
    }
  }
  for (const { source, target } of dependencies(app, tree)) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      dependantCharts = true;
    }
  }
  for (const { source, target } of dependencies(app, tree)) {
    const objectsOf = (scope: IConstruct) => {
      const chart = Chart.of(scope);
      return tree.findAll(scope).filter((c) => c instanceof ApiObject && Chart.of(c) === chart);
    };
    const targets = objectsOf(target);
    for (const sourceObject of objectsOf(source)) {
      for (const targetObject of targets) {
        if (targetObject !== sourceObject) sourceObject.node.addDependency(targetObject);
      }
    }
  }
  return dependantCharts;
}
