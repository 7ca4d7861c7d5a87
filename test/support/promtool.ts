import * as path from 'path';
import { parse, stringify } from 'yaml';
import { runTool, ToolResult, withTempDir, writeFiles } from './tools';

/**
 * Helpers to check generated Prometheus rules with the real `promtool`: `check rules` for syntax and
 * `test rules` unit tests whose files are generated from TypeScript.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
 */

/** One input series of a promtool test: a series selector and promtool's expanding notation. */
export interface InputSeries {
  /** `metric{label="value"}` */
  readonly series: string;
  /** `0+10x30`, `1x20 _x5`, ...; one value per `interval`. */
  readonly values: string;
}

/** An alert expected to be firing at an evaluation time. */
export interface ExpectedAlert {
  /** Every label of the alert except `alertname`. */
  readonly labels: Readonly<Record<string, string>>;
  /** Every annotation, rendered; leave out to test rules stripped of annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One `alert_rule_test`: which alerts named `alertname` fire at `at` (none when `firing` is empty). */
export interface AlertCheck {
  readonly alertname: string;
  /** Evaluation time (`10m`). */
  readonly at: string;
  readonly firing: readonly ExpectedAlert[];
}

/** One `promql_expr_test`. */
export interface ExprCheck {
  readonly expr: string;
  readonly at: string;
  /** Expected samples: series labels as PromQL (`{slo="availability"}`) and value. */
  readonly samples: ReadonlyArray<{ readonly labels: string; readonly value: number }>;
}

/** One test group: input series and the checks evaluated over them. */
export interface RuleTest {
  /** Shown by promtool when a check fails. */
  readonly name: string;
  readonly series: readonly InputSeries[];
  /** Sample interval of the input series. @default '1m' */
  readonly interval?: string;
  readonly alerts?: readonly AlertCheck[];
  readonly exprs?: readonly ExprCheck[];
}

/** Runs `promtool check rules` on a rules file's content. */
export function checkRules(rulesYaml: string): ToolResult {
  return withTempDir((dir) => {
    writeFiles(dir, { 'rules.yml': rulesYaml });
    return runTool('promtool', ['check', 'rules', path.join(dir, 'rules.yml')]);
  });
}

/** Fails unless `promtool check rules` accepts the content; returns what promtool printed. */
export function expectRulesValid(rulesYaml: string): string {
  const result = checkRules(rulesYaml);
  if (result.status !== 0) {
    throw new Error(`promtool check rules failed:\n${result.stdout}\n${result.stderr}\n--- rules ---\n${rulesYaml}`);
  }
  return result.stdout;
}

/** The promtool test file (YAML) for `tests` against `rules.yml`. */
export function ruleTestFile(tests: readonly RuleTest[], evaluationInterval = '1m'): string {
  return stringify({
    rule_files: ['rules.yml'],
    evaluation_interval: evaluationInterval,
    tests: tests.map((t) => ({
      name: t.name,
      interval: t.interval ?? '1m',
      input_series: t.series.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: (t.alerts ?? []).map((a) => ({
        eval_time: a.at,
        alertname: a.alertname,
        exp_alerts: a.firing.map((f) => ({
          exp_labels: { ...f.labels },
          ...(f.annotations ? { exp_annotations: { ...f.annotations } } : {}),
        })),
      })),
      promql_expr_test: (t.exprs ?? []).map((e) => ({
        expr: e.expr,
        eval_time: e.at,
        exp_samples: e.samples.map((s) => ({ labels: s.labels, value: s.value })),
      })),
    })),
  });
}

/** Runs `promtool test rules` for `tests` against the rules file content. */
export function testRules(rulesYaml: string, tests: readonly RuleTest[]): ToolResult {
  return withTempDir((dir) => {
    writeFiles(dir, { 'rules.yml': rulesYaml, 'tests.yml': ruleTestFile(tests) });
    return runTool('promtool', ['test', 'rules', path.join(dir, 'tests.yml')], { cwd: dir });
  });
}

/** Fails with promtool's report unless every test passes. */
export function expectRuleTestsPass(rulesYaml: string, tests: readonly RuleTest[]): void {
  const result = testRules(rulesYaml, tests);
  if (result.status !== 0) {
    throw new Error(
      `promtool test rules failed:\n${result.stdout}\n${result.stderr}\n--- tests ---\n${ruleTestFile(tests)}`,
    );
  }
}

/**
 * The rules with every annotation removed. promtool compares annotations exactly; alert tests that are
 * about *when* an alert fires use this copy and leave the rendered text to dedicated tests.
 */
export function withoutAnnotations(rulesYaml: string): string {
  const doc = parse(rulesYaml) as { groups: Array<{ rules: Array<Record<string, unknown>> }> };
  for (const group of doc.groups) for (const rule of group.rules) delete rule.annotations;
  return stringify(doc);
}

/** promtool's notation for a counter rising by `perSample` for `samples` samples, starting at `from`. */
export function rising(perSample: number, samples: number, from = 0): string {
  return `${from}+${perSample}x${samples}`;
}

/** promtool's notation for a gauge holding `value` for `samples` samples. */
export function steady(value: number, samples: number): string {
  return `${value}x${samples}`;
}
