#!/usr/bin/env node
// `npm run bench:profile [-- AGENTS TENANTS]`: one scale point (bench/scale-app.js, default 1000 agents +
// 1000 tenants) under `node --cpu-prof`, summarized: self time by package / file and the top functions,
// and the share of time under cdk8s' YAML serialisation. Writes bench/results/profile.json.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const agents = process.argv[2] ?? '1000';
const tenants = process.argv[3] ?? '1000';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prof-'));
try {
  const run = spawnSync(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', dir, path.join(__dirname, 'scale-app.js'), agents, tenants],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`scale-app failed:\n${run.stdout}${run.stderr}`);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const summary = summarize(profile);
  const result = { agents: Number(agents), tenants: Number(tenants), point: JSON.parse(run.stdout), ...summary };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'profile.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`cpu profile of ${agents} agents + ${tenants} tenants: ${summary.totalMs.toFixed(0)} ms sampled`);
  console.log('\nself time by module');
  for (const m of summary.byModule.slice(0, 15)) console.log(`${timeAndShare(m.ms, m.share)}  ${m.module}`);
  console.log('\ntop functions (self time)');
  for (const f of summary.topFunctions.slice(0, 20)) {
    console.log(`${timeAndShare(f.ms, f.share)}  ${f.name}  ${f.where}`);
  }
  console.log('\ninclusive time of phases');
  for (const [phase, ms] of Object.entries(summary.inclusive)) {
    console.log(`${timeAndShare(ms, ms / summary.totalMs)}  ${phase}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A row's time and share, right-aligned: `   1234 ms  12.3 %`. */
function timeAndShare(ms, share) {
  return `${ms.toFixed(0).padStart(7)} ms ${(share * 100).toFixed(1).padStart(5)} %`;
}

/** Module of a script URL: the npm package, or the project file. */
function moduleOf(url) {
  if (!url) return '(native / gc)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node';
  const build = url.indexOf('/build/');
  return build >= 0 ? url.slice(build + 1) : url.replace(/^file:\/\//, '');
}

function summarize(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000));
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);

  const byModule = new Map();
  const byFunction = new Map();
  // Inclusive time under marker functions (a sample counts once per phase even under recursion).
  const phases = {
    'cdk8s Yaml.stringify (YAML serialisation, yaml package)': (n) =>
      n.callFrame.functionName === 'stringify' && moduleOf(n.callFrame.url) === 'cdk8s',
    'fast path YAML serialisation (fastManifestYaml)': (n) => n.callFrame.functionName === 'fastManifestYaml',
    'cdk8s ApiObject.toJson (resolve)': (n) =>
      n.callFrame.functionName === 'toJson' && moduleOf(n.callFrame.url) === 'cdk8s',
    'gateway renderNginxConf': (n) => n.callFrame.functionName === 'renderNginxConf',
    'garbage collector': (n) => n.callFrame.functionName === '(garbage collector)',
  };
  const inclusive = Object.fromEntries(Object.keys(phases).map((k) => [k, 0]));
  for (const [id, ms] of self) {
    const n = nodes.get(id);
    const mod = n.callFrame.functionName === '(garbage collector)' ? '(garbage collector)' : moduleOf(n.callFrame.url);
    byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
    const where = `${moduleOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    const key = `${n.callFrame.functionName || '(anonymous)'}\t${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const hit = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      for (const [phase, test] of Object.entries(phases)) if (!hit.has(phase) && test(nodes.get(cur))) hit.add(phase);
    }
    for (const phase of hit) inclusive[phase] += ms;
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    byModule: sorted(byModule).map(([module, ms]) => ({ module, ms, share: ms / totalMs })),
    topFunctions: sorted(byFunction).slice(0, 40).map(([key, ms]) => {
      const [name, where] = key.split('\t');
      return { name, where, ms, share: ms / totalMs };
    }),
    inclusive,
  };
}
