/**
 * Faults at run time: the real nginx 1.22 on the gateway's generated standalone nginx.conf, mock backends
 * on loopback, all inside a private network namespace (test/e2e/scenario.ts). Every scenario is bounded
 * by the runner's deadline; the assertions are on what clients and backends saw. The failover to the
 * backup and the 504 on a slow backend are in agent-gateway.e2e.test.ts; this file adds the crash under
 * load, the prompt answer when everything is down, slow clients and the status endpoint's exposure.
 */
import { Duration } from 'cdk8s';
import { AgentGatewayProps, GatewayTarget, RetryPolicy, UpstreamServer } from '../../lib';
import { E2E_KEY_FILES, REFERENCE_HOSTS, referenceConf, withApiKey } from './reference-gateway';
import { ClientResponse, jsonBody, runScenario, ScenarioResult, ScenarioStep } from './scenario';
import { gatewayFixture } from '../support/gateway-fixtures';

const GATEWAY = 'https://ai-agent.example.com';
const AGENTS = ['agent-service-1', 'agent-service-2', 'agent-service-3'];
const HOSTS = REFERENCE_HOSTS;
const BACKENDS = [...AGENTS, 'model-service'].map((name) => ({ name, port: 8080 }));
/** nginx arms timers from a clock it caches per event-loop turn: a timeout may fire this much early. */
const NGINX_TIMER_SLACK_MS = 100;
/** A client address outside 127.0.0.0/8 (TEST-NET-2), added to the sandbox's own loopback. */
const OUTSIDE = '198.51.100.7';

/** A TLS gateway like the reference one, with `props` changed, routing /api/v1/agent/ to the three agent servers. */
function gatewayConf(props: Partial<AgentGatewayProps>): string {
  const { gateway, agent } = gatewayFixture({
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
    ...props,
  });
  gateway.route('/api/v1/agent/', agent, {
    upstream: { servers: AGENTS.slice(0, 2).map((host) => UpstreamServer.of(`${host}:8080`)) },
  });
  return gateway.renderNginxConf(GatewayTarget.standalone());
}

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
    deadlineMs: 30_000,
    files: E2E_KEY_FILES,
  });
}

function clients(net: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.${net}.${i + 1}`);
}

function expectJsonError(response: ClientResponse, status: number): void {
  expect(response.error).toBeUndefined();
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(jsonBody(response)).toMatchObject({ error: { status, message: expect.any(String) } });
}

describe('gateway faults at run time (real nginx, bounded)', () => {
  test('a backend killed mid-load: every idempotent request in flight or after still succeeds', async () => {
    const requests = 60;
    const r = await scenario(referenceConf(), [
      // Request i takes i × 10 ms at the backend, so answers are staggered and some are always in flight.
      {
        op: 'request', label: 'load', url: `${GATEWAY}/api/v1/agent/chat?id=load-{i}&delay={i}0`,
        count: requests, concurrency: 8, from: clients(30, 30),
        killAfter: { responses: 16, backends: ['agent-service-1'] },
      },
    ]);
    const load = r.request('load');
    expect(load.killedAt).toBeDefined();
    expect(load.responses.map((x) => x.error ?? x.status)).toEqual(Array(requests).fill(200));
    const killed = r.backends['agent-service-1'].log;
    // The crash hit requests in flight (the backend had them, never answered them) ...
    const cutOff = killed.filter((e) => e.answeredAt === undefined);
    expect(cutOff.length).toBeGreaterThan(0);
    // ... and each of them was answered by another server, once.
    for (const attempt of cutOff) {
      const response = load.responses.find((x) => jsonBody(x).url.includes(`id=${attempt.id}&`))!;
      expect(response.headers['x-backend']).not.toBe('agent-service-1');
    }
    // Nothing that started after the crash was answered by the dead backend.
    const after = load.responses.filter((x) => x.startedAt > load.killedAt!);
    expect(after.length).toBeGreaterThan(requests / 2);
    expect(after.every((x) => x.headers['x-backend'] !== 'agent-service-1')).toBe(true);
    // Each request reached a backend that answered it exactly once.
    const answered = Object.values(r.backends)
      .flatMap((b) => b.log)
      .filter((e) => e.answeredAt !== undefined)
      .map((e) => e.id)
      .sort();
    expect(answered).toEqual(Array.from({ length: requests }, (_, i) => `load-${i}`).sort());
  });

  test('every backend down: JSON 502 for GET and POST at once, without waiting for a timeout', async () => {
    const r = await scenario(referenceConf(), [
      { op: 'kill', backends: AGENTS },
      {
        op: 'request',
        label: 'get',
        url: `${GATEWAY}/api/v1/agent/chat?id=get-{i}`,
        count: 20,
        concurrency: 10,
        from: clients(31, 20),
        timeoutMs: 20_000,
      },
      {
        op: 'request',
        label: 'post',
        url: `${GATEWAY}/api/v1/agent/chat?id=post-{i}`,
        method: 'POST',
        bodyBytes: 256,
        count: 5,
        concurrency: 5,
        from: clients(32, 5),
        timeoutMs: 20_000,
      },
      // The other route still works: one dead upstream does not take the gateway down.
      { op: 'request', label: 'models', url: `${GATEWAY}/api/v1/models/list?id=models`, from: clients(33, 1) },
    ]);
    const connectTimeoutMs = 5_000;
    for (const label of ['get', 'post']) {
      for (const response of r.request(label).responses) {
        expectJsonError(response, 502);
        // Refused connections fail at once; the answer does not wait for proxy_connect_timeout (5 s).
        expect(response.endedAt - response.startedAt).toBeLessThan(connectTimeoutMs);
      }
    }
    expect(r.request('models').responses[0].status).toBe(200);
  });

  test("a slow backend: JSON 504 once the route's read timeout passed, not waiting for the backend", async () => {
    const { gateway, agent } = gatewayFixture({
      tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
    });
    gateway.route('/api/v1/agent/', agent, {
      upstream: { servers: [UpstreamServer.of('agent-service-1:8080')] },
      readTimeout: Duration.seconds(2),
      retries: RetryPolicy.none(),
    });
    const r = await scenario(gateway.renderNginxConf(GatewayTarget.standalone()), [
      { op: 'request', label: 'slow', url: `${GATEWAY}/api/v1/agent/infer?id=slow&delay=20000`, timeoutMs: 25_000 },
    ]);
    const response = r.request('slow').responses[0];
    expectJsonError(response, 504);
    const attempt = r.backends['agent-service-1'].log.find((e) => e.id === 'slow')!;
    // nginx waited the configured 2 s after sending the request (less its timer's few ms of slack: it
    // reads a cached clock), then gave up on the backend (which would have answered after 20 s).
    expect(response.headersAt! - attempt.receivedAt).toBeGreaterThanOrEqual(2000 - NGINX_TIMER_SLACK_MS);
    expect(response.headersAt!).toBeLessThan(attempt.receivedAt + 20_000);
    expect(attempt.answeredAt).toBeUndefined();
  });

  test('a slowloris client is cut off by client_header_timeout; a normal client is served meanwhile', async () => {
    const conf = gatewayConf({ clientTimeouts: { header: Duration.seconds(2) } });
    expect(conf).toContain('client_header_timeout 2s;');
    const lines = 16;
    const r = await scenario(conf, [
      {
        op: 'slowHeaders',
        label: 'slow',
        url: `${GATEWAY}/api/v1/agent/chat?id=slow`,
        intervalMs: 400,
        lines,
        from: ['127.0.34.1'],
      },
      { op: 'request', label: 'normal', url: `${GATEWAY}/api/v1/agent/chat?id=normal`, from: ['127.0.34.2'] },
    ]);
    const slow = r.slowHeaders('slow');
    // The server closed the connection before the client could finish its header ...
    expect(slow.completed).toBe(false);
    expect(slow.linesSent).toBeLessThan(lines);
    // ... not before the configured timeout (nginx does not cut a client that is merely slow to start) ...
    expect(slow.closedAt - slow.startedAt).toBeGreaterThanOrEqual(2000 - NGINX_TIMER_SLACK_MS);
    // ... and without passing anything on: no backend saw the slow request.
    expect(slow.response).not.toMatch(/^HTTP\/1\.1 200/);
    expect(Object.values(r.backends).flatMap((b) => b.log).map((e) => e.id)).toEqual(['normal']);
    expect(r.request('normal').responses[0].status).toBe(200);
  });

  test('a client slower than the default, within client_header_timeout, is served: the setting cuts off', async () => {
    const conf = gatewayConf({ clientTimeouts: { header: Duration.seconds(20) } });
    const r = await scenario(conf, [
      {
        op: 'slowHeaders',
        label: 'slow',
        url: `${GATEWAY}/api/v1/agent/chat?id=slow`,
        intervalMs: 400,
        lines: 8,
        from: ['127.0.35.1'],
      },
    ]);
    const slow = r.slowHeaders('slow');
    expect(slow.completed).toBe(true);
    expect(slow.response).toMatch(/^HTTP\/1\.1 200/);
    expect(r.backends['agent-service-1'].requests + r.backends['agent-service-2'].requests).toBe(1);
  });

  test('stub_status unreachable from outside: 404 on the public listener, status port only on 127.0.0.1', async () => {
    const r = await scenario(
      referenceConf(),
      [
        { op: 'addAddress', address: OUTSIDE },
        { op: 'request', label: 'public', url: `${GATEWAY}/stub_status`, from: [OUTSIDE] },
        { op: 'request', label: 'publicHttp', url: 'http://ai-agent.example.com/stub_status', from: [OUTSIDE] },
        { op: 'request', label: 'statusOutside', url: `http://${OUTSIDE}:8081/stub_status`, from: [OUTSIDE] },
        { op: 'request', label: 'statusOtherLoopback', url: 'http://127.0.0.2:8081/stub_status', from: ['127.0.0.2'] },
        { op: 'request', label: 'health', url: `${GATEWAY}/health`, from: [OUTSIDE] },
        // The exporter's view: the same port on loopback answers (so the refusals above are not a dead server).
        { op: 'request', label: 'exporter', url: 'http://127.0.0.1:8081/stub_status' },
      ],
      [443, 80, 8081],
    );
    const one = (label: string) => r.request(label).responses[0];
    expectJsonError(one('public'), 404);
    expect(one('public').body).not.toMatch(/Active connections/);
    expect(one('publicHttp').status).toBe(308);
    expect(one('statusOutside').error).toMatch(/ECONNREFUSED/);
    expect(one('statusOtherLoopback').error).toMatch(/ECONNREFUSED/);
    // The gateway's own health check says ok and nothing more.
    expect(jsonBody(one('health'))).toEqual({ status: 'ok' });
    expect(one('exporter').status).toBe(200);
    expect(one('exporter').body).toMatch(/^Active connections: \d+/);
    expect(Object.values(r.backends).reduce((n, b) => n + b.requests, 0)).toBe(0);
  });
});
