#!/usr/bin/env node
// `npm run bench:gateway`: the gateway's data plane, our generated nginx.conf against the design brief's
// (bench/brief-nginx.conf), side by side in one run. Everything runs inside one nginx sandbox
// (test/support/nginx-sandbox.ts: `unshare -m -n`, loopback only) driven by bench/gateway-runner.js; this
// script prepares the configs, runs it, derives the metrics, prints tables and writes
// bench/results/gateway.json (BENCH_GATEWAY_OUT overrides the path).
//
// BENCH_GATEWAY_MODE=tiny runs about 45 s in all, most of it nginx starting under valgrind and strace (the
// smoke test in test/repo/bench.test.ts uses it);
// BENCH_ROUNDS, BENCH_PACED_SECONDS and BENCH_SATURATE_SECONDS override the full run's sizes;
// BENCH_OURS_CONF=file and BENCH_BRIEF_CONF=file measure hand-edited configs in our config's or the brief's
// place (for A/B experiments; the saturating run drops their `limit_req` lines).
'use strict';
require('./_ts');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const { build, isStale } = require('../scripts/build');
if (isStale()) build();
const {
  ourConf, ourGateway, briefConf, bareConf, withoutLimits, ABLATIONS, ablatedConf,
} = require('./gateway-configs');
const { gatewaySection } = require('./report');
const { createNginxSandbox, spawnInNginxSandbox, killSandbox } = require('../test/support/nginx-sandbox.ts');

const tiny = process.env.BENCH_GATEWAY_MODE === 'tiny';
const env = (name, fallback) => (process.env[name] !== undefined ? Number(process.env[name]) : fallback);
const settings = tiny
  ? {
      rounds: 1,
      paced: { clients: 10, ratePerClient: 8, seconds: 1, warmupSeconds: 0.25 },
      sse: { count: 3, events: 3, intervalMs: 20 },
      counts: { clients: 4, warmupPerClient: 1, requests: 40, intervalMs: 25, repeats: 1 },
      saturate: { seconds: 1, connections: 8 },
    }
  : {
      rounds: env('BENCH_ROUNDS', 3),
      paced: { clients: 100, ratePerClient: 8, seconds: env('BENCH_PACED_SECONDS', 12), warmupSeconds: 2 },
      sse: { count: 20, events: 5, intervalMs: 100 },
      // One request at a time on 20 warm connections, 100 r/s at most (5 r/s per client address, under the
      // per-IP limit); nginx runs under valgrind (tens of times slower) or strace.
      counts: { clients: 20, warmupPerClient: 2, requests: env('BENCH_COUNT_REQUESTS', 400), intervalMs: 10,
        repeats: env('BENCH_COUNT_REPEATS', 2) },
      saturate: { seconds: env('BENCH_SATURATE_SECONDS', 5), connections: 64 },
    };
const { ensureTools } = require('../scripts/ensure-tools');
/** The configs counted (callgrind, strace): the three candidates, then ours without / with more observability. */
settings.counts.configs = process.env.BENCH_COUNT_CONFIGS?.split(',')
  ?? ['bare', 'ours', 'brief', 'oursNoMetrics', 'oursTokens'];
/**
 * Ours without one behaviour each (bench/gateway-configs.js ABLATIONS), counted once: what each behaviour
 * costs. BENCH_COUNT_ABLATIONS=0 skips them; the tiny run has none.
 */
settings.counts.ablations = tiny || process.env.BENCH_COUNT_ABLATIONS === '0' ? [] : Object.keys(ABLATIONS);
/** BENCH_GATEWAY_ONLY=counts (or paced, saturate, comma-separated) runs only those parts: no summary then. */
settings.only = process.env.BENCH_GATEWAY_ONLY?.split(',');
/** BENCH_SATURATE_TARGETS=bare,ours saturates only those targets. */
settings.saturate.targets = process.env.BENCH_SATURATE_TARGETS?.split(',');
const outFile = process.env.BENCH_GATEWAY_OUT ?? path.join(__dirname, 'results', 'gateway.json');

/** wrk, valgrind and strace are Debian packages; as root, scripts/ensure-tools.js installs them like the test tools. */
function ensureBenchTools() {
  ensureTools(['wrk', 'valgrind', 'strace'], 'bench:gateway');
}

/** `conf` as one process (no master, one worker), for callgrind. */
function singleProcess(conf) {
  const single = conf.replace(/^worker_processes\s+\S+;$/m, 'worker_processes 1;\nmaster_process off;');
  if (single === conf) throw new Error('bench:gateway: a config without a top-level worker_processes line');
  return single;
}

const HOSTS = {
  'ai-agent.example.com': '127.0.0.1',
  'agent-service-1': '127.0.0.11',
  'agent-service-2': '127.0.0.12',
  'agent-service-3': '127.0.0.13',
  'model-service': '127.0.0.14',
};
const BACKENDS = [
  { name: 'agent-service-1', primary: true },
  { name: 'agent-service-2', primary: true },
  { name: 'agent-service-3', primary: false },
  { name: 'model-service', primary: false },
].map((b) => ({ ...b, address: HOSTS[b.name], port: 8080, ...(b.primary ? { tlsPort: 8443 } : {}) }));
/** The targets of every paced, SSE and saturating run (see bench/gateway-runner.js). */
const TARGETS = ['direct', 'directPlain', 'bare', 'ours', 'brief'];

function runBenchmark() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
  try {
    const ours = process.env.BENCH_OURS_CONF ? fs.readFileSync(process.env.BENCH_OURS_CONF, 'utf8') : ourConf();
    const brief = briefConf({ file: process.env.BENCH_BRIEF_CONF });
    const bare = bareConf();
    const sandbox = createNginxSandbox(dir, ours, {
      hosts: HOSTS,
      files: {
        'ours-unlimited.conf': process.env.BENCH_OURS_CONF ? withoutLimits(ours) : ourConf({ unlimited: true }),
        'brief.conf': brief,
        'brief-unlimited.conf': briefConf({ unlimited: true, file: process.env.BENCH_BRIEF_CONF }),
        'bare.conf': bare,
        'ours-single.conf': singleProcess(ours),
        'brief-single.conf': singleProcess(brief),
        'bare-single.conf': singleProcess(bare),
        'ours-nometrics.conf': ourConf({ metrics: false }),
        'ours-nometrics-single.conf': singleProcess(ourConf({ metrics: false })),
        'ours-tokens.conf': ourConf({ tokens: true }),
        'ours-tokens-single.conf': singleProcess(ourConf({ tokens: true })),
        ...Object.fromEntries(settings.counts.ablations
          .map((name) => [`ours-without-${name}-single.conf`, singleProcess(ablatedConf(ours, name))])),
        ...ourGateway({ tokens: true }).files,
      },
    });
    const caFile = path.join(dir, 'ca.pem');
    const resultFile = path.join(dir, 'result.json');
    const specFile = path.join(dir, 'spec.json');
    fs.writeFileSync(caFile, sandbox.certPem);
    const pacedMs = settings.rounds * TARGETS.length * (settings.paced.seconds * 1000 + 15_000);
    const c = settings.counts;
    const countRuns = c.repeats * c.configs.length + c.ablations.length;
    const countsMs = countRuns * 2 * (60_000 + c.requests * (c.intervalMs + 100));
    const deadlineMs = pacedMs + countsMs + TARGETS.length * (settings.saturate.seconds * 1000 + 20_000) + 30_000;
    const clkTck = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    fs.writeFileSync(specFile, JSON.stringify({
      ...settings, caFile, resultFile, deadlineMs, clkTck, backends: BACKENDS,
      // The sandbox's self-signed pair (mounted at /etc/nginx/ssl), also served by the backends' HTTPS ports.
      tls: { cert: '/etc/nginx/ssl/cert.pem', key: '/etc/nginx/ssl/key.pem' },
      configs: {
        ours: '/etc/nginx/nginx.conf',
        oursUnlimited: '/etc/nginx/ours-unlimited.conf',
        brief: '/etc/nginx/brief.conf',
        briefUnlimited: '/etc/nginx/brief-unlimited.conf',
        bare: '/etc/nginx/bare.conf',
        oursSingle: '/etc/nginx/ours-single.conf',
        briefSingle: '/etc/nginx/brief-single.conf',
        bareSingle: '/etc/nginx/bare-single.conf',
        oursNoMetrics: '/etc/nginx/ours-nometrics.conf',
        oursNoMetricsSingle: '/etc/nginx/ours-nometrics-single.conf',
        oursTokens: '/etc/nginx/ours-tokens.conf',
        oursTokensSingle: '/etc/nginx/ours-tokens-single.conf',
        ...Object.fromEntries(settings.counts.ablations
          .map((name) => [`${name}Ablation`, `/etc/nginx/ours-without-${name}-single.conf`])),
      },
    }));
    const child = spawnInNginxSandbox(sandbox, [process.execPath, path.join(__dirname, 'gateway-runner.js'), specFile]);
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const cleanup = () => killSandbox(child);
    process.once('exit', cleanup);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`gateway runner did not finish within ${deadlineMs + 10_000} ms\n${output}`)),
        deadlineMs + 10_000,
      );
      child.on('error', (error) => { clearTimeout(timer); reject(error); });
      child.on('exit', () => { clearTimeout(timer); resolve(); });
    }).finally(() => {
      cleanup();
      process.removeListener('exit', cleanup);
    }).then(() => {
      if (!fs.existsSync(resultFile)) throw new Error(`gateway runner wrote no result\n${output}`);
      const raw = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      if (raw.error) throw new Error(`gateway benchmark failed: ${raw.error}\n${output}`);
      return raw;
    }).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function median(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const range = (xs) => [Math.min(...xs), Math.max(...xs)];

/**
 * A counted config's figures per request on fixed connections: medians over the repeats, each repeat's
 * figure (how far two runs of the same config agree), system calls by name, and where the instructions go
 * (callgrind by function and by shared object, from the first repeat).
 */
function countsOf(raw, name) {
  const c = raw.counts[name];
  const instructions = c.instructions.map((r) => r.perRequest);
  const syscalls = c.syscalls.map((r) => r.perRequest);
  const names = [...new Set(c.syscalls.flatMap((r) => Object.keys(r.perRequestOf)))].filter((n) => n !== 'total');
  return {
    instructionsPerRequest: median(instructions),
    instructionsRuns: instructions,
    syscallsPerRequest: median(syscalls),
    syscallsRuns: syscalls,
    syscallsOf: Object.fromEntries(names.map((n) => [n, median(c.syscalls.map((r) => r.perRequestOf[n] ?? 0))])),
    socketsPerRequest: median(c.syscalls.map((r) => r.perRequestOf.socket ?? 0)),
    instructionsByObject: c.instructions[0].byObject,
    instructionsBySelf: c.instructions[0].bySelf,
    instructionsByInclusive: c.instructions[0].byInclusive,
  };
}

/** The counts alone (BENCH_GATEWAY_ONLY=counts), one line per config. */
function countsTable(raw) {
  const lines = ['| config | instructions / request (runs) | system calls / request (runs) |', '| --- | --- | --- |'];
  for (const name of Object.keys(raw.counts)) {
    const c = countsOf(raw, name);
    const runs = (xs, digits) => xs.map((x) => x.toFixed(digits)).join(', ');
    lines.push(`| ${name} | ${Math.round(c.instructionsPerRequest)} (${runs(c.instructionsRuns, 0)}) `
      + `| ${c.syscallsPerRequest.toFixed(2)} (${runs(c.syscallsRuns, 2)}) |`);
  }
  return lines.join('\n');
}

/** Per-round figures of one target, then their medians. */
function summarize(raw) {
  const perRound = (name, round) => {
    const p = raw.paced[name][round];
    const per1000 = (x) => (p.steady.backendRequests > 0 ? (x / p.steady.backendRequests) * 1000 : null);
    const backendCpuPerRequest = (target) =>
      raw.paced[target][round].steady.backendCpuMs / raw.paced[target][round].steady.backendRequests;
    const serverCpuPerRequest = (p.steady.nginxCpuMs + p.steady.backendCpuMs) / p.steady.backendRequests;
    const isDirect = name.startsWith('direct');
    return {
      okShare: p.okShare,
      latencyP50Ms: p.latencyMs.p50,
      latencyP99Ms: p.latencyMs.p99,
      sendLagP99Ms: p.sendLagMs.p99,
      serviceLatencyP99Ms: p.serviceLatencyMs.p99,
      achievedRps: p.achievedRps,
      backendConnectionsPer1000: per1000(p.steady.backendConnections),
      nginxCpuMsPer1000: isDirect ? 0 : per1000(p.steady.nginxCpuMs),
      backendCpuMsPer1000: per1000(p.steady.backendCpuMs),
      // Against the same HTTPS load served directly (the target), and against plain HTTP (the floor).
      cpuEfficiency: backendCpuPerRequest('direct') / serverCpuPerRequest,
      cpuEfficiencyPlain: backendCpuPerRequest('directPlain') / serverCpuPerRequest,
      sseFirstEventMs: raw.sse[name][round].firstEventMs.p50,
      sseLastEventMs: raw.sse[name][round].lastEventMsP50,
      sseComplete: raw.sse[name][round].allComplete,
    };
  };
  const targets = {};
  for (const name of TARGETS) {
    const rounds = raw.paced[name].map((_, i) => perRound(name, i));
    const med = {};
    for (const key of Object.keys(rounds[0])) {
      med[key] = typeof rounds[0][key] === 'boolean' ? rounds.every((r) => r[key]) : median(rounds.map((r) => r[key]));
    }
    med.cpuEfficiencyRange = range(rounds.map((r) => r.cpuEfficiency));
    med.cpuEfficiencyPlainRange = range(rounds.map((r) => r.cpuEfficiencyPlain));
    med.statuses = raw.paced[name].map((p) => p.statuses);
    targets[name] = { ...med, rounds };
  }
  for (const name of TARGETS) {
    const s = raw.saturate[name];
    Object.assign(targets[name], { saturatedRps: s.requestsPerSecond, saturated: s });
  }
  const observability = {
    noMetrics: { ...countsOf(raw, 'oursNoMetrics'), sseFirstEventMs: raw.sse.oursNoMetrics[0].firstEventMs.p50 },
    metrics: { ...countsOf(raw, 'ours'), sseFirstEventMs: raw.sse.ours[0].firstEventMs.p50 },
    tokens: { ...countsOf(raw, 'oursTokens'), sseFirstEventMs: raw.sse.oursTokens[0].firstEventMs.p50 },
  };
  observability.metricsAddedInstructions = observability.metrics.instructionsPerRequest
    - observability.noMetrics.instructionsPerRequest;
  observability.tokensAddedInstructions = observability.tokens.instructionsPerRequest
    - observability.metrics.instructionsPerRequest;
  for (const name of ['bare', 'ours', 'brief']) {
    Object.assign(targets[name], countsOf(raw, name));
    targets[name].sseOverheadMs = targets[name].sseFirstEventMs - targets.direct.sseFirstEventMs;
  }
  for (const name of TARGETS) {
    const s = raw.saturate[name];
    targets[name].saturatedNginxCpuUsPerRequest = s.nginxWorkerCpuMs?.length
      ? (s.nginxWorkerCpuMs.reduce((a, b) => a + b, 0) * 1000) / s.requests
      : null;
  }
  const ours = targets.ours;
  const bare = targets.bare;
  const brief = targets.brief;
  const nginxCpuSaving = 1 - ours.nginxCpuMsPer1000 / brief.nginxCpuMsPer1000;
  // Issue #16: ours against the bare TLS proxy, side by side in this run.
  const vsBare = {
    instructions: ours.instructionsPerRequest / bare.instructionsPerRequest,
    syscalls: ours.syscallsPerRequest - bare.syscallsPerRequest,
    saturating: ours.saturatedRps / bare.saturatedRps,
    efficiency: ours.cpuEfficiency / bare.cpuEfficiency,
  };
  // What the request metrics and token usage add, over the same config without them.
  const withoutThem = observability.noMetrics.instructionsPerRequest;
  observability.overhead = (observability.tokens.instructionsPerRequest - withoutThem) / withoutThem;
  const check = (metric, value, target, met) => ({ metric, value, target, met });
  const targetChecks = [
    check('paced load answered 200 (ours)', ours.okShare, '>= 0.99', ours.okShare >= 0.99),
    check('backend connections per 1000 requests (ours)', ours.backendConnectionsPer1000, '<= 5',
      ours.backendConnectionsPer1000 <= 5),
    check('nginx CPU per request saved vs the brief', nginxCpuSaving, '>= 0.30', nginxCpuSaving >= 0.3),
    check('SSE first-event overhead ms (ours)', ours.sseOverheadMs, '< 5', ours.sseOverheadMs < 5),
    check('nginx instructions per request, ours / bare (fixed connections)', vsBare.instructions, '<= 1.25',
      vsBare.instructions <= 1.25),
    check('nginx system calls per request, ours - bare (fixed connections)', vsBare.syscalls, '<= 1',
      vsBare.syscalls <= 1),
    check('saturating r/s, ours / bare (limits lifted)', vsBare.saturating, '>= 0.90', vsBare.saturating >= 0.9),
    check('paced server CPU efficiency, ours / bare', vsBare.efficiency, '>= 0.95', vsBare.efficiency >= 0.95),
    check('request metrics + token usage: instructions over ours without them', observability.overhead, '<= 0.10',
      observability.overhead <= 0.1),
  ];
  const ablations = Object.entries(raw.ablations ?? {}).map(([name, a]) => {
    const instructionsPerRequest = a.instructions.perRequest;
    const syscallsPerRequest = a.syscalls.perRequest;
    return {
      name,
      what: ABLATIONS[name].what,
      instructionsPerRequest,
      syscallsPerRequest,
      costInstructions: ours.instructionsPerRequest - instructionsPerRequest,
      costSyscalls: ours.syscallsPerRequest - syscallsPerRequest,
    };
  });
  return { targets, nginxCpuSaving, vsBare, targetChecks, observability, ablations };
}

async function main() {
  ensureBenchTools();
  const started = Date.now();
  const raw = await runBenchmark();
  const version = /nginx\/(\S+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[1];
  const result = {
    mode: tiny ? 'tiny' : 'full',
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: os.loadavg(),
    },
    nginxVersion: version,
    durationSeconds: (Date.now() - started) / 1000,
    settings,
    ...(settings.only ? {} : { summary: summarize(raw) }),
    raw,
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  // The same tables BENCHMARKS.md gets (bench/report.js).
  console.log(settings.only ? `\n${countsTable(raw)}` : `\n${gatewaySection(result)}`);
  console.log(`\nwrote ${path.relative(root, outFile)}`);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
