// @ts-check
/**
 * Scenario runner for the gateway's end-to-end tests. It runs INSIDE the nginx sandbox (`unshare -m -n`,
 * see test/support/nginx-sandbox.ts), because nothing outside that network namespace can reach it:
 *
 *   node scenario-runner.js spec.json
 *
 * It starts the mock backends (test/support/mock-backend.js) on their loopback addresses, starts the real
 * nginx on /etc/nginx/nginx.conf (master as root, `daemon off`), waits until nginx listens, runs the
 * spec's steps in order, stops nginx, and writes everything it measured as JSON to `spec.resultFile`.
 * It never asserts: the jest test does, on the measured results (test/e2e/scenario.ts has the types).
 *
 * Steps:
 *   { op: 'request', label, url, count?, concurrency?, from?, method?, headers?, bodyBytes?, declaredBytes?,
 *     chunked?, http2?, timeoutMs? }
 *       `count` requests (default 1, at most 500), `concurrency` in flight (default 1), each on a new
 *       client connection from the next address of `from` (default 127.0.0.1). `{i}` in the url becomes the
 *       request's index. A body of `bodyBytes` zero bytes is streamed with Content-Length `declaredBytes`
 *       (default bodyBytes), or chunked without a length when `chunked`; writing stops as soon as nginx
 *       answers. Gzip answers are decompressed; the arrival time of every decompressed chunk is recorded.
 *       `http2: true` sends a body-less request over HTTP/2 (ALPN) instead. `killAfter: { responses, backends }`
 *       kills those backends as soon as that many responses of the step have arrived, while the rest are in
 *       flight (a crash mid-load); the step's result records `killedAt`.
 *   { op: 'parallel', steps: [request steps] }  the request steps run at the same time (results by their labels)
 *   { op: 'kill', backends: [name...] }  the backends die (listener gone, connections reset)
 *   { op: 'stats', label }               snapshot of every backend's counters
 *   { op: 'wait', ms }                   pause (at most 5000 ms)
 *   { op: 'slowHeaders', label, url, from?, intervalMs, lines }
 *       slowloris: opens one connection (TLS for https), sends the request line and Host, then one more
 *       header line every `intervalMs` (at most `lines`, at most 60 s in all) and the final blank line only
 *       if it got that far. Records when the server closed the connection, how many lines were sent,
 *       whether the request was completed, and what the server answered (first 512 bytes).
 *   { op: 'addAddress', address }        adds `address`/32 to the sandbox's loopback interface (a client
 *       address outside 127.0.0.0/8, e.g. 198.51.100.7, still private to the sandbox)
 *   { op: 'fetch', label, url, until?, timeoutMs? }
 *       plain-HTTP GET of a loopback URL (an exporter's /metrics, Prometheus's API), repeated every 100 ms
 *       until the body matches the regular expression `until` (default: any 200), at most `timeoutMs`
 *       (default 5000, at most 15000); records the last { status, body, attempts, matched }.
 *
 * `spec.helpers` ([{ name, command: [argv...], port? }]) are started before the backends and nginx, in the
 * same sandbox (mtail, Prometheus), waited for on `port` when given, and killed at the end; what they
 * printed is in the result's `helperLogs`.
 */
'use strict';
const fs = require('fs');
const http = require('http');
const http2 = require('http2');
const https = require('https');
const net = require('net');
const tls = require('tls');
const zlib = require('zlib');
const { spawn } = require('child_process');
const { performance } = require('perf_hooks');
const { startMockBackend } = require('../support/mock-backend');

const MAX_BODY_TEXT = 64 * 1024;

/**
 * Reads a response body (gunzipped when gzip-encoded) into `record`: each chunk with its arrival time,
 * the text up to MAX_BODY_TEXT, and the end time; then calls `complete`.
 * @param {NodeJS.ReadableStream} body
 * @param {string} encoding the response's Content-Encoding
 * @param {any} record
 * @param {(error: string | undefined) => void} complete
 */
function readBody(body, encoding, record, complete) {
  /** @type {NodeJS.ReadableStream} */
  const stream = encoding === 'gzip' ? body.pipe(zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH })) : body;
  stream.on('data', (/** @type {Buffer} */ chunk) => {
    const text = chunk.toString('utf8');
    record.chunks.push({ at: performance.now(), text: text.slice(0, 256) });
    if (record.body.length < MAX_BODY_TEXT) record.body += text.slice(0, MAX_BODY_TEXT - record.body.length);
  });
  stream.on('end', () => { record.endedAt = performance.now(); complete(undefined); });
  stream.on('error', (error) => complete(`response: ${error.message}`));
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const ca = fs.readFileSync(spec.caFile, 'utf8');
  const deadline = setTimeout(() => {
    finish({ error: `scenario exceeded its deadline of ${spec.deadlineMs} ms` });
  }, spec.deadlineMs ?? 30_000);

  /** @type {Record<string, any>} */
  const results = {};
  /** @type {Map<string, Awaited<ReturnType<typeof startMockBackend>>>} */
  const backends = new Map();
  let nginxLog = '';
  /** @type {Array<{ name: string, child: import('child_process').ChildProcess, log: string }>} */
  const helpers = [];
  /** @type {import('child_process').ChildProcess | undefined} */
  let nginx;
  let finished = false;

  /** @param {{ error?: string }} extra */
  function finish(extra) {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    const backendStats = Object.fromEntries([...backends].map(([name, b]) => [name, b.stats()]));
    const stop = nginx && nginx.exitCode === null ? new Promise((resolve) => {
      nginx?.once('exit', resolve);
      nginx?.kill('SIGTERM');
      setTimeout(() => { nginx?.kill('SIGKILL'); resolve(undefined); }, 2000);
    }) : Promise.resolve();
    for (const h of helpers) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    const helperLogs = Object.fromEntries(helpers.map((h) => [h.name, h.log.slice(-20_000)]));
    stop.then(() => {
      fs.writeFileSync(spec.resultFile,
        JSON.stringify({ steps: results, backends: backendStats, nginxLog, helperLogs, ...extra }));
      process.exit(0);
    });
  }

  process.on('uncaughtException', (error) => finish({ error: `uncaught: ${error.stack ?? error}` }));
  process.on('exit', () => {
    if (nginx && nginx.exitCode === null) nginx.kill('SIGKILL');
    for (const h of helpers) if (h.child.exitCode === null) h.child.kill('SIGKILL');
  });
  try {
    for (const h of spec.helpers ?? []) {
      const child = spawn(h.command[0], h.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      const helper = { name: h.name, child, log: '' };
      child.stdout?.on('data', (d) => { helper.log += d; });
      child.stderr?.on('data', (d) => { helper.log += d; });
      helpers.push(helper);
      if (h.port) await waitForListeners(child, [h.port], h.name);
    }
    for (const b of spec.backends) backends.set(b.name, await startMockBackend(b));

    nginx = spawn('nginx', ['-c', '/etc/nginx/nginx.conf', '-g', 'daemon off; error_log stderr warn;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout?.on('data', (d) => { nginxLog += d; });
    nginx.stderr?.on('data', (d) => { nginxLog += d; });
    await waitForListeners(nginx, spec.listen ?? [443]);

    for (const step of spec.steps) {
      const kill = async (/** @type {string[]} */ names) => {
        for (const name of names) await backends.get(name)?.kill();
      };
      if (step.op === 'request') results[step.label] = await requests(step, ca, kill);
      else if (step.op === 'parallel') {
        const all = await Promise.all(step.steps.map((/** @type {any} */ s) => requests(s, ca, kill)));
        step.steps.forEach((/** @type {any} */ s, /** @type {number} */ i) => {
          results[s.label] = all[i];
        });
      } else if (step.op === 'slowHeaders') results[step.label] = await slowHeaders(step, ca);
      else if (step.op === 'addAddress') await addAddress(step.address);
      else if (step.op === 'kill') for (const name of step.backends) await backends.get(name)?.kill();
      else if (step.op === 'stats') {
        results[step.label] = Object.fromEntries([...backends].map(([name, b]) => [name, b.stats()]));
      } else if (step.op === 'wait') await sleep(Math.min(step.ms, 5000));
      else if (step.op === 'fetch') results[step.label] = await fetchUntil(step);
      else throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
    finish({});
  } catch (error) {
    finish({ error: String(error && /** @type {Error} */ (error).stack || error) });
  }
}

/**
 * Waits until nginx accepts TCP connections on every port (at most 5 s), or fails when it exits.
 * @param {import('child_process').ChildProcess} nginx
 * @param {number[]} ports
 */
async function waitForListeners(nginx, ports, name = 'nginx') {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (nginx.exitCode !== null) throw new Error(`${name} exited with ${nginx.exitCode} before listening`);
    const open = await Promise.all(ports.map((port) => new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    })));
    if (open.every(Boolean)) return;
    await sleep(25);
  }
  throw new Error(`${name} did not listen on ${ports.join(', ')} within 5 s`);
}

/**
 * GETs `step.url` (plain HTTP, loopback) until the body matches `step.until`, or the time is up.
 * @param {{ url: string, until?: string, timeoutMs?: number }} step
 */
async function fetchUntil(step) {
  const until = step.until ? new RegExp(step.until, 'm') : undefined;
  const end = performance.now() + Math.min(step.timeoutMs ?? 5000, 15_000);
  let last = { status: 0, body: '', attempts: 0, matched: false };
  while (performance.now() < end) {
    const got = await new Promise((resolve) => {
      const req = http.get(step.url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.setTimeout(2000, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ status: 0, body: String(error) }));
    });
    const { status, body } = /** @type {{ status: number, body: string }} */ (got);
    const matched = status === 200 && (!until || until.test(body));
    last = { status, body: body.slice(0, 512 * 1024), attempts: last.attempts + 1, matched };
    if (matched) break;
    await sleep(100);
  }
  return last;
}

/** @param {any} step @param {string} ca @param {(names: string[]) => Promise<void>} kill */
async function requests(step, ca, kill) {
  const count = Math.min(step.count ?? 1, 500);
  const concurrency = Math.max(1, Math.min(step.concurrency ?? 1, 100));
  const from = step.from ?? ['127.0.0.1'];
  const startedAt = performance.now();
  /** @type {any[]} */
  const responses = new Array(count);
  let next = 0;
  let answered = 0;
  /** @type {number | undefined} */
  let killedAt;
  /** @type {Promise<void>} */
  let killed = Promise.resolve();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      responses[i] = step.http2
        ? await oneHttp2Request(step, i, from[i % from.length], ca)
        : await oneRequest(step, i, from[i % from.length], ca);
      answered += 1;
      if (step.killAfter && answered === step.killAfter.responses) {
        killedAt = performance.now();
        killed = kill(step.killAfter.backends);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  await killed;
  return { startedAt, endedAt: performance.now(), responses, killedAt };
}

/**
 * One request on a new connection. Never rejects: failures are recorded as `error`.
 * @param {any} step @param {number} i @param {string} localAddress @param {string} ca
 */
function oneRequest(step, i, localAddress, ca) {
  return new Promise((resolve) => {
    const url = new URL(step.url.replace(/\{i\}/g, String(i)));
    const bodyBytes = step.bodyBytes ?? 0;
    const declared = step.declaredBytes ?? bodyBytes;
    const headers = { ...(step.headers ?? {}) };
    if (declared > 0 && !step.chunked) headers['Content-Length'] = String(declared);
    const record = {
      index: i, localAddress, startedAt: performance.now(),
      /** @type {number | undefined} */ status: undefined,
      /** @type {Record<string, unknown>} */ headers: {},
      body: '', /** @type {Array<{ at: number, text: string }>} */ chunks: [],
      /** @type {number | undefined} */ headersAt: undefined,
      /** @type {number | undefined} */ endedAt: undefined,
      /** @type {string | undefined} */ error: undefined,
      bodyBytesWritten: 0, protocol: 'http/1.1',
    };
    let done = false;
    const complete = (/** @type {string | undefined} */ error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error && record.endedAt === undefined) record.error = error;
      record.endedAt ??= performance.now();
      resolve(record);
    };
    const options = {
      method: step.method ?? (declared > 0 ? 'POST' : 'GET'), headers, localAddress, agent: false,
      hostname: url.hostname, port: url.port || (url.protocol === 'https:' ? 443 : 80), path: url.pathname + url.search,
    };
    const onResponse = (/** @type {http.IncomingMessage} */ res) => {
      record.status = res.statusCode;
      record.headers = { ...res.headers };
      record.headersAt = performance.now();
      readBody(res, String(res.headers['content-encoding'] ?? ''), record, complete);
      res.on('aborted', () => complete('response aborted'));
    };
    const req = url.protocol === 'https:'
      ? https.request({ ...options, ca, servername: url.hostname }, onResponse)
      : http.request(options, onResponse);
    const timer = setTimeout(() => { req.destroy(); complete('timeout'); }, step.timeoutMs ?? 10_000);
    req.on('error', (error) => {
      // nginx may answer (413) and close while the body is still being written: the answer counts.
      if (record.status !== undefined && record.headersAt !== undefined) return;
      complete(error.message);
    });

    if (bodyBytes === 0) { req.end(); return; }
    const block = Buffer.alloc(64 * 1024);
    const write = () => {
      while (record.bodyBytesWritten < bodyBytes && record.status === undefined && !req.destroyed) {
        const n = Math.min(block.length, bodyBytes - record.bodyBytesWritten);
        record.bodyBytesWritten += n;
        if (!req.write(n === block.length ? block : block.subarray(0, n))) { req.once('drain', write); return; }
      }
      if (record.bodyBytesWritten >= bodyBytes && declared === bodyBytes) req.end();
    };
    write();
  });
}

/**
 * One body-less request over HTTP/2 (ALPN h2) on a new connection, recorded like `oneRequest`.
 * @param {any} step @param {number} i @param {string} localAddress @param {string} ca
 */
function oneHttp2Request(step, i, localAddress, ca) {
  return new Promise((resolve) => {
    const url = new URL(step.url.replace(/\{i\}/g, String(i)));
    const record = {
      index: i, localAddress, startedAt: performance.now(),
      /** @type {number | undefined} */ status: undefined,
      /** @type {Record<string, unknown>} */ headers: {},
      body: '', /** @type {Array<{ at: number, text: string }>} */ chunks: [],
      /** @type {number | undefined} */ headersAt: undefined,
      /** @type {number | undefined} */ endedAt: undefined,
      /** @type {string | undefined} */ error: undefined,
      bodyBytesWritten: 0, protocol: '',
    };
    const session = http2.connect(url.origin, { ca, servername: url.hostname, localAddress });
    let done = false;
    const complete = (/** @type {string | undefined} */ error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) record.error = error;
      record.endedAt ??= performance.now();
      session.destroy();
      resolve(record);
    };
    const timer = setTimeout(() => complete('timeout'), step.timeoutMs ?? 10_000);
    session.on('error', (error) => complete(error.message));
    session.on('connect', () => { record.protocol = String(session.alpnProtocol); });
    const req = session.request({
      ':method': step.method ?? 'GET',
      ':path': url.pathname + url.search,
      ...(step.headers ?? {}),
    });
    req.on('response', (headers) => {
      record.status = Number(headers[':status']);
      record.headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':')));
      record.headersAt = performance.now();
      readBody(req, String(headers['content-encoding'] ?? ''), record, complete);
    });
    req.on('error', (error) => complete(error.message));
    req.end();
  });
}

/**
 * A client that sends its request header one line at a time (slowloris). Never rejects.
 * @param {any} step @param {string} ca
 */
function slowHeaders(step, ca) {
  return new Promise((resolve) => {
    const url = new URL(step.url);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const intervalMs = Math.max(10, step.intervalMs);
    const lines = Math.max(1, Math.min(step.lines, Math.floor(60_000 / intervalMs)));
    const localAddress = (step.from ?? ['127.0.0.1'])[0];
    const record = {
      localAddress, startedAt: performance.now(), /** @type {number | undefined} */ closedAt: undefined,
      linesSent: 0, completed: false, response: '', /** @type {string | undefined} */ error: undefined,
    };
    const socket = url.protocol === 'https:'
      ? tls.connect({ host: url.hostname, port, localAddress, ca, servername: url.hostname })
      : net.connect({ host: url.hostname, port, localAddress });
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const drip = () => {
      if (socket.destroyed || record.closedAt !== undefined) return;
      if (record.linesSent === lines) {
        socket.write('\r\n');
        record.completed = true;
        return;
      }
      socket.write(`X-Slow-${record.linesSent}: ${'a'.repeat(8)}\r\n`);
      record.linesSent += 1;
      timer = setTimeout(drip, intervalMs);
    };
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.hostname}\r\nConnection: close\r\n`);
      timer = setTimeout(drip, intervalMs);
    });
    socket.on('data', (/** @type {Buffer} */ data) => {
      if (record.response.length < 512) {
        record.response += data.toString('latin1').slice(0, 512 - record.response.length);
      }
    });
    socket.on('error', (error) => { record.error ??= error.message; });
    socket.on('close', () => {
      clearTimeout(timer);
      record.closedAt = performance.now();
      resolve(record);
    });
    // The client gives up (and closes) 5 s after it would have completed.
    setTimeout(() => socket.destroy(), intervalMs * (lines + 1) + 5000);
  });
}

/** @param {string} address */
function addAddress(address) {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new Error(`addAddress: not an IPv4 address: ${address}`);
  return new Promise((resolve, reject) => {
    const ip = spawn('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo'], { stdio: 'inherit' });
    ip.on('error', reject);
    ip.on('exit', (code) =>
      code === 0 ? resolve(undefined) : reject(new Error(`ip addr add ${address} exited with ${code}`)),
    );
  });
}

main();
