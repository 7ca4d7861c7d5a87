/**
 * The mtail format: its serializer refuses what mtail or Prometheus would, and what it renders compiles in the
 * real mtail (`mtail --compile_only`, Debian's 3.0.0-rc50).
 */
import * as path from 'path';
import { Duration } from 'cdk8s';
import { MtailMetric, MtailProgram, renderMtailProgram } from '../../lib';
import { requestMetricsProgram } from '../../lib/gateway/_request-metrics';
import { runTool, withTempDir, writeFiles } from '../support/tools';

function compiles(program: string): { ok: boolean; output: string } {
  return withTempDir((dir) => {
    writeFiles(dir, { 'progs/test.mtail': program });
    const r = runTool('mtail', ['--compile_only', `--progs=${path.join(dir, 'progs')}`, '--logtostderr']);
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  });
}

const counter: MtailMetric = { kind: 'counter', name: 'lines_total', labels: ['route'], help: 'Lines.' };
const histogram: MtailMetric = {
  kind: 'histogram', name: 'latency_seconds', labels: ['route'], buckets: [0.1, 1], help: 'Latency.',
};
const program = (over: Partial<MtailProgram> = {}): MtailProgram => ({
  header: ['A test program.'],
  metrics: [counter, histogram],
  rules: [{
    pattern: '^route=(?P<route>\\S+) t=(?P<t>\\d+\\.\\d+)$',
    body: [
      { kind: 'increment', metric: counter, labels: [{ capture: 'route' }] },
      { kind: 'when', capture: 't', pattern: '^\\d', body: [
        { kind: 'observe', metric: histogram, labels: [{ literal: 'all' }], capture: 't' },
      ] },
    ],
  }],
  ...over,
});

test('the gateway\'s program compiles in the real mtail, with the default and with custom buckets', () => {
  const defaults = compiles(renderMtailProgram(requestMetricsProgram({ image: 'x', latencyBuckets: [0.05, 1, 300] })));
  expect(defaults).toEqual({ ok: true, output: expect.any(String) });
  const custom = requestMetricsProgram({
    image: 'x', latencyBuckets: [Duration.millis(10), Duration.seconds(2)].map((d) => d.toMilliseconds() / 1000),
  });
  expect(compiles(renderMtailProgram(custom)).ok).toBe(true);
});

test('a small program renders as mtail writes it and compiles; the real mtail rejects a broken one', () => {
  const text = renderMtailProgram(program());
  expect(text).toBe([
    '# A test program.',
    '',
    '# Lines.',
    'counter lines_total by route',
    '',
    '# Latency.',
    'histogram latency_seconds by route buckets 0.1, 1',
    '',
    '/^route=(?P<route>\\S+) t=(?P<t>\\d+\\.\\d+)$/ {',
    '  lines_total[$route]++',
    '  $t =~ /^\\d/ {',
    '    latency_seconds["all"] = float($t)',
    '  }',
    '}',
    '',
  ].join('\n'));
  expect(compiles(text).ok).toBe(true);
  expect(compiles(text.replace('lines_total[$route]++', 'lines_total[$nope]++')).ok).toBe(false);
});

test('refuses what mtail or Prometheus would not take, naming it', () => {
  expect(() => renderMtailProgram(program({ metrics: [{ ...counter, name: 'bad-name' }] })))
    .toThrow("mtail: invalid metric name 'bad-name'");
  expect(() => renderMtailProgram(program({ metrics: [counter, { ...histogram, buckets: [1, 0.5] }] })))
    .toThrow('mtail: histogram latency_seconds needs ascending finite buckets, got [1, 0.5]');
  expect(() => renderMtailProgram(program({ rules: [{ pattern: 'a/b', body: [] }] })))
    .toThrow("mtail: pattern must not contain '/': a/b");
  expect(() => renderMtailProgram(program({ metrics: [histogram] })))
    .toThrow('mtail: metric lines_total is used but not declared');
  expect(() => renderMtailProgram(program({
    rules: [{ pattern: 'x', body: [{ kind: 'increment', metric: counter, labels: [] }] }],
  }))).toThrow('mtail: lines_total has 1 labels, got 0');
  expect(() => renderMtailProgram(program({
    rules: [{ pattern: 'x', body: [{ kind: 'increment', metric: counter, labels: [{ literal: 'a"b' }] }] }],
  }))).toThrow('mtail: label literal \'a"b\' needs quoting');
  expect(() => renderMtailProgram(program({
    rules: [{ pattern: 'x', body: [{ kind: 'observe', metric: counter, labels: [{ capture: 'a' }], capture: 'a' }] }],
  }))).toThrow('mtail: lines_total is not a histogram');
});
