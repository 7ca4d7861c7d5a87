#!/usr/bin/env node
// `npm run bench`: the main command against plain cdk8s writing the same manifests, measured side by side
// (interleaved runs, medians), and synthesis at scale (time, peak RSS, output size, growth exponent).
// Prints tables and writes bench/results/synth.json.
'use strict';
require('./_ts');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { synthSection } = require('./report');

const root = path.resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 7);
// Scale points: "agents:tenants"; the last one is the 5 000-tenant point, measured once.
const points = (process.env.BENCH_SCALE ?? '10:10,100:100,1000:1000,1000:5000')
  .split(',')
  .map((p) => p.split(':').map(Number));

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
const mainCommand = {
  runs,
  oursMedianMs: median(ours),
  plainMedianMs: median(plain),
  ratio: median(ours) / median(plain),
  target: 1.5,
};

/**
 * Loads a rendered dist/nginx/ with `nginx -t` in the nginx sandbox (test/support/nginx-sandbox.ts), every
 * upstream host name resolving to a loopback address, and times nginx alone (inside the sandbox).
 */
function nginxLoad(nginxDir) {
  const { createNginxSandbox } = require('../test/support/nginx-sandbox.ts');
  const files = {};
  for (const name of fs.readdirSync(nginxDir, { recursive: true })) {
    const full = path.join(nginxDir, name);
    if (fs.statSync(full).isFile() && name !== 'nginx.conf') files[name] = fs.readFileSync(full, 'utf8');
  }
  const conf = fs.readFileSync(path.join(nginxDir, 'nginx.conf'), 'utf8');
  const names = [
    ...new Set(
      [...[conf, ...Object.values(files)].join('\n').matchAll(/^\s*server\s+([A-Za-z][-A-Za-z0-9.]*):\d+/gm)].map(
        (m) => m[1],
      ),
    ),
  ];
  const hosts = Object.fromEntries(names.map((name, i) => [name, `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-t-'));
  try {
    const sandbox = createNginxSandbox(dir, conf, { hosts, files });
    const script = [
      sandbox.prelude,
      'set +e',
      't0=$(date +%s%N)',
      'nginx -t -c /etc/nginx/nginx.conf 2>&1',
      'rc=$?',
      't1=$(date +%s%N)',
      'echo "LOAD_NS $rc $((t1 - t0))"',
    ].join('\n');
    const r = spawnSync('unshare', ['-m', '-n', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
    const m = /LOAD_NS (\d+) (\d+)/.exec(r.stdout);
    if (!m) throw new Error(`nginx -t did not run:\n${r.stdout}${r.stderr}`);
    const output = r.stdout.replace(/LOAD_NS.*\n?/, '').trim();
    if (m[1] !== '0') throw new Error(`nginx -t rejected the rendered nginx.conf of ${nginxDir}:\n${output}`);
    return {
      ok: true,
      ms: Number(m[2]) / 1e6,
      upstreamHosts: names.length,
      warnings: output.split('\n').filter((l) => l.includes('[warn]')),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// 2. Scale: one process per point, so peak RSS is that synth's own; then its nginx.conf is loaded with nginx -t.
const scale = points.map(([agents, tenants]) => {
  const nginxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-nginx-'));
  try {
    const point = JSON.parse(
      timed(process.execPath, [path.join(__dirname, 'scale-app.js'), String(agents), String(tenants), nginxDir]).stdout,
    );
    return { ...point, nginxLoad: nginxLoad(nginxDir) };
  } finally {
    fs.rmSync(nginxDir, { recursive: true, force: true });
  }
});
// Growth exponent between consecutive points, by total object count (agents + tenants).
scale.forEach((point, i) => {
  if (i === 0) return;
  const prev = scale[i - 1];
  const size = Math.log((point.agents + point.tenants) / (prev.agents + prev.tenants));
  point.timeExponent = Math.log(point.ms / prev.ms) / size;
  point.rssExponent = Math.log(point.rssMb / prev.rssMb) / size;
  point.bytesExponent = Math.log(point.bytes / prev.bytes) / size;
});

// 3. Serialisation before/after: the same point with cdk8s' own Yaml.stringify and with PlatformApp's
// byte-identical fast path (lib/platform/_fast-yaml.ts), interleaved.
const [yamlAgents, yamlTenants] = (process.env.BENCH_YAML_POINT ?? '1000:1000').split(':');
const yamlRuns = Number(process.env.BENCH_YAML_RUNS ?? 3);
const yamlSide = { cdk8s: [], fast: [] };
for (let i = 0; i < yamlRuns; i++) {
  for (const side of ['cdk8s', 'fast']) {
    const env = side === 'cdk8s' ? { BENCH_YAML: 'cdk8s' } : {};
    yamlSide[side].push(
      JSON.parse(timed(process.execPath, [path.join(__dirname, 'scale-app.js'), yamlAgents, yamlTenants], env).stdout),
    );
  }
}
const serialisation = {
  agents: Number(yamlAgents), tenants: Number(yamlTenants), runs: yamlRuns,
  cdk8sYamlMs: median(yamlSide.cdk8s.map((p) => p.ms)), fastYamlMs: median(yamlSide.fast.map((p) => p.ms)),
  cdk8sYamlCpuMs: median(yamlSide.cdk8s.map((p) => p.cpuMs)), fastYamlCpuMs: median(yamlSide.fast.map((p) => p.cpuMs)),
  cdk8sYamlRssMb: median(yamlSide.cdk8s.map((p) => p.rssMb)), fastYamlRssMb: median(yamlSide.fast.map((p) => p.rssMb)),
  sameBytes: yamlSide.cdk8s.every((p, i) => p.bytes === yamlSide.fast[i].bytes),
};

// Issue #16: 1000 agents + 5000 tenants in < 5 s and < 500 MB peak RSS, time growing no faster than the size
// (exponent <= 1.0) up to that point; the 1000:1000 point keeps the first round's targets.
const sizeTargets = (agents, tenants) => {
  const p = scale.find((q) => q.agents === agents && q.tenants === tenants);
  if (!p) return [];
  return [
    { metric: `${agents} agents + ${tenants} tenants: synth ms`, value: p.ms, target: '< 5000', met: p.ms < 5000 },
    {
      metric: `${agents} agents + ${tenants} tenants: peak RSS MB`, value: p.rssMb, target: '< 500', met: p.rssMb < 500,
    },
  ];
};
const targets = [
  {
    metric: 'npm run synth / plain cdk8s (wall time)',
    value: mainCommand.ratio,
    target: '<= 1.5',
    met: mainCommand.ratio <= 1.5,
  },
  ...scale
    .filter((p) => p.timeExponent !== undefined)
    .map((p) => ({
      metric: `time growth exponent up to ${p.agents}:${p.tenants}`,
      value: p.timeExponent,
      target: '<= 1.0',
      met: p.timeExponent <= 1.0,
    })),
  ...sizeTargets(1000, 1000),
  ...sizeTargets(1000, 5000),
];
const results = {
  targets,
  serialisation,
  machine: {
    loadAverage: os.loadavg(),
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  date: new Date().toISOString(),
  mainCommand,
  scale,
};
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'synth.json'), `${JSON.stringify(results, null, 2)}\n`);

// The same tables BENCHMARKS.md gets (bench/report.js).
console.log(`\n${synthSection(results)}`);
