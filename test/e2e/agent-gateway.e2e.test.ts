/**
 * Run-time behaviour of the gateway's generated standalone nginx.conf: the real nginx 1.22 with the config
 * under test, mock backends on the loopback addresses its upstream host names resolve to, and real HTTPS
 * clients, all inside a private network namespace (test/e2e/scenario.ts, test/support/nginx-sandbox.ts).
 * Every assertion is on measured behaviour: status codes, bodies, which backend answered, how many TCP
 * connections a backend accepted, and the order of events on one clock. No wall-clock thresholds.
 */
import { Duration, Size } from 'cdk8s';
import { AgentGateway, GatewayTarget, GatewayUpstream, UpstreamServer } from '../../lib';
import { E2E_KEY_FILES, REFERENCE_HOSTS, referenceConf, referenceGateway, withApiKey } from './reference-gateway';
import { ClientResponse, jsonBody, runScenario, ScenarioResult, ScenarioStep, statusCounts } from './scenario';

const GATEWAY = 'https://ai-agent.example.com';
const PRIMARIES = ['agent-service-1', 'agent-service-2'];
const BACKUP = 'agent-service-3';
const HOSTS = REFERENCE_HOSTS;
const BACKENDS = ['agent-service-1', 'agent-service-2', 'agent-service-3', 'model-service'].map((name) => ({
  name,
  port: 8080,
}));

/** Its upstream of the agents. */
function agentUpstream(gateway: AgentGateway): GatewayUpstream {
  const upstream = gateway.upstreams.find((u) => u.name === 'ai_agent_backend');
  if (!upstream) throw new Error('the reference gateway has no upstream ai_agent_backend');
  return upstream;
}

/** The reference nginx.conf plus test routes added through the public API (every other line unchanged). */
function referenceConfWith(addRoutes: (gateway: AgentGateway) => void): string {
  const gateway = referenceGateway();
  addRoutes(gateway);
  return gateway.renderNginxConf(GatewayTarget.standalone());
}

/** Runs the steps with the test tenant's key file in place and its key on every request. */
function scenario(
  conf: string,
  steps: readonly ScenarioStep[],
  listen: readonly number[] = [443],
): Promise<ScenarioResult> {
  return runScenario({
    conf,
    hosts: HOSTS,
    backends: BACKENDS,
    steps: withApiKey(steps),
    listen,
    files: E2E_KEY_FILES,
  });
}

/** `n` client addresses 127.0.<net>.1..n: each has its own per-IP rate limit bucket. */
function clients(net: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.${net}.${i + 1}`);
}

const backendOf = (r: ClientResponse) => r.headers['x-backend'];
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** SSE events of a response with the time the chunk completing each one arrived. */
function eventArrivals(response: ClientResponse): Array<{ data: string; at: number }> {
  const events: Array<{ data: string; at: number }> = [];
  let pending = '';
  for (const chunk of response.chunks) {
    pending += chunk.text;
    for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
      events.push({ data: pending.slice(0, end).replace(/^data: /, ''), at: chunk.at });
      pending = pending.slice(end + 2);
    }
  }
  return events;
}

/** The 5 events of request `id` arrived each before the backend wrote the next one: nothing was held back. */
function expectStreamedEvents(r: ScenarioResult, id: string): void {
  const response = r.request(id).responses[0];
  expect(response.error).toBeUndefined();
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
  const received = eventArrivals(response);
  expect(received.map((e) => e.data)).toEqual(['0', '1', '2', '3', '4']);
  const sent = Object.values(r.backends).flatMap((b) => b.log).find((e) => e.id === id)!.eventsSentAt;
  expect(sent).toHaveLength(5);
  for (let i = 0; i + 1 < sent.length; i++) expect(received[i].at).toBeLessThan(sent[i + 1]);
}

/** The gateway's JSON error body: `{"error":{"status":N,"message":...}}`. */
function expectJsonError(response: ClientResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(jsonBody(response)).toMatchObject({ error: { status, message: expect.any(String) } });
}

describe('AgentGateway at run time (real nginx, reference platform)', () => {
  test('routes /api/v1/agent/ to the agent backends, /api/v1/models/ to the model backend, path intact', async () => {
    const r = await scenario(referenceConf(), [
      {
        op: 'request',
        label: 'agent',
        url: `${GATEWAY}/api/v1/agent/chat?id=agent-{i}`,
        count: 6,
        from: clients(1, 6),
      },
      {
        op: 'request',
        label: 'models',
        url: `${GATEWAY}/api/v1/models/list?id=model-{i}`,
        count: 3,
        from: clients(2, 3),
      },
      { op: 'request', label: 'other', url: `${GATEWAY}/api/v1/unknown/x`, from: clients(3, 1) },
    ]);
    for (const response of r.request('agent').responses) {
      expect(response.status).toBe(200);
      expect(PRIMARIES).toContain(backendOf(response));
    }
    for (const response of r.request('models').responses) {
      expect(response.status).toBe(200);
      expect(backendOf(response)).toBe('model-service');
    }
    const seen = (name: string) => r.backends[name].log.map((e) => e.url).sort();
    expect([...seen('agent-service-1'), ...seen('agent-service-2')].sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `/api/v1/agent/chat?id=agent-${i}`),
    );
    expect(seen('model-service')).toEqual([0, 1, 2].map((i) => `/api/v1/models/list?id=model-${i}`));
    expectJsonError(r.request('other').responses[0], 404);
    expect(sum(Object.values(r.backends).map((b) => b.requests))).toBe(9);
  });

  test('honours the upstream weights and leaves the backup idle while the primaries are up', async () => {
    const gateway = referenceGateway();
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    const servers = agentUpstream(gateway).servers.map((server) => ({
      host: server.address.split(':')[0], weight: server.options.weight ?? 1, backup: server.options.backup ?? false,
    }));
    expect(servers.map((s) => [s.host, s.backup])).toEqual([
      ['agent-service-1', false],
      ['agent-service-2', false],
      [BACKUP, true],
    ]);
    const requests = 60;
    const r = await scenario(conf, [
      {
        op: 'request',
        label: 'load',
        url: `${GATEWAY}/api/v1/agent/chat?id={i}`,
        count: requests,
        from: clients(4, 12),
      },
    ]);
    expect(statusCounts(r.request('load'))).toEqual({ 200: requests });
    expect(r.backends[BACKUP].requests).toBe(0);
    const primaries = servers.filter((s) => !s.backup);
    const totalWeight = sum(primaries.map((s) => s.weight));
    for (const server of primaries) {
      const share = r.backends[server.host].requests / requests;
      expect(Math.abs(share - server.weight / totalWeight)).toBeLessThanOrEqual(0.1);
    }
  });

  test('splits by weight 3:1 on an upstream added through the API', async () => {
    const conf = referenceConfWith((gateway) => {
      const weighted = gateway.addUpstream({
        name: 'weighted_backend',
        servers: [
          UpstreamServer.of('agent-service-1:8080', { weight: 3 }),
          UpstreamServer.of('agent-service-2:8080', { weight: 1 }),
        ],
      });
      gateway.route('/api/v1/weighted/', weighted);
    });
    const requests = 40;
    const r = await scenario(conf, [
      {
        op: 'request',
        label: 'load',
        url: `${GATEWAY}/api/v1/weighted/chat?id={i}`,
        count: requests,
        from: clients(11, 8),
      },
    ]);
    expect(statusCounts(r.request('load'))).toEqual({ 200: requests });
    expect(Math.abs(r.backends['agent-service-1'].requests / requests - 0.75)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(r.backends['agent-service-2'].requests / requests - 0.25)).toBeLessThanOrEqual(0.1);
    expect(r.backends[BACKUP].requests).toBe(0);
  });

  test('the backup takes over when the primaries die, without a 5xx', async () => {
    const r = await scenario(referenceConf(), [
      { op: 'request', label: 'warm', url: `${GATEWAY}/api/v1/agent/chat?id=warm-{i}`, count: 6, from: clients(5, 6) },
      { op: 'stats', label: 'before' },
      { op: 'kill', backends: PRIMARIES },
      // Inference calls are POSTs, which nginx retries on another server only when the first never got them.
      {
        op: 'request',
        label: 'after',
        url: `${GATEWAY}/api/v1/agent/chat?id=after-{i}`,
        method: 'POST',
        bodyBytes: 512,
        count: 10,
        from: clients(6, 10),
      },
      { op: 'kill', backends: [BACKUP] },
      { op: 'request', label: 'none', url: `${GATEWAY}/api/v1/agent/chat?id=none`, from: clients(6, 1) },
    ]);
    expect(r.request('warm').responses.map(backendOf).every((b) => PRIMARIES.includes(String(b)))).toBe(true);
    expect(r.stats('before')[BACKUP].requests).toBe(0);
    const after = r.request('after').responses;
    expect(after.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(after.map(backendOf)).toEqual(Array(10).fill(BACKUP));
    expect(r.backends[BACKUP].log.map((e) => e.id)).toEqual(after.map((_, i) => `after-${i}`));
    // With every server gone the client gets the gateway's JSON 502, not nginx's HTML page.
    expectJsonError(r.request('none').responses[0], 502);
  });

  test('keeps upstream connections alive: backends accept far fewer TCP connections than requests', async () => {
    const r = await scenario(referenceConf(), [
      { op: 'request', label: 'agent', url: `${GATEWAY}/api/v1/agent/chat?id={i}`, count: 60, from: clients(7, 12) },
      { op: 'request', label: 'models', url: `${GATEWAY}/api/v1/models/list?id={i}`, count: 30, from: clients(8, 6) },
    ]);
    expect(statusCounts(r.request('agent'))).toEqual({ 200: 60 });
    expect(statusCounts(r.request('models'))).toEqual({ 200: 30 });
    const agentConnections = sum(PRIMARIES.map((name) => r.backends[name].connections));
    expect(sum(PRIMARIES.map((name) => r.backends[name].requests))).toBe(60);
    expect(agentConnections).toBeGreaterThan(0);
    expect(agentConnections).toBeLessThanOrEqual(60 / 4);
    expect(r.backends['model-service'].requests).toBe(30);
    expect(r.backends['model-service'].connections).toBeLessThanOrEqual(30 / 4);
  });

  test('answers 429 with a JSON body past the per-IP burst (10 r/s, burst 20) on every API route, for requests'
    + ' without a known key (a tenant\'s keyed requests count against its plan)', async () => {
    const unknownKey = { authorization: `Bearer ${'f'.repeat(64)}` };
    const r = await scenario(referenceConf(), [
      { op: 'stats', label: 'start' },
      {
        op: 'request',
        label: 'agent',
        url: `${GATEWAY}/api/v1/agent/chat?id=burst-{i}`,
        count: 60,
        concurrency: 60,
        from: ['127.0.9.1'],
        headers: unknownKey,
      },
      {
        op: 'request',
        label: 'models',
        url: `${GATEWAY}/api/v1/models/list?id=burst-{i}`,
        count: 60,
        concurrency: 60,
        from: ['127.0.9.2'],
        headers: unknownKey,
      },
      { op: 'stats', label: 'end' },
      { op: 'request', label: 'neighbour', url: `${GATEWAY}/api/v1/agent/chat?id=neighbour`, from: ['127.0.9.3'] },
    ]);
    for (const label of ['agent', 'models']) {
      const step = r.request(label);
      // Within the limit the request reaches the key check (401); past it, 429.
      const checked = step.responses.filter((response) => response.status === 401).length;
      const rejected = step.responses.filter((response) => response.status !== 401);
      // 1 request + a burst of 20 pass at once; the bucket refills at 10 r/s while the step runs.
      const refilled = Math.ceil(((step.endedAt - step.startedAt) / 1000) * 10);
      expect(checked).toBeGreaterThanOrEqual(21);
      expect(checked).toBeLessThanOrEqual(21 + refilled + 1);
      expect(rejected.length).toBeGreaterThan(0);
      for (const response of rejected) {
        expectJsonError(response, 429);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    // Neither rejected nor unauthenticated requests reach a backend.
    const backendRequests = (label: string) => sum(Object.values(r.stats(label)).map((b) => b.requests));
    expect(backendRequests('end') - backendRequests('start')).toBe(0);
    // Another client is not affected by the first one's excess.
    expect(r.request('neighbour').responses[0].status).toBe(200);
  });

  test('streams Server-Sent Events as they are produced, the first one promptly', async () => {
    const r = await scenario(referenceConf(), [
      {
        op: 'request', label: 'sse', url: `${GATEWAY}/api/v1/agent/stream?sse=5&interval=250&id=sse`,
        headers: { 'Accept': 'text/event-stream', 'Accept-Encoding': 'gzip, deflate, br' },
      },
    ]);
    expectStreamedEvents(r, 'sse');
  });

  // nginx 1.22 streams to HTTP/2 clients even with proxy_buffering on; the HTTP/1.1 test above is the one
  // that catches buffering. This one proves the h2 listener and its path stream too.
  test('streams Server-Sent Events over HTTP/2 too (what browsers negotiate)', async () => {
    const r = await scenario(referenceConf(), [
      {
        op: 'request', label: 'sse', url: `${GATEWAY}/api/v1/agent/stream?sse=5&interval=250&id=sse`, http2: true,
        headers: { 'accept': 'text/event-stream', 'accept-encoding': 'gzip, deflate, br' },
      },
    ]);
    expect(r.request('sse').responses[0].protocol).toBe('h2');
    expectStreamedEvents(r, 'sse');
  });

  test('answers 413 with a JSON body above client_max_body_size (100m) and passes bodies below it', async () => {
    const limit = 100 * 1024 * 1024;
    const r = await scenario(referenceConf(), [
      // 2 MiB is above nginx's built-in 1m, so it passes only because the config raised the limit.
      { op: 'request', label: 'under', url: `${GATEWAY}/api/v1/agent/upload?id=under`, bodyBytes: 2 * 1024 * 1024 },
      {
        op: 'request',
        label: 'over',
        url: `${GATEWAY}/api/v1/agent/upload?id=over`,
        bodyBytes: 1024 * 1024,
        declaredBytes: limit + 1,
      },
    ]);
    const under = r.request('under').responses[0];
    expect(under.status).toBe(200);
    expect(jsonBody(under).bodyBytes).toBe(2 * 1024 * 1024);
    const over = r.request('over').responses[0];
    expectJsonError(over, 413);
    expect(over.bodyBytesWritten).toBeLessThan(limit);
    expect(Object.values(r.backends).flatMap((b) => b.log).map((e) => e.id)).toEqual(['under']);
  });

  test('a route\'s own maxBodySize is exact: the limit passes, one byte more gets 413, also when chunked', async () => {
    const limit = 64 * 1024;
    const conf = referenceConfWith((gateway) => {
      gateway.route('/api/v1/small/', agentUpstream(gateway), { maxBodySize: Size.kibibytes(64) });
    });
    const r = await scenario(conf, [
      { op: 'request', label: 'at', url: `${GATEWAY}/api/v1/small/u?id=at`, bodyBytes: limit },
      { op: 'request', label: 'above', url: `${GATEWAY}/api/v1/small/u?id=above`, bodyBytes: limit + 1 },
      {
        op: 'request',
        label: 'chunked',
        url: `${GATEWAY}/api/v1/small/u?id=chunked`,
        bodyBytes: 2 * limit,
        chunked: true,
      },
    ]);
    const at = r.request('at').responses[0];
    expect(at.status).toBe(200);
    expect(jsonBody(at).bodyBytes).toBe(limit);
    expectJsonError(r.request('above').responses[0], 413);
    expectJsonError(r.request('chunked').responses[0], 413);
    expect(Object.values(r.backends).flatMap((b) => b.log).map((e) => e.id)).toEqual(['at']);
  });

  test('answers 504 with a JSON body when the backend is slower than the read timeout', async () => {
    const conf = referenceConfWith((gateway) => {
      gateway.route('/api/v1/slow/', agentUpstream(gateway), { readTimeout: Duration.seconds(1) });
    });
    const r = await scenario(conf, [
      { op: 'request', label: 'get', url: `${GATEWAY}/api/v1/slow/infer?id=get&delay=20000`, timeoutMs: 15_000 },
      {
        op: 'request',
        label: 'post',
        url: `${GATEWAY}/api/v1/slow/infer?id=post&delay=20000`,
        method: 'POST',
        bodyBytes: 512,
        timeoutMs: 15_000,
      },
      // Lets the backends notice the connections nginx dropped (an event, not a timing assertion).
      { op: 'wait', ms: 300 },
    ]);
    const attemptsOf = (id: string) => Object.values(r.backends).flatMap((b) => b.log).filter((e) => e.id === id);
    for (const id of ['get', 'post']) {
      const response = r.request(id).responses[0];
      expectJsonError(response, 504);
      expect(jsonBody(response).error.request_id).toBe(response.headers['x-request-id']);
      const attempts = attemptsOf(id);
      expect(attempts.length).toBeGreaterThan(0);
      for (const attempt of attempts) {
        // The backend never answered (it would after 20 s): nginx gave up and closed the connection.
        expect(attempt.answeredAt).toBeUndefined();
        expect(attempt.abortedAt).toBeDefined();
        expect(attempt.receivedAt).toBeLessThan(response.headersAt!);
      }
    }
    // A timed-out GET may be retried, but on each server at most once; a POST is never sent twice.
    const backendsTried = Object.values(r.backends).filter((b) => b.log.some((e) => e.id === 'get')).length;
    expect(backendsTried).toBe(attemptsOf('get').length);
    expect(attemptsOf('get').length).toBeLessThanOrEqual(agentUpstream(referenceGateway()).servers.length);
    expect(attemptsOf('post')).toHaveLength(1);
  });

  test('forwards Host, X-Real-IP, X-Forwarded-For, X-Forwarded-Proto and X-Request-ID', async () => {
    const r = await scenario(referenceConf(), [
      { op: 'request', label: 'plain', url: `${GATEWAY}/api/v1/agent/h?id=plain`, from: ['127.0.10.7'] },
      {
        op: 'request',
        label: 'traced',
        url: `${GATEWAY}/api/v1/agent/h?id=traced`,
        from: ['127.0.10.8'],
        headers: {
          'X-Request-ID': 'client-trace-42',
          'X-Forwarded-For': '198.51.100.23',
          'X-Real-IP': '198.51.100.99',
        },
      },
      { op: 'request', label: 'again', url: `${GATEWAY}/api/v1/agent/h?id=again`, from: ['127.0.10.9'] },
      {
        op: 'request',
        label: 'unsafe',
        url: `${GATEWAY}/api/v1/agent/h?id=unsafe`,
        from: ['127.0.10.10'],
        headers: { 'X-Request-ID': 'x"}{injected' },
      },
    ]);
    const seen = (label: string) => jsonBody(r.request(label).responses[0]).headers;
    expect(seen('plain')).toMatchObject({
      'host': 'ai-agent.example.com',
      'x-real-ip': '127.0.10.7',
      'x-forwarded-for': '127.0.10.7',
      'x-forwarded-proto': 'https',
      'x-request-id': expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(seen('traced')).toMatchObject({
      'x-real-ip': '127.0.10.8',
      'x-forwarded-for': '198.51.100.23, 127.0.10.8',
      'x-request-id': 'client-trace-42',
    });
    expect(seen('again')['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen('again')['x-request-id']).not.toBe(seen('plain')['x-request-id']);
    // An id that is not a sane token (it would break the JSON access log) is replaced by a generated one.
    expect(seen('unsafe')['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    // The client gets the id the backend saw.
    for (const label of ['plain', 'traced', 'again', 'unsafe']) {
      expect(r.request(label).responses[0].headers['x-request-id']).toBe(seen(label)['x-request-id']);
    }
  });

  test('W3C traceparent: a valid one is continued with the gateway as parent, anything else starts a trace whose id'
    + ' is the generated request id; the access log carries the trace id', async () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const r = await scenario(referenceConf(), [
      { op: 'request', label: 'continued', url: `${GATEWAY}/api/v1/agent/t?id=continued`,
        headers: { traceparent: incoming, tracestate: 'vendor=abc' } },
      { op: 'request', label: 'started', url: `${GATEWAY}/api/v1/agent/t?id=started` },
      { op: 'request', label: 'zeros', url: `${GATEWAY}/api/v1/agent/t?id=zeros`,
        headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } },
      { op: 'request', label: 'garbage', url: `${GATEWAY}/api/v1/agent/t?id=garbage`,
        headers: { traceparent: '00-xyz"}-injected' } },
    ]);
    const seen = (label: string) => jsonBody(r.request(label).responses[0]).headers;
    const parts = (label: string) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(seen(label).traceparent)!;
    const continued = parts('continued');
    expect(continued[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(continued[2]).not.toBe('00f067aa0ba902b7');
    expect(continued[3]).toBe('01');
    expect(seen('continued').tracestate).toBe('vendor=abc');
    for (const label of ['started', 'zeros', 'garbage']) {
      const [, traceId, spanId, flags] = parts(label);
      expect([label, traceId]).toEqual([label, seen(label)['x-request-id']]);
      expect(traceId.startsWith(spanId)).toBe(true);
      expect(flags).toBe('01');
    }
    const logged = r.accessLog.trim().split('\n').map((l) => JSON.parse(l));
    const line = logged.find((l) => l.uri.includes('id=continued'));
    expect(line.trace_id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(logged.find((l) => l.uri.includes('id=garbage')).trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  test('port 80 answers 308 to https (a POST stays a POST), except /health', async () => {
    const r = await scenario(referenceConf(), [
      { op: 'request', label: 'redirect', url: 'http://ai-agent.example.com/api/v1/agent/chat?x=1' },
      {
        op: 'request', label: 'post', method: 'POST', url: 'http://ai-agent.example.com/api/v1/agent/chat',
        headers: { 'Content-Type': 'application/json' }, bodyBytes: 64,
      },
      { op: 'request', label: 'root', url: 'http://ai-agent.example.com/' },
      { op: 'request', label: 'health', url: 'http://ai-agent.example.com/health' },
    ], [443, 80]);
    const redirect = r.request('redirect').responses[0];
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('https://ai-agent.example.com/api/v1/agent/chat?x=1');
    // 301 lets clients re-send a POST as a GET (RFC 9110 15.4.2); 308 forbids it.
    expect(r.request('post').responses[0].status).toBe(308);
    expect(r.request('post').responses[0].headers.location).toBe('https://ai-agent.example.com/api/v1/agent/chat');
    expect(r.request('root').responses[0].status).toBe(308);
    expect(r.request('root').responses[0].headers.location).toBe('https://ai-agent.example.com/');
    expect(r.request('health').responses[0].status).toBe(200);
    expect(jsonBody(r.request('health').responses[0])).toEqual({ status: 'ok' });
    expect(sum(Object.values(r.backends).map((b) => b.requests))).toBe(0);
  });
});
