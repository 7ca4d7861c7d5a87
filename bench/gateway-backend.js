#!/usr/bin/env node
// The mock backends of `npm run bench:gateway`, in a process of their own so that /proc accounts their
// CPU apart from the load generator's and nginx's. They answer like test/support/mock-backend.js (a small
// JSON echo, `?sse=N&interval=MS` as Server-Sent Events) but keep only counters, no per-request log, so
// their cost per request stays flat over a long run. Started by bench/gateway-runner.js with an IPC
// channel: argv[2] is JSON [{ name, address, port }]; it sends { ready: true } when listening and answers
// { op: 'stats' } with { stats: { name: { connections, requests } } }.
'use strict';
const http = require('http');

const backends = JSON.parse(process.argv[2]);
const stats = {};
const servers = backends.map(({ name, address, port }) => {
  const counters = (stats[name] = { connections: 0, requests: 0 });
  const server = http.createServer((req, res) => {
    counters.requests += 1;
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://backend');
      const events = Number(url.searchParams.get('sse') ?? 0);
      if (events > 0) {
        const interval = Math.min(Number(url.searchParams.get('interval') ?? 100), 1000);
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Backend': name });
        let sent = 0;
        const send = () => {
          if (res.destroyed) return;
          res.write(`data: ${sent}\n\n`);
          sent += 1;
          if (sent < Math.min(events, 100)) setTimeout(send, interval);
          else res.end();
        };
        send();
        return;
      }
      const body = JSON.stringify({ backend: name, method: req.method, url: req.url });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Backend': name });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.on('connection', () => { counters.connections += 1; });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });
});

Promise.all(servers).then(() => process.send?.({ ready: true }), (error) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
process.on('message', (message) => {
  if (message && message.op === 'stats') process.send?.({ stats: JSON.parse(JSON.stringify(stats)) });
});
// Never outlive the runner.
process.on('disconnect', () => process.exit(0));
