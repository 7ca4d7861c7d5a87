import { Duration } from 'cdk8s';
import { AlertMetricSelectors } from './_standard-alerts';
import { Dashboard, DashboardPanel } from '../grafana/dashboard';
import { eventRatio, histogramQuantile, LabelMatcher, MetricSelector, promNumber, sumRate } from '../prometheus/promql';
import { ServiceLevelObjective } from '../prometheus/slo';

/** What the platform dashboard shows. */
export interface PlatformDashboardInput {
  /** Grafana uid of the dashboard (stable URL). */
  readonly uid: string;
  /** Dashboard title. */
  readonly title: string;
  /** The resolved metric selectors the panels query. */
  readonly metrics: AlertMetricSelectors;
  /** Rate window of the rate and quantile queries. */
  readonly window: Duration;
  /** Namespace of the platform's Deployments and HPAs (kube-state-metrics series); all when undefined. */
  readonly platformNamespace?: string;
  /** The error-rate alert's threshold in percent, drawn on the error panel; none when undefined. */
  readonly errorRatePercent?: number;
  /** The GPU alert's threshold in percent, drawn on the GPU panel; none when undefined. */
  readonly gpuPercent?: number;
  /** PromQL of every GPU's utilization in percent. */
  readonly gpuUtilization: string;
  /** The SLOs; one error-budget panel each. */
  readonly slos: readonly ServiceLevelObjective[];
  /** Prefix of the SLO recording rules the budget panels read. */
  readonly recordPrefix: string;
  /** The gateway's request metrics, scoped to the platform; no gateway panels when undefined. */
  readonly gateway?: {
    readonly requests: MetricSelector;
    readonly firstByteBuckets: MetricSelector;
    readonly rejected: MetricSelector;
  };
}

/**
 * The platform's Grafana dashboard: traffic, errors, latency, GPUs, replicas against the autoscaler's
 * bounds and the error budget left of every SLO.
 */
export function platformDashboard(input: PlatformDashboardInput): Dashboard {
  const panels: DashboardPanel[] = [
    ...trafficPanels(input),
    ...(input.gateway ? gatewayPanels(input.gateway, input.window) : []),
    ...llmPanels(input),
    ...capacityPanels(input),
    ...businessPanels(input),
    ...input.slos.map((slo) => budgetPanel(slo, input)),
  ];
  return { uid: input.uid, title: input.title, tags: ['ai-agent-platform', 'slo'], panels };
}

/** Request rate, error ratio and latency quantiles. */
function trafficPanels(input: PlatformDashboardInput): DashboardPanel[] {
  const m = input.metrics;
  const w = input.window;
  return [
    {
      title: 'Request rate',
      type: 'timeseries',
      unit: 'reqps',
      width: 8,
      height: 8,
      min: 0,
      description: `All requests and server errors per second (${m.httpRequests}).`,
      queries: [
        { expr: sumRate(m.httpRequests, w), legend: 'all' },
        { expr: sumRate(m.httpRequests.with(m.httpErrors), w), legend: '5xx' },
      ],
    },
    {
      title: 'Error ratio (5xx)',
      type: 'timeseries',
      unit: 'percentunit',
      width: 8,
      height: 8,
      min: 0,
      description: 'Share of requests answered with a server error; the line is the HighErrorRate threshold.',
      thresholds: input.errorRatePercent !== undefined ? [{ value: input.errorRatePercent / 100, color: 'red' }] : [],
      queries: [{ expr: eventRatio(m.httpRequests.with(m.httpErrors), m.httpRequests, w), legend: '5xx ratio' }],
    },
    {
      title: 'Latency quantiles',
      type: 'timeseries',
      unit: 's',
      width: 8,
      height: 8,
      min: 0,
      description: `P50, P95 and P99 request latency (${m.httpDurationBuckets}).`,
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: histogramQuantile(q, m.httpDurationBuckets, w),
        legend: `P${promNumber(q * 100)}`,
      })),
    },
  ];
}

/** What clients see at the gateway: answers by route and status class, refusals by tenant and reason, first byte. */
function gatewayPanels(g: NonNullable<PlatformDashboardInput['gateway']>, w: Duration): DashboardPanel[] {
  const byStatus = sumRate(g.requests, w, ['route', 'status']);
  const statusClass = `label_replace(${byStatus}, "class", "$1xx", "status", "(.).*")`;
  return [
    {
      title: 'Gateway answers by route and status class',
      type: 'timeseries', unit: 'reqps', width: 8, height: 8, min: 0,
      description: `What the gateway answered, per route (${g.requests}).`,
      queries: [{ expr: `sum by (route, class) (${statusClass})`, legend: '{{route}} {{class}}' }],
    },
    {
      title: 'Gateway refusals by tenant and reason',
      type: 'timeseries', unit: 'reqps', width: 8, height: 8, min: 0,
      description: 'Requests the gateway refused itself: rate plan and limits (429), missing key (401), body size '
        + `(413) (${g.rejected}).`,
      queries: [{ expr: sumRate(g.rejected, w, ['tenant', 'reason']), legend: '{{tenant}} {{reason}}' }],
    },
    {
      title: 'Gateway time to first byte',
      type: 'timeseries', unit: 's', width: 8, height: 8, min: 0,
      description: 'P50, P95 and P99 time until the upstream\'s response header; for a stream, its first token '
        + `(${g.firstByteBuckets}).`,
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: histogramQuantile(q, g.firstByteBuckets, w), legend: `P${promNumber(q * 100)}`,
      })),
    },
  ];
}

/** The model servers' signals (vLLM's by default): first token, inter-token latency, queue, KV cache, prefix cache. */
function llmPanels(input: PlatformDashboardInput): DashboardPanel[] {
  const m = input.metrics;
  const w = input.window;
  const quantiles = (buckets: MetricSelector) => [0.5, 0.95, 0.99].map((q) => ({
    expr: histogramQuantile(q, buckets, w), legend: `P${promNumber(q * 100)}`,
  }));
  return [
    {
      title: 'Time to first token', type: 'timeseries', unit: 's', width: 8, height: 8, min: 0,
      description: `P50, P95 and P99 time to the first generated token (${m.timeToFirstTokenBuckets}).`,
      queries: quantiles(m.timeToFirstTokenBuckets),
    },
    {
      title: 'Inter-token latency', type: 'timeseries', unit: 's', width: 8, height: 8, min: 0,
      description: `P50, P95 and P99 time between two generated tokens (${m.interTokenLatencyBuckets}).`,
      queries: quantiles(m.interTokenLatencyBuckets),
    },
    {
      title: 'Requests running and waiting', type: 'timeseries', unit: 'none', width: 8, height: 8, min: 0,
      description: `Requests in the batch and waiting for a slot, per model server pod (${m.requestsRunning}, `
        + `${m.requestsWaiting}).`,
      queries: [
        { expr: `sum by (pod) (${m.requestsRunning})`, legend: '{{pod}} running' },
        { expr: `sum by (pod) (${m.requestsWaiting})`, legend: '{{pod}} waiting' },
      ],
    },
    {
      title: 'KV cache in use', type: 'timeseries', unit: 'percentunit', width: 12, height: 8, min: 0, max: 1,
      description: `Share of each model server's KV cache in use (${m.kvCacheUsage}); the line is `
        + 'LlmKvCacheNearlyFull.',
      thresholds: [{ value: 0.9, color: 'red' }],
      queries: [{ expr: `max by (pod) (${m.kvCacheUsage})`, legend: '{{pod}}' }],
    },
    {
      title: 'Prefix cache hit rate', type: 'timeseries', unit: 'percentunit', width: 12, height: 8, min: 0, max: 1,
      description: 'Share of prompt tokens found in the prefix cache '
        + `(${m.prefixCacheHits} over ${m.prefixCacheQueries}).`,
      queries: [{ expr: eventRatio(m.prefixCacheHits, m.prefixCacheQueries, w), legend: 'hit rate' }],
    },
  ];
}

/** GPU utilization, and replicas against the autoscalers' bounds. */
function capacityPanels(input: PlatformDashboardInput): DashboardPanel[] {
  const ns = input.platformNamespace ? [LabelMatcher.eq('namespace', input.platformNamespace)] : [];
  const ksm = (metric: string) => MetricSelector.of(metric, ns);
  return [
    {
      title: 'GPU utilization',
      type: 'timeseries',
      unit: 'percent',
      width: 8,
      height: 8,
      min: 0,
      max: 100,
      description: 'Utilization of every GPU (DCGM exporter); the line is the GPUUtilizationHigh threshold.',
      thresholds: input.gpuPercent !== undefined ? [{ value: input.gpuPercent, color: 'red' }] : [],
      queries: [{ expr: input.gpuUtilization, legend: '{{Hostname}} GPU {{gpu}}' }],
    },
    {
      title: 'Replicas vs autoscaler bounds',
      type: 'timeseries',
      unit: 'none',
      width: 8,
      height: 8,
      min: 0,
      description:
        'Ready replicas of every Deployment and the min/max/desired replicas of every HPA in ' +
        `${input.platformNamespace ?? 'every namespace'} (kube-state-metrics).`,
      queries: [
        { expr: `${ksm('kube_deployment_status_replicas_available')}`, legend: '{{deployment}} available' },
        {
          expr: `${ksm('kube_horizontalpodautoscaler_status_desired_replicas')}`,
          legend: '{{horizontalpodautoscaler}} desired',
        },
        { expr: `${ksm('kube_horizontalpodautoscaler_spec_min_replicas')}`, legend: '{{horizontalpodautoscaler}} min' },
        { expr: `${ksm('kube_horizontalpodautoscaler_spec_max_replicas')}`, legend: '{{horizontalpodautoscaler}} max' },
      ],
    },
  ];
}

/** Agent task success, and requests by tenant. */
function businessPanels(input: PlatformDashboardInput): DashboardPanel[] {
  const m = input.metrics;
  const w = input.window;
  return [
    {
      title: 'Agent task success rate',
      type: 'timeseries',
      unit: 'percentunit',
      width: 8,
      height: 8,
      max: 1,
      description: `Share of agent tasks that succeeded (${m.tasks.with(m.taskSuccess)} among ${m.tasks}).`,
      queries: [{ expr: eventRatio(m.tasks.with(m.taskSuccess), m.tasks, w), legend: 'success' }],
    },
    {
      title: 'Requests by tenant',
      type: 'timeseries',
      unit: 'reqps',
      width: 24,
      height: 8,
      min: 0,
      description:
        'Requests per second of each tenant: series labelled `tenant` (tenant pools get it from their PodMonitor; ' +
        'shared agents can set it from the X-Tenant-ID header the gateway sends).',
      queries: [
        { expr: sumRate(m.httpRequests.with(LabelMatcher.neq('tenant', '')), w, ['tenant']), legend: '{{tenant}}' },
      ],
    },
  ];
}

/** The error budget left of one SLO. */
function budgetPanel(slo: ServiceLevelObjective, input: PlatformDashboardInput): DashboardPanel {
  const spent = MetricSelector.of(slo.recordName(input.recordPrefix, slo.period), { slo: slo.name });
  return {
    title: `Error budget left: ${slo.name}`,
    type: 'stat',
    unit: 'percentunit',
    width: Math.max(4, Math.floor(24 / Math.max(1, input.slos.length))),
    height: 5,
    description: `${slo.description}: share of the ${promNumber(slo.errorBudget * 100)} % error budget of the last `
      + `${slo.period.toDays()} days not spent yet.`,
    baseColor: 'red',
    thresholds: [{ value: 0.25, color: 'orange' }, { value: 0.5, color: 'green' }],
    queries: [{ expr: `1 - ${spent} / ${promNumber(slo.errorBudget)}`, legend: slo.name }],
  };
}
