import { Duration } from 'cdk8s';
import { renderRulesFile, RuleGroup, ruleGroupsToJson, Severity } from '../../lib';
import { checkRules, expectRulesValid } from '../support/promtool';

const group: RuleGroup = {
  name: 'example.rules',
  interval: Duration.seconds(30),
  rules: [
    { record: 'job:up:sum', expr: 'sum by (job) (up)', labels: { team: 'ai' } },
    {
      alert: 'JobDown',
      expr: 'job:up:sum == 0',
      for: Duration.minutes(5),
      severity: Severity.CRITICAL,
      labels: { team: 'ai' },
      summary: 'A job is down.',
      description: 'Job {{ $labels.job }} has no healthy target.',
      runbookUrl: 'https://runbooks.example.com/jobdown',
    },
    {
      alert: 'Instant',
      expr: 'vector(1) > 2',
      for: Duration.seconds(0),
      severity: Severity.INFO,
      summary: 's',
      description: 'd',
    },
  ],
};

test('renders the rules-file shape promtool accepts: for, labels (severity included) and annotations', () => {
  const file = renderRulesFile([group]);
  expect(file).toBe(`groups:
  - name: example.rules
    interval: 30s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
        labels:
          team: ai
      - alert: JobDown
        expr: job:up:sum == 0
        for: 5m
        labels:
          severity: critical
          team: ai
        annotations:
          summary: A job is down.
          description: Job {{ $labels.job }} has no healthy target.
          runbook_url: https://runbooks.example.com/jobdown
      - alert: Instant
        expr: vector(1) > 2
        labels:
          severity: info
        annotations:
          summary: s
          description: d
`);
  expect(expectRulesValid(file)).toMatch(/SUCCESS: 3 rules found/);
});

test('promtool rejects what the serializer does not check (the check can fail)', () => {
  const broken = renderRulesFile([{ name: 'broken', rules: [{ record: 'x', expr: 'sum(rate(up[5m])' }] }]);
  const result = checkRules(broken);
  expect(result.status).not.toBe(0);
  expect(result.stderr + result.stdout).toMatch(/unclosed left parenthesis|parse error/);
});

test('fails when names are invalid or duplicated, listing every problem', () => {
  const bad = {
    alert: 'High Error',
    expr: 'up',
    severity: Severity.WARNING,
    summary: 's',
    description: 'd',
    labels: { 'severity': 'x', 'bad-label': 'y' },
  };
  expect(() => ruleGroupsToJson([
    { name: 'g', rules: [bad] },
    { name: 'g', rules: [{ record: 'not a name', expr: ' ' }] },
  ])).toThrow([
    'Prometheus rules: group "g": label name ("bad-label") must match [a-zA-Z_][a-zA-Z0-9_]*',
    'Prometheus rules: group "g": alert ("High Error") must be a valid metric name',
    'Prometheus rules: group "g": alert High Error sets label severity; use the severity prop',
    'Prometheus rules: rule group name ("g") is used twice',
    'Prometheus rules: group "g": expr must not be empty',
    'Prometheus rules: group "g": record ("not a name") must be a valid metric name',
  ].join('\n'));
});

test('Severity: the usual three and custom values', () => {
  expect([Severity.CRITICAL, Severity.WARNING, Severity.INFO, Severity.of('page')].map(String)).toEqual([
    'critical',
    'warning',
    'info',
    'page',
  ]);
  expect(() => Severity.of('{{ $value }}')).toThrow(
    "Severity: value (\"{{ $value }}\") must be letters, digits, '-' or '_'",
  );
});

test('Severity: the whole value must be letters, digits, - and _, starting with a letter or digit', () => {
  for (const value of ['-page', 'page!', '', 'a b', '_x']) {
    expect(() => Severity.of(value)).toThrow(`Severity: value (${JSON.stringify(value)}) must be letters`);
  }
  expect(String(Severity.of('P1_on-call'))).toBe('P1_on-call');
});

test('a rule group needs a name that is not blank', () => {
  expect(() => ruleGroupsToJson([{ name: ' ', rules: [{ record: 'a', expr: 'up' }] }])).toThrow(
    'Prometheus rules: rule group name must not be empty',
  );
});
