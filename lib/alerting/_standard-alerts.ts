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
