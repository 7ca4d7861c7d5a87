import * as fs from 'fs';
import * as path from 'path';
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import { AiAgentPlatform, GpuType, PlatformApp, RatePlan } from '../../lib';
import { synthReference } from '../support/reference';
import { withTempDir } from '../support/tools';

/** Kinds that live outside any namespace (the ones a platform could render). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass',
  'IngressClass', 'PriorityClass', 'GatewayClass',
]);

/**
 * What goes wrong when `kubectl apply -f dir/` meets the objects in its reading order (files in lexical order,
 * documents top to bottom, as kubectl's directory walk reads them) on an empty cluster: every namespaced object
 * whose Namespace the same directory creates, but only later.
 */
function applyOrderProblems(docs: readonly any[]): string[] {
  const created = new Set(docs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const o of docs) {
    if (o.kind === 'Namespace') seen.add(o.metadata.name);
    else if (!CLUSTER_SCOPED.has(o.kind) && created.has(o.metadata.namespace) && !seen.has(o.metadata.namespace)) {
      const ns = o.metadata.namespace;
      problems.push(`${o.kind} ${ns}/${o.metadata.name} comes before Namespace ${ns}`);
    }
  }
  return problems;
}

/** Every document of a directory in kubectl's reading order. */
function kubectlReadingOrder(dir: string): any[] {
  return fs.readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter((o) => o);
}

/** Runs `fn` with an output directory `dist` inside a fresh temporary directory. */
function withOutdir<T>(fn: (dir: string) => T): T {
  return withTempDir((tmp) => fn(path.join(tmp, 'dist')));
}

describe('kubectl apply -f dist/ works in one pass on an empty cluster', () => {
  test('the check sees an object before its Namespace (it can fail)', () => {
    const ns = { kind: 'Namespace', metadata: { name: 'tenant-a' } };
    const svc = { kind: 'Service', metadata: { name: 's', namespace: 'tenant-a' } };
    expect(applyOrderProblems([svc, ns])).toEqual(['Service tenant-a/s comes before Namespace tenant-a']);
    expect(applyOrderProblems([ns, svc])).toEqual([]);
    // A namespace the directory does not create (e.g. monitoring) is the cluster's business.
    expect(applyOrderProblems([{ kind: 'PrometheusRule', metadata: { name: 'r', namespace: 'monitoring' } }]))
      .toEqual([]);
  });

  test('the reference platform: every Namespace before the objects in it', () => withOutdir((dir) => {
    synthReference(dir);
    const docs = kubectlReadingOrder(dir);
    expect(docs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name))
      .toEqual(['ai-platform', 'tenant-acme', 'tenant-globex']);
    expect(applyOrderProblems(docs)).toEqual([]);
  }));

  test('a platform of our own, tenants added before and after the gateway and alerts', () => withOutdir((dir) => {
    const app = new PlatformApp({ outdir: dir });
    const platform = new AiAgentPlatform(app, 'shop', { namespace: 'shop-ai' });
    const plan = platform.addRatePlan(RatePlan.perSecond('pro', 20));
    const quota = { gpus: 1, cpu: Cpu.units(8), memory: Size.gibibytes(32) };
    const early = platform.addTenant('early', { plan, quota });
    const agent = { image: 'registry.example.com/chat:1.0.0', gpu: { type: GpuType.L4_24GB } };
    const chat = platform.addAgent('chat', agent);
    early.addAgent('early-chat', agent);
    platform.addGateway('gateway', { serverName: 'ai.shop.example' }).route('/v1/chat/', chat);
    platform.addAlerts('alerts');
    const late = platform.addTenant('late', { plan, quota });
    late.addAgent('late-chat', agent);
    app.synth();
    const docs = kubectlReadingOrder(dir);
    expect(docs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name))
      .toEqual(['shop-ai', 'tenant-early', 'tenant-late']);
    expect(docs.filter((o) => o.metadata.namespace === 'tenant-late').length).toBeGreaterThan(3);
    expect(applyOrderProblems(docs)).toEqual([]);
  }));
});
