import { Duration } from 'cdk8s';
import {
  eventRatio,
  isMetricName,
  LabelMatcher,
  leMatcher,
  MetricSelector,
  promDuration,
  promNumber,
  sumRate,
} from './promql';
import { AlertingRule, RecordingRule, Severity } from './rules';

/** Props of {@link BurnRateWindow.of}. */
export interface BurnRateWindowProps {
  /** The long window: it proves the burn is significant. */
  readonly long: Duration;
  /** The short window (typically long/12): it makes the alert stop soon after the burn stops. */
  readonly short: Duration;
  /** Burn-rate factor: how many times faster than sustainable the budget is consumed. */
  readonly factor: number;
  /** How long both windows must exceed the threshold. */
  readonly for: Duration;
  /** Severity of the alert. */
  readonly severity: Severity;
}

/**
 * One window pair of a multi-window, multi-burn-rate alert.
 * @see https://sre.google/workbook/alerting-on-slos/#6-multiwindow-multi-burn-rate-alerts
 */
export class BurnRateWindow {
  /** 2 % of a 30-day budget in 1 hour: page. */
  public static readonly FAST = new BurnRateWindow(
    Duration.hours(1),
    Duration.minutes(5),
    14.4,
    Duration.minutes(2),
    Severity.CRITICAL,
  );
  /** 5 % of a 30-day budget in 6 hours: page. */
  public static readonly MEDIUM = new BurnRateWindow(
    Duration.hours(6),
    Duration.minutes(30),
    6,
    Duration.minutes(15),
    Severity.CRITICAL,
  );
  /** 10 % of a 30-day budget in 1 day: ticket. */
  public static readonly SLOW = new BurnRateWindow(
    Duration.days(1),
    Duration.hours(2),
    3,
    Duration.hours(1),
    Severity.WARNING,
  );
  /** The budget runs out within the period (3 days at 1x): ticket. */
  public static readonly STEADY = new BurnRateWindow(
    Duration.days(3),
    Duration.hours(6),
    1,
    Duration.hours(3),
    Severity.WARNING,
  );
  /** The four windows kube-prometheus-stack uses for the API server's SLO (and the SRE workbook). */
  public static readonly DEFAULTS: readonly BurnRateWindow[] = [
    BurnRateWindow.FAST,
    BurnRateWindow.MEDIUM,
    BurnRateWindow.SLOW,
    BurnRateWindow.STEADY,
  ];

  /** A custom window pair; the short window must be shorter than the long one and the factor positive. */
  public static of(props: BurnRateWindowProps): BurnRateWindow {
    const problems: string[] = [];
    if (!(props.factor > 0) || !Number.isFinite(props.factor)) {
      problems.push(`factor (${props.factor}) must be a positive number`);
    }
    if (!(props.short.toMilliseconds() < props.long.toMilliseconds())) {
      problems.push(`short (${promDuration(props.short)}) must be shorter than long (${promDuration(props.long)})`);
    }
    if (props.short.toMilliseconds() <= 0) problems.push(`short (${promDuration(props.short)}) must be positive`);
    if (problems.length) throw new Error(problems.map((p) => `BurnRateWindow: ${p}`).join('\n'));
    return new BurnRateWindow(props.long, props.short, props.factor, props.for, props.severity);
  }

  private constructor(
    /** The long window. */
    public readonly long: Duration,
    /** The short window. */
    public readonly short: Duration,
    /** The burn-rate factor. */
    public readonly factor: number,
    /** How long the condition must hold. */
    public readonly pendingFor: Duration,
    /** Alert severity. */
    public readonly severity: Severity,
  ) {}

  /** `long/short at factor`, e.g. `1h/5m at 14.4x`, for messages. */
  public toString(): string {
    return `${promDuration(this.long)}/${promDuration(this.short)} at ${this.factor}x`;
  }
}

/**
 * What an SLO measures: the share of bad events among all events over a window.
 */
export class ServiceLevelIndicator {
  /**
   * Bad events counted by one counter selector, all events by another
   * (`http_requests_total{status=~"5.."}` among `http_requests_total`).
   */
  public static errorRatio(props: {
    readonly bad: MetricSelector;
    readonly total: MetricSelector;
  }): ServiceLevelIndicator {
    return new ServiceLevelIndicator(
      (window) => eventRatio(props.bad, props.total, window),
      `${props.bad} among ${props.total}`,
    );
  }

  /**
   * Requests slower than `threshold`, from a classic histogram's buckets: all requests (`le="+Inf"`)
   * minus those in the `le` bucket of the threshold. The threshold must be one of the histogram's bucket
   * boundaries, or the SLI has no samples (and no alert fires).
   * @param props `buckets` selects the `_bucket` series (`http_request_duration_seconds_bucket`)
   */
  public static latency(props: {
    readonly buckets: MetricSelector;
    readonly threshold: Duration;
  }): ServiceLevelIndicator {
    const seconds = props.threshold.toMilliseconds() / 1000;
    const all = props.buckets.with(LabelMatcher.eq('le', '+Inf'));
    const fast = props.buckets.with(leMatcher(seconds));
    return new ServiceLevelIndicator(
      (window) => `(${sumRate(all, window)} - ${sumRate(fast, window)}) / (${sumRate(all, window)} > 0)`,
      `${props.buckets} slower than ${promNumber(seconds)}s`,
    );
  }

  private constructor(
    private readonly ratio: (window: Duration) => string,
    /** What the SLI counts as bad, for descriptions. */
    public readonly description: string,
  ) {}

  /** PromQL for the share of bad events over `window`; no sample when there were no events. */
  public errorRatio(window: Duration): string {
    return this.ratio(window);
  }
}

/** Props of {@link ServiceLevelObjective}. */
export interface ServiceLevelObjectiveProps {
  /** Name, the `slo` label of its recorded series and alerts (`availability`, `latency-p95`). */
  readonly name: string;
  /** Human description for alert summaries (`99.9 % of requests succeed`). */
  readonly description: string;
  /** What is measured. */
  readonly sli: ServiceLevelIndicator;
  /** Target share of good events, in percent (99.9). */
  readonly objective: number;
  /**
   * The period the error budget is spent over.
   * @default Duration.days(30)
   */
  readonly period?: Duration;
  /**
   * Burn-rate windows.
   * @default BurnRateWindow.DEFAULTS
   */
  readonly windows?: readonly BurnRateWindow[];
}

/** Options for rendering an SLO's rules. */
export interface SloRuleOptions {
  /** Prefix of the recorded series: `<prefix>:sli_error:ratio_rate5m`. */
  readonly recordPrefix: string;
  /** Name of the burn-rate alerts. */
  readonly alertName: string;
  /** `runbook_url` of the alerts. @default - none */
  readonly runbookUrl?: string;
}

/**
 * A service level objective with multi-window, multi-burn-rate alerts, in the shape kube-prometheus-stack
 * uses for the API server: one recording rule per window, one alert per window pair (all with the same
 * name, told apart by their `long`/`short` labels).
 *
 * A window whose threshold (factor × error budget) is 100 % or more can never fire; it is left out and
 * listed in {@link omittedWindows}. A P50 objective (50 % budget) therefore keeps only the 1x window.
 * @see https://sre.google/workbook/alerting-on-slos/
 */
export class ServiceLevelObjective {
  /** The name (`slo` label). */
  public readonly name: string;
  /** Human description. */
  public readonly description: string;
  /** The SLI. */
  public readonly sli: ServiceLevelIndicator;
  /** Objective in percent. */
  public readonly objective: number;
  /** Error budget as a ratio (0.001 for 99.9 %). */
  public readonly errorBudget: number;
  /** The budget period. */
  public readonly period: Duration;
  /** The windows that can fire. */
  public readonly windows: readonly BurnRateWindow[];
  /** The windows left out because their threshold is >= 100 %. */
  public readonly omittedWindows: readonly BurnRateWindow[];

  constructor(props: ServiceLevelObjectiveProps) {
    const problems: string[] = [];
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(props.name)) {
      problems.push(`name (${JSON.stringify(props.name)}) must be lowercase letters, digits and '-'`);
    }
    if (!(props.objective > 0 && props.objective < 100)) {
      problems.push(`objective (${props.objective}) must be a percentage between 0 and 100 exclusive`);
    }
    const windows = props.windows ?? BurnRateWindow.DEFAULTS;
    if (windows.length === 0) problems.push('windows must not be empty');
    const period = props.period ?? Duration.days(30);
    const longest = Math.max(0, ...windows.map((w) => w.long.toMilliseconds()));
    if (period.toMilliseconds() < longest) {
      problems.push(
        `period (${promDuration(period)}) must not be shorter than the longest window` +
          ` (${promDuration(Duration.millis(longest))})`,
      );
    }
    if (problems.length) throw new Error(problems.map((p) => `ServiceLevelObjective '${props.name}': ${p}`).join('\n'));
    this.name = props.name;
    this.description = props.description;
    this.sli = props.sli;
    this.objective = props.objective;
    this.errorBudget = Number(((100 - props.objective) / 100).toPrecision(12));
    this.period = period;
    this.windows = windows.filter((w) => w.factor * this.errorBudget < 1);
    this.omittedWindows = windows.filter((w) => w.factor * this.errorBudget >= 1);
  }

  /** Name of the recorded error ratio over `window`. */
  public recordName(prefix: string, window: Duration): string {
    const name = `${prefix}:sli_error:ratio_rate${promDuration(window)}`;
    if (!isMetricName(name)) {
      throw new Error(
        `ServiceLevelObjective '${this.name}': record prefix (${JSON.stringify(prefix)}) gives an invalid metric name`,
      );
    }
    return name;
  }

  /**
   * Recording rules: the error ratio over every window the alerts read, then over the whole period as
   * the time average of the shortest recorded ratio (as Sloth does), which costs one series instead of
   * a 30-day range over the raw counters on every evaluation.
   */
  public recordingRules(prefix: string): RecordingRule[] {
    const windows = new Map<number, Duration>();
    for (const w of this.windows.flatMap((x) => [x.short, x.long])) windows.set(w.toMilliseconds(), w);
    const sorted = [...windows.entries()].sort(([a], [b]) => a - b).map(([, window]) => window);
    const rules: RecordingRule[] = sorted.map((window) => ({
      record: this.recordName(prefix, window),
      expr: this.sli.errorRatio(window),
      labels: { slo: this.name },
    }));
    const shortest = MetricSelector.of(this.recordName(prefix, sorted[0]), { slo: this.name });
    if (!windows.has(this.period.toMilliseconds())) {
      rules.push({
        record: this.recordName(prefix, this.period),
        expr: `avg_over_time(${shortest}[${promDuration(this.period)}])`,
        labels: { slo: this.name },
      });
    }
    return rules;
  }

  /** The burn-rate alerts, fastest first. */
  public alertingRules(options: SloRuleOptions): AlertingRule[] {
    const budget = promNumber(this.errorBudget);
    const selector = (window: Duration) =>
      MetricSelector.of(this.recordName(options.recordPrefix, window), { slo: this.name });
    return this.windows.map((w) => {
      const threshold = `(${promNumber(w.factor)} * ${budget})`;
      const long = promDuration(w.long);
      const short = promDuration(w.short);
      const exhaustedIn = promDuration(
        Duration.millis(Math.round(this.period.toMilliseconds() / w.factor / 60_000) * 60_000),
      );
      return {
        alert: options.alertName,
        expr: `${selector(w.long)} > ${threshold} and ${selector(w.short)} > ${threshold}`,
        for: w.pendingFor,
        severity: w.severity,
        labels: { slo: this.name, long, short },
        summary:
          `SLO ${this.name} (${this.description}) is burning its error budget ${promNumber(w.factor)}x too fast.`,
        description:
          `Over the last ${long} and ${short} the error ratio of SLO ${this.name}` +
          ` is above ${promNumber(w.factor)} times its budget of ${promNumber(this.errorBudget * 100)} %;` +
          ` at this rate the ${promDuration(this.period)} budget is gone in ${exhaustedIn}.` +
          ' Error ratio over the long window: {{ $value | humanizePercentage }}.',
        runbookUrl: options.runbookUrl,
      };
    });
  }
}
