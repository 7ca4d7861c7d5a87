import { Duration, Yaml } from 'cdk8s';
import { isLabelName, isMetricName, promDuration } from './promql';

/**
 * The `severity` label of an alert, as Alertmanager routes expect it.
 * @see https://prometheus.io/docs/practices/alerting/
 */
export class Severity {
  /** Someone must act now (pages). */
  public static readonly CRITICAL = new Severity('critical');
  /** Needs attention during working hours. */
  public static readonly WARNING = new Severity('warning');
  /** Informational; usually not routed to a human. */
  public static readonly INFO = new Severity('info');

  /**
   * Any other severity your Alertmanager routes on.
   * @param value label value: letters, digits, `-` and `_`
   */
  public static of(value: string): Severity {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) {
      throw new Error(`Severity: value (${JSON.stringify(value)}) must be letters, digits, '-' or '_'`);
    }
    return new Severity(value);
  }

  private constructor(
    /** The label value. */
    public readonly value: string,
  ) {}

  /** The label value, e.g. `critical`. */
  public toString(): string {
    return this.value;
  }
}

/**
 * An alerting rule.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
export interface AlertingRule {
  /** Alert name (`HighErrorRate`): a valid metric name. */
  readonly alert: string;
  /** PromQL expression; every sample it returns is an active alert. */
  readonly expr: string;
  /**
   * How long the expression must stay true before the alert fires.
   * @default - fires on the first evaluation that returns a sample
   */
  readonly for?: Duration;
  /** The `severity` label. */
  readonly severity: Severity;
  /**
   * More labels (`slo`, `long`, `short`); they may not override `severity`.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** The `summary` annotation: one line, what is wrong. */
  readonly summary: string;
  /** The `description` annotation: details, may use Prometheus templating (`{{ $value }}`). */
  readonly description: string;
  /**
   * The `runbook_url` annotation.
   * @default - none
   */
  readonly runbookUrl?: string;
}

/**
 * A recording rule.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
export interface RecordingRule {
  /** Name of the recorded series (`level:metric:operations`). */
  readonly record: string;
  /** PromQL expression. */
  readonly expr: string;
  /**
   * Labels added to the recorded series.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A rule of a {@link RuleGroup}. */
export type Rule = AlertingRule | RecordingRule;

/** True when the rule is an alerting rule. */
export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return (rule as AlertingRule).alert !== undefined;
}

/**
 * A rule group: rules evaluated in order at one interval.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/#rule_group
 */
export interface RuleGroup {
  /** Group name, unique within a rules file. */
  readonly name: string;
  /**
   * Evaluation interval.
   * @default - Prometheus' global `evaluation_interval`
   */
  readonly interval?: Duration;
  /** The rules, in evaluation order (recording rules before the alerts that read them). */
  readonly rules: readonly Rule[];
}

/** One rule as it appears in a rules file (and in a PrometheusRule's `spec.groups[].rules`). */
export interface RuleJson {
  /** Alert name; present on alerting rules only. */
  readonly alert?: string;
  /** Recorded series name; present on recording rules only. */
  readonly record?: string;
  /** PromQL expression. */
  readonly expr: string;
  /** Pending duration (`5m`); absent when the alert fires at once. */
  readonly for?: string;
  /** Labels, sorted by name; absent when there are none. */
  readonly labels?: Record<string, string>;
  /** `summary`, `description` and `runbook_url`; alerting rules only. */
  readonly annotations?: Record<string, string>;
}

/** One group as it appears in a rules file. */
export interface RuleGroupJson {
  /** Group name. */
  readonly name: string;
  /** Evaluation interval (`30s`); absent when the group uses Prometheus's global one. */
  readonly interval?: string;
  /** The rules, in evaluation order. */
  readonly rules: RuleJson[];
}

/**
 * Serializes rule groups to the rules-file shape (`groups:` of a Prometheus rules file, which is also
 * a PrometheusRule's `spec.groups`). Validates names on the way: fails on invalid or duplicate group
 * names, invalid alert/record/label names, or an alert label that overrides `severity`.
 */
export function ruleGroupsToJson(groups: readonly RuleGroup[]): RuleGroupJson[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const out = groups.map((group) => {
    if (group.name.trim() === '') problems.push('rule group name must not be empty');
    if (seen.has(group.name)) problems.push(`rule group name (${JSON.stringify(group.name)}) is used twice`);
    seen.add(group.name);
    const rules = group.rules.map((rule) => ruleToJson(rule, `group ${JSON.stringify(group.name)}`, problems));
    return { name: group.name, ...(group.interval ? { interval: promDuration(group.interval) } : {}), rules };
  });
  if (problems.length) throw new Error(problems.map((p) => `Prometheus rules: ${p}`).join('\n'));
  return out;
}

/** A Prometheus rules file (YAML) holding the groups; `promtool check rules` accepts it. */
export function renderRulesFile(groups: readonly RuleGroup[]): string {
  return Yaml.stringify({ groups: ruleGroupsToJson(groups) });
}

function ruleToJson(rule: Rule, where: string, problems: string[]): RuleJson {
  const labels = { ...rule.labels };
  Object.keys(labels).forEach((name) => {
    if (!isLabelName(name)) {
      problems.push(`${where}: label name (${JSON.stringify(name)}) must match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
  });
  if (rule.expr.trim() === '') problems.push(`${where}: expr must not be empty`);
  if (!isAlertingRule(rule)) {
    if (!isMetricName(rule.record)) {
      problems.push(`${where}: record (${JSON.stringify(rule.record)}) must be a valid metric name`);
    }
    return { record: rule.record, expr: rule.expr, ...(Object.keys(labels).length ? { labels: sorted(labels) } : {}) };
  }
  if (!isMetricName(rule.alert)) {
    problems.push(`${where}: alert (${JSON.stringify(rule.alert)}) must be a valid metric name`);
  }
  if ('severity' in labels) problems.push(`${where}: alert ${rule.alert} sets label severity; use the severity prop`);
  const pending = rule.for ? promDuration(rule.for) : undefined;
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(pending && pending !== '0s' ? { for: pending } : {}),
    labels: sorted({ ...labels, severity: rule.severity.value }),
    annotations: {
      summary: rule.summary,
      description: rule.description,
      ...(rule.runbookUrl ? { runbook_url: rule.runbookUrl } : {}),
    },
  };
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}
