#!/usr/bin/env node
// npm run test:mutation [group ...] [--report] [--files a.ts,b.ts]
//
// Mutation testing with Stryker (jest runner, TypeScript checker), one module group at a time: each group
// mutates its modules and runs only the tests that exercise them. Writes reports/mutation/<group>.json and
// regenerates TESTING.md from every stored report; exits 1 when a module is below its group's target.
// `--report` only re-renders TESTING.md; `--files` mutates only those modules of the group and replaces their
// entries in the group's stored report (after adding tests for one module). Not part of `npm test`: a full
// run takes tens of minutes.
import { Stryker } from '@stryker-mutator/core';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';

import base from '../stryker.config.mjs';

const REPORTS = 'reports/mutation';

/** What is mutated, with which tests, and the score every module of the group must reach. */
const GROUPS = {
  core: {
    target: 90,
    mutate: ['lib/core/field-rules.ts', 'lib/core/quantity.ts', 'lib/core/validation.ts'],
    tests: ['test/core'],
  },
  nginx: {
    target: 80,
    mutate: ['lib/nginx/features.ts', 'lib/nginx/model.ts', 'lib/nginx/render.ts', 'lib/nginx/version.ts'],
    tests: ['test/nginx'],
  },
  prometheus: {
    target: 80,
    mutate: ['config', 'promql', 'rules', 'slo'].map((m) => `lib/prometheus/${m}.ts`),
    tests: ['test/prometheus'],
  },
  grafana: { target: 80, mutate: ['lib/grafana/dashboard.ts'], tests: ['test/grafana'] },
  docker: {
    target: 80,
    mutate: ['lib/docker/compose-file.ts', 'lib/docker/dockerfile.ts', 'lib/docker/render-compose-file.ts'],
    tests: ['test/docker'],
  },
  values: {
    target: 80,
    mutate: ['lib/gateway/values.ts', 'lib/workloads/agent-values.ts', 'lib/scaling/scaling-metric.ts'],
    tests: ['test/values'],
  },
  network: {
    target: 80,
    mutate: ['lib/workloads/egress.ts', 'lib/core/network-policies.ts'],
    tests: [
      'test/workloads/egress.test.ts', 'test/platform/network-traffic.test.ts', 'test/tenancy/tenant.test.ts',
      'test/platform/ai-agent-platform.test.ts', 'test/platform/api-consistency.test.ts',
    ],
  },
};

/**
 * Mutants that cannot be killed because no input tells them apart from the original, each with its reason.
 * A mutant matches by file, mutator, its replacement text and a piece of the original line.
 */
const EQUIVALENT = [
  {
    file: 'lib/core/field-rules.ts', mutator: 'EqualityOperator', replacement: 'slash <= 0',
    line: 'if (slash < 0) return false;',
    reason: 'a slash at 0 leaves an empty prefix, which isQualifiedName refuses too',
  },
  {
    file: 'lib/nginx/version.ts', mutator: 'EqualityOperator', replacement: 'this.major >= o.major',
    line: 'if (this.major !== o.major)', reason: 'reached only when the majors differ, where >= and > agree',
  },
  {
    file: 'lib/nginx/version.ts', mutator: 'EqualityOperator', replacement: 'this.minor >= o.minor',
    line: 'if (this.minor !== o.minor)', reason: 'reached only when the minors differ, where >= and > agree',
  },
  {
    file: 'lib/nginx/version.ts', mutator: 'ConditionalExpression', replacement: 'false',
    line: 'const match = tag === undefined ? null', reason: 'exec(undefined) reads "undefined", which never matches',
  },
  ...['min', 'max'].map((field) => ({
    file: 'lib/grafana/dashboard.ts', mutator: 'ConditionalExpression', replacement: 'true',
    line: `...(panel.${field} !== undefined`, reason: `{ ${field}: undefined } is dropped by JSON.stringify, as no key`,
  })),
  {
    file: 'lib/prometheus/promql.ts', mutator: 'ConditionalExpression', replacement: 'false',
    line: 'if (!Number.isInteger(ms) || ms < 0)', reason: 'the ms < 0 half is unreachable: cdk8s refuses ' +
      'negative durations ("Duration amounts cannot be negative"), and the other half is tested',
  },
  {
    file: 'lib/nginx/render.ts', mutator: 'BooleanLiteral', replacement: 'true',
    line: 'function renderNodes(', reason: 'quoteArg leaves a valid directive name as it is, and invalid names ' +
      'never reach rendering',
  },
  {
    file: 'lib/workloads/egress.ts', mutator: 'Regex', replacement: String.raw`/(\d+\.\d+\.\d+\.\d+)/`,
    line: 'const v4 = /(', reason: 'isIP allows a dotted IPv4 part only at the end of an IPv6 address, so the ' +
      'first dotted quad is the last',
  },
  ...[
    { mutator: 'BooleanLiteral', line: 'this.cached = options.cached ?? true;' },
    { mutator: 'ConditionalExpression', line: 'if (this.cached) this.index = index;' },
  ].map(({ mutator, line }) => ({
    file: 'lib/core/network-policies.ts', mutator, replacement: 'false', line,
    reason: 'the cache only saves rebuilding the index: the platform refreshes it before each rendering, so a ' +
      'graph rebuilt at every question answers the same',
  })),
];

function isEquivalent(file, mutant, source) {
  const line = source.split('\n')[mutant.location.start.line - 1] ?? '';
  return EQUIVALENT.find((e) => e.file === file && e.mutator === mutant.mutatorName &&
    e.replacement === mutant.replacement && line.includes(e.line));
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Per module: counts and score, with the listed equivalent mutants left out of the score. */
function scores(report) {
  return Object.entries(report.files).map(([file, { source, mutants }]) => {
    const count = (set) => mutants.filter((m) => set.has(m.status) && !isEquivalent(file, m, source)).length;
    const equivalent = mutants.filter((m) => UNDETECTED.has(m.status) && isEquivalent(file, m, source)).length;
    const detected = count(DETECTED);
    const undetected = count(UNDETECTED);
    const total = detected + undetected;
    return { file, total: mutants.length, detected, undetected, equivalent,
      score: total === 0 ? 100 : (100 * detected) / total };
  });
}

/** Surviving mutants not listed as equivalent: what a test still has to state. */
function survivors(report) {
  return Object.entries(report.files).flatMap(([file, { source, mutants }]) => mutants
    .filter((m) => UNDETECTED.has(m.status) && !isEquivalent(file, m, source))
    .map((m) => `${file}:${m.location.start.line} ${m.mutatorName} → ${JSON.stringify(m.replacement)} (${m.status})`));
}

async function run(name, only) {
  const group = GROUPS[name];
  const mutate = only ? group.mutate.filter((f) => only.includes(f)) : group.mutate;
  if (mutate.length === 0) return;
  process.env.MUTATION_TESTS = group.tests.join(',');
  const started = Date.now();
  const previous = only ? load(name) : undefined;
  const stryker = new Stryker({
    ...base,
    mutate,
    jsonReporter: { fileName: `${REPORTS}/${name}.json` },
  });
  await stryker.runMutationTest();
  const seconds = Math.round((Date.now() - started) / 1000);
  if (previous) {
    // Keep the other modules' results from the earlier run; these modules' results replace theirs.
    const report = JSON.parse(readFileSync(`${REPORTS}/${name}.json`, 'utf8'));
    report.files = { ...previous.report.files, ...report.files };
    writeFileSync(`${REPORTS}/${name}.json`, JSON.stringify(report));
  }
  const meta = { seconds: seconds + (previous?.meta.seconds ?? 0), date: new Date().toISOString() };
  writeFileSync(`${REPORTS}/${name}.meta.json`, `${JSON.stringify(meta)}\n`);
}

function load(name) {
  const file = `${REPORTS}/${name}.json`;
  if (!existsSync(file)) return undefined;
  const metaFile = `${REPORTS}/${name}.meta.json`;
  const meta = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : {};
  return { report: JSON.parse(readFileSync(file, 'utf8')), meta };
}

function renderTesting() {
  const stryker = JSON.parse(readFileSync('node_modules/@stryker-mutator/core/package.json', 'utf8')).version;
  const rows = [];
  const failing = [];
  for (const [name, group] of Object.entries(GROUPS)) {
    const loaded = load(name);
    if (!loaded) {
      rows.push(`| ${name} | (not run) | | | | | ${group.target} % |`);
      failing.push(`${name}: not run`);
      continue;
    }
    for (const s of scores(loaded.report)) {
      const ok = s.score >= group.target;
      if (!ok) failing.push(`${s.file}: ${s.score.toFixed(1)} % < ${group.target} %`);
      rows.push(`| ${name} | \`${s.file}\` | ${s.total} | ${s.detected} | ${s.undetected} | ${s.equivalent} | ` +
        `**${s.score.toFixed(1)} %**${ok ? '' : ' ✗'} | ${group.target} % |`);
    }
  }
  const runs = Object.keys(GROUPS).map((name) => [name, load(name)?.meta]).filter(([, meta]) => meta?.seconds)
    .map(([name, meta]) => `${name} ${Math.round(meta.seconds / 60)} min (${meta.date.slice(0, 10)})`);
  const text = `# Testing: mutation scores

Regenerated by \`npm run test:mutation\` (Stryker ${stryker}, jest runner, TypeScript checker, per-test
coverage). Each group mutates its modules and runs the tests in its folders only (\`scripts/mutation.mjs\`).
Score = mutants killed (or timed out) ÷ mutants killed, timed out, survived or not covered; mutants that
cannot be told apart from the original are listed as equivalent, with a reason each, in \`scripts/mutation.mjs\`
and left out of the score. Mutants the TypeScript checker rejects do not count.

| Group | Module | Mutants | Detected | Survived | Equivalent | Score | Target |
|---|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Run time on the 2-core development machine: ${runs.join(', ') || 'n/a'}.

\`npm test\` does not run this; it runs every test once against the real tools.
`;
  writeFileSync('TESTING.md', text);
  return failing;
}

const args = process.argv.slice(2);
const reportOnly = args.includes('--report');
const filesAt = args.indexOf('--files');
const only = filesAt >= 0 ? args.splice(filesAt, 2)[1].split(',') : undefined;
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) if (!GROUPS[name]) throw new Error(`unknown group ${name}; groups: ${Object.keys(GROUPS)}`);
mkdirSync(REPORTS, { recursive: true });
if (!reportOnly) for (const name of names.length ? names : Object.keys(GROUPS)) await run(name, only);
for (const name of names.length ? names : Object.keys(GROUPS)) {
  const loaded = load(name);
  if (loaded) for (const line of survivors(loaded.report)) console.log(`survived: ${line}`);
}
const failing = renderTesting();
const verdict = failing.length ? `; below target:\n  ${failing.join('\n  ')}` : '; every module meets its target';
console.log(`TESTING.md written${verdict}`);
process.exitCode = failing.length ? 1 : 0;
