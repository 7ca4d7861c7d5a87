import { Duration } from 'cdk8s';
import { FIELD_RULES } from '../core/field-rules';
import { PropsRule, PropsValidator } from '../core/validation';
import type {
  AlertOptions, AlertRulesProps, GatewayAlertOptions, LatencyAlertOptions, PercentAlertOptions, RestartAlertOptions,
  SloOptions,
} from './alert-rules-props';

/** What AlertRules resolved from its props, with every default applied: what its rules check. */
export interface AlertRulesFacts {
  /** The props as given. */
  readonly props: AlertRulesProps;
  readonly name: string;
  readonly namespace: string;
  readonly partOf: string;
  readonly platformNamespace?: string;
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly rateWindow: Duration;
  readonly recordPrefix: string;
}

type Rule = PropsRule<AlertRulesFacts>;

/** How a built-in alert's options are checked beyond `for` and `runbookUrl`. */
type AlertKind = 'plain' | 'percent' | 'latency' | 'restarts';

/** The built-in alerts and the kind of their options, in the order they are rendered. */
const ALERTS: ReadonlyArray<readonly [keyof AlertRulesProps, AlertKind]> = [
  ['highErrorRate', 'percent'],
  ['highLatency', 'latency'],
  ['gpuUtilizationHigh', 'percent'],
  ['nodeCpuUsageHigh', 'percent'],
  ['nodeMemoryUsageHigh', 'percent'],
  ['podRestartingFrequently', 'restarts'],
  ['agentInferenceLatencyHigh', 'latency'],
  ['kvCacheNearlyFull', 'percent'],
  ['timeToFirstTokenHigh', 'latency'],
  ['businessSuccessRateLow', 'percent'],
];

const names: Rule = (v, f) => {
  checkObjectName(v, 'name', f.name);
  v.field(FIELD_RULES.namespaceName, 'namespace', f.namespace)
    .dnsLabel('partOf', f.partOf).field(FIELD_RULES.namespaceName, 'platformNamespace', f.platformNamespace);
  checkLabels(v, 'selectorLabels', f.selectorLabels);
};

const rateWindow: Rule = (v, f) => {
  checkDuration(v, 'rateWindow', f.rateWindow, true);
};

const runbookBaseUrl: Rule = (v, { props }) => {
  checkUrl(v, 'runbookBaseUrl', props.runbookBaseUrl);
};

const recordPrefix: Rule = (v, f) => {
  v.check(/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(f.recordPrefix), 'slos.recordPrefix', f.recordPrefix,
    'must match [a-zA-Z_][a-zA-Z0-9_]*');
};

const GATEWAY_ALERTS: ReadonlyArray<readonly [keyof GatewayAlertOptions, AlertKind]> = [
  ['down', 'plain'],
  ['highErrorRate', 'percent'],
  ['highLatency', 'latency'],
  ['tenantRateLimited', 'percent'],
  ['tokenBudget', 'plain'],
];

const alerts: Rule = (v, { props }) => {
  for (const [prop, kind] of ALERTS) checkAlert(v, prop, kind, props[prop] as AlertOptions | false | undefined);
  if (props.gateway === false) return;
  for (const [prop, kind] of GATEWAY_ALERTS) checkAlert(v, `gateway.${prop}`, kind, props.gateway?.[prop]);
};

function checkAlert(v: PropsValidator, prop: string, kind: AlertKind, option: AlertOptions | false | undefined): void {
  if (option === false) return;
  const o = option ?? {};
  if (kind === 'restarts') checkRestarts(v, prop, o);
  checkDuration(v, `${prop}.for`, o.for, false);
  checkUrl(v, `${prop}.runbookUrl`, o.runbookUrl);
  if (kind === 'percent') checkPercent(v, `${prop}.thresholdPercent`, (o as PercentAlertOptions).thresholdPercent);
  if (kind === 'latency') checkLatency(v, prop, o);
}

function checkRestarts(v: PropsValidator, prop: string, o: RestartAlertOptions): void {
  v.integer(`${prop}.maxRestarts`, o.maxRestarts, 0);
  checkDuration(v, `${prop}.window`, o.window, true);
}

function checkLatency(v: PropsValidator, prop: string, o: LatencyAlertOptions): void {
  if (o.quantile !== undefined) {
    v.check(o.quantile > 0 && o.quantile < 1, `${prop}.quantile`, o.quantile, 'must be between 0 and 1 exclusive');
  }
  checkDuration(v, `${prop}.threshold`, o.threshold, true);
}

const slos: Rule = (v, { props }) => {
  if (props.slos === false) return;
  const o: SloOptions = props.slos ?? {};
  checkDuration(v, 'slos.period', o.period, true);
  if (o.availabilityPercent !== false) checkPercent(v, 'slos.availabilityPercent', o.availabilityPercent);
  (o.latency ?? []).forEach((l, i) => {
    checkPercent(v, `slos.latency[${i}].percentile`, l.percentile);
    checkDuration(v, `slos.latency[${i}].threshold`, l.threshold, true);
  });
};

const dashboard: Rule = (v, f) => {
  const props = f.props;
  if (props.dashboard === false) return;
  const o = props.dashboard ?? {};
  // The default name follows partOf: a valid partOf can still make it too long for the label.
  const name = o.name ?? (FIELD_RULES.dns1123Label.test(f.partOf) ? `${f.partOf}-dashboard` : undefined);
  if (name !== undefined) checkObjectName(v, 'dashboard.name', name);
  v.field(FIELD_RULES.namespaceName, 'dashboard.namespace', o.namespace);
  checkLabels(v, 'dashboard.sidecarLabels', o.sidecarLabels ?? {});
};

/** The rules of AlertRules's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [names, rateWindow, runbookBaseUrl, recordPrefix, alerts, slos, dashboard];

/** Checks AlertRules's resolved props and throws one error listing every problem. */
export function validateAlertRulesProps(id: string, facts: AlertRulesFacts): void {
  new PropsValidator('AlertRules', id).rules(RULES, facts).throwIfAny();
}

/**
 * The name of an object of AlertRules: a DNS-1123 subdomain, and (as its `app.kubernetes.io/name` label) a label
 * value too, which allows at most 63 characters.
 */
export function checkObjectName(v: PropsValidator, prop: string, name: string): void {
  v.field(FIELD_RULES.objectName, prop, name);
  if (FIELD_RULES.objectName.test(name)) v.labelValue(prop, name);
}

/** A duration in whole milliseconds, positive or not negative. */
export function checkDuration(v: PropsValidator, prop: string, value: Duration | undefined, positive: boolean): void {
  if (value === undefined) return;
  const ms = value.toMilliseconds({ integral: false });
  v.check(Number.isInteger(ms) && (positive ? ms > 0 : ms >= 0), prop, `${ms}ms`,
    positive ? 'must be a positive whole number of milliseconds' : 'must be a whole number of milliseconds');
}

function checkPercent(v: PropsValidator, prop: string, value: number | undefined): void {
  if (value === undefined) return;
  v.check(value > 0 && value < 100, prop, value, 'must be a percentage between 0 and 100 exclusive');
}

function checkUrl(v: PropsValidator, prop: string, value: string | undefined): void {
  if (value !== undefined) v.check(/^https?:\/\/\S+$/.test(value), prop, value, 'must be an http(s) URL');
}

function checkLabels(v: PropsValidator, prop: string, labels: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(labels)) {
    v.labelKey(`${prop} key`, key).labelValue(`${prop}.${key}`, value);
  }
}
