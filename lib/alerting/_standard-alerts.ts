import { Duration } from 'cdk8s';
import {
  eventRatio,
  histogramQuantile,
  LabelMatcher,
  MetricSelector,
  promDuration,
  promNumber,
} from '../prometheus/promql';
import { AlertingRule, Severity } from '../prometheus/rules';

/** The metrics the platform's alerts, SLOs and dashboard read, resolved. */
export interface AlertMetricSelectors {
  readonly httpRequests: MetricSelector;
  readonly httpErrors: LabelMatcher;
  readonly httpDurationBuckets: MetricSelector;
  readonly gpuUtilization: MetricSelector;
  readonly nodeCpuSeconds: MetricSelector;
  readonly nodeMemoryAvailable: MetricSelector;
  readonly nodeMemoryTotal: MetricSelector;
  readonly podRestarts: MetricSelector;
  readonly inferenceDurationBuckets: MetricSelector;
  readonly tasks: MetricSelector;
  readonly taskSuccess: LabelMatcher;
  readonly timeToFirstTokenBuckets: MetricSelector;
  readonly interTokenLatencyBuckets: MetricSelector;
  readonly requestsWaiting: MetricSelector;
  readonly requestsRunning: MetricSelector;
  readonly kvCacheUsage: MetricSelector;
  readonly prefixCacheHits: MetricSelector;
  readonly prefixCacheQueries: MetricSelector;
}

/** What every alert resolved: when it fires, how loud, where its runbook is. */
export interface AlertSettings {
  readonly for: Duration;
  readonly severity: Severity;
  readonly runbookUrl?: string;
}

/** The share of HTTP requests answered 5xx exceeds `percent`. */
export function highErrorRate(
  m: AlertMetricSelectors,
  s: AlertSettings & { percent: number; window: Duration },
): AlertingRule {
  return {
    alert: 'HighErrorRate',
    expr: `${eventRatio(m.httpRequests.with(m.httpErrors), m.httpRequests, s.window)} > ${ratio(s.percent)}`,
    ...common(s),
    summary: `More than ${promNumber(s.percent)} % of AI agent requests fail with 5xx.`,
    description:
      `{{ $value | humanizePercentage }} of the requests of the last ${promDuration(s.window)}` +
      ` failed with a server error (${m.httpRequests.with(m.httpErrors)}).`,
  };
}

/** A latency quantile of a classic histogram exceeds `threshold`. */
export function highQuantile(alert: string, what: string, buckets: MetricSelector,
  s: AlertSettings & { quantile: number; threshold: Duration; window: Duration }): AlertingRule {
  const p = `P${promNumber(Number((s.quantile * 100).toPrecision(6)))}`;
  const seconds = promNumber(s.threshold.toMilliseconds() / 1000);
  return {
    alert,
    expr: `${histogramQuantile(s.quantile, buckets, s.window)} > ${seconds}`,
    ...common(s),
    summary: `${p} ${what} latency is above ${seconds}s.`,
    description:
      `The ${p} ${what} latency over the last ${promDuration(s.window)}` +
      ` is {{ $value | humanizeDuration }} (${buckets}).`,
  };
}

/** A GPU's utilization (DCGM exporter, `utilization` in percent) exceeds `percent`. */
export function gpuUtilizationHigh(s: AlertSettings & { percent: number; utilization: string }): AlertingRule {
  return {
    alert: 'GPUUtilizationHigh',
    expr: `${s.utilization} > ${promNumber(s.percent)}`,
    ...common(s),
    summary: `A GPU is more than ${promNumber(s.percent)} % utilized.`,
    description: 'GPU {{ $labels.gpu }} ({{ $labels.modelName }}) on {{ $labels.Hostname }} is {{ $value }} % utilized;'
      + ' inference requests queue up. Add replicas or GPU nodes.',
  };
}

/** A node's CPU usage (node-exporter, all CPUs averaged) exceeds `percent`. */
export function nodeCpuHigh(
  m: AlertMetricSelectors,
  s: AlertSettings & { percent: number; window: Duration },
): AlertingRule {
  const idle = m.nodeCpuSeconds.with(LabelMatcher.eq('mode', 'idle'));
  return {
    alert: 'NodeCPUUsageHigh',
    expr: `(1 - avg by (instance) (rate(${idle}[${promDuration(s.window)}]))) > ${ratio(s.percent)}`,
    ...common(s),
    summary: `A node uses more than ${promNumber(s.percent)} % of its CPU.`,
    description:
      'Node {{ $labels.instance }} has used {{ $value | humanizePercentage }} of its CPU' +
      ` over the last ${promDuration(s.window)}.`,
  };
}

/** A node's memory usage (node-exporter, 1 - available/total) exceeds `percent`. */
export function nodeMemoryHigh(m: AlertMetricSelectors, s: AlertSettings & { percent: number }): AlertingRule {
  return {
    alert: 'NodeMemoryUsageHigh',
    expr: `(1 - ${m.nodeMemoryAvailable} / (${m.nodeMemoryTotal} > 0)) > ${ratio(s.percent)}`,
    ...common(s),
    summary: `A node uses more than ${promNumber(s.percent)} % of its memory.`,
    description: 'Node {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory.',
  };
}

/**
 * A pod's containers restarted more than `maxRestarts` times within `window` (kube-state-metrics).
 * Counted as the counter's rise inside the window (max - min) rather than with `increase()`, whose
 * extrapolation turns exactly `maxRestarts` restarts into slightly more and would fire too early.
 */
export function podRestarts(
  m: AlertMetricSelectors,
  s: AlertSettings & { maxRestarts: number; window: Duration },
): AlertingRule {
  const w = promDuration(s.window);
  const increase = `max_over_time(${m.podRestarts}[${w}]) - min_over_time(${m.podRestarts}[${w}])`;
  return {
    alert: 'PodRestartingFrequently',
    expr: `sum by (namespace, pod) (${increase}) > ${s.maxRestarts}`,
    ...common(s),
    summary: `A pod restarted more than ${s.maxRestarts} times in ${w}.`,
    description: `Pod {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value }} times in the last ${w}.`,
  };
}

/** A model server's KV cache is more than `percent` in use: requests get preempted and recomputed. */
export function kvCacheNearlyFull(m: AlertMetricSelectors, s: AlertSettings & { percent: number }): AlertingRule {
  return {
    alert: 'LlmKvCacheNearlyFull',
    expr: `max by (namespace, pod) (${m.kvCacheUsage}) > ${ratio(s.percent)}`,
    ...common(s),
    summary: `A model server's KV cache is more than ${promNumber(s.percent)} % full.`,
    description: 'The KV cache of {{ $labels.namespace }}/{{ $labels.pod }} is {{ $value | humanizePercentage }} in '
      + 'use: new requests wait or preempt running ones. Add replicas, or lower max-num-seqs / the context length.',
  };
}

/** The share of successful agent tasks drops below `percent`. */
export function successRateLow(
  m: AlertMetricSelectors,
  s: AlertSettings & { percent: number; window: Duration },
): AlertingRule {
  return {
    alert: 'BusinessSuccessRateLow',
    expr: `${eventRatio(m.tasks.with(m.taskSuccess), m.tasks, s.window)} < ${ratio(s.percent)}`,
    ...common(s),
    summary: `Less than ${promNumber(s.percent)} % of agent tasks succeed.`,
    description:
      `Only {{ $value | humanizePercentage }} of the agent tasks of the last ${promDuration(s.window)} succeeded` +
      ` (${m.tasks.with(m.taskSuccess)} among ${m.tasks}).`,
  };
}

function common(s: AlertSettings): Pick<AlertingRule, 'for' | 'severity' | 'runbookUrl'> {
  return { for: s.for, severity: s.severity, runbookUrl: s.runbookUrl };
}

/** A percentage as the ratio PromQL compares (1 → 0.01), without float noise. */
function ratio(percent: number): string {
  return promNumber(Number((percent / 100).toPrecision(12)));
}

/** The gateway's metrics the gateway alerts read. */
export interface GatewayAlertSelectors {
  /** The nginx exporter's `nginx_up`, scoped to the platform; undefined without the exporter. */
  readonly up?: MetricSelector;
  /** The request metrics, scoped to the platform; undefined when they are off. */
  readonly requests?: MetricSelector;
  readonly firstByteBuckets?: MetricSelector;
  readonly rejected?: MetricSelector;
}

/** No gateway pod reports nginx up (or none is scraped at all). */
export function gatewayDown(up: MetricSelector, s: AlertSettings & { gateway: string }): AlertingRule {
  return {
    alert: 'GatewayDown',
    expr: `(sum(${up}) or vector(0)) == 0`,
    ...common(s),
    summary: `No instance of the AI gateway '${s.gateway}' is up.`,
    description: `No gateway pod reports nginx up (${up}): clients get no answer. Check the gateway pods and their `
      + 'nginx exporter.',
  };
}

/** The share of the gateway's requests answered 5xx (its own 502/504 included) exceeds `percent`. */
export function gatewayHighErrorRate(
  requests: MetricSelector, s: AlertSettings & { percent: number; window: Duration; gateway: string },
): AlertingRule {
  const errors = requests.with(LabelMatcher.regex('status', '5..'));
  return {
    alert: 'GatewayHighErrorRate',
    expr: `${eventRatio(errors, requests, s.window)} > ${ratio(s.percent)}`,
    ...common(s),
    summary: `More than ${promNumber(s.percent)} % of the gateway's answers are 5xx.`,
    description: `{{ $value | humanizePercentage }} of the requests through the gateway '${s.gateway}' in the last `
      + `${promDuration(s.window)} got a server error (${errors}), as clients saw them.`,
  };
}

/** A tenant used more tokens in the last 24 hours than its plan's daily budget. */
export function tenantTokenBudgetExhausted(
  tokens: MetricSelector, s: AlertSettings & { tenant: string; tokensPerDay: number },
): AlertingRule {
  const used = tokens.with(LabelMatcher.eq('tenant', s.tenant));
  return {
    alert: 'TenantTokenBudgetExhausted',
    expr: `sum(increase(${used}[1d])) > ${promNumber(s.tokensPerDay)}`,
    ...common(s),
    labels: { tenant: s.tenant },
    summary: `Tenant ${s.tenant} used more than its ${promNumber(s.tokensPerDay)} tokens of the last 24 hours.`,
    description: `Tenant ${s.tenant} used {{ $value | humanize }} tokens in the last 24 hours, over its plan's `
      + `daily budget of ${promNumber(s.tokensPerDay)}. The gateway does not enforce budgets: talk to the tenant.`,
  };
}

/**
 * A tenant's requests are refused by its rate plan more than `percent` of the time: a sales signal (the tenant
 * needs a bigger plan), not an outage.
 */
export function tenantRateLimited(
  requests: MetricSelector, rejected: MetricSelector,
  s: AlertSettings & { percent: number; window: Duration },
): AlertingRule {
  const known = LabelMatcher.neq('tenant', 'none');
  const limited = rejected.with(LabelMatcher.eq('reason', 'rate_limit'), known);
  const all = requests.with(known);
  const w = promDuration(s.window);
  return {
    alert: 'TenantRateLimited',
    expr: `sum by (tenant) (rate(${limited}[${w}])) / (sum by (tenant) (rate(${all}[${w}])) > 0)`
      + ` > ${ratio(s.percent)}`,
    ...common(s),
    summary: `A tenant hits its rate plan on more than ${promNumber(s.percent)} % of its requests.`,
    description: 'Tenant {{ $labels.tenant }} got 429 on {{ $value | humanizePercentage }} of its requests in the '
      + `last ${w}: its plan is too small for its traffic.`,
  };
}
