import { Duration, Testing } from 'cdk8s';
import {
  AlertRules,
  BurnRateWindow,
  MetricSelector,
  promDuration,
  renderRulesFile,
  ServiceLevelIndicator,
  ServiceLevelObjective,
  Severity,
} from '../../lib';
import {
  expectRulesValid,
  expectRuleTestsPass,
  InputSeries,
  rising,
  RuleTest,
  testRules,
  withoutAnnotations,
} from '../support/promtool';
import { pattern } from '../support/patterns';

/** The label the platform's monitors put on its workloads' series; the default alerts select on it. */
const OWN = 'part_of="ai-agent-platform"';

/**
 * The SLO burn-rate alerts (`AgentErrorBudgetBurn`) of the default AlertRules, run by the real promtool.
 * All SLOs share the alert name, so every check lists exactly the alerts that fire at that time.
 * Availability 99.9 % has a 0.1 % budget: thresholds 1.44 % (1h/5m, for 2m), 0.6 % (6h/30m, for 15m),
 * 0.3 % (1d/2h, for 1h) and 0.1 % (3d/6h, for 3h).
 */
const chart = Testing.chart();
const alerts = new AlertRules(chart, 'alerts', { platformNamespace: 'ai-platform', dashboard: false });
const rules = alerts.renderRulesFile();
const bare = withoutAnnotations(rules);
const ALERT = 'AgentErrorBudgetBurn';

const FAST = { long: '1h', short: '5m', severity: 'critical' };
const MEDIUM = { long: '6h', short: '30m', severity: 'critical' };
const SLOW = { long: '1d', short: '2h', severity: 'warning' };
const STEADY = { long: '3d', short: '6h', severity: 'warning' };
const burn = (slo: string, w: Record<string, string>) => ({ labels: { slo, ...w } });

/** 10 000 requests a minute, `errorsPerMinute` of them 5xx. */
function traffic(errorsPerMinute: number, minutes: number): InputSeries[] {
  return [
    { series: `http_requests_total{${OWN},status="200"}`, values: rising(10_000 - errorsPerMinute, minutes) },
    { series: `http_requests_total{${OWN},status="500"}`, values: rising(errorsPerMinute, minutes) },
  ];
}

test('promtool check rules accepts the SLO group', () => {
  expectRulesValid(rules);
});

describe('availability 99.9 %', () => {
  const cases: RuleTest[] = [
    {
      name: '2 % errors: the 1h/5m window pages after 2m',
      series: traffic(200, 30),
      alerts: [
        { alertname: ALERT, at: '2m', firing: [] },
        { alertname: ALERT, at: '5m', firing: [burn('availability', FAST)] },
      ],
    },
    {
      name: '1 % errors: only the 6h/30m window, after 15m',
      series: traffic(100, 40),
      alerts: [
        { alertname: ALERT, at: '15m', firing: [] },
        { alertname: ALERT, at: '20m', firing: [burn('availability', MEDIUM)] },
      ],
    },
    {
      name: '0.45 % errors: only the 1d/2h window, after 1h',
      series: traffic(45, 70),
      alerts: [
        { alertname: ALERT, at: '55m', firing: [] },
        { alertname: ALERT, at: '65m', firing: [burn('availability', SLOW)] },
      ],
    },
    {
      name: '0.2 % errors: only the 3d/6h window, after 3h',
      series: traffic(20, 190),
      alerts: [
        { alertname: ALERT, at: '175m', firing: [] },
        { alertname: ALERT, at: '185m', firing: [burn('availability', STEADY)] },
      ],
    },
    {
      name: '0.05 % errors (within budget) never fires',
      series: traffic(5, 200),
      alerts: [{ alertname: ALERT, at: '200m', firing: [] }],
    },
    {
      name: 'a burst that stopped: the long window is still high but the short one resets the page',
      series: [
        { series: `http_requests_total{${OWN},status="200"}`, values: rising(9_500, 50) },
        { series: `http_requests_total{${OWN},status="500"}`, values: `${rising(500, 30)} 15000x20` },
      ],
      alerts: [
        { alertname: ALERT, at: '25m', firing: [burn('availability', FAST), burn('availability', MEDIUM)] },
        { alertname: ALERT, at: '45m', firing: [burn('availability', MEDIUM)] },
      ],
    },
    {
      name: 'no traffic records nothing and fires nothing',
      series: traffic(0, 30).map((s) => ({ ...s, values: '0x30' })),
      alerts: [{ alertname: ALERT, at: '30m', firing: [] }],
      exprs: [{ expr: 'ai_agent_slo:sli_error:ratio_rate5m', at: '30m', samples: [] }],
    },
    {
      name: 'the recorded ratios are the 5xx share (in per mille, rounded: promtool compares floats exactly)',
      series: traffic(200, 30),
      exprs: [
        {
          expr: 'round(1000 * ai_agent_slo:sli_error:ratio_rate5m{slo="availability"})',
          at: '10m',
          samples: [{ labels: '{slo="availability"}', value: 20 }],
        },
        {
          expr: 'round(1000 * ai_agent_slo:sli_error:ratio_rate1h{slo="availability"})',
          at: '10m',
          samples: [{ labels: '{slo="availability"}', value: 20 }],
        },
      ],
    },
  ];
  test.each(cases.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    expectRuleTestsPass(bare, [t]);
  });
});

describe('latency objectives P50 < 500ms, P95 < 1s, P99 < 2s', () => {
  /** Cumulative buckets per minute; `le="1.0"` as Python clients write it, `le="2"` as Go clients do. */
  const buckets = (under05: number, under1: number, under2: number, all: number, minutes: number): InputSeries[] => [
    { series: `http_request_duration_seconds_bucket{${OWN},le="0.5"}`, values: rising(under05, minutes) },
    { series: `http_request_duration_seconds_bucket{${OWN},le="1.0"}`, values: rising(under1, minutes) },
    { series: `http_request_duration_seconds_bucket{${OWN},le="2"}`, values: rising(under2, minutes) },
    { series: `http_request_duration_seconds_bucket{${OWN},le="+Inf"}`, values: rising(all, minutes) },
  ];
  const cases: RuleTest[] = [
    {
      name: '80 % slower than 1s (budget 5 %, threshold 72 %): P95 pages; P99 (nothing over 2s) stays silent',
      series: buckets(20, 20, 100, 100, 30),
      alerts: [
        { alertname: ALERT, at: '2m', firing: [] },
        { alertname: ALERT, at: '5m', firing: [burn('latency-p95', FAST)] },
      ],
    },
    {
      name: '20 % slower than 2s (budget 1 %, threshold 14.4 %): P99 pages; P95 below its 72 % page threshold',
      series: buckets(80, 80, 80, 100, 30),
      alerts: [{ alertname: ALERT, at: '5m', firing: [burn('latency-p99', FAST)] }],
    },
    {
      name: '60 % slower than 500ms: P50 (50 % budget) can only use the 3d/6h window, after 3h',
      series: buckets(40, 100, 100, 100, 190),
      alerts: [
        { alertname: ALERT, at: '175m', firing: [] },
        { alertname: ALERT, at: '185m', firing: [burn('latency-p50', STEADY)] },
      ],
    },
    {
      name: 'everything within 500ms never fires',
      series: buckets(100, 100, 100, 100, 200),
      alerts: [{ alertname: ALERT, at: '200m', firing: [] }],
    },
  ];
  test.each(cases.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    expectRuleTestsPass(bare, [t]);
  });

  test('a wrong expectation fails (the test can fail)', () => {
    expect(testRules(bare, [{ ...cases[0], alerts: [{ alertname: ALERT, at: '5m', firing: [] }] }]).status).not.toBe(0);
  });
});

describe('every SLO x window pair fires alone at a burn rate between its threshold and the next faster one', () => {
  /** Where a request that is bad for the SLO lands: just above its latency bound. */
  const BOUNDS = ['0.5', '1', '2', '+Inf'];
  const minutes = (d: Duration) => d.toMinutes();

  function seriesFor(sloName: string, badShare: number, samples: number): InputSeries[] {
    const total = 10_000;
    const bad = Math.round(badShare * total);
    if (sloName === 'availability') return traffic(bad, samples);
    const threshold = { 'latency-p50': '0.5', 'latency-p95': '1', 'latency-p99': '2' }[sloName]!;
    const badBucket = BOUNDS[BOUNDS.indexOf(threshold) + 1];
    return BOUNDS.map((le) => ({
      series: `http_request_duration_seconds_bucket{${OWN},le="${le}"}`,
      values: rising(total - bad + (BOUNDS.indexOf(le) >= BOUNDS.indexOf(badBucket) ? bad : 0), samples),
    }));
  }

  const cases = alerts.slos.flatMap((slo) => slo.windows.map((w, i) => {
    const ceiling = i === 0 ? 1 : Math.min(1, slo.windows[i - 1].factor * slo.errorBudget);
    const share = (w.factor * slo.errorBudget + ceiling) / 2;
    const firesAt = 1 + minutes(w.pendingFor);
    const labels = {
      slo: slo.name,
      long: promDuration(w.long),
      short: promDuration(w.short),
      severity: w.severity.value,
    };
    return [`${slo.name} ${w} (${(share * 100).toFixed(2)} % bad)`, {
      name: `${slo.name} ${w}`,
      series: seriesFor(slo.name, share, firesAt + 2),
      alerts: [
        { alertname: ALERT, at: `${firesAt - 1}m`, firing: [] },
        { alertname: ALERT, at: `${firesAt + 1}m`, firing: [{ labels }] },
      ],
    }] as const;
  }));

  test('covers 13 pairs: 4 windows for availability, P95 and P99; only 3d/6h for P50', () => {
    expect(cases.map(([name]) => name.replace(/ \(.*/, ''))).toEqual([
      'availability 1h/5m at 14.4x',
      'availability 6h/30m at 6x',
      'availability 1d/2h at 3x',
      'availability 3d/6h at 1x',
      'latency-p50 3d/6h at 1x',
      'latency-p95 1h/5m at 14.4x',
      'latency-p95 6h/30m at 6x',
      'latency-p95 1d/2h at 3x',
      'latency-p95 3d/6h at 1x',
      'latency-p99 1h/5m at 14.4x',
      'latency-p99 6h/30m at 6x',
      'latency-p99 1d/2h at 3x',
      'latency-p99 3d/6h at 1x',
    ]);
  });

  test.each(cases)('%s', (_name, t) => {
    expectRuleTestsPass(bare, [t]);
  });
});

describe('ServiceLevelObjective', () => {
  const sli = ServiceLevelIndicator.errorRatio({
    bad: MetricSelector.of('x_total', { code: '5xx' }),
    total: MetricSelector.of('x_total'),
  });

  test('the error budget has no float noise', () => {
    expect(new ServiceLevelObjective({ name: 'a', description: 'd', sli, objective: 99.9 }).errorBudget).toBe(0.001);
    expect(new ServiceLevelObjective({ name: 'a', description: 'd', sli, objective: 95 }).errorBudget).toBe(0.05);
  });

  test('windows that could never fire (factor x budget >= 100 %) are left out and listed', () => {
    const p50 = new ServiceLevelObjective({ name: 'p50', description: 'd', sli, objective: 50 });
    expect(p50.windows).toEqual([BurnRateWindow.STEADY]);
    expect(p50.omittedWindows.map(String)).toEqual(['1h/5m at 14.4x', '6h/30m at 6x', '1d/2h at 3x']);
  });

  test('alerts render kube-prometheus-stack style: long and short window above factor x budget', () => {
    const slo = new ServiceLevelObjective({
      name: 'availability',
      description: 'd',
      sli,
      objective: 99.9,
      windows: [BurnRateWindow.FAST],
    });
    const [alert] = slo.alertingRules({ recordPrefix: 'p', alertName: 'Burn' });
    expect(alert.expr).toBe(
      'p:sli_error:ratio_rate1h{slo="availability"} > (14.4 * 0.001)'
        + ' and p:sli_error:ratio_rate5m{slo="availability"} > (14.4 * 0.001)',
    );
    expect(alert.labels).toEqual({ slo: 'availability', long: '1h', short: '5m' });
    expect(alert.description).toContain('at this rate the 30d budget is gone in 2d2h');
    expectRulesValid(renderRulesFile([{ name: 'g', rules: [...slo.recordingRules('p'), alert] }]));
  });

  test('custom windows and periods', () => {
    const w = BurnRateWindow.of({
      long: Duration.hours(2),
      short: Duration.minutes(10),
      factor: 10,
      for: Duration.minutes(5),
      severity: Severity.of('page'),
    });
    const slo = new ServiceLevelObjective({
      name: 'custom',
      description: 'd',
      sli,
      objective: 99,
      windows: [w],
      period: Duration.days(7),
    });
    expect(slo.recordingRules('p').map((r) => r.record)).toEqual([
      'p:sli_error:ratio_rate10m',
      'p:sli_error:ratio_rate2h',
      'p:sli_error:ratio_rate7d',
    ]);
    expect(slo.alertingRules({ recordPrefix: 'p', alertName: 'Burn' })[0].severity.value).toBe('page');
    expect(slo.recordingRules('p')[2].expr).toBe('avg_over_time(p:sli_error:ratio_rate10m{slo="custom"}[7d])');
  });

  test('fails when the period is shorter than a window', () => {
    expect(
      () =>
        new ServiceLevelObjective({ name: 'short', description: 'd', sli, objective: 99, period: Duration.days(1) }),
    ).toThrow("ServiceLevelObjective 'short': period (1d) must not be shorter than the longest window (3d)");
  });

  test('fails when a window is inverted or the factor is not positive', () => {
    expect(() =>
      BurnRateWindow.of({
        long: Duration.minutes(5),
        short: Duration.hours(1),
        factor: 0,
        for: Duration.minutes(1),
        severity: Severity.WARNING,
      }),
    ).toThrow(
      pattern(
        /BurnRateWindow: factor \(0\) must be a positive number\n/,
        /BurnRateWindow: short \(1h\) must be shorter than long \(5m\)/,
      ),
    );
  });

  test('fails when the objective is not a percentage or the name is not a label value', () => {
    expect(() => new ServiceLevelObjective({ name: 'Bad Name', description: 'd', sli, objective: 100 })).toThrow(
      pattern(
        /ServiceLevelObjective 'Bad Name': name \("Bad Name"\) must be lowercase letters, digits and '-'\n/,
        /ServiceLevelObjective 'Bad Name': objective \(100\) must be a percentage between 0 and 100 exclusive/,
      ),
    );
  });
});

describe('SLO model: bounds and texts stated exactly', () => {
  const sli = ServiceLevelIndicator.errorRatio({
    bad: MetricSelector.of('r_total', { code: '500' }),
    total: MetricSelector.of('r_total'),
  });
  const slo = (props: Partial<ConstructorParameters<typeof ServiceLevelObjective>[0]> = {}) =>
    new ServiceLevelObjective({ name: 'avail', description: 'availability', sli, objective: 99.9, ...props });
  const window = (long: Duration, short: Duration, factor = 2) =>
    BurnRateWindow.of({ long, short, factor, for: Duration.minutes(1), severity: Severity.WARNING });

  test('a burn-rate window: short strictly shorter than long, positive, factor positive and finite', () => {
    expect(() => window(Duration.hours(1), Duration.hours(1))).toThrow(
      'BurnRateWindow: short (1h) must be shorter than long (1h)',
    );
    expect(() => window(Duration.hours(1), Duration.seconds(0))).toThrow('BurnRateWindow: short (0s) must be positive');
    expect(() => window(Duration.hours(1), Duration.hours(2), 0)).toThrow([
      'BurnRateWindow: factor (0) must be a positive number',
      'BurnRateWindow: short (2h) must be shorter than long (1h)',
    ].join('\n'));
    expect(() => window(Duration.hours(1), Duration.minutes(5), Infinity)).toThrow('factor (Infinity)');
    expect(String(window(Duration.hours(1), Duration.minutes(5), 14.4))).toBe('1h/5m at 14.4x');
  });

  test('the SLIs describe what they count as bad', () => {
    expect(sli.description).toBe('r_total{code="500"} among r_total');
    expect(ServiceLevelIndicator.latency({
      buckets: MetricSelector.of('d_bucket'), threshold: Duration.millis(500),
    }).description).toBe('d_bucket slower than 0.5s');
  });

  test('names are whole lowercase DNS labels; objectives strictly between 0 and 100', () => {
    for (const name of ['slo-', '-slo', 'Slo', 'a b', '']) {
      expect(() => slo({ name })).toThrow(`ServiceLevelObjective '${name}': name (${JSON.stringify(name)}) must be`);
    }
    expect(slo({ name: 'a' }).name).toBe('a');
    for (const objective of [0, 100, -1, NaN]) {
      expect(() => slo({ objective })).toThrow(
        `ServiceLevelObjective 'avail': objective (${objective}) must be a percentage between 0 and 100 exclusive`,
      );
    }
    expect(slo({ objective: 0.001 }).errorBudget).toBe(0.99999);
    expect(slo({ objective: 99.999 }).errorBudget).toBe(0.00001);
  });

  test('windows: at least one; the period may equal the longest, not be shorter', () => {
    expect(() => slo({ windows: [] })).toThrow("ServiceLevelObjective 'avail': windows must not be empty");
    expect(slo({ period: Duration.days(3) }).period.toDays()).toBe(3);
    expect(() => slo({ period: Duration.days(2) })).toThrow(
      "ServiceLevelObjective 'avail': period (2d) must not be shorter than the longest window (3d)",
    );
  });

  test('a window whose threshold reaches 100 % is omitted (it could never fire), one just below is kept', () => {
    // objective 90: budget 0.1; factor 10 gives exactly 1.
    const at = window(Duration.hours(2), Duration.hours(1), 10);
    const below = window(Duration.hours(2), Duration.hours(1), 9.99);
    const s = slo({ objective: 90, windows: [at, below] });
    expect(s.windows).toEqual([below]);
    expect(s.omittedWindows).toEqual([at]);
  });

  test('recording rules: every window once, shortest first, labelled with the SLO; the period only if new', () => {
    const records = (s: ServiceLevelObjective) => s.recordingRules('p').map((r) => [r.record, r.labels]);
    const label = { slo: 'avail' };
    expect(records(slo())).toEqual([
      ['p:sli_error:ratio_rate5m', label], ['p:sli_error:ratio_rate30m', label], ['p:sli_error:ratio_rate1h', label],
      ['p:sli_error:ratio_rate2h', label], ['p:sli_error:ratio_rate6h', label], ['p:sli_error:ratio_rate1d', label],
      ['p:sli_error:ratio_rate3d', label], ['p:sli_error:ratio_rate30d', label],
    ]);
    // A period equal to a window already recorded adds no second rule for it.
    expect(records(slo({ period: Duration.days(3) })).map(([r]) => r).filter((r) => r === 'p:sli_error:ratio_rate3d'))
      .toHaveLength(1);
    expect(() => slo().recordName('bad prefix', Duration.minutes(5))).toThrow(
      "ServiceLevelObjective 'avail': record prefix (\"bad prefix\") gives an invalid metric name",
    );
  });

  test('alert texts: factor, budget in percent, windows and when the budget is gone', () => {
    const [fast] = slo().alertingRules({ recordPrefix: 'p', alertName: 'Burn' });
    expect(fast.summary).toBe('SLO avail (availability) is burning its error budget 14.4x too fast.');
    expect(fast.description).toBe(
      'Over the last 1h and 5m the error ratio of SLO avail is above 14.4 times its budget of 0.1 %;'
        + ' at this rate the 30d budget is gone in 2d2h.'
        + ' Error ratio over the long window: {{ $value | humanizePercentage }}.',
    );
    expect(fast.labels).toEqual({ slo: 'avail', long: '1h', short: '5m' });
  });
});
