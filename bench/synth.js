#!/usr/bin/env node
// `npm run bench`: the main command against plain cdk8s writing the same manifests, measured side by side
// (interleaved runs, medians), and synthesis at scale (time, peak RSS, output size, growth exponent).
// Prints tables and writes bench/results/synth.json.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 7);
// Scale points: "agents:tenants"; the last one is the 5 000-tenant point, measured once.
const points = (process.env.BENCH_SCALE ?? '10:10,100:100,1000:1000,1000:5000').split(',').map((p) => p.split(':').map(Number));

function timed(command, args, env = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. The main command. Both sides start through `npm run`, so npm's own start-up counts on both.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
const ours = [];
const plain = [];
try {
  const dist = path.join(tmp, 'dist');
  timed('npm', ['run', '--silent', 'synth'], { CDK8S_OUTDIR: dist }); // warm-up, and the source of the baseline
  for (let i = 0; i < runs; i++) {
    ours.push(timed('npm', ['run', '--silent', 'synth'], { CDK8S_OUTDIR: dist }).ms);
    plain.push(timed('npm', ['run', '--silent', 'bench:plain-cdk8s', '--', dist, path.join(tmp, 'plain')]).ms);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
const mainCommand = { runs, oursMedianMs: median(ours), plainMedianMs: median(plain), ratio: median(ours) / median(plain), target: 1.5 };

// 2. Scale: one process per point, so peak RSS is that synth's own.
const scale = points.map(([agents, tenants]) => JSON.parse(timed(process.execPath, [path.join(__dirname, 'scale-app.js'), String(agents), String(tenants)]).stdout));
// Growth exponent between consecutive points, by total object count (agents + tenants).
scale.forEach((point, i) => {
  if (i === 0) return;
  const prev = scale[i - 1];
  point.timeExponent = Math.log(point.ms / prev.ms) / Math.log((point.agents + point.tenants) / (prev.agents + prev.tenants));
});

const results = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, date: new Date().toISOString(), mainCommand, scale };
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'synth.json'), `${JSON.stringify(results, null, 2)}\n`);

console.log('\nMain command (median of %d interleaved runs, both via npm run)', runs);
console.log('| command | median ms |\n| --- | --- |');
console.log(`| npm run synth | ${mainCommand.oursMedianMs.toFixed(0)} |`);
console.log(`| plain cdk8s, same manifests | ${mainCommand.plainMedianMs.toFixed(0)} |`);
console.log(`ratio ${mainCommand.ratio.toFixed(2)} (target <= ${mainCommand.target})\n`);
console.log('Scale (one process per point)');
console.log('| agents | tenants | synth ms | peak RSS MB | output KB | time exponent |\n| --- | --- | --- | --- | --- | --- |');
for (const p of scale) {
  console.log(`| ${p.agents} | ${p.tenants} | ${p.ms.toFixed(0)} | ${p.rssMb.toFixed(0)} | ${(p.bytes / 1024).toFixed(0)} | ${p.timeExponent === undefined ? '' : p.timeExponent.toFixed(2)} |`);
}
