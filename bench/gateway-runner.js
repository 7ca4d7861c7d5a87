#!/usr/bin/env node
// The measuring half of `npm run bench:gateway`. It runs INSIDE the nginx sandbox (`unshare -m -n`, see
// test/support/nginx-sandbox.ts), where the whole of 127.0.0.0/8 is private to it:
//
//   node gateway-runner.js spec.json
//
// It starts the mock backends in a process of their own (bench/gateway-backend.js), then for each target
// in turn (direct to the backends over HTTPS, direct over plain HTTP, nginx with the bare TLS proxy, with
// our config, with the brief's) runs:
//   paced   `clients` client addresses x `ratePerClient` r/s over keep-alive connections (HTTPS, except the
//           plain-HTTP direct target), open loop: each request is sent at its scheduled time whether or not
//           earlier ones finished, and its latency counts from that scheduled time (no coordinated omission).
//           After `warmupSeconds` it snapshots the backends' TCP connection and request counters and the
//           CPU time (utime + stime from /proc/<pid>/stat) of the nginx master and workers and of the
//           backend process; a second snapshot at the end gives the steady-state deltas.
//   sse     `count` sequential Server-Sent Event requests on one warm keep-alive connection; time to the
//           first event (from sending the request) and to the last.
// then, for each nginx config in `counts.configs`, counts that machine noise cannot move, on fixed, warm
// keep-alive connections (no TLS handshake counted; see fixedConnections), `counts.repeats` times (and
// ours without one behaviour each, `counts.ablations`, once):
//   instructions  user-space instructions nginx executes per request (valgrind --tool=callgrind on a
//                 single-process rendering of the config: `master_process off`, one worker), and where
//                 they go by function (callgrind_annotate);
//   syscalls      system calls per request of the same single process (strace -c), the kernel side;
// and finally a saturating run per target with `wrk` (closed loop, `connections` keep-alive connections)
// on renderings whose rate limits are lifted. Rounds repeat the paced and SSE runs, targets interleaved.
// `only` (a subset of paced, counts, saturate) skips the other parts, for quick experiments.
// Results go to spec.resultFile as JSON; the runner never judges them.
'use strict';
const dgram = require('dgram');
const fs = require('fs');
const os = require('os');
const http = require('http');
const https = require('https');
const net = require('net');
const path = require('path');
const { execFile, fork, spawn } = require('child_process');
const { performance } = require('perf_hooks');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const GATEWAY_HOST = 'ai-agent.example.com';
const API_PATH = '/api/v1/agent/chat';

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const ca = fs.readFileSync(spec.caFile, 'utf8');
  const clkTck = spec.clkTck;
  let backend;
  let nginx;
  const deadline = setTimeout(
    () => finish({ error: `benchmark exceeded its deadline of ${spec.deadlineMs} ms` }),
    spec.deadlineMs,
  );
  const results = { paced: {}, sse: {}, counts: {}, ablations: {}, saturate: {} };

  function finish(extra) {
    clearTimeout(deadline);
    if (nginx && nginx.process.exitCode === null) nginx.process.kill('SIGKILL');
    if (backend && backend.exitCode === null) backend.kill('SIGKILL');
    fs.writeFileSync(spec.resultFile, JSON.stringify({ ...results, ...extra }));
    process.exit(0);
  }
  process.on('uncaughtException', (error) => finish({ error: `uncaught: ${error.stack ?? error}` }));

  // Where the gateway's request metrics go (mtail in production): received and dropped, so nginx's sends succeed.
  const metricsSink = dgram.createSocket('udp4');
  metricsSink.on('message', () => {});
  await new Promise((resolve) => metricsSink.bind(5140, '127.0.0.1', resolve));
  try {
    backend = fork(
      path.join(__dirname, 'gateway-backend.js'),
      [JSON.stringify(spec.backends), JSON.stringify(spec.tls)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    await new Promise((resolve, reject) => {
      backend.once('message', (m) => (m.ready ? resolve() : reject(new Error(`backends: ${m.error}`))));
      backend.once('exit', (code) => reject(new Error(`backends exited with ${code}`)));
    });
    const backendStats = () => new Promise((resolve) => {
      backend.once('message', (m) => resolve(m.stats));
      backend.send({ op: 'stats' });
    });
    const primaries = spec.backends.filter((b) => b.primary);

    // Direct: the clients' HTTPS load straight to the primary backends, which terminate TLS themselves (what
    // serving these clients costs without a gateway); directPlain: the same over plain HTTP, the floor.
    const targets = {
      direct: { https: true, endpoints: primaries.map((b) => ({ address: b.address, port: b.tlsPort })) },
      directPlain: { https: false, endpoints: primaries.map((b) => ({ address: b.address, port: b.port })) },
      bare: { https: true, conf: spec.configs.bare, endpoints: [{ address: '127.0.0.1', port: 443 }] },
      ours: { https: true, conf: spec.configs.ours, endpoints: [{ address: '127.0.0.1', port: 443 }] },
      brief: { https: true, conf: spec.configs.brief, endpoints: [{ address: '127.0.0.1', port: 443 }] },
    };
    const only = spec.only ?? ['paced', 'counts', 'saturate'];
    for (let round = 0; only.includes('paced') && round < spec.rounds; round++) {
      for (const [name, target] of Object.entries(targets)) {
        nginx = target.conf ? await startNginx(target.conf) : undefined;
        try {
          const pids = () => [...(nginx ? nginx.pids() : []), backend.pid];
          (results.paced[name] ??= []).push(
            await paced(spec.paced, target, ca, { clkTck, backendStats, nginx, backendPid: backend.pid, pids }),
          );
          (results.sse[name] ??= []).push(await sse(spec.sse, target, ca));
        } finally {
          if (nginx) await nginx.stop();
          nginx = undefined;
        }
      }
    }
    // Ours without the request metrics and with token usage: counted and SSE runs, to state what they cost.
    const variants = {
      oursNoMetrics: { ...targets.ours, conf: spec.configs.oursNoMetrics },
      oursTokens: { ...targets.ours, conf: spec.configs.oursTokens },
    };
    for (const [name, target] of Object.entries(only.includes('paced') ? variants : {})) {
      nginx = await startNginx(target.conf);
      try {
        (results.sse[name] ??= []).push(await sse(spec.sse, target, ca));
      } finally {
        await nginx.stop();
        nginx = undefined;
      }
    }
    // Counted twice or more, configs interleaved: the repeats show how far a count moves between runs.
    for (let repeat = 0; only.includes('counts') && repeat < spec.counts.repeats; repeat++) {
      for (const name of spec.counts.configs) {
        const target = targets[name] ?? variants[name];
        const conf = spec.configs[`${name}Single`];
        const ctx = { backendStats };
        const counted = (results.counts[name] ??= { instructions: [], syscalls: [] });
        counted.instructions.push(await instructions(spec.counts, target, conf, ca, ctx));
        counted.syscalls.push(await syscalls(spec.counts, target, conf, ca, ctx));
      }
    }
    // Ours without one behaviour each, counted once (a count repeats within 0.1 %).
    for (const name of only.includes('counts') ? spec.counts.ablations : []) {
      const conf = spec.configs[`${name}Ablation`];
      const ctx = { backendStats };
      results.ablations[name] = {
        instructions: await instructions(spec.counts, targets.ours, conf, ca, ctx),
        syscalls: await syscalls(spec.counts, targets.ours, conf, ca, ctx),
      };
    }
    const saturating = {
      direct: { url: `https://${primaries[0].name}:${primaries[0].tlsPort}${API_PATH}` },
      directPlain: { url: `http://${primaries[0].name}:${primaries[0].port}${API_PATH}` },
      bare: { conf: spec.configs.bare, url: `https://${GATEWAY_HOST}${API_PATH}` },
      ours: { conf: spec.configs.oursUnlimited, url: `https://${GATEWAY_HOST}${API_PATH}` },
      brief: { conf: spec.configs.briefUnlimited, url: `https://${GATEWAY_HOST}${API_PATH}` },
    };
    const saturated = Object.entries(saturating)
      .filter(([name]) => only.includes('saturate') && (spec.saturate.targets ?? [name]).includes(name));
    for (const [name, target] of saturated) {
      nginx = target.conf ? await startNginx(target.conf) : undefined;
      try {
        // CPU of each nginx worker and of the backends over the run: how the load spread over the workers, and
        // what a request cost while saturated (less noisy than the rate, which other jobs on the machine move).
        const workers = nginx ? childrenOf(nginx.process.pid) : [];
        const cpu = () => [...workers, backend.pid].map((pid) => cpuMs(pid, clkTck));
        const before = cpu();
        // This process only waits for wrk meanwhile, and receives the request metrics' syslog lines (as mtail would).
        const ownBefore = process.cpuUsage();
        const run = await wrk(spec.saturate, target.url);
        const own = process.cpuUsage(ownBefore);
        const used = cpu().map((ms, i) => ms - before[i]);
        results.saturate[name] = {
          ...run,
          nginxWorkerCpuMs: used.slice(0, -1),
          backendCpuMs: used[used.length - 1],
          metricsReceiverCpuMs: (own.user + own.system) / 1000,
        };
      } finally {
        if (nginx) await nginx.stop();
        nginx = undefined;
      }
    }
    finish({});
  } catch (error) {
    finish({ error: String((error && error.stack) || error) });
  }
}

/**
 * Starts nginx on `conf` (master as root, `daemon off`) and waits until it listens on 443; `wrapper` runs it
 * under another command (valgrind), which may take up to `waitMs` to start.
 */
async function startNginx(conf, { wrapper = [], waitMs = 5000 } = {}) {
  const command = [...wrapper, 'nginx', '-c', conf, '-g', 'daemon off; error_log stderr warn;'];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx -c ${conf} exited with ${child.exitCode}:\n${log}`);
    if (attempt >= waitMs / 25) {
      throw new Error(`${command.join(' ')} did not listen on 443 within ${waitMs} ms:\n${log}`);
    }
    const open = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: 443 }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    await sleep(25);
  }
  return {
    process: child,
    log: () => log,
    /** The master and its workers. */
    pids: () => [child.pid, ...childrenOf(child.pid)],
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}

/** Pids whose parent is `pid`, from /proc. */
function childrenOf(pid) {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU time (utime + stime) of a process in ms, 0 when it is gone. */
function cpuMs(pid, clkTck) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clkTck; // fields 14 and 15 of stat(5)
  } catch {
    return 0;
  }
}

async function snapshot(ctx) {
  const nginxPids = ctx.nginx?.pids() ?? [];
  const nginxCpuMs = nginxPids.reduce((sum, pid) => sum + cpuMs(pid, ctx.clkTck), 0);
  const backendCpuMs = cpuMs(ctx.backendPid, ctx.clkTck);
  const stats = await ctx.backendStats();
  const sum = (key) => Object.values(stats).reduce((acc, s) => acc + s[key], 0);
  return {
    at: performance.now(),
    nginxCpuMs,
    backendCpuMs,
    connections: sum('connections'),
    requests: sum('requests'),
    nginxWorkers: Math.max(0, nginxPids.length - 1),
  };
}

function agentFor(target, localAddress, ca) {
  return target.https
    ? new https.Agent({ keepAlive: true, maxSockets: 8, localAddress, ca, servername: GATEWAY_HOST })
    : new http.Agent({ keepAlive: true, maxSockets: 8, localAddress });
}

/**
 * One GET; resolves { status, startedAt, headersAt, firstDataAt, endedAt, body, error }. Never rejects.
 * `onSocket` sees the connection the request goes out on.
 */
function get(target, endpoint, agent, pathAndQuery, timeoutMs, keepBody = false, onSocket = undefined) {
  return new Promise((resolve) => {
    const record = {
      startedAt: performance.now(),
      status: undefined,
      firstDataAt: undefined,
      endedAt: undefined,
      body: '',
      error: undefined,
    };
    const options = {
      host: endpoint.address,
      port: endpoint.port,
      path: pathAndQuery,
      agent,
      headers: target.https ? { host: GATEWAY_HOST } : {},
    };
    let done = false;
    const complete = (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) record.error = error;
      record.endedAt ??= performance.now();
      resolve(record);
    };
    const req = (target.https ? https : http).request(options, (res) => {
      record.status = res.statusCode;
      res.on('data', (chunk) => {
        record.firstDataAt ??= performance.now();
        if (keepBody) record.body += chunk;
      });
      res.on('end', () => { record.endedAt = performance.now(); complete(); });
      res.on('error', (error) => complete(error.message));
    });
    const timer = setTimeout(() => { req.destroy(); complete('timeout'); }, timeoutMs);
    if (onSocket) req.on('socket', onSocket);
    req.on('error', (error) => complete(error.message));
    req.end();
  });
}

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;

/** Open-loop paced load (see the header). */
async function paced(opts, target, ca, ctx) {
  const clients = Math.min(opts.clients, 250);
  const period = 1000 / opts.ratePerClient;
  const perClient = Math.max(1, Math.round(opts.ratePerClient * opts.seconds));
  const addresses = Array.from({ length: clients }, (_, c) => `127.0.1.${c + 1}`);
  const agents = addresses.map((a) => agentFor(target, a, ca));
  const schedule = [];
  for (let c = 0; c < clients; c++) {
    for (let k = 0; k < perClient; k++) schedule.push({ c, at: (c * period) / clients + k * period });
  }
  schedule.sort((a, b) => a.at - b.at);

  const records = [];
  const inFlight = [];
  let warm;
  const t0 = performance.now() + 50;
  const warmAt = t0 + opts.warmupSeconds * 1000;
  let next = 0;
  while (next < schedule.length) {
    const now = performance.now();
    if (warm === undefined && now >= warmAt) {
      warm = await snapshot(ctx);
      await ctx.atWarm?.();
    }
    while (next < schedule.length && t0 + schedule[next].at <= performance.now()) {
      const { c, at } = schedule[next++];
      const endpoint = target.endpoints[c % target.endpoints.length];
      const scheduled = t0 + at;
      inFlight.push(
        get(target, endpoint, agents[c], `${API_PATH}?c=${c}`, 10_000).then((r) => {
          records.push({ ...r, scheduled, c });
        }),
      );
    }
    await sleep(Math.max(0, Math.min(5, t0 + (schedule[next]?.at ?? 0) - performance.now())));
  }
  await Promise.all(inFlight);
  warm ??= await snapshot(ctx);
  const end = await snapshot(ctx);
  agents.forEach((a) => a.destroy());

  const steady = records.filter((r) => r.scheduled >= warmAt && r.status === 200);
  const latencies = steady.map((r) => r.endedAt - r.scheduled).sort((a, b) => a - b);
  // How late the generator itself sent (its process starved of CPU), and latency from the actual send.
  const lags = records.map((r) => r.startedAt - r.scheduled).sort((a, b) => a - b);
  const service = steady.map((r) => r.endedAt - r.startedAt).sort((a, b) => a - b);
  const timeline = [];
  for (const r of records) {
    const second = Math.floor((r.scheduled - t0) / 1000);
    const slot = (timeline[second] ??= { second, sent: 0, ok: 0, rejected: 0, maxLagMs: 0 });
    slot.sent += 1;
    if (r.status === 200) slot.ok += 1;
    else slot.rejected += 1;
    slot.maxLagMs = Math.max(slot.maxLagMs, Math.round(r.startedAt - r.scheduled));
  }
  const statuses = {};
  for (const r of records) statuses[r.error ?? String(r.status)] = (statuses[r.error ?? String(r.status)] ?? 0) + 1;
  const requests = end.requests - warm.requests;
  return {
    clients,
    ratePerClient: opts.ratePerClient,
    seconds: opts.seconds,
    sent: records.length,
    statuses,
    ok: statuses['200'] ?? 0,
    okShare: (statuses['200'] ?? 0) / records.length,
    achievedRps: records.length / ((Math.max(...records.map((r) => r.endedAt)) - t0) / 1000),
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? null,
    },
    sendLagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags[lags.length - 1] ?? null },
    serviceLatencyMs: { p50: percentile(service, 50), p99: percentile(service, 99) },
    timeline: timeline.filter(Boolean),
    steady: {
      seconds: (end.at - warm.at) / 1000,
      backendRequests: requests,
      backendConnections: end.connections - warm.connections,
      nginxCpuMs: end.nginxCpuMs - warm.nginxCpuMs,
      backendCpuMs: end.backendCpuMs - warm.backendCpuMs,
      nginxWorkers: end.nginxWorkers,
    },
  };
}

/**
 * The counted window of {@link instructions} and {@link syscalls}: `clients` keep-alive HTTPS connections (one
 * per client address, so the per-IP rate limit sees `clients` clients) are opened and warmed up with
 * `warmupPerClient` requests each; then `atStart` runs (zero the counters), `requests` requests go out one at a
 * time, round robin over the same connections, at most one per `intervalMs` (under every rate limit), and
 * `atEnd` runs (dump the counters). One request in flight at a time makes nginx do the same work for each
 * (no batching of events that depends on timing) and no TLS handshake falls inside the window: a request that
 * opened a connection there fails the run. Resolves the requests the backends saw in the window.
 */
async function fixedConnections(opts, target, ca, ctx, { atStart, atEnd }) {
  const addresses = Array.from({ length: opts.clients }, (_, c) => `127.0.1.${c + 1}`);
  const agents = addresses.map((a) => {
    const agent = agentFor(target, a, ca);
    agent.maxSockets = 1;
    return agent;
  });
  const sockets = new Set();
  const endpoint = target.endpoints[0];
  const statuses = {};
  let last = performance.now();
  const send = async (c) => {
    await sleep(Math.max(0, last + opts.intervalMs - performance.now()));
    last = performance.now();
    const r = await get(target, endpoint, agents[c], `${API_PATH}?c=${c}`, 60_000, false,
      (socket) => sockets.add(socket));
    const status = r.error ?? String(r.status);
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  try {
    for (let k = 0; k < opts.warmupPerClient; k++) {
      for (let c = 0; c < opts.clients; c++) await send(c);
    }
    const opened = sockets.size;
    for (const key of Object.keys(statuses)) delete statuses[key];
    await atStart();
    const from = await ctx.backendStats();
    for (let k = 0; k < opts.requests; k++) await send(k % opts.clients);
    const to = await ctx.backendStats();
    await atEnd();
    if (sockets.size !== opened) {
      throw new Error(`bench:gateway: ${sockets.size - opened} client connection(s) opened in the counted window`);
    }
    if (statuses['200'] !== opts.requests) {
      throw new Error(`bench:gateway: counted requests answered ${JSON.stringify(statuses)}`);
    }
    const requests = Object.keys(to).reduce((n, name) => n + to[name].requests - from[name].requests, 0);
    const backendConnections = Object.keys(to)
      .reduce((n, name) => n + to[name].connections - from[name].connections, 0);
    return { clients: opts.clients, sent: opts.requests, requests, backendConnections };
  } finally {
    agents.forEach((a) => a.destroy());
  }
}

/**
 * User-space instructions per request: the single-process `conf` under callgrind, counters zeroed once the
 * connections are warm and dumped after the counted requests (see {@link fixedConnections}), divided by the
 * requests the backends saw; with where they went, by function and by shared object (callgrind_annotate).
 */
async function instructions(opts, target, conf, ca, ctx) {
  const outFile = path.join(os.tmpdir(), `bench-callgrind-${process.pid}-${path.basename(conf)}`);
  const nginx = await startNginx(conf, {
    wrapper: ['valgrind', '--tool=callgrind', `--callgrind-out-file=${outFile}`],
    waitMs: 60_000,
  });
  const control = (flag) =>
    new Promise((resolve, reject) =>
      execFile('callgrind_control', [flag, String(nginx.process.pid)], (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
  try {
    const run = await fixedConnections(opts, target, ca, ctx, {
      atStart: () => control('-z'),
      atEnd: () => control('-d'),
    });
    const dump = `${outFile}.1`; // the first dump
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(dump, 'utf8'))?.[1]);
    if (process.env.BENCH_CALLGRIND_DIR) {
      const keep = `callgrind.${path.basename(conf)}.${Date.now()}`;
      fs.copyFileSync(dump, path.join(process.env.BENCH_CALLGRIND_DIR, keep));
    }
    return { ...run, total, perRequest: total / run.requests, ...(await whereInstructionsGo(dump, run.requests)) };
  } finally {
    nginx.process.kill('SIGKILL');
    await nginx.stop();
    const outDir = path.dirname(outFile);
    for (const f of fs.readdirSync(outDir)) {
      if (f.startsWith(path.basename(outFile))) fs.rmSync(path.join(outDir, f), { force: true });
    }
  }
}

/**
 * A callgrind dump's instructions per request by function (self and inclusive, the largest `top`) and by
 * shared object (self). nginx's own static functions have no symbol in Debian's stripped binary: they show
 * as addresses (`0x...`) and are summed under nginx's object.
 */
async function whereInstructionsGo(dump, requests, top = 40) {
  const annotate = (inclusive) => new Promise((resolve, reject) =>
    execFile('callgrind_annotate', [`--inclusive=${inclusive}`, '--threshold=100', dump],
      { maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
  const rows = (text) => [...text.matchAll(/^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*?)(?:\s+\[(.+)\])?$/gm)]
    .map((m) => ({ count: Number(m[1].replace(/,/g, '')), name: m[2], object: m[3] ?? '' }))
    .map((r) => ({ ...r, perRequest: r.count / requests }))
    .filter((r) => !/^PROGRAM TOTALS|^Ir\b/.test(r.name));
  // callgrind_annotate lists the frames that were on the stack when the counters were zeroed (main and its
  // callers down to the event loop) with the whole total as their self cost: they are not self costs.
  const selfText = await annotate('no');
  const total = Number(/^\s*([\d,]+)\s+\(\s*100\.0%\)\s+PROGRAM TOTALS/m.exec(selfText)?.[1].replace(/,/g, ''));
  const self = rows(selfText).filter((r) => r.count !== total);
  const inclusive = rows(await annotate('yes'));
  const byObject = {};
  for (const r of self) {
    const object = path.basename(r.object || '?');
    byObject[object] = (byObject[object] ?? 0) + r.perRequest;
  }
  const short = (r) => ({
    name: r.name.replace(/^\?\?\?:/, ''),
    object: path.basename(r.object || '?'),
    perRequest: Math.round(r.perRequest),
  });
  return {
    byObject: Object.fromEntries(
      Object.entries(byObject).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v)]),
    ),
    bySelf: self.slice(0, top).map(short),
    byInclusive: inclusive.slice(0, top).map(short),
  };
}

/** The calls column of `strace -c` by system call name, and `total`. */
function straceCalls(summary) {
  const calls = {};
  for (const m of summary.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$/gm)) {
    calls[m[2]] = Number(m[1]);
  }
  if (calls.total === undefined) throw new Error(`bench:gateway: no total in the strace summary:\n${summary}`);
  return calls;
}

/**
 * System calls per request: the single-process `conf` with `strace -c` attached once the connections are warm
 * and stopped after the counted requests (see {@link fixedConnections}), divided by the requests the backends saw.
 */
async function syscalls(opts, target, conf, ca, ctx) {
  const nginx = await startNginx(conf);
  const outFile = path.join(os.tmpdir(), `bench-strace-${process.pid}.txt`);
  let strace;
  try {
    const atStart = () => new Promise((resolve, reject) => {
      strace = spawn('strace', ['-c', '-o', outFile, '-p', String(nginx.process.pid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let said = '';
      strace.stderr.on('data', (d) => {
        said += d;
        if (/attached/.test(said)) resolve();
      });
      strace.once('exit', (code) => reject(new Error(`strace exited with ${code}: ${said}`)));
    });
    const atEnd = () => new Promise((resolve) => {
      strace.removeAllListeners('exit');
      strace.once('exit', resolve);
      strace.kill('SIGINT');
    });
    const run = await fixedConnections(opts, target, ca, ctx, { atStart, atEnd });
    const calls = straceCalls(fs.readFileSync(outFile, 'utf8'));
    const perRequestOf = Object.fromEntries(Object.entries(calls).map(([name, n]) => [name, n / run.requests]));
    return { ...run, perRequest: calls.total / run.requests, perRequestOf };
  } finally {
    if (strace && strace.exitCode === null) strace.kill('SIGKILL');
    await nginx.stop();
    fs.rmSync(outFile, { force: true });
  }
}

/** Time to the first and last Server-Sent Event, sequential requests on one warm connection. */
async function sse(opts, target, ca) {
  const agent = agentFor(target, '127.0.2.1', ca);
  const endpoint = target.endpoints[0];
  const query = `${API_PATH}?sse=${opts.events}&interval=${opts.intervalMs}`;
  try {
    const warmup = await get(target, endpoint, agent, query, 10_000, true);
    const runs = [];
    for (let i = 0; i < opts.count; i++) {
      const r = await get(target, endpoint, agent, query, 10_000, true);
      runs.push({
        status: r.status ?? r.error,
        firstEventMs: r.firstDataAt !== undefined ? r.firstDataAt - r.startedAt : null,
        lastEventMs: r.endedAt - r.startedAt,
        events: (r.body.match(/^data: /gm) ?? []).length,
      });
    }
    const first = runs.map((r) => r.firstEventMs).filter((x) => x !== null).sort((a, b) => a - b);
    return {
      count: opts.count, events: opts.events, intervalMs: opts.intervalMs,
      warmupStatus: warmup.status ?? warmup.error,
      allComplete: runs.every((r) => r.status === 200 && r.events === opts.events),
      firstEventMs: { p50: percentile(first, 50), max: first[first.length - 1] ?? null },
      lastEventMsP50: percentile(runs.map((r) => r.lastEventMs).sort((a, b) => a - b), 50),
    };
  } finally {
    agent.destroy();
  }
}

/** A closed-loop saturating run with wrk; its own summary, parsed. */
function wrk(opts, url) {
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--timeout', '10s', '--latency', url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (opts.seconds + 20) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      const num = (re) => { const m = re.exec(stdout); return m ? Number(m[1]) : 0; };
      const ms = (re) => {
        const m = re.exec(stdout);
        if (!m) return null;
        const factor = { us: 1e-3, ms: 1, s: 1000, m: 60_000 }[m[2]];
        return Number(m[1]) * factor;
      };
      const requests = num(/(\d+) requests in/);
      if (!requests) return reject(new Error(`wrk printed no request count:\n${stdout}${stderr}`));
      const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      resolve({
        connections: opts.connections,
        seconds: opts.seconds,
        requests,
        non2xx,
        socketErrors: socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
        requestsPerSecond: num(/Requests\/sec:\s+([\d.]+)/),
        latencyMs: { p50: ms(/\s50%\s+([\d.]+)(us|ms|s|m)\b/), p99: ms(/\s99%\s+([\d.]+)(us|ms|s|m)\b/) },
      });
    });
  });
}

main();
