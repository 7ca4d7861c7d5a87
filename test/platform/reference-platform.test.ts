import * as fs from 'fs';
import * as path from 'path';
import { fieldProblems } from '../support/field-audit';
import { expectValidKubernetes, findObject } from '../support/kube-schema';
import { readManifests, REPO, synthReference } from '../support/reference';
import { runToolOk, withTempDir } from '../support/tools';

// The reference platform (apps/reference-platform.ts), synthesized by the main command itself.
describe('reference platform (npm run synth)', () => {
  let objects: any[];
  let outdir: string;
  let tmp: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'reference-'));
    outdir = path.join(tmp, 'dist');
    objects = synthReference(outdir);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('every manifest passes the Kubernetes schemas', () => {
    expectValidKubernetes(objects);
  });

  test('every rendered object passes the API server\'s field rules (lib/core/field-rules.ts, applied to the output)',
    () => {
      expect(objects.length).toBeGreaterThan(40);
      expect(fieldProblems(objects)).toEqual([]);
    });

  test('the agent Deployment matches the contract', () => {
    const agent = findObject(objects, 'Deployment', 'ai-agent');
    expect(agent.metadata.namespace).toBe('ai-platform');
    const pod = agent.spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example.com/ai-agent:v1.2.0');
    expect(c.ports[0]).toEqual({ name: 'http', containerPort: 8080, protocol: 'TCP' });
    expect(c.resources).toEqual({
      requests: { 'cpu': '2', 'memory': '4Gi', 'nvidia.com/gpu': '1' },
      limits: { 'cpu': '4', 'memory': '8Gi', 'nvidia.com/gpu': '1' },
    });
    expect(pod.nodeSelector).toEqual({ 'gpu-type': 'nvidia-a100' });
    expect(pod.tolerations).toEqual([{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'MODEL_PATH', value: '/models/llama-7b' },
        { name: 'REDIS_URL', value: 'redis://redis:6379' },
      ]),
    );
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'model-storage', persistentVolumeClaim: { claimName: 'model-pvc', readOnly: true } },
      { name: 'config', configMap: { name: 'agent-config' } },
    ]));
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'model-storage', mountPath: '/models', readOnly: true },
        { name: 'config', mountPath: '/app/config', readOnly: true },
      ]),
    );
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(agent.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
    });
    findObject(objects, 'ConfigMap', 'agent-config');
    findObject(objects, 'PersistentVolumeClaim', 'model-pvc');
  });

  test('the Services and the model service match the contract', () => {
    for (const name of ['ai-agent-service', 'model-service']) {
      const service = findObject(objects, 'Service', name);
      expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    }
    findObject(objects, 'Deployment', 'model-service');
    const redis = findObject(objects, 'StatefulSet', 'redis');
    expect(redis.spec.volumeClaimTemplates).toHaveLength(1);
  });

  test('Prometheus Operator scrapes every workload, tenant pools, the gateway exporter and its request metrics', () => {
    const monitors = objects.filter((o) => o.kind === 'PodMonitor');
    expect(monitors.map((m) => `${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
      'ai-platform/ai-agent',
      'ai-platform/ai-gateway',
      'ai-platform/model-service',
      'tenant-acme/acme-agent',
    ]);
    const gateway = findObject(objects, 'Deployment', 'ai-gateway');
    const monitor = monitors.find((m) => m.metadata.name === 'ai-gateway');
    const relabelings = [{ action: 'replace', targetLabel: 'part_of', replacement: 'ai-agent-platform' }];
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      { port: 'metrics', path: '/metrics', relabelings },
      { port: 'request-metrics', path: '/metrics', relabelings },
    ]);
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) {
      expect(gateway.spec.template.metadata.labels[k]).toBe(v);
    }
    // Every endpoint names a port of the pod, and the platform's policy lets Prometheus reach each.
    const ports = gateway.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
    expect(ports.map((p: any) => [p.name, p.containerPort])).toEqual(
      expect.arrayContaining([['metrics', 9113], ['request-metrics', 3903]]),
    );
    const scrape = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-prometheus-scrape'
      && o.metadata.namespace === 'ai-platform');
    expect(scrape.spec.ingress[0].ports.map((p: any) => p.port)).toEqual(
      expect.arrayContaining(['metrics', 'request-metrics']),
    );
  });

  test('output is deterministic: a second synth is byte-identical', () => withTempDir((dir) => {
    synthReference(dir);
    for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml'))) {
      expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(fs.readFileSync(path.join(outdir, file), 'utf8'));
    }
  }));

  test('`cdk8s synth` (cdk8s.yaml, as users run it in CI) writes the same manifests', () => withTempDir((dir) => {
    const cli = path.join(REPO, 'node_modules', '.bin', 'cdk8s');
    runToolOk(cli, ['synth', '--no-check-upgrade', '--output', dir], { cwd: REPO });
    expect(readManifests(dir)).toEqual(objects);
  }));

  test('`npx ts-node apps/main.ts` (cdk8s\'s default app command, type-checked by the project\'s ts-node) writes '
    + 'the same dist/ as npm run synth, every file', () => withTempDir((dir) => {
    const tsNode = path.join(REPO, 'node_modules', '.bin', 'ts-node');
    const env = { ...process.env, CDK8S_OUTDIR: path.join(dir, 'ts-node') };
    runToolOk(tsNode, ['apps/main.ts'], { cwd: REPO, env });
    synthReference(path.join(dir, 'synth'));
    const files = (root: string): Record<string, string> => Object.fromEntries(
      (fs.readdirSync(root, { recursive: true }) as string[])
        .filter((f) => fs.statSync(path.join(root, f)).isFile())
        .map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8')]),
    );
    const byTsNode = files(path.join(dir, 'ts-node'));
    expect(Object.keys(byTsNode).length).toBeGreaterThan(10);
    expect(byTsNode).toEqual(files(path.join(dir, 'synth')));
  }));
});
