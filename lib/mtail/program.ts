/**
 * mtail programs as a typed model and their one serializer. mtail reads log lines, matches them against
 * regular expressions and keeps Prometheus metrics (counters, histograms) that it serves on `/metrics`.
 * @see https://google.github.io/mtail/Language.html
 */

/** A metric an mtail program declares. */
export interface MtailMetric {
  /** `counter` (only goes up) or `histogram` (observations counted into buckets). */
  readonly kind: 'counter' | 'histogram';
  /** Prometheus metric name. */
  readonly name: string;
  /** Label names, in the order the program indexes the metric. */
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds, ascending. @default - none (counters) */
  readonly buckets?: readonly number[];
  /** What it counts: a comment above the declaration. */
  readonly help: string;
}

/** A label value of a metric update: a named capture group of the rule's pattern. */
export interface MtailCaptureLabel {
  /** Name of the capture group (`route` for `(?P<route>...)`). */
  readonly capture: string;
}

/** A label value of a metric update: a fixed string. */
export interface MtailLiteralLabel {
  /** The value. */
  readonly literal: string;
}

/** A label of a metric update: a named capture group (`$name`) or a literal string. */
export type MtailLabel = MtailCaptureLabel | MtailLiteralLabel;

/** `metric[labels]++` */
export interface MtailIncrement {
  /** Discriminator. */
  readonly kind: 'increment';
  /** The counter. */
  readonly metric: MtailMetric;
  /** One per label of the metric, in order. */
  readonly labels: readonly MtailLabel[];
}

/** `metric[labels] += float($capture)` (a counter) or `metric[labels] = float($capture)` (a histogram observation). */
export interface MtailRecord {
  /** `add` to a counter, `observe` into a histogram. */
  readonly kind: 'add' | 'observe';
  /** The counter or histogram. */
  readonly metric: MtailMetric;
  /** One per label of the metric, in order. */
  readonly labels: readonly MtailLabel[];
  /** The capture group holding the number. */
  readonly capture: string;
}

/** The statements of `body`, only when the capture matches `pattern` (`$capture =~ /pattern/ { ... }`). */
export interface MtailCondition {
  /** Discriminator. */
  readonly kind: 'when';
  /** The capture group tested. */
  readonly capture: string;
  /** RE2 pattern the capture must match. */
  readonly pattern: string;
  /** What to do then. */
  readonly body: readonly MtailStatement[];
}

/** What a program does with a matching line. */
export type MtailStatement = MtailIncrement | MtailRecord | MtailCondition;

/** One rule: a regular expression over the whole line and what to do when it matches. */
export interface MtailRule {
  /** RE2 syntax; named groups `(?P<name>...)` become captures. */
  readonly pattern: string;
  /** What to do with a matching line. */
  readonly body: readonly MtailStatement[];
}

/** An mtail program. */
export interface MtailProgram {
  /** Comment lines at the top. */
  readonly header: readonly string[];
  /** The metrics it declares, in order. */
  readonly metrics: readonly MtailMetric[];
  /** The rules, in order. */
  readonly rules: readonly MtailRule[];
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CAPTURE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The program's text. Fails on a name mtail or Prometheus would refuse, or on a metric used with the wrong arity. */
export function renderMtailProgram(program: MtailProgram): string {
  const declared = new Set<MtailMetric>();
  const lines: string[] = program.header.map((line) => `# ${line}`.trimEnd());
  for (const metric of program.metrics) {
    checkName('metric', metric.name, METRIC_NAME);
    metric.labels.forEach((label) => checkName('label', label, CAPTURE_NAME));
    declared.add(metric);
    lines.push('', `# ${metric.help}`, declaration(metric));
  }
  for (const rule of program.rules) {
    if (rule.pattern.includes('/')) throw new Error(`mtail: pattern must not contain '/': ${rule.pattern}`);
    lines.push('', `/${rule.pattern}/ {`, ...statements(rule.body, declared, 1), '}');
  }
  return `${lines.join('\n')}\n`;
}

function declaration(metric: MtailMetric): string {
  const by = metric.labels.length ? ` by ${metric.labels.join(', ')}` : '';
  if (metric.kind === 'counter') return `counter ${metric.name}${by}`;
  const buckets = metric.buckets ?? [];
  if (!buckets.length || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))) {
    throw new Error(`mtail: histogram ${metric.name} needs ascending finite buckets, got [${buckets.join(', ')}]`);
  }
  return `histogram ${metric.name}${by} buckets ${buckets.join(', ')}`;
}

function statements(body: readonly MtailStatement[], declared: Set<MtailMetric>, depth: number): string[] {
  const indent = '  '.repeat(depth);
  return body.flatMap((s): string[] => {
    if (s.kind === 'when') {
      checkName('capture', s.capture, CAPTURE_NAME);
      if (s.pattern.includes('/')) throw new Error(`mtail: pattern must not contain '/': ${s.pattern}`);
      return [`${indent}$${s.capture} =~ /${s.pattern}/ {`, ...statements(s.body, declared, depth + 1), `${indent}}`];
    }
    const target = `${s.metric.name}${indexOf(s.metric, s.labels, declared)}`;
    if (s.kind === 'increment') return [`${indent}${target}++`];
    checkName('capture', s.capture, CAPTURE_NAME);
    if (s.kind === 'add') return [`${indent}${target} += float($${s.capture})`];
    if (s.metric.kind !== 'histogram') throw new Error(`mtail: ${s.metric.name} is not a histogram`);
    return [`${indent}${target} = float($${s.capture})`];
  });
}

function indexOf(metric: MtailMetric, labels: readonly MtailLabel[], declared: Set<MtailMetric>): string {
  if (!declared.has(metric)) throw new Error(`mtail: metric ${metric.name} is used but not declared`);
  if (labels.length !== metric.labels.length) {
    throw new Error(`mtail: ${metric.name} has ${metric.labels.length} labels, got ${labels.length}`);
  }
  return labels.map((label) => {
    if ('capture' in label) {
      checkName('capture', label.capture, CAPTURE_NAME);
      return `[$${label.capture}]`;
    }
    if (!/^[\w.:/-]*$/.test(label.literal)) throw new Error(`mtail: label literal '${label.literal}' needs quoting`);
    return `["${label.literal}"]`;
  }).join('');
}

function checkName(what: string, name: string, pattern: RegExp): void {
  if (!pattern.test(name)) throw new Error(`mtail: invalid ${what} name '${name}'`);
}
