import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { buildReferencePlatform } from '../../apps/reference-platform';
import {
  AgentAutoscaler, AgentAutoscalerProps, AiAgentPlatform, GpuAgentDeployment, GpuType, IScalableWorkload, MetricTarget,
  PlatformApp, ScalingMetric, ScalingPolicy, ScalingSelectPolicy, ScalingTarget, WorkloadRole,
} from '../../lib';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { pattern } from '../support/patterns';
import { runToolOk, withTempDir, writeFiles } from '../support/tools';

const PROMETHEUS = 'http://prometheus-operated.monitoring.svc:9090';

function agentChart(): { chart: Chart; agent: GpuAgentDeployment } {
  const chart = Testing.chart();
  const agent = new GpuAgentDeployment(chart, 'ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    namespace: 'ai-platform',
    replicas: 3,
    gpu: { type: GpuType.A100_40GB },
  });
  return { chart, agent };
}

function synthAutoscaler(props: Omit<AgentAutoscalerProps, 'target'>): { objects: any[]; autoscaler: AgentAutoscaler } {
  const { chart, agent } = agentChart();
  const autoscaler = new AgentAutoscaler(chart, 'ai-agent-hpa', { target: agent, ...props });
  return { objects: Testing.synth(chart), autoscaler };
}

function autoscalerError(props: Omit<AgentAutoscalerProps, 'target'>): string {
  try {
    synthAutoscaler(props);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the autoscaler to fail');
}

/**
 * A scalable workload other than GpuAgentDeployment, to check the autoscaler's cross-construct checks
 * against implementations that do not guard themselves: `markAutoscaled` only records the call, and the
 * Deployment renders `replicas` and requests as configured, from the same fields `toScalingTarget` reports.
 */
class PlainWorkload extends Construct implements IScalableWorkload {
  public readonly name: string;
  public readonly namespace = 'ai-platform';
  public readonly role = WorkloadRole.AGENT;
  public readonly serviceName: string;
  public readonly servicePort = 80;
  public readonly containerPort = 8080;
  public readonly selectorLabels: Record<string, string>;
  public readonly healthPath = '/health';
  public readonly metrics = { port: 8080, path: '/metrics' };
  public readonly autoscalers: IConstruct[] = [];
  private readonly replicas?: number;
  private readonly requests: Record<string, string>;

  constructor(
    scope: Construct,
    id: string,
    options: { name?: string; pinReplicas?: boolean; requests?: Record<string, string>; render?: boolean } = {},
  ) {
    super(scope, id);
    this.name = options.name ?? id;
    this.serviceName = `${this.name}-service`;
    this.selectorLabels = { 'app.kubernetes.io/name': this.name };
    this.replicas = options.pinReplicas ? 3 : undefined;
    this.requests = options.requests ?? { cpu: '1', memory: '1Gi' };
    if (options.render === false) return;
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels: this.selectorLabels },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.example.com/app:1.0.0',
                resources: {
                  requests: Object.fromEntries(
                    Object.entries(this.requests).map(([k, v]) => [k, k8s.Quantity.fromString(v)]),
                  ),
                },
              },
            ],
          },
        },
      },
    });
  }

  public get autoscaled(): boolean {
    return this.autoscalers.length > 0;
  }

  public toScalingTarget(): ScalingTarget {
    return {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
      replicas: this.replicas,
      containers: [{ name: 'app', requests: this.requests }],
    };
  }

  public markAutoscaled(autoscaler: IConstruct): void {
    this.autoscalers.push(autoscaler);
  }
}

describe('AgentAutoscaler on the reference platform', () => {
  const app = Testing.app();
  const platform = buildReferencePlatform(app);
  const objects = Testing.synth(platform);

  test("HPA ai-agent-hpa: 2-20 replicas, cpu 70 %, memory 80 %, requests_per_second 100, the brief's behaviour", () => {
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata.namespace).toBe('ai-platform');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ai-agent' },
      minReplicas: 2,
      maxReplicas: 20,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
        {
          type: 'Pods',
          pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: 100 } },
        },
      ],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          policies: [
            { type: 'Percent', value: 100, periodSeconds: 15 },
            { type: 'Pods', value: 4, periodSeconds: 15 },
          ],
          selectPolicy: 'Max',
        },
        scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
      },
    });
  });

  test('the ai-agent Deployment leaves replicas to the HPA and has a PodDisruptionBudget', () => {
    const deployment = findObject(objects, 'Deployment', 'ai-agent');
    expect(deployment.spec).not.toHaveProperty('replicas');
    const pdb = findObject(objects, 'PodDisruptionBudget', 'ai-agent-pdb');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.maxUnavailable).toBe(1);
    // The model service has no autoscaler and keeps its count.
    expect(findObject(objects, 'Deployment', 'model-service').spec.replicas).toBe(2);
  });

  test('the platform exposes its autoscalers, and every object is schema-valid', () => {
    expect(platform.autoscalers.map((a) => a.name)).toEqual(['ai-agent-hpa']);
    expect(platform.autoscalers[0].target).toBe(platform.agents[0]);
    expect(platform.agents[0].autoscaled).toBe(true);
    expect(platform.modelServices[0].autoscaled).toBe(false);
    expectValidKubernetes(objects);
  });

  test('a synth of the reference app writes ai-agent-hpa into dist/*.k8s.yaml and no replicas for ai-agent', () => {
    withTempDir((dir) => {
      const outdir = path.join(dir, 'dist');
      const synthApp = new PlatformApp({ outdir });
      buildReferencePlatform(synthApp);
      synthApp.synth();
      const manifests = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'));
      expect(manifests.length).toBeGreaterThan(0);
      const docs = manifests.flatMap((f) =>
        YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJS()),
      );
      expect(findObject(docs, 'HorizontalPodAutoscaler', 'ai-agent-hpa').spec.scaleTargetRef.name).toBe('ai-agent');
      expect(findObject(docs, 'Deployment', 'ai-agent').spec.replicas).toBeUndefined();
      expect(findObjects(docs, 'PodDisruptionBudget', 'ai-agent-pdb')).toHaveLength(1);
    });
  });

  test('fails when the target is not a workload of the platform', () => {
    const other = new AiAgentPlatform(Testing.app(), 'other');
    const foreign = new PlainWorkload(Testing.chart(), 'foreign');
    expect(() => other.addAutoscaler('foreign-hpa', { target: foreign, maxReplicas: 3 })).toThrow(
      "AiAgentPlatform 'other': autoscaler 'foreign-hpa' targets 'test/foreign',"
        + ' which is not a workload of this platform',
    );
  });
});

describe('AgentAutoscaler defaults', () => {
  const { objects, autoscaler } = synthAutoscaler({ maxReplicas: 6 });
  const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa');

  test('snapshot', () => {
    expect(findObjects(objects, 'HorizontalPodAutoscaler')).toMatchSnapshot();
  });

  test('name <target>-hpa, 2 replicas minimum, cpu 80 % explicitly, the brief\'s behaviour', () => {
    expect(autoscaler.name).toBe('ai-agent-hpa');
    expect(autoscaler.minReplicas).toBe(2);
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(6);
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(hpa.spec.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }],
      selectPolicy: 'Max',
    });
    expect(hpa.spec.behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
    });
    expect(autoscaler.behavior.scaleDown.stabilizationWindow.toSeconds()).toBe(300);
  });

  test('the HPA is the Resource child, labelled like the workload, in the target\'s namespace', () => {
    expect(autoscaler.node.defaultChild).toBe(autoscaler.resource);
    expect(autoscaler.node.id).toBe('ai-agent-hpa');
    expect(hpa.metadata.namespace).toBe('ai-platform');
    expect(hpa.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'ai-agent',
      'app.kubernetes.io/component': 'autoscaler',
    });
    expect(findObject(objects, 'Deployment', 'ai-agent').spec.replicas).toBeUndefined();
    expectValidKubernetes(objects);
  });

  test('output is deterministic', () => {
    expect(JSON.stringify(synthAutoscaler({ maxReplicas: 6 }).objects)).toBe(JSON.stringify(objects));
  });
});

describe('ScalingMetric', () => {
  test('LLM-serving signals render Pods metrics with the adapter-safe vLLM names', () => {
    const { objects } = synthAutoscaler({
      maxReplicas: 10,
      metrics: [ScalingMetric.queueDepth(5), ScalingMetric.inFlightRequests(8), ScalingMetric.kvCacheUsage(80)],
    });
    expectValidKubernetes(objects);
    expect(findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa').spec.metrics).toEqual([
      {
        type: 'Pods',
        pods: { metric: { name: 'vllm_num_requests_waiting' }, target: { type: 'AverageValue', averageValue: 5 } },
      },
      {
        type: 'Pods',
        pods: { metric: { name: 'vllm_num_requests_running' }, target: { type: 'AverageValue', averageValue: 8 } },
      },
      // vLLM reports the KV cache as a fraction: 80 % is 0.8, as a quantity 800m.
      {
        type: 'Pods',
        pods: { metric: { name: 'vllm_kv_cache_usage_perc' }, target: { type: 'AverageValue', averageValue: '800m' } },
      },
    ]);
  });

  test('metric names, selectors and external targets are configurable', () => {
    const { objects } = synthAutoscaler({
      maxReplicas: 10,
      metrics: [
        ScalingMetric.queueDepth(2.5, {
          metricName: 'waiting_requests',
          selector: { model_name: 'llama-7b', app: 'vllm' },
        }),
        ScalingMetric.kvCacheUsage(75, { prometheusSeries: 'vllm:gpu_cache_usage_perc' }),
        ScalingMetric.external('gateway_requests_per_second', MetricTarget.value(500)),
        ScalingMetric.external('queue_messages', MetricTarget.averageValue(30), { selector: { queue: 'agent' } }),
      ],
    });
    expectValidKubernetes(objects);
    expect(findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa').spec.metrics).toEqual([
      {
        type: 'Pods',
        pods: {
          metric: { name: 'waiting_requests', selector: { matchLabels: { app: 'vllm', model_name: 'llama-7b' } } },
          target: { type: 'AverageValue', averageValue: '2500m' },
        },
      },
      {
        type: 'Pods',
        pods: { metric: { name: 'vllm_gpu_cache_usage_perc' }, target: { type: 'AverageValue', averageValue: '750m' } },
      },
      {
        type: 'External',
        external: { metric: { name: 'gateway_requests_per_second' }, target: { type: 'Value', value: 500 } },
      },
      {
        type: 'External',
        external: {
          metric: { name: 'queue_messages', selector: { matchLabels: { queue: 'agent' } } },
          target: { type: 'AverageValue', averageValue: 30 },
        },
      },
    ]);
  });

  test('any target with at most 3 decimals renders as a quantity of exactly that value, schema-valid', () => {
    const thousandths = fc
      .sample(fc.integer({ min: 1, max: 10_000_000 }), { numRuns: 60, seed: 42 })
      .concat([1, 999, 1000, 1001, 2500]);
    const rendered = thousandths.map((n) => {
      const { objects } = synthAutoscaler({ maxReplicas: 3, metrics: [ScalingMetric.queueDepth(n / 1000)] });
      return findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa');
    });
    rendered.forEach((hpa, i) => {
      const quantity = hpa.spec.metrics[0].pods.target.averageValue;
      const value = typeof quantity === 'number' ? quantity * 1000 : Number(String(quantity).replace(/m$/, ''));
      expect(value).toBe(thousandths[i]);
    });
    expectValidKubernetes(rendered);
  });

  test('toString names the factory, for error messages', () => {
    expect(String(ScalingMetric.cpu(70))).toBe('ScalingMetric.cpu(70)');
    expect(String(ScalingMetric.podsAverage('requests_per_second', 100))).toBe(
      'ScalingMetric.podsAverage("requests_per_second")',
    );
    expect(String(ScalingPolicy.percent(50, Duration.minutes(1)))).toBe('ScalingPolicy.percent(50, 1 minute)');
  });
});

describe('AgentAutoscaler behaviour', () => {
  test('each direction and field defaults on its own; custom values render in whole seconds', () => {
    const { objects, autoscaler } = synthAutoscaler({
      maxReplicas: 8,
      behavior: {
        scaleUp: { stabilizationWindow: Duration.seconds(30) },
        scaleDown: {
          stabilizationWindow: Duration.minutes(10),
          policies: [ScalingPolicy.pods(1, Duration.minutes(2)), ScalingPolicy.percent(10, Duration.minutes(2))],
          selectPolicy: ScalingSelectPolicy.MIN,
        },
      },
    });
    expectValidKubernetes(objects);
    const behavior = findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa').spec.behavior;
    expect(behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 30,
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }],
      selectPolicy: 'Max',
    });
    expect(behavior.scaleDown).toEqual({
      stabilizationWindowSeconds: 600,
      policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }, { type: 'Percent', value: 10, periodSeconds: 120 }],
      selectPolicy: 'Min',
    });
    expect(autoscaler.behavior.scaleDown.selectPolicy).toBe(ScalingSelectPolicy.MIN);
  });

  test('scale down can be disabled', () => {
    const { objects } = synthAutoscaler({
      maxReplicas: 8,
      behavior: { scaleDown: { selectPolicy: ScalingSelectPolicy.DISABLED } },
    });
    expectValidKubernetes(objects);
    expect(findObject(objects, 'HorizontalPodAutoscaler', 'ai-agent-hpa').spec.behavior.scaleDown.selectPolicy).toBe(
      'Disabled',
    );
  });
});

describe('AgentAutoscaler with KEDA', () => {
  const keda = { prometheusServerAddress: PROMETHEUS };
  const { objects, autoscaler } = synthAutoscaler({
    minReplicas: 2,
    maxReplicas: 20,
    metrics: [
      ScalingMetric.cpu(70),
      ScalingMetric.queueDepth(5),
      ScalingMetric.kvCacheUsage(80, { selector: { model_name: 'llama-7b' } }),
    ],
    keda,
  });
  const scaledObject = findObject(objects, 'ScaledObject', 'ai-agent');

  test('snapshot', () => {
    expect(scaledObject).toMatchSnapshot();
  });

  test('renders a schema-valid ScaledObject instead of an HPA; KEDA\'s HPA keeps the name and the behaviour', () => {
    expectValidKubernetes(objects);
    expect(autoscaler.usesKeda).toBe(true);
    expect(findObjects(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(scaledObject.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaledObject.metadata.namespace).toBe('ai-platform');
    expect(scaledObject.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ai-agent' },
      minReplicaCount: 2,
      maxReplicaCount: 20,
      pollingInterval: 30,
    });
    expect(scaledObject.spec).not.toHaveProperty('cooldownPeriod');
    expect(scaledObject.spec.advanced.horizontalPodAutoscalerConfig.name).toBe('ai-agent-hpa');
    expect(scaledObject.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(
      300,
    );
    expect(findObject(objects, 'Deployment', 'ai-agent').spec.replicas).toBeUndefined();
  });

  test('triggers: cpu as a cpu trigger, LLM signals as Prometheus sums over the target\'s pods', () => {
    const podMatcher = 'namespace="ai-platform",pod=~"ai-agent-[a-z0-9]+-[a-z0-9]+"';
    expect(scaledObject.spec.triggers).toEqual([
      { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
      {
        type: 'prometheus',
        metricType: 'AverageValue',
        metadata: { serverAddress: PROMETHEUS, query: `sum(vllm:num_requests_waiting{${podMatcher}})`, threshold: '5' },
      },
      {
        type: 'prometheus',
        metricType: 'AverageValue',
        metadata: {
          serverAddress: PROMETHEUS,
          query: `sum(vllm:kv_cache_usage_perc{${podMatcher},model_name="llama-7b"})`,
          threshold: '0.8',
        },
      },
    ]);
  });

  test('the generated queries are valid PromQL and select only the target\'s pods (promtool)', () => {
    const queries: string[] = scaledObject.spec.triggers
      .filter((t: any) => t.type === 'prometheus')
      .map((t: any) => t.metadata.query);
    const series = [
      'vllm:num_requests_waiting{namespace="ai-platform",pod="ai-agent-7d9f8c6b5-x2x4q"} 3',
      'vllm:num_requests_waiting{namespace="ai-platform",pod="ai-agent-7d9f8c6b5-k8s9z"} 4',
      // Another Deployment whose name starts with the target's, and the same name in another namespace.
      'vllm:num_requests_waiting{namespace="ai-platform",pod="ai-agent-canary-5c4b9d-abcde"} 100',
      'vllm:num_requests_waiting{namespace="staging",pod="ai-agent-7d9f8c6b5-x2x4q"} 100',
      'vllm:kv_cache_usage_perc{namespace="ai-platform",pod="ai-agent-7d9f8c6b5-x2x4q",model_name="llama-7b"} 0.5',
      'vllm:kv_cache_usage_perc{namespace="ai-platform",pod="ai-agent-7d9f8c6b5-k8s9z",model_name="llama-7b"} 0.25',
      'vllm:kv_cache_usage_perc{namespace="ai-platform",pod="ai-agent-7d9f8c6b5-k8s9z",model_name="other"} 0.9',
    ];
    withTempDir((dir) => {
      writeFiles(dir, {
        'rules.yml': YAML.stringify({
          groups: [{ name: 'keda', rules: queries.map((expr, i) => ({ record: `keda:query${i}`, expr })) }],
        }),
        'test.yml': YAML.stringify({
          rule_files: ['rules.yml'],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series: series.map((s) => {
                const [name, value] = [s.slice(0, s.lastIndexOf(' ')), s.slice(s.lastIndexOf(' ') + 1)];
                return { series: name, values: `${value}x5` };
              }),
              promql_expr_test: [
                { expr: 'keda:query0', eval_time: '2m', exp_samples: [{ labels: 'keda:query0', value: 7 }] },
                { expr: 'keda:query1', eval_time: '2m', exp_samples: [{ labels: 'keda:query1', value: 0.75 }] },
              ],
            },
          ],
        }),
      });
      runToolOk('promtool', ['check', 'rules', path.join(dir, 'rules.yml')]);
      runToolOk('promtool', ['test', 'rules', path.join(dir, 'test.yml')]);
    });
  });

  test('scale to zero: minReplicaCount 0, cooldown rendered, woken by a metric measured outside the pods', () => {
    const service = 'exported_namespace="ai-platform",exported_service="ai-agent-service"';
    const gatewayRate = `sum(rate(nginx_ingress_controller_requests{${service}}[2m]))`;
    const { objects: zero } = synthAutoscaler({
      minReplicas: 0,
      maxReplicas: 4,
      metrics: [
        ScalingMetric.queueDepth(5),
        ScalingMetric.external('gateway_requests_per_second', MetricTarget.averageValue(20), {
          prometheusQuery: gatewayRate,
          availableAtZeroReplicas: true,
        }),
      ],
      keda: {
        ...keda,
        cooldownPeriod: Duration.minutes(15),
        pollingInterval: Duration.seconds(15),
        fallback: { failureThreshold: 3, replicas: 2 },
      },
    });
    expectValidKubernetes(zero);
    const spec = findObject(zero, 'ScaledObject', 'ai-agent').spec;
    expect(spec).toMatchObject({
      minReplicaCount: 0,
      maxReplicaCount: 4,
      cooldownPeriod: 900,
      pollingInterval: 15,
      fallback: { failureThreshold: 3, replicas: 2 },
    });
    expect(spec.triggers[1]).toEqual({
      type: 'prometheus',
      metricType: 'AverageValue',
      metadata: { serverAddress: PROMETHEUS, query: gatewayRate, threshold: '20' },
    });
  });

  test('podsAverage metrics with a Prometheus query and Value targets', () => {
    const query = 'sum(rate(http_requests_total{namespace="ai-platform",service="ai-agent-service"}[2m]))';
    const { objects: rendered } = synthAutoscaler({
      maxReplicas: 4,
      metrics: [
        ScalingMetric.podsAverage('requests_per_second', 100, { prometheusQuery: query }),
        ScalingMetric.external('backlog', MetricTarget.value(1000), { prometheusQuery: 'sum(agent_backlog)' }),
      ],
      keda: { ...keda, scaledObjectName: 'agent-scaler' },
    });
    expectValidKubernetes(rendered);
    expect(findObject(rendered, 'ScaledObject', 'agent-scaler').spec.triggers).toEqual([
      {
        type: 'prometheus',
        metricType: 'AverageValue',
        metadata: { serverAddress: PROMETHEUS, query, threshold: '100' },
      },
      {
        type: 'prometheus',
        metricType: 'Value',
        metadata: { serverAddress: PROMETHEUS, query: 'sum(agent_backlog)', threshold: '1000' },
      },
    ]);
  });
});

describe('AgentAutoscaler validation', () => {
  test('fails when minReplicas > maxReplicas', () => {
    expect(autoscalerError({ minReplicas: 5, maxReplicas: 2 })).toBe(
      "AgentAutoscaler 'ai-agent-hpa': minReplicas (5) must be <= maxReplicas (2)",
    );
  });

  test('fails when minReplicas is 0 without KEDA, or not an integer', () => {
    expect(autoscalerError({ minReplicas: 0, maxReplicas: 2 })).toContain(
      'minReplicas (0) must be an integer >= 1; scale to zero (0) needs the keda option',
    );
    expect(autoscalerError({ minReplicas: 1.5, maxReplicas: 2 })).toContain(
      'minReplicas (1.5) must be an integer >= 1',
    );
    expect(autoscalerError({ maxReplicas: 0, minReplicas: 1 })).toContain('maxReplicas (0) must be an integer >= 1');
  });

  test('fails when a utilization is outside 1-100', () => {
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.cpu(0)] }))
      .toContain("metrics[0].utilization (0) must be an integer between 1 and 100 (percent of the pods' cpu request)");
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.cpu(70), ScalingMetric.memory(101)] })).toContain(
      "metrics[1].utilization (101) must be an integer between 1 and 100 (percent of the pods' memory request)",
    );
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.kvCacheUsage(150)] }))
      .toContain('metrics[0].utilization (150) must be an integer between 1 and 100');
  });

  test('fails when a target value is not a positive quantity, or a utilization is used for a pod metric', () => {
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.queueDepth(0)] }))
      .toContain('metrics[0].averageValue (0) must be a positive number with at most 3 decimals');
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.external('x', MetricTarget.value(0.0001))] }))
      .toContain('metrics[0].value (0.0001) must be a positive number with at most 3 decimals');
    expect(
      autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.external('x', MetricTarget.utilization(50))] }),
    ).toContain(
      'metrics[0].target (Utilization(50)) Utilization is only valid for ScalingMetric.cpu and ScalingMetric.memory',
    );
  });

  test('fails when a metric name is not a metrics API name, metrics are empty or repeated', () => {
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.podsAverage('custom/requests', 10)] })).toContain(
      "metrics[0].metricName (\"custom/requests\") must be a non-empty metrics API name without '/' or '%'",
    );
    expect(autoscalerError({ maxReplicas: 4, metrics: [] })).toContain('metrics ("[]") must name at least one metric');
    expect(autoscalerError({ maxReplicas: 4, metrics: [ScalingMetric.cpu(70), ScalingMetric.cpu(80)] }))
      .toContain('metrics[1] (ScalingMetric.cpu(80)) duplicates metrics[0]');
  });

  test('fails when an HPA selector is no set of Kubernetes labels (matchLabels)', () => {
    const metric = ScalingMetric.podsAverage('requests_per_second', 10, { selector: { 'model id': 'a;b' } });
    expect(autoscalerError({ maxReplicas: 4, metrics: [metric] })).toBe([
      'AgentAutoscaler \'ai-agent-hpa\': metrics[0].selector key ("model id") must be a Kubernetes label key '
        + "([prefix/]name: an optional DNS-1123 subdomain prefix, then at most 63 letters, digits, '-', '_' or '.', "
        + 'starting and ending with a letter or digit)',
      'AgentAutoscaler \'ai-agent-hpa\': metrics[0].selector.model id ("a;b") must be a Kubernetes label value: empty, '
        + "or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ].join('\n'));
  });

  test('fails when behaviour is out of the API\'s ranges', () => {
    const message = autoscalerError({
      maxReplicas: 4,
      behavior: {
        scaleUp: { stabilizationWindow: Duration.hours(2), policies: [ScalingPolicy.pods(0, Duration.minutes(31))] },
        scaleDown: { policies: [] },
      },
    });
    expect(message).toContain(
      'behavior.scaleUp.stabilizationWindow (7200s) must be whole seconds between 0 and 3600 (1 hour)',
    );
    expect(message).toContain('behavior.scaleUp.policies[0].value (0) must be a positive integer');
    expect(message).toContain(
      'behavior.scaleUp.policies[0].period (1860s) must be whole seconds between 1 and 1800 (30 minutes)',
    );
    expect(message).toContain('behavior.scaleDown.policies ("[]") must have at least one ScalingPolicy');
    expect(
      autoscalerError({
        maxReplicas: 4,
        behavior: { scaleUp: { policies: [ScalingPolicy.percent(100, Duration.millis(1500))] } },
      }),
    ).toContain('behavior.scaleUp.policies[0].period (1.5s) must be whole seconds');
  });

  test('fails when several props are wrong, reporting every problem at once', () => {
    const message = autoscalerError({
      minReplicas: 5,
      maxReplicas: 2,
      metrics: [ScalingMetric.cpu(200)],
      name: 'Not_A_Name',
    });
    expect(message.split('\n')).toEqual([
      "AgentAutoscaler 'ai-agent-hpa': name (\"Not_A_Name\") must be a DNS-1123 subdomain:"
        + " at most 253 characters of lowercase letters, digits, '-' and '.'",
      "AgentAutoscaler 'ai-agent-hpa': minReplicas (5) must be <= maxReplicas (2)",
      "AgentAutoscaler 'ai-agent-hpa': metrics[0].utilization (200) must be an integer between 1 and 100"
        + " (percent of the pods' cpu request)",
    ]);
  });

  test('fails when the target is not scalable', () => {
    const chart = Testing.chart();
    const notScalable = new Construct(chart, 'just-a-construct');
    expect(
      () => new AgentAutoscaler(chart, 'hpa', { target: notScalable as unknown as IScalableWorkload, maxReplicas: 3 }),
    ).toThrow(
      "AgentAutoscaler 'hpa': target ('test/just-a-construct') must be a scalable workload"
        + ' (an IScalableWorkload such as a GpuAgentDeployment)',
    );
    expect(
      () => new AgentAutoscaler(chart, 'hpa2', { target: undefined as unknown as IScalableWorkload, maxReplicas: 3 }),
    ).toThrow("AgentAutoscaler 'hpa2': target (undefined) must be a scalable workload");
  });

  test('fails when a workload of the user\'s own names no object the API server accepts', () => {
    const chart = Testing.chart();
    const target = new PlainWorkload(chart, 'plain', { name: 'Plain_App', render: false });
    expect(() => new AgentAutoscaler(chart, 'hpa', { target, maxReplicas: 3, name: 'plain-hpa' })).toThrow(pattern(
      /^AgentAutoscaler 'hpa': target.name \("Plain_App"\) must be a DNS-1123 subdomain: .*\n/,
      /AgentAutoscaler 'hpa': target.scaleTargetRef.name \("Plain_App"\) must be a DNS-1123 subdomain: /,
    ));
  });

  test('fails when KEDA options are wrong', () => {
    expect(
      autoscalerError({
        maxReplicas: 4,
        metrics: [ScalingMetric.podsAverage('requests_per_second', 100)],
        keda: { prometheusServerAddress: PROMETHEUS },
      }),
    ).toContain(
      'metrics[0] (ScalingMetric.podsAverage("requests_per_second")) needs options.prometheusQuery with keda:'
        + ' KEDA reads Prometheus directly, no metrics adapter serves "requests_per_second"',
    );
    expect(
      autoscalerError({
        maxReplicas: 4,
        metrics: [
          ScalingMetric.queueDepth(5, {
            selector: { model_name: 'llama-7b' },
            prometheusQuery: 'sum(vllm:num_requests_waiting)',
          }),
        ],
        keda: { prometheusServerAddress: PROMETHEUS },
      }),
    ).toContain(
      'metrics[0] (ScalingMetric.queueDepth(5)) has both a selector and a prometheusQuery:'
        + ' KEDA runs the query as given',
    );
    expect(autoscalerError({ maxReplicas: 4, keda: { prometheusServerAddress: 'prometheus:9090' } }))
      .toContain('keda.prometheusServerAddress ("prometheus:9090") must be an http(s) URL');
    expect(
      autoscalerError({
        maxReplicas: 4,
        keda: { prometheusServerAddress: PROMETHEUS, fallback: { failureThreshold: 3, replicas: 2 } },
      }),
    ).toContain('keda.fallback ("set") needs a Prometheus metric with an AverageValue target');
    expect(
      autoscalerError({
        maxReplicas: 4,
        metrics: [ScalingMetric.queueDepth(5)],
        keda: { prometheusServerAddress: PROMETHEUS, fallback: { failureThreshold: 0, replicas: 9 } },
      }),
    ).toMatch(
      pattern(
        /keda\.fallback\.failureThreshold \(0\) must be an integer >= 1\n/,
        /.*keda\.fallback\.replicas \(9\) must be an integer between 2 and maxReplicas \(4\)/,
      ),
    );
  });

  test('fails when an LLM signal targets a workload whose metrics are disabled', () => {
    const chart = Testing.chart();
    const quiet = new GpuAgentDeployment(chart, 'quiet', { image: 'registry.example.com/quiet:1.0.0', metrics: false });
    expect(
      () =>
        new AgentAutoscaler(chart, 'hpa', {
          target: quiet,
          maxReplicas: 4,
          metrics: [ScalingMetric.cpu(70), ScalingMetric.queueDepth(5)],
        }),
    ).toThrow(
      "AgentAutoscaler 'hpa': metrics[1] (ScalingMetric.queueDepth(5)) reads the model server's"
        + " \"vllm:num_requests_waiting\", but target 'quiet' exposes no Prometheus metrics (its metrics are disabled)",
    );
  });

  test('fails when scaling to zero with only metrics of the target\'s own pods', () => {
    expect(
      autoscalerError({
        minReplicas: 0,
        maxReplicas: 4,
        metrics: [ScalingMetric.queueDepth(5), ScalingMetric.cpu(70)],
        keda: { prometheusServerAddress: PROMETHEUS },
      }),
    ).toContain(
      'minReplicas (0) needs a metric that exists while the target has no pods, got [ScalingMetric.queueDepth(5), '
        + 'ScalingMetric.cpu(70)]: ScalingMetric.gatewayRequestRate(gateway.requestSignal(route), n)',
    );
  });

  test('fails when scaling to zero on a query over the pods\' own series (it vanishes at zero: the README\'s old '
    + 'example)', () => {
    expect(
      autoscalerError({
        minReplicas: 0,
        maxReplicas: 4,
        metrics: [ScalingMetric.external('queue_depth', MetricTarget.averageValue(5), {
          prometheusQuery: 'sum(vllm:num_requests_waiting{namespace="ai-platform"})',
        })],
        keda: { prometheusServerAddress: PROMETHEUS },
      }),
    ).toContain('minReplicas (0) needs a metric that exists while the target has no pods');
  });

  test('fails when two autoscalers target one GpuAgentDeployment', () => {
    const { chart, agent } = agentChart();
    new AgentAutoscaler(chart, 'first', { target: agent, maxReplicas: 4 });
    expect(() => new AgentAutoscaler(chart, 'second', { target: agent, maxReplicas: 4 }))
      .toThrow(/GpuAgentDeployment 'ai-agent': already autoscaled by '.*first', cannot also be scaled by '.*second'/);
  });

  test('fails when two autoscalers target one workload that does not guard itself (synth-time check)', () => {
    const chart = Testing.chart();
    const workload = new PlainWorkload(chart, 'worker');
    new AgentAutoscaler(chart, 'hpa', { target: workload, maxReplicas: 4 });
    new AgentAutoscaler(chart, 'keda', {
      target: workload,
      maxReplicas: 4,
      metrics: [ScalingMetric.queueDepth(5)],
      keda: { prometheusServerAddress: PROMETHEUS },
    });
    expect(() => Testing.synth(chart)).toThrow(
      pattern(
        /AgentAutoscaler 'hpa': Deployment 'ai-platform\/worker' is also scaled by '.*keda';/,
        / two autoscalers on one workload overwrite each other's replica count/,
      ),
    );
  });

  test('fails when the target still renders replicas (synth-time check)', () => {
    const chart = Testing.chart();
    const workload = new PlainWorkload(chart, 'worker', { pinReplicas: true });
    new AgentAutoscaler(chart, 'hpa', { target: workload, maxReplicas: 4 });
    expect(() => Testing.synth(chart)).toThrow(
      "AgentAutoscaler 'hpa': target Deployment 'worker' still renders spec.replicas (3);"
        + ' every apply would reset the count the autoscaler chose',
    );
  });

  test('fails when a utilization metric has no request to divide by (synth-time check)', () => {
    const chart = Testing.chart();
    const workload = new PlainWorkload(chart, 'worker', { requests: { cpu: '500m' } });
    new AgentAutoscaler(chart, 'hpa', {
      target: workload,
      maxReplicas: 4,
      metrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80)],
    });
    expect(() => Testing.synth(chart)).toThrow(
      "AgentAutoscaler 'hpa': ScalingMetric.memory(80) needs a memory request on every container,"
        + " but container 'app' of Deployment 'worker' has none",
    );
  });

  test('asks the target through toScalingTarget, not through its rendered manifest', () => {
    // The target renders no Kubernetes object the autoscaler could read: its answers alone drive the checks.
    const chart = Testing.chart();
    const workload = new PlainWorkload(chart, 'worker', {
      pinReplicas: true,
      requests: { cpu: '500m' },
      render: false,
    });
    new AgentAutoscaler(chart, 'hpa', { target: workload, maxReplicas: 4, metrics: [ScalingMetric.memory(80)] });
    expect(() => Testing.synth(chart)).toThrow(new RegExp([
      "target Deployment 'worker' still renders spec.replicas \\(3\\)",
      "ScalingMetric.memory\\(80\\) needs a memory request on every container, but container 'app'",
    ].join('[\\s\\S]*')));
  });

  test('a GpuAgentDeployment reports what it renders: no replicas once autoscaled, its container\'s requests', () => {
    const { chart, agent } = agentChart();
    expect(agent.toScalingTarget()).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ai-agent' },
      replicas: 3,
      containers: [{ name: 'agent', requests: { 'cpu': '2', 'memory': '4Gi', 'nvidia.com/gpu': '1' } }],
    });
    new AgentAutoscaler(chart, 'hpa', { target: agent, maxReplicas: 4 });
    expect(agent.toScalingTarget().replicas).toBeUndefined();
    const deployment = findObject(Testing.synth(chart), 'Deployment', 'ai-agent');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.template.spec.containers.map((c: any) => ({ name: c.name, requests: c.resources.requests })))
      .toEqual(agent.toScalingTarget().containers);
  });

  test('a well-formed plain workload passes the synth-time checks and is marked autoscaled', () => {
    const chart = Testing.chart();
    const workload = new PlainWorkload(chart, 'worker');
    const autoscaler = new AgentAutoscaler(chart, 'hpa', {
      target: workload,
      maxReplicas: 4,
      metrics: [ScalingMetric.cpu(70), ScalingMetric.memory(80)],
    });
    const objects = Testing.synth(chart);
    expect(workload.autoscalers).toEqual([autoscaler]);
    expect(findObject(objects, 'HorizontalPodAutoscaler', 'worker-hpa').spec.scaleTargetRef.name).toBe('worker');
    expectValidKubernetes(objects);
  });
});
