import { Duration } from 'cdk8s';

/**
 * Metric names as Prometheus' grammar allows them (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
 * @see https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels
 */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Label names (`[a-zA-Z_][a-zA-Z0-9_]*`). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid Prometheus metric name. */
export function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** True when `name` is a valid Prometheus label name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * A PromQL double-quoted string literal holding exactly `value`: backslashes, quotes and control
 * characters are escaped, so a value can never end the literal early.
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/#string-literals
 */
export function promqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A Prometheus duration (`5m`, `1h30m`, `3d`) for a cdk8s Duration; fails unless it is a positive whole
 * number of milliseconds.
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations
 */
export function promDuration(duration: Duration): string {
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms < 0) {
    throw new Error(`Prometheus duration (${ms}ms) must be a whole number of milliseconds >= 0`);
  }
  if (ms === 0) return '0s';
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** A number as PromQL reads it back exactly (no exponent for ordinary thresholds). */
export function promNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`PromQL number (${value}) must be finite`);
  return String(value);
}

/** How a {@link LabelMatcher} compares. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

/**
 * One label matcher of a series selector (`status=~"5.."`). The label name is checked against
 * Prometheus' grammar and the value is always rendered as an escaped string literal.
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/#time-series-selectors
 */
export class LabelMatcher {
  /** `name="value"`: the label equals `value`. */
  public static eq(name: string, value: string): LabelMatcher {
    return new LabelMatcher(name, '=', value);
  }

  /** `name!="value"`: the label differs from `value`. */
  public static neq(name: string, value: string): LabelMatcher {
    return new LabelMatcher(name, '!=', value);
  }

  /** `name=~"regex"`: the label fully matches the RE2 regular expression. */
  public static regex(name: string, regex: string): LabelMatcher {
    return new LabelMatcher(name, '=~', regex);
  }

  /** `name!~"regex"`: the label does not fully match the RE2 regular expression. */
  public static notRegex(name: string, regex: string): LabelMatcher {
    return new LabelMatcher(name, '!~', regex);
  }

  /** Equality matchers for every entry of a label map, sorted by name. */
  public static allEqual(labels: Readonly<Record<string, string>>): LabelMatcher[] {
    return Object.keys(labels).sort().map((name) => LabelMatcher.eq(name, labels[name]));
  }

  private constructor(
    /** The label name. */
    public readonly name: string,
    /** The comparison. */
    public readonly op: MatchOp,
    /** The value or regular expression, unescaped. */
    public readonly value: string,
  ) {
    if (!isLabelName(name)) {
      throw new Error(`LabelMatcher: label name (${JSON.stringify(name)}) must match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
    if (op === '=~' || op === '!~') {
      try {
        new RegExp(`^(?:${value})$`);
      } catch (err) {
        throw new Error(
          `LabelMatcher: regex of '${name}' (${JSON.stringify(value)}) is not a valid regular expression:` +
            ` ${(err as Error).message}`,
        );
      }
    }
  }

  /** The matcher as PromQL. */
  public toString(): string {
    return `${this.name}${this.op}${promqlString(this.value)}`;
  }
}

/**
 * A validated series selector: a metric name plus label matchers (`http_requests_total{job="ai-agent"}`).
 * It renders with `.toString()` and is the only way metric names enter the generated PromQL.
 */
export class MetricSelector {
  /**
   * A selector for a metric.
   * @param metric the metric name; must match `[a-zA-Z_:][a-zA-Z0-9_:]*`
   * @param matchers label matchers, or a label map for equality matchers
   */
  public static of(
    metric: string,
    matchers: readonly LabelMatcher[] | Readonly<Record<string, string>> = [],
  ): MetricSelector {
    const list = Array.isArray(matchers) ? [...matchers] : LabelMatcher.allEqual(matchers as Record<string, string>);
    return new MetricSelector(metric, list);
  }

  private constructor(
    /** The metric name. */
    public readonly metric: string,
    /** The label matchers, in the order given. */
    public readonly matchers: readonly LabelMatcher[],
  ) {
    if (!isMetricName(metric)) {
      throw new Error(`MetricSelector: metric name (${JSON.stringify(metric)}) must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
    }
  }

  /** The same selector with more matchers appended. */
  public with(...matchers: LabelMatcher[]): MetricSelector {
    return new MetricSelector(this.metric, [...this.matchers, ...matchers]);
  }

  /** The same matchers on another metric (`http_request_duration_seconds_bucket` → `..._count`). */
  public withMetric(metric: string): MetricSelector {
    return new MetricSelector(metric, this.matchers);
  }

  /** The selector as PromQL. */
  public toString(): string {
    return this.matchers.length === 0 ? this.metric : `${this.metric}{${this.matchers.join(',')}}`;
  }
}

/** `sum(rate(selector[window]))`, optionally `sum by (labels)`. */
export function sumRate(selector: MetricSelector, window: Duration, by: readonly string[] = []): string {
  return `${sumBy(by)}(rate(${selector}[${promDuration(window)}]))`;
}

function sumBy(by: readonly string[]): string {
  by.forEach((label) => {
    if (!isLabelName(label)) {
      throw new Error(`PromQL: grouping label (${JSON.stringify(label)}) must match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
  });
  return by.length === 0 ? 'sum' : `sum by (${by.join(', ')}) `;
}

/**
 * The share of `bad` among `total` events over a window, safe where a naive division is not:
 * no traffic gives no sample (never NaN or +Inf), and a `bad` metric that has no series yet counts as 0
 * (so "every request failed" cannot hide behind a missing series).
 */
export function eventRatio(bad: MetricSelector, total: MetricSelector, window: Duration): string {
  return `(${sumRate(bad, window)} or vector(0)) / (${sumRate(total, window)} > 0)`;
}

/**
 * The matcher for one `le` bucket boundary. Client libraries write integral boundaries differently
 * (Go `1`, Python and Java `1.0`), so both spellings match.
 */
export function leMatcher(seconds: number): LabelMatcher {
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new Error(`PromQL: bucket boundary (${seconds}) must be a positive number`);
  }
  const text = promNumber(seconds);
  return Number.isInteger(seconds)
    ? LabelMatcher.regex('le', `${text}|${text}\\.0`)
    : LabelMatcher.eq('le', text);
}

/**
 * `histogram_quantile(q, sum by (le) (rate(bucket[window])))`: the quantile over all series of a
 * classic histogram, aggregated before the quantile is taken.
 * @see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile
 */
export function histogramQuantile(quantile: number, buckets: MetricSelector, window: Duration): string {
  if (!(quantile > 0 && quantile < 1)) {
    throw new Error(`PromQL: quantile (${quantile}) must be between 0 and 1 exclusive`);
  }
  return `histogram_quantile(${promNumber(quantile)}, sum by (le) (rate(${buckets}[${promDuration(window)}])))`;
}
