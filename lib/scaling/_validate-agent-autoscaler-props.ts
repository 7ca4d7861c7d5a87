import { Duration } from 'cdk8s';
import { FIELD_RULES } from '../core/field-rules';
import { PropsRule, PropsValidator } from '../core/validation';
import { IScalableWorkload } from '../workloads/workload';
import { kedaProblem } from './_keda';
import type { KedaScalingOptions } from './agent-autoscaler-props';
import { ResolvedScalingRules, ScalingMetric, ScalingPolicy } from './scaling-metric';

const PROMETHEUS_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/;
const PROMETHEUS_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;

/** What AgentAutoscaler resolved from its props, with every default applied: what its rules check. */
export interface AgentAutoscalerFacts {
  readonly target: IScalableWorkload;
  readonly name: string;
  readonly scaledObjectName?: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly metrics: readonly ScalingMetric[];
  readonly behavior: { readonly scaleUp: ResolvedScalingRules; readonly scaleDown: ResolvedScalingRules };
  readonly keda?: KedaScalingOptions;
}

type Rule = PropsRule<AgentAutoscalerFacts>;

const names: Rule = (v, f) => {
  v.field(FIELD_RULES.objectName, 'name', f.name);
  if (f.keda) v.field(FIELD_RULES.objectName, 'keda.scaledObjectName', f.scaledObjectName);
  // A target of this library is valid already; one of the user's own (an IScalableWorkload) is checked here.
  v.field(FIELD_RULES.objectName, 'target.name', f.target.name).labelValue('target.name', f.target.name)
    .field(FIELD_RULES.namespaceName, 'target.namespace', f.target.namespace)
    .field(FIELD_RULES.objectName, 'target.scaleTargetRef.name', f.target.toScalingTarget().scaleTargetRef.name)
    .field(FIELD_RULES.pathSegmentName, 'target.scaleTargetRef.kind', f.target.toScalingTarget().scaleTargetRef.kind);
};

const replicas: Rule = (v, { minReplicas: min, maxReplicas: max, keda }) => {
  if (keda) v.integer('minReplicas', min, 0);
  else {
    v.check(Number.isInteger(min) && min >= 1, 'minReplicas', min,
      min === 0 ? 'must be an integer >= 1; scale to zero (0) needs the keda option' : 'must be an integer >= 1');
  }
  v.integer('maxReplicas', max, 1);
  const ordered = !(Number.isInteger(min) && Number.isInteger(max)) || min <= max;
  v.check(ordered, 'minReplicas', min, `must be <= maxReplicas (${max})`);
};

const metrics: Rule = (v, { metrics: list, keda }) => {
  v.check(list.length > 0, 'metrics', '[]', 'must name at least one metric (leave it out for ScalingMetric.cpu(80))');
  const seen = new Map<string, number>();
  list.forEach((metric, i) => {
    const prop = `metrics[${i}]`;
    if (!ScalingMetric.isScalingMetric(metric)) {
      v.check(false, prop, metric, 'must be a ScalingMetric (ScalingMetric.cpu(70), ScalingMetric.queueDepth(5), ...)');
      return;
    }
    const key = `${metric.source}/${metric.metricName}/${JSON.stringify(metric.selector ?? {})}`;
    if (seen.has(key)) v.check(false, prop, metric, `duplicates metrics[${seen.get(key)}]`);
    else seen.set(key, i);
    checkMetric(v, prop, metric, keda !== undefined);
  });
};

/** One metric's target, names and selector. */
function checkMetric(v: PropsValidator, prop: string, metric: ScalingMetric, keda: boolean): void {
  const { type, amount } = metric.target;
  if (type === 'Utilization') {
    v.check(metric.source === 'Resource', `${prop}.target`, metric.target,
      'Utilization is only valid for ScalingMetric.cpu and ScalingMetric.memory');
    v.check(Number.isInteger(amount) && amount >= 1 && amount <= 100, `${prop}.utilization`, amount,
      `must be an integer between 1 and 100 (percent of the pods' ${metric.metricName} request)`);
  } else if (metric.percent !== undefined) {
    const percent = metric.percent;
    v.check(Number.isInteger(percent) && percent >= 1 && percent <= 100, `${prop}.utilization`, percent,
      'must be an integer between 1 and 100 (percent)');
  } else {
    v.check(Number.isFinite(amount) && amount > 0 && Math.abs(amount * 1000 - Math.round(amount * 1000)) < 1e-6,
      `${prop}.${type === 'Value' ? 'value' : 'averageValue'}`, amount,
      'must be a positive number with at most 3 decimals');
  }
  if (metric.source !== 'Resource') {
    const name = metric.metricName;
    v.check(FIELD_RULES.pathSegmentName.test(name), `${prop}.metricName`, name,
      'must be a non-empty metrics API name without \'/\' or \'%\'');
  }
  if (metric.prometheusSeries !== undefined) {
    v.check(PROMETHEUS_NAME.test(metric.prometheusSeries), `${prop}.prometheusSeries`, metric.prometheusSeries,
      'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
  }
  // With KEDA the keys become label matchers of the generated PromQL (the values quoted data); without, the
  // HPA's matchLabels, which the API server checks as labels.
  if (!keda) v.labels(`${prop}.selector`, metric.selector);
  for (const key of keda ? Object.keys(metric.selector ?? {}) : []) {
    v.check(PROMETHEUS_LABEL.test(key), `${prop}.selector`, key,
      'keys must be Prometheus label names ([a-zA-Z_][a-zA-Z0-9_]*)');
  }
  if (keda) {
    const problem = kedaProblem(metric);
    if (problem) v.check(false, prop, metric, problem);
  }
}

const metricsExposed: Rule = (v, { metrics: list, target }) => {
  list.forEach((metric, i) => {
    const readsServer = ScalingMetric.isScalingMetric(metric) && metric.prometheusSeries !== undefined;
    v.check(!(readsServer && target.metrics === undefined), `metrics[${i}]`, metric,
      `reads the model server's ${JSON.stringify(metric.prometheusSeries)}, but target '${target.name}' exposes no `
      + 'Prometheus metrics (its metrics are disabled)');
  });
};

const behavior: Rule = (v, f) => {
  checkScalingRules(v, 'behavior.scaleUp', f.behavior.scaleUp);
  checkScalingRules(v, 'behavior.scaleDown', f.behavior.scaleDown);
};

function checkScalingRules(v: PropsValidator, prop: string, rules: ResolvedScalingRules): void {
  const window = rules.stabilizationWindow.toSeconds({ integral: false });
  v.check(Number.isInteger(window) && window >= 0 && window <= 3600, `${prop}.stabilizationWindow`,
    seconds(rules.stabilizationWindow), 'must be whole seconds between 0 and 3600 (1 hour)');
  v.check(rules.policies.length > 0, `${prop}.policies`, '[]', 'must have at least one ScalingPolicy');
  rules.policies.forEach((policy, i) => {
    if (!ScalingPolicy.isScalingPolicy(policy)) {
      v.check(false, `${prop}.policies[${i}]`, policy,
        'must be a ScalingPolicy (ScalingPolicy.percent or ScalingPolicy.pods)');
      return;
    }
    const p = `${prop}.policies[${i}]`;
    v.check(Number.isInteger(policy.value) && policy.value >= 1, `${p}.value`, policy.value,
      'must be a positive integer');
    const period = policy.period.toSeconds({ integral: false });
    v.check(Number.isInteger(period) && period >= 1 && period <= 1800, `${p}.period`, seconds(policy.period),
      'must be whole seconds between 1 and 1800 (30 minutes)');
  });
}

const kedaOptions: Rule = (v, { keda }) => {
  if (!keda) return;
  v.check(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~\-/]*)?$/.test(keda.prometheusServerAddress ?? ''),
    'keda.prometheusServerAddress', keda.prometheusServerAddress,
    'must be an http(s) URL such as "http://prometheus-operated.monitoring.svc:9090"');
  const polling = keda.pollingInterval?.toSeconds({ integral: false });
  v.check(polling === undefined || (Number.isInteger(polling) && polling >= 1), 'keda.pollingInterval',
    seconds(keda.pollingInterval), 'must be whole seconds, at least 1');
  const cooldown = keda.cooldownPeriod?.toSeconds({ integral: false });
  v.check(cooldown === undefined || (Number.isInteger(cooldown) && cooldown >= 0), 'keda.cooldownPeriod',
    seconds(keda.cooldownPeriod), 'must be whole seconds');
};

const kedaFallback: Rule = (v, { keda, minReplicas: min, maxReplicas: max, metrics: list }) => {
  if (!keda?.fallback) return;
  v.integer('keda.fallback.failureThreshold', keda.fallback.failureThreshold, 1);
  const fallback = keda.fallback.replicas;
  const least = Math.max(min, 1);
  v.check(Number.isInteger(fallback) && fallback >= least && fallback <= max,
    'keda.fallback.replicas', fallback, `must be an integer between ${least} and maxReplicas (${max})`);
  v.check(list.some((m) => m.source !== 'Resource' && m.target.type === 'AverageValue'), 'keda.fallback', 'set',
    'needs a Prometheus metric with an AverageValue target: '
    + 'KEDA applies fallback to no other trigger (cpu, memory, Value targets)');
};

const scaleToZero: Rule = (v, { keda, minReplicas, metrics: list }) => {
  if (!keda || minReplicas !== 0) return;
  v.check(list.some((m) => ScalingMetric.isScalingMetric(m) && m.availableAtZeroReplicas), 'minReplicas', 0,
    `needs a metric that exists while the target has no pods, got [${list.join(', ')}]: `
    + 'ScalingMetric.gatewayRequestRate(gateway.requestSignal(route), n) (the gateway counts the requests to the '
    + 'workload), or ScalingMetric.external(..., { availableAtZeroReplicas: true }) for a queue outside its pods '
    + '(a broker, the KEDA HTTP add-on). cpu, memory, pod metrics and queries over the pods\' own series vanish at '
    + 'zero replicas, and the workload would never scale up again');
};

const gatewaySignals: Rule = (v, { target, metrics: list }) => {
  list.forEach((m, i) => {
    if (!ScalingMetric.isScalingMetric(m) || !m.gatewayWorkload || !target) return;
    v.check(m.gatewayWorkload === target, `metrics[${i}]`, m.toString(),
      `counts the requests to '${m.gatewayWorkload.name}', not to the target '${target.name}'`);
  });
};

/** The rules of AgentAutoscaler's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [
  names, replicas, metrics, metricsExposed, behavior, kedaOptions, kedaFallback, scaleToZero, gatewaySignals,
];

/** Checks an AgentAutoscaler's resolved props and throws one error listing every problem. */
export function validateAgentAutoscalerProps(id: string, facts: AgentAutoscalerFacts): void {
  new PropsValidator('AgentAutoscaler', id).rules(RULES, facts).throwIfAny();
}

/** A duration as it appears in error messages: `90s`, `1.5s`. */
function seconds(duration: Duration | undefined): { toString(): string } {
  return { toString: () => `${duration?.toSeconds({ integral: false })}s` };
}
