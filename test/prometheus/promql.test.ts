import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  eventRatio,
  histogramQuantile,
  isLabelName,
  promNumber,
  sumRate,
  isMetricName,
  LabelMatcher,
  leMatcher,
  MetricSelector,
  promDuration,
  promqlString,
  renderRulesFile,
} from '../../lib';
import { expectRuleTestsPass, RuleTest } from '../support/promtool';

describe('names', () => {
  test('metric and label names follow Prometheus\' grammar', () => {
    expect(['http_requests_total', 'DCGM_FI_DEV_GPU_UTIL', 'job:rate:5m', '_x'].every(isMetricName)).toBe(true);
    expect(['http-requests', '1abc', 'up{}', 'a b', '', 'é'].some(isMetricName)).toBe(false);
    expect(['status', 'le', '__name__', 'Hostname'].every(isLabelName)).toBe(true);
    expect(['a:b', '0a', 'a-b', ''].some(isLabelName)).toBe(false);
  });

  test('fails when a selector names an invalid metric or label', () => {
    expect(() => MetricSelector.of('http-requests')).toThrow(
      'MetricSelector: metric name ("http-requests") must match [a-zA-Z_:][a-zA-Z0-9_:]*',
    );
    expect(() => MetricSelector.of('up', { 'app.kubernetes.io/name': 'x' }))
      .toThrow('LabelMatcher: label name ("app.kubernetes.io/name") must match [a-zA-Z_][a-zA-Z0-9_]*');
    expect(() => LabelMatcher.regex('status', '5..(')).toThrow(
      /LabelMatcher: regex of 'status' \("5..\("\) is not a valid regular expression/,
    );
  });
});

describe('rendering', () => {
  test('selectors: label maps sorted, matchers in order, values escaped', () => {
    expect(String(MetricSelector.of('up'))).toBe('up');
    expect(String(MetricSelector.of('up', { job: 'b', instance: 'a' }))).toBe('up{instance="a",job="b"}');
    expect(
      String(
        MetricSelector.of('x', [LabelMatcher.neq('a', '1'), LabelMatcher.notRegex('b', '2|3')]).with(
          LabelMatcher.eq('c', 'q"\\\n'),
        ),
      ),
    ).toBe('x{a!="1",b!~"2|3",c="q\\"\\\\\\n"}');
    expect(String(MetricSelector.of('x_bucket', { job: 'j' }).withMetric('x_count'))).toBe('x_count{job="j"}');
  });

  test('durations in Prometheus notation', () => {
    expect(
      [
        Duration.minutes(5),
        Duration.seconds(90),
        Duration.hours(36),
        Duration.days(30),
        Duration.millis(1500),
        Duration.seconds(0),
      ].map(promDuration),
    ).toEqual(['5m', '1m30s', '1d12h', '30d', '1s500ms', '0s']);
    expect(() => promDuration(Duration.millis(0.5))).toThrow(
      'Prometheus duration (0.5ms) must be a whole number of milliseconds >= 0',
    );
  });

  test('guarded ratio, quantile over sum by (le), both spellings of integral bucket bounds', () => {
    const total = MetricSelector.of('t_total');
    expect(eventRatio(total.with(LabelMatcher.eq('code', '500')), total, Duration.minutes(5)))
      .toBe('(sum(rate(t_total{code="500"}[5m])) or vector(0)) / (sum(rate(t_total[5m])) > 0)');
    expect(histogramQuantile(0.5, MetricSelector.of('d_bucket'), Duration.minutes(1))).toBe(
      'histogram_quantile(0.5, sum by (le) (rate(d_bucket[1m])))',
    );
    expect(() => histogramQuantile(1, MetricSelector.of('d_bucket'), Duration.minutes(1))).toThrow(
      'PromQL: quantile (1) must be between 0 and 1 exclusive',
    );
    expect(String(leMatcher(2))).toBe('le=~"2|2\\\\.0"');
    expect(String(leMatcher(0.25))).toBe('le="0.25"');
  });
});

describe('string literals, numbers and bad input', () => {
  test.each([
    ['plain', '"plain"'],
    ['', '""'],
    ['q"uote', '"q\\"uote"'],
    ['back\\slash', '"back\\\\slash"'],
    ['a\nb\rc\td', '"a\\nb\\rc\\td"'],
    ['\u0001\u001f\u007f', '"\\x01\\x1f\\x7f"'],
    [' ~', '" ~"'],
    ['ünï ✓', '"ünï ✓"'],
  ])('promqlString(%j) is %s', (value, literal) => {
    expect(promqlString(value)).toBe(literal);
  });

  test('numbers render as PromQL reads them; non-finite ones are refused', () => {
    expect([0, 1, 0.001, -2.5, 1e21].map(promNumber)).toEqual(['0', '1', '0.001', '-2.5', '1e+21']);
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => promNumber(bad)).toThrow(`PromQL number (${bad}) must be finite`);
    }
  });

  test('sums by the grouping labels given, and refuses a grouping label Prometheus cannot parse', () => {
    const sel = MetricSelector.of('r_total');
    expect(sumRate(sel, Duration.minutes(5))).toBe('sum(rate(r_total[5m]))');
    expect(sumRate(sel, Duration.minutes(5), ['tenant'])).toBe('sum by (tenant) (rate(r_total[5m]))');
    expect(sumRate(sel, Duration.minutes(5), ['route', 'status'])).toBe('sum by (route, status) (rate(r_total[5m]))');
    for (const bad of ['a-b', '0a', '', 'a b', 'a)']) {
      expect(() => sumRate(sel, Duration.minutes(5), ['ok', bad])).toThrow(
        `PromQL: grouping label (${JSON.stringify(bad)}) must match [a-zA-Z_][a-zA-Z0-9_]*`,
      );
    }
  });

  test('bucket boundaries must be positive and finite; the smallest positive one is fine', () => {
    for (const bad of [0, -1, NaN, Infinity]) {
      expect(() => leMatcher(bad)).toThrow(`PromQL: bucket boundary (${bad}) must be a positive number`);
    }
    expect(String(leMatcher(Number.MIN_VALUE))).toBe('le="5e-324"');
    expect(String(leMatcher(300))).toBe('le=~"300|300\\\\.0"');
  });

  test('quantiles strictly between 0 and 1', () => {
    const sel = MetricSelector.of('d_bucket');
    for (const bad of [0, 1, -0.5, 1.5, NaN]) {
      expect(() => histogramQuantile(bad, sel, Duration.minutes(1))).toThrow(
        `PromQL: quantile (${bad}) must be between 0 and 1 exclusive`,
      );
    }
    expect(histogramQuantile(0.99, sel, Duration.minutes(10)))
      .toBe('histogram_quantile(0.99, sum by (le) (rate(d_bucket[10m])))');
  });

  test('durations: every unit, composed largest first; fractions of a millisecond are refused', () => {
    expect(promDuration(Duration.millis(90_061_001))).toBe('1d1h1m1s1ms');
    expect(promDuration(Duration.millis(1))).toBe('1ms');
    expect(promDuration(Duration.hours(24))).toBe('1d');
    expect(() => promDuration(Duration.millis(1.5))).toThrow(
      'Prometheus duration (1.5ms) must be a whole number of milliseconds >= 0',
    );
  });

  test('regex matchers: both = and ! forms are checked; a valid regex renders escaped', () => {
    for (const make of [LabelMatcher.regex, LabelMatcher.notRegex]) {
      expect(() => make('path', '/v1/(')).toThrow(
        /^LabelMatcher: regex of 'path' \("\/v1\/\("\) is not a valid regular expression: /,
      );
    }
    expect(String(LabelMatcher.notRegex('path', '/v1/.*'))).toBe('path!~"/v1/.*"');
    expect(String(LabelMatcher.regex('s', '5\\d\\d'))).toBe('s=~"5\\\\d\\\\d"');
    expect(String(LabelMatcher.neq('s', '200'))).toBe('s!="200"');
    // Equality matchers take any value, even one that is not a regex.
    expect(String(LabelMatcher.eq('p', '('))).toBe('p="("');
  });

  test('label and metric names: one character, and every leading character class', () => {
    expect(['a', '_', ':', 'A', 'a:b'].every(isMetricName)).toBe(true);
    expect(['a', '_', 'A', 'a1'].every(isLabelName)).toBe(true);
    expect(['1', ' a', 'a ', 'a\n'].some(isMetricName)).toBe(false);
    expect([':', ' a', 'a ', 'a\n'].some(isLabelName)).toBe(false);
  });
});

describe('no injection through label values (real promtool)', () => {
  const nasty = [
    '"} or vector(1) #',
    '\\',
    '\\"',
    'a\nb',
    'tab\there',
    '{{ $value }}',
    '`x`',
    "'",
    'ünïcödé ✓',
    '\u0001',
    '} + on() vector(1)',
  ];

  /** Each value, rendered as a matcher, selects exactly the series that carries it and nothing else. */
  function exactMatchTests(values: string[]): RuleTest[] {
    return values.map((value) => ({
      name: `value ${JSON.stringify(value)}`,
      series: [
        // The series are written with JSON string literals (valid PromQL strings), not the function under test.
        { series: `probe{v=${JSON.stringify(value)}}`, values: '1x5' },
        { series: `probe{v=${JSON.stringify(`${value}x`)}}`, values: '1x5' },
        { series: 'probe{v="other"}', values: '1x5' },
      ],
      exprs: [
        { expr: `count(${MetricSelector.of('probe', { v: value })})`, at: '1m', samples: [{ labels: '{}', value: 1 }] },
      ],
    }));
  }

  const rules = renderRulesFile([{ name: 'noop', rules: [{ record: 'noop', expr: 'vector(1)' }] }]);

  test('hand-picked hostile values', () => {
    expectRuleTestsPass(rules, exactMatchTests(nasty));
  });

  test('arbitrary strings (property, one promtool run)', () => {
    const values = fc.sample(
      fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => s.length > 0 && !s.includes('\u0000')),
      { numRuns: 60, seed: 42 },
    );
    expectRuleTestsPass(rules, exactMatchTests([...new Set(values)]));
  });
});
