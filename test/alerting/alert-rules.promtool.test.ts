import { Testing } from 'cdk8s';
import { AlertRules, GpuUtilizationMetric } from '../../lib';
import {
  expectRulesValid,
  expectRuleTestsPass,
  InputSeries,
  rising,
  RuleTest,
  steady,
  testRules,
  withoutAnnotations,
} from '../support/promtool';

/**
 * Every shipped alert, run by the real `promtool test rules` against synthetic series: it fires when
 * the condition holds longer than its `for`, and stays silent below the threshold or when the condition
 * held for less than `for`. Evaluation is every minute; a rate is defined from the second sample on
 * (t=1m), so an alert with `for: F` over a condition true from the start fires at 1m + F.
 */

const chart = Testing.chart();
const alerts = new AlertRules(chart, 'alerts', { platformNamespace: 'ai-platform', dashboard: false });
const rules = alerts.renderRulesFile();
/** The rules as promtool's alert tests compare them: labels only (annotations have their own tests). */
const bare = withoutAnnotations(rules);

/** The label the platform's PodMonitors put on its workloads' series; the default alerts select on it. */
const OWN = 'part_of="ai-agent-platform"';

/** Series of an HTTP request counter: `ok` and `errors` requests per minute. */
function requests(ok: number, errors: number, minutes: number): InputSeries[] {
  return [
    { series: `http_requests_total{${OWN},status="200"}`, values: rising(ok, minutes) },
    { series: `http_requests_total{${OWN},status="503"}`, values: rising(errors, minutes) },
  ];
}

/** Histogram buckets with `perMinute` cumulative counts per `le` (the last is `+Inf`), as the monitors scrape them. */
function histogram(metric: string, perMinute: Record<string, number>, minutes: number): InputSeries[] {
  return Object.entries(perMinute).map(([le, n]) => ({
    series: `${metric}{${OWN},le="${le}"}`,
    values: rising(n, minutes),
  }));
}

const silent = (alertname: string, at: string) => ({ alertname, at, firing: [] });

test('promtool check rules accepts the rendered groups, annotations included', () => {
  expect(expectRulesValid(rules)).toMatch(/SUCCESS: \d+ rules found/);
});

test('the threshold tests below cover every shipped alert', () => {
  const names = new Set(
    alerts.ruleGroups
      .flatMap((g) => g.rules)
      .map((r) => ('alert' in r ? r.alert : undefined))
      .filter(Boolean),
  );
  expect([...names].sort()).toEqual([...Object.keys(CASES), 'AgentErrorBudgetBurn'].sort());
  for (const tests of Object.values(CASES)) {
    const checks = tests.flatMap((t) => t.alerts ?? []);
    expect(checks.some((c) => c.firing.length > 0)).toBe(true);
    expect(checks.some((c) => c.firing.length === 0)).toBe(true);
  }
});

const CASES: Record<string, RuleTest[]> = {
  HighErrorRate: [
    {
      name: '5 % errors for 9m fires (for: 5m), not after 4m',
      series: requests(95, 5, 30),
      alerts: [
        silent('HighErrorRate', '5m'),
        { alertname: 'HighErrorRate', at: '7m', firing: [{ labels: { severity: 'critical' } }] },
      ],
    },
    { name: '0.5 % errors stays silent', series: requests(199, 1, 40), alerts: [silent('HighErrorRate', '30m')] },
    {
      name: 'no traffic is no alert (no division by zero)',
      series: requests(0, 0, 40),
      alerts: [silent('HighErrorRate', '30m')],
    },
    {
      name: 'every request failing fires even without a 2xx series',
      series: [{ series: `http_requests_total{${OWN},status="500"}`, values: rising(10, 20) }],
      alerts: [{ alertname: 'HighErrorRate', at: '10m', firing: [{ labels: { severity: 'critical' } }] }],
    },
  ],
  HighLatency: [
    {
      name: 'P99 ~5s fires after 10m, not at 10m',
      series: histogram('http_request_duration_seconds_bucket', { '1': 0, '2.5': 0, '5': 10, '+Inf': 10 }, 30),
      alerts: [
        silent('HighLatency', '10m'),
        { alertname: 'HighLatency', at: '12m', firing: [{ labels: { severity: 'warning' } }] },
      ],
    },
    {
      name: 'P99 ~1s stays silent',
      series: histogram('http_request_duration_seconds_bucket', { '1': 10, '2.5': 10, '5': 10, '+Inf': 10 }, 30),
      alerts: [silent('HighLatency', '25m')],
    },
    {
      name: 'the quantile is taken over all instances (sum by le)',
      series: [
        { series: `http_request_duration_seconds_bucket{${OWN},instance="a",le="1"}`, values: rising(100, 30) },
        { series: `http_request_duration_seconds_bucket{${OWN},instance="a",le="5"}`, values: rising(100, 30) },
        { series: `http_request_duration_seconds_bucket{${OWN},instance="a",le="+Inf"}`, values: rising(100, 30) },
        { series: `http_request_duration_seconds_bucket{${OWN},instance="b",le="1"}`, values: rising(0, 30) },
        { series: `http_request_duration_seconds_bucket{${OWN},instance="b",le="5"}`, values: rising(1, 30) },
        { series: `http_request_duration_seconds_bucket{${OWN},instance="b",le="+Inf"}`, values: rising(1, 30) },
      ],
      alerts: [silent('HighLatency', '25m')],
    },
    {
      name: 'no traffic is no alert',
      series: histogram('http_request_duration_seconds_bucket', { '1': 0, '+Inf': 0 }, 30),
      alerts: [silent('HighLatency', '25m')],
    },
  ],
  GPUUtilizationHigh: [
    {
      name: '95 % fires after 15m, not at 14m',
      series: [{ series: 'DCGM_FI_DEV_GPU_UTIL{gpu="0",Hostname="gpu-node-1"}', values: steady(95, 30) }],
      alerts: [
        silent('GPUUtilizationHigh', '14m'),
        {
          alertname: 'GPUUtilizationHigh',
          at: '16m',
          firing: [{ labels: { severity: 'warning', gpu: '0', Hostname: 'gpu-node-1' } }],
        },
      ],
    },
    {
      name: '85 % stays silent',
      series: [{ series: 'DCGM_FI_DEV_GPU_UTIL{gpu="0"}', values: steady(85, 30) }],
      alerts: [silent('GPUUtilizationHigh', '30m')],
    },
    {
      name: 'a dip below the threshold restarts the 15m',
      series: [{ series: 'DCGM_FI_DEV_GPU_UTIL{gpu="0"}', values: '95x10 50 95x12' }],
      alerts: [silent('GPUUtilizationHigh', '23m')],
    },
  ],
  NodeCPUUsageHigh: [
    {
      name: '90 % busy (10 % idle) on both CPUs fires after 10m',
      series: [
        { series: 'node_cpu_seconds_total{instance="n1",cpu="0",mode="idle"}', values: rising(6, 30) },
        { series: 'node_cpu_seconds_total{instance="n1",cpu="1",mode="idle"}', values: rising(6, 30) },
        { series: 'node_cpu_seconds_total{instance="n1",cpu="0",mode="user"}', values: rising(54, 30) },
      ],
      alerts: [
        silent('NodeCPUUsageHigh', '10m'),
        { alertname: 'NodeCPUUsageHigh', at: '12m', firing: [{ labels: { severity: 'warning', instance: 'n1' } }] },
      ],
    },
    {
      name: '70 % busy stays silent',
      series: [{ series: 'node_cpu_seconds_total{instance="n1",cpu="0",mode="idle"}', values: rising(18, 30) }],
      alerts: [silent('NodeCPUUsageHigh', '30m')],
    },
  ],
  NodeMemoryUsageHigh: [
    {
      name: '90 % used fires after 10m',
      series: [
        { series: 'node_memory_MemAvailable_bytes{instance="n1"}', values: steady(10e9, 30) },
        { series: 'node_memory_MemTotal_bytes{instance="n1"}', values: steady(100e9, 30) },
      ],
      alerts: [
        silent('NodeMemoryUsageHigh', '9m'),
        { alertname: 'NodeMemoryUsageHigh', at: '11m', firing: [{ labels: { severity: 'warning', instance: 'n1' } }] },
      ],
    },
    {
      name: '80 % used stays silent',
      series: [
        { series: 'node_memory_MemAvailable_bytes{instance="n1"}', values: steady(20e9, 30) },
        { series: 'node_memory_MemTotal_bytes{instance="n1"}', values: steady(100e9, 30) },
      ],
      alerts: [silent('NodeMemoryUsageHigh', '30m')],
    },
  ],
  PodRestartingFrequently: [
    {
      name: '4 restarts within an hour fire at once',
      series: [
        {
          series:
            'kube_pod_container_status_restarts_total{namespace="ai-platform",pod="ai-agent-0",container="agent"}',
          values: '0x10 1 2 3 4x20',
        },
      ],
      alerts: [
        silent('PodRestartingFrequently', '12m'),
        {
          alertname: 'PodRestartingFrequently',
          at: '14m',
          firing: [{ labels: { severity: 'warning', namespace: 'ai-platform', pod: 'ai-agent-0' } }],
        },
      ],
    },
    {
      name: 'exactly 3 restarts stay silent',
      series: [
        {
          series:
            'kube_pod_container_status_restarts_total{namespace="ai-platform",pod="ai-agent-0",container="agent"}',
          values: '0x10 1 2 3x60',
        },
      ],
      alerts: [silent('PodRestartingFrequently', '40m')],
    },
    {
      name: '4 restarts spread over 2 hours stay silent',
      series: [
        {
          series:
            'kube_pod_container_status_restarts_total{namespace="ai-platform",pod="ai-agent-0",container="agent"}',
          values: '0x30 1x30 2x30 3x30 4x10',
        },
      ],
      alerts: [silent('PodRestartingFrequently', '125m')],
    },
    {
      name: 'restarts outside the platform namespace are not ours',
      series: [
        {
          series:
            'kube_pod_container_status_restarts_total{namespace="kube-system",pod="coredns-0",container="coredns"}',
          values: '0+1x20',
        },
      ],
      alerts: [silent('PodRestartingFrequently', '15m')],
    },
  ],
  AgentInferenceLatencyHigh: [
    {
      name: 'inference P99 ~10s fires after 5m',
      series: histogram('agent_inference_duration_seconds_bucket', { '2.5': 0, '5': 0, '10': 10, '+Inf': 10 }, 30),
      alerts: [
        silent('AgentInferenceLatencyHigh', '5m'),
        { alertname: 'AgentInferenceLatencyHigh', at: '7m', firing: [{ labels: { severity: 'warning' } }] },
      ],
    },
    {
      name: 'inference P99 just under 5s stays silent',
      series: histogram('agent_inference_duration_seconds_bucket', { '2.5': 0, '5': 10, '10': 10, '+Inf': 10 }, 30),
      alerts: [silent('AgentInferenceLatencyHigh', '25m')],
    },
  ],
  LlmKvCacheNearlyFull: [
    {
      // vLLM's gauge as its exporter writes it (a fraction), one series per pod as the PodMonitor scrapes it.
      name: 'one pod\'s KV cache at 95 % for 16m fires for that pod (for: 15m), not after 14m',
      series: [
        { series: `vllm:kv_cache_usage_perc{${OWN},namespace="ai-platform",pod="ai-agent-1",model_name="llama"}`,
          values: steady(0.95, 30) },
        { series: `vllm:kv_cache_usage_perc{${OWN},namespace="ai-platform",pod="ai-agent-2",model_name="llama"}`,
          values: steady(0.4, 30) },
      ],
      alerts: [
        silent('LlmKvCacheNearlyFull', '14m'),
        { alertname: 'LlmKvCacheNearlyFull', at: '16m',
          firing: [{ labels: { severity: 'warning', namespace: 'ai-platform', pod: 'ai-agent-1' } }] },
      ],
    },
    {
      name: '85 % stays silent',
      series: [{ series: `vllm:kv_cache_usage_perc{${OWN},namespace="ai-platform",pod="ai-agent-1"}`,
        values: steady(0.85, 30) }],
      alerts: [silent('LlmKvCacheNearlyFull', '25m')],
    },
  ],
  LlmTimeToFirstTokenHigh: [
    {
      name: 'a fifth of first tokens between 1 and 2.5 s (P95 about 2.1s) fires after 10m',
      series: histogram('vllm:time_to_first_token_seconds_bucket', { '1': 80, '2.5': 100, '5': 100, '+Inf': 100 }, 30),
      alerts: [
        silent('LlmTimeToFirstTokenHigh', '10m'),
        { alertname: 'LlmTimeToFirstTokenHigh', at: '12m', firing: [{ labels: { severity: 'warning' } }] },
      ],
    },
    {
      name: 'a tenth between 1 and 2.5 s (P95 about 1.75s, under the threshold) stays silent',
      series: histogram('vllm:time_to_first_token_seconds_bucket', { '1': 90, '2.5': 100, '5': 100, '+Inf': 100 }, 30),
      alerts: [silent('LlmTimeToFirstTokenHigh', '25m')],
    },
  ],
  BusinessSuccessRateLow: [
    {
      name: '97 % success fires after 10m',
      series: [
        { series: `agent_tasks_total{${OWN},status="success"}`, values: rising(97, 30) },
        { series: `agent_tasks_total{${OWN},status="error"}`, values: rising(3, 30) },
      ],
      alerts: [
        silent('BusinessSuccessRateLow', '10m'),
        { alertname: 'BusinessSuccessRateLow', at: '12m', firing: [{ labels: { severity: 'critical' } }] },
      ],
    },
    {
      name: '99.5 % success stays silent',
      series: [
        { series: `agent_tasks_total{${OWN},status="success"}`, values: rising(199, 30) },
        { series: `agent_tasks_total{${OWN},status="error"}`, values: rising(1, 30) },
      ],
      alerts: [silent('BusinessSuccessRateLow', '25m')],
    },
    {
      name: 'every task failing fires even though no success series exists',
      series: [{ series: `agent_tasks_total{${OWN},status="error"}`, values: rising(5, 30) }],
      alerts: [{ alertname: 'BusinessSuccessRateLow', at: '15m', firing: [{ labels: { severity: 'critical' } }] }],
    },
    {
      name: 'no tasks is no alert',
      series: [
        { series: `agent_tasks_total{${OWN},status="success"}`, values: steady(0, 30) },
        { series: `agent_tasks_total{${OWN},status="error"}`, values: steady(0, 30) },
      ],
      alerts: [silent('BusinessSuccessRateLow', '25m')],
    },
  ],
};

describe.each(Object.entries(CASES))('%s', (alertname, tests) => {
  test.each(tests.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    expectRuleTestsPass(bare, [t]);
  });

  test('a wrong expectation fails (the test can fail)', () => {
    const firing = tests.find((t) => t.alerts?.some((a) => a.firing.length > 0))!;
    const inverted: RuleTest = {
      ...firing,
      alerts: firing.alerts!.map((a) => ({
        ...a,
        firing: a.firing.length ? [] : [{ labels: { severity: 'critical' } }],
      })),
    };
    const result = testRules(bare, [inverted]);
    expect(result.status).not.toBe(0);
    // promtool names the alert whose expectation failed: the inverted case is about this alert.
    expect(`${result.stdout}${result.stderr}`).toMatch(new RegExp(`alertname: ${alertname}\\b`));
  });
});

test('annotations render with the live value', () => {
  expectRuleTestsPass(rules, [
    {
      name: 'HighErrorRate, GPUUtilizationHigh and PodRestartingFrequently annotations',
      series: [
        ...requests(95, 5, 30),
        {
          series: 'DCGM_FI_DEV_GPU_UTIL{gpu="0",Hostname="gpu-node-1",modelName="NVIDIA A100-SXM4-40GB"}',
          values: steady(95, 30),
        },
        {
          series:
            'kube_pod_container_status_restarts_total{namespace="ai-platform",pod="ai-agent-0",container="agent"}',
          values: '0x10 1 2 3 4x20',
        },
      ],
      alerts: [
        {
          alertname: 'HighErrorRate',
          at: '10m',
          firing: [
            {
              labels: { severity: 'critical' },
              annotations: {
                summary: 'More than 1 % of AI agent requests fail with 5xx.',
                description:
                  '5% of the requests of the last 5m failed with a server error '
                    + `(http_requests_total{${OWN},status=~"5.."}).`,
              },
            },
          ],
        },
        {
          alertname: 'GPUUtilizationHigh',
          at: '20m',
          firing: [
            {
              labels: { severity: 'warning', gpu: '0', Hostname: 'gpu-node-1', modelName: 'NVIDIA A100-SXM4-40GB' },
              annotations: {
                summary: 'A GPU is more than 90 % utilized.',
                description: 'GPU 0 (NVIDIA A100-SXM4-40GB) on gpu-node-1 is 95 % utilized; '
                  + 'inference requests queue up. Add replicas or GPU nodes.',
              },
            },
          ],
        },
        {
          alertname: 'PodRestartingFrequently',
          at: '20m',
          firing: [
            {
              labels: { severity: 'warning', namespace: 'ai-platform', pod: 'ai-agent-0' },
              annotations: {
                summary: 'A pod restarted more than 3 times in 1h.',
                description: 'Pod ai-platform/ai-agent-0 restarted 4 times in the last 1h.',
              },
            },
          ],
        },
      ],
    },
  ]);
});

describe('the default alerts watch the platform, not the whole Prometheus', () => {
  /** Another team's service in the same Prometheus: 90 % of its requests fail. */
  const foreign: InputSeries[] = [
    { series: 'http_requests_total{job="billing",namespace="billing",status="200"}', values: rising(10, 30) },
    { series: 'http_requests_total{job="billing",namespace="billing",status="503"}', values: rising(90, 30) },
  ];

  test('a foreign job failing does not fire HighErrorRate while the platform is healthy', () => {
    expectRuleTestsPass(bare, [{
      name: 'foreign 5xx only', series: [...foreign, ...requests(100, 0, 30)],
      alerts: [silent('HighErrorRate', '20m')],
    }]);
  });

  test('the platform failing still fires beside a healthy foreign job', () => {
    expectRuleTestsPass(bare, [{
      name: 'own 5xx', series: [...requests(50, 50, 30),
        { series: 'http_requests_total{job="billing",status="200"}', values: rising(1000, 30) }],
      alerts: [{ alertname: 'HighErrorRate', at: '20m', firing: [{ labels: { severity: 'critical' } }] }],
    }]);
  });

  test('outside a platform (no namespace) the alerts are unscoped, and the same foreign series fires them', () => {
    const standalone = new AlertRules(Testing.chart(), 'alerts', { dashboard: false });
    const unscoped = withoutAnnotations(standalone.renderRulesFile());
    expectRuleTestsPass(unscoped, [{
      name: 'foreign 5xx, unscoped', series: foreign,
      alerts: [{ alertname: 'HighErrorRate', at: '20m', firing: [{ labels: { severity: 'critical' } }] }],
    }]);
  });
});

describe('GPU utilization on MIG-partitioned GPUs', () => {
  const mig = new AlertRules(Testing.chart(), 'alerts', {
    dashboard: false, gpuUtilizationMetric: GpuUtilizationMetric.GRAPHICS_ENGINE_ACTIVE,
  });

  test('reads the engine-active share, per MIG instance, in percent', () => {
    const rule = mig.ruleGroups[0].rules.find((r) => 'alert' in r && r.alert === 'GPUUtilizationHigh')!;
    expect(rule.expr).toBe('DCGM_FI_PROF_GR_ENGINE_ACTIVE * 100 > 90');
    // dcgm-exporter's shape for a MIG instance: GPU_I_ID and GPU_I_PROFILE beside the GPU's labels.
    const instance = (id: string, busy: number): InputSeries => ({
      series: `DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",GPU_I_ID="${id}",GPU_I_PROFILE="1g.10gb",Hostname="n1"}`,
      values: steady(busy, 30),
    });
    expectRuleTestsPass(withoutAnnotations(mig.renderRulesFile()), [{
      name: 'one busy MIG instance of two', series: [instance('1', 0.95), instance('2', 0.5)],
      alerts: [{
        alertname: 'GPUUtilizationHigh', at: '20m',
        firing: [{
          labels: { severity: 'warning', gpu: '0', GPU_I_ID: '1', GPU_I_PROFILE: '1g.10gb', Hostname: 'n1' },
        }],
      }],
    }]);
  });
});
