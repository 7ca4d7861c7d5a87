// @ts-check
/**
 * A small HTTP backend standing in for an agent or model service in the gateway's end-to-end tests.
 * It runs inside the scenario runner's process (test/e2e/scenario-runner.js), so its timestamps share the
 * client's clock (`performance.now()`), which lets tests compare "sent" and "received" as ordering facts.
 *
 * What it answers, by request:
 *   GET  /health                  200 `ok` (text)
 *   any  ...?sse=N&interval=MS    200 text/event-stream, N events `data: <i>` written MS apart
 *   any  ...?delay=MS             waits MS, then answers like the default (a slow inference)
 *   any  ...?status=N             answers like the default, with status N (an agent's own error)
 *   any  ...?openai=json&prompt=P&completion=C&model=M&pad=N
 *                                 an OpenAI chat completion (JSON) with usage { prompt_tokens: P,
 *                                 completion_tokens: C } and N bytes of content (the usage in a later chunk)
 *   any  ...?openai=stream&prompt=P&completion=C&model=M&interval=MS
 *                                 the same as a stream: C content chunks MS apart (`"usage":null` in each, as vLLM
 *                                 sends them with include_usage), then a usage chunk and `data: [DONE]`
 *   any  other                    200 JSON echo: { backend, method, url, headers, bodyBytes }
 * Every answer carries `X-Backend: <name>`. Request bodies are read to the end and counted.
 *
 * It counts TCP connections and requests, and records per request (keyed by the `id` query parameter or
 * the order of arrival) when each SSE event was written and whether the peer went away before the answer.
 */
'use strict';
const http = require('http');
const { performance } = require('perf_hooks');

/**
 * @typedef {{ id: string, url: string, method: string, headers: Record<string, unknown>, bodyBytes: number,
 *   receivedAt: number, answeredAt?: number, abortedAt?: number, eventsSentAt: number[] }} RequestRecord
 * @typedef {{ name: string, address: string, port: number, connections: number, requests: number,
 *   log: RequestRecord[] }} BackendStats
 */

/**
 * Starts a mock backend listening on `address:port` (a loopback address of the sandbox).
 * @param {{ name: string, address: string, port: number }} options
 * @returns {Promise<{ stats: () => BackendStats, kill: () => Promise<void>, close: () => Promise<void> }>}
 */
async function startMockBackend({ name, address, port }) {
  /** @type {BackendStats} */
  const stats = { name, address, port, connections: 0, requests: 0, log: [] };
  /** @type {Set<import('net').Socket>} */
  const sockets = new Set();
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://backend');
    /** @type {RequestRecord} */
    const record = {
      id: url.searchParams.get('id') ?? String(stats.requests),
      url: req.url ?? '',
      method: req.method ?? '',
      headers: { ...req.headers },
      bodyBytes: 0,
      receivedAt: performance.now(),
      eventsSentAt: [],
    };
    stats.log.push(record);
    res.on('close', () => {
      if (!res.writableFinished && record.abortedAt === undefined) record.abortedAt = performance.now();
    });
    req.on('data', (chunk) => { record.bodyBytes += chunk.length; });
    req.on('end', () => answer(url, record, res));
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.on('connection', (socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  /**
   * @param {URL} url
   * @param {RequestRecord} record
   * @param {http.ServerResponse} res
   */
  function answer(url, record, res) {
    const after = (/** @type {number} */ ms, /** @type {() => void} */ fn) => {
      const timer = setTimeout(() => { timers.delete(timer); fn(); }, ms);
      timers.add(timer);
    };
    if (url.pathname === '/health') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Backend': name });
      res.end('ok');
      record.answeredAt = performance.now();
      return;
    }
    const openai = url.searchParams.get('openai');
    if (openai) {
      openAiAnswer(openai, url, record, res, after);
      return;
    }
    const events = Number(url.searchParams.get('sse') ?? 0);
    if (events > 0) {
      const interval = Number(url.searchParams.get('interval') ?? 100);
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Backend': name });
      const send = (/** @type {number} */ i) => {
        if (res.destroyed) return;
        res.write(`data: ${i}\n\n`);
        record.eventsSentAt.push(performance.now());
        if (i + 1 < events) after(interval, () => send(i + 1));
        else { res.end(); record.answeredAt = performance.now(); }
      };
      send(0);
      return;
    }
    const echo = () => {
      if (res.destroyed) return;
      const body = JSON.stringify({
        backend: name,
        method: record.method,
        url: record.url,
        headers: record.headers,
        bodyBytes: record.bodyBytes,
      });
      const status = Number(url.searchParams.get('status') ?? 200);
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Backend': name });
      res.end(body);
      record.answeredAt = performance.now();
    };
    const delay = Number(url.searchParams.get('delay') ?? 0);
    if (delay > 0) after(delay, echo);
    else echo();
  }

  /**
   * @param {string} mode
   * @param {URL} url
   * @param {RequestRecord} record
   * @param {http.ServerResponse} res
   * @param {(ms: number, fn: () => void) => void} after
   */
  function openAiAnswer(mode, url, record, res, after) {
    const model = url.searchParams.get('model') ?? 'llama-3.1-8b-instruct';
    const usage = {
      prompt_tokens: Number(url.searchParams.get('prompt') ?? 10),
      completion_tokens: Number(url.searchParams.get('completion') ?? 3),
    };
    const total = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const base = { id: `chatcmpl-${record.id}`, created: 1764800000, model };
    if (mode === 'json') {
      const body = JSON.stringify({
        ...base, object: 'chat.completion',
        choices: [{
          index: 0,
          message: { role: 'assistant', content: 'x'.repeat(Number(url.searchParams.get('pad') ?? 3)) },
          finish_reason: 'stop',
        }],
        usage: total,
      });
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Backend': name });
      res.end(body);
      record.answeredAt = performance.now();
      return;
    }
    const interval = Number(url.searchParams.get('interval') ?? 20);
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Backend': name });
    const chunk = (/** @type {object} */ o) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...o })}\n\n`;
    const send = (/** @type {number} */ i) => {
      if (res.destroyed) return;
      if (i < usage.completion_tokens) {
        res.write(chunk({ choices: [{ index: 0, delta: { content: `t${i} ` }, finish_reason: null }], usage: null }));
        record.eventsSentAt.push(performance.now());
        after(interval, () => send(i + 1));
        return;
      }
      res.write(chunk({ choices: [], usage: total }));
      res.end('data: [DONE]\n\n');
      record.eventsSentAt.push(performance.now());
      record.answeredAt = performance.now();
    };
    send(0);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(undefined));
  });

  const stop = async (/** @type {boolean} */ abrupt) => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
    for (const socket of sockets) {
      if (abrupt) socket.resetAndDestroy();
      else socket.destroy();
    }
    await closed;
  };
  return {
    stats: () => JSON.parse(JSON.stringify(stats)),
    /** Dies like a crashed process: listener gone (new connections refused), open connections reset. */
    kill: () => stop(true),
    /** Shuts down: listener gone, open connections closed. */
    close: () => stop(false),
  };
}

module.exports = { startMockBackend };
