import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  eventRatio,
  histogramQuantile,
  isLabelName,
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
        { series: `probe{v=${promqlString(value)}}`, values: '1x5' },
        { series: `probe{v=${promqlString(`${value}x`)}}`, values: '1x5' },
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
