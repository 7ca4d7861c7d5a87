#!/usr/bin/env node
// The mock backends of `npm run bench:gateway`, in a process of their own so that /proc accounts their
// CPU apart from the load generator's and nginx's. They answer like test/support/mock-backend.js (a small
// JSON echo, `?sse=N&interval=MS` as Server-Sent Events) but keep only counters, no per-request log, so
// their cost per request stays flat over a long run. Started by bench/gateway-runner.js with an IPC
// channel: argv[2] is JSON [{ name, address, port, tlsPort? }], argv[3] JSON { cert, key } (PEM file paths);
// it sends { ready: true } when listening and answers { op: 'stats' } with
// { stats: { name: { connections, requests } } }.
//
// A backend with a `tlsPort` also serves HTTPS there (same handler, same counters): the benchmark's "direct"
// target, where clients reach the service over HTTPS as they would without a gateway, so the service
// terminates TLS itself.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const backends = JSON.parse(process.argv[2]);
const tls = JSON.parse(process.argv[3] ?? '{}');
const stats = {};
const servers = backends.flatMap(({ name, address, port, tlsPort }) => {
  const counters = (stats[name] = { connections: 0, requests: 0 });
  const handler = (req, res) => {
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
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'X-Backend': name,
      });
      res.end(body);
    });
  };
  const listen = (server, listenPort) => {
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 130_000;
    // 'connection' is the accepted TCP connection, for HTTPS too (before its handshake).
    server.on('connection', () => { counters.connections += 1; });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, address, () => resolve(server));
    });
  };
  const plain = listen(http.createServer(handler), port);
  if (tlsPort === undefined) return [plain];
  const secure = https.createServer({ cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) }, handler);
  return [plain, listen(secure, tlsPort)];
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
