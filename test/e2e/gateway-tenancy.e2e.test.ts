/**
 * Tenancy at run time: the reference platform's standalone nginx.conf (tenants acme, gold plan, own pool
 * `acme-agent`; globex, basic plan, shared pool) on the real nginx, with key files as the tenants' Secrets
 * would provide them and mock backends for every pool (test/e2e/scenario.ts). Assertions are on what
 * clients and backends saw and on nginx's access log.
 */
import { App } from 'cdk8s';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { GatewayTarget } from '../../lib';
import { REFERENCE_HOSTS } from './reference-gateway';
import { ClientResponse, jsonBody, runScenario, ScenarioResult, ScenarioStep } from './scenario';

const GATEWAY = 'https://ai-agent.example.com';
const HOSTS = REFERENCE_HOSTS;
const SHARED = ['agent-service-1', 'agent-service-2'];
const BACKENDS = Object.keys(HOSTS).filter((h) => h !== 'ai-agent.example.com').map((name) => ({ name, port: 8080 }));

/** acme is mid-rotation: two valid keys. Lowercase hex, as the docs recommend (`openssl rand -hex 32`). */
const ACME_OLD = 'a1c3e5f7091b2d4f6a8c0e1f3b5d7f9a1c3e5f7091b2d4f6a8c0e1f3b5d7f9a0';
const ACME_NEW = 'b2d4f6a8c0e1f3b5d7f9a1c3e5f7091b2d4f6a8c0e1f3b5d7f9a1c3e5f7091b1';
const GLOBEX = 'c3e5f7091b2d4f6a8c0e1f3b5d7f9a1c3e5f7091b2d4f6a8c0e1f3b5d7f9a1c2';
const KEY_FILES = {
  'tenants/acme.map': `"${ACME_OLD}" acme;\n"${ACME_NEW}" acme;\n`,
  'tenants/globex.map': `"${GLOBEX}" globex;\n`,
};
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

function referenceConf(): string {
  const gateway = buildReferencePlatform(new App()).gateway;
  if (!gateway) throw new Error('the reference platform has no gateway');
  return gateway.renderNginxConf(GatewayTarget.standalone());
}

function scenario(steps: readonly ScenarioStep[]): Promise<ScenarioResult> {
  return runScenario({ conf: referenceConf(), hosts: HOSTS, backends: BACKENDS, steps, files: KEY_FILES });
}

/** `n` client addresses 127.0.<net>.1..n (each its own per-IP bucket). */
function clients(net: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.${net}.${i + 1}`);
}

const backendOf = (r: ClientResponse) => r.headers['x-backend'];
/** The headers the backend received, as the mock echoes them. */
const seenBy = (r: ClientResponse) => jsonBody(r).headers as Record<string, string>;

function expectJsonError(response: ClientResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(jsonBody(response)).toMatchObject({ error: { status, message: expect.any(String) } });
}

describe('Tenancy at run time (real nginx, reference tenants)', () => {
  const conf = referenceConf();

  test("a tenant's key routes to its own pool (both keys of a rotation), another's to the shared pool;"
    + ' backends get the tenant, never the key', async () => {
    const r = await scenario([
      {
        op: 'request',
        label: 'acmeOld',
        url: `${GATEWAY}/api/v1/agent/chat?id=acme-old-{i}`,
        count: 3,
        from: clients(1, 3),
        headers: bearer(ACME_OLD),
      },
      {
        op: 'request',
        label: 'acmeNew',
        url: `${GATEWAY}/api/v1/agent/chat?id=acme-new-{i}`,
        count: 3,
        from: clients(2, 3),
        headers: { 'X-API-Key': ACME_NEW },
      },
      {
        op: 'request',
        label: 'acmeModels',
        url: `${GATEWAY}/api/v1/models/list?id=acme-models`,
        from: clients(3, 1),
        headers: bearer(ACME_NEW),
      },
      {
        op: 'request',
        label: 'globex',
        url: `${GATEWAY}/api/v1/agent/chat?id=globex-{i}`,
        count: 4,
        from: clients(4, 4),
        headers: bearer(GLOBEX),
      },
    ]);
    for (const label of ['acmeOld', 'acmeNew']) {
      for (const response of r.request(label).responses) {
        expect(response.status).toBe(200);
        expect(backendOf(response)).toBe('acme-agent-service');
        expect(seenBy(response)['x-tenant-id']).toBe('acme');
        expect(seenBy(response).authorization).toBeUndefined();
        expect(seenBy(response)['x-api-key']).toBeUndefined();
      }
    }
    const models = r.request('acmeModels').responses[0];
    expect(backendOf(models)).toBe('model-service');
    expect(seenBy(models)['x-tenant-id']).toBe('acme');
    for (const response of r.request('globex').responses) {
      expect(response.status).toBe(200);
      expect(SHARED).toContain(backendOf(response));
      expect(seenBy(response)['x-tenant-id']).toBe('globex');
    }
    expect(r.backends['acme-agent-service'].requests).toBe(6);
    expect(r.backends['agent-service-1'].requests + r.backends['agent-service-2'].requests).toBe(4);
  });

  test('no key, an unknown key, another scheme or only a tenant header: JSON 401, no backend reached', async () => {
    const r = await scenario([
      { op: 'request', label: 'none', url: `${GATEWAY}/api/v1/agent/chat?id=none`, from: clients(5, 1) },
      {
        op: 'request',
        label: 'unknown',
        url: `${GATEWAY}/api/v1/agent/chat?id=unknown`,
        from: clients(5, 1),
        headers: bearer('d'.repeat(64)),
      },
      {
        op: 'request',
        label: 'basic',
        url: `${GATEWAY}/api/v1/agent/chat?id=basic`,
        from: clients(5, 1),
        headers: { Authorization: `Basic ${GLOBEX}` },
      },
      {
        op: 'request',
        label: 'headerOnly',
        url: `${GATEWAY}/api/v1/models/list?id=header`,
        from: clients(5, 1),
        headers: { 'X-Tenant-ID': 'acme' },
      },
      {
        op: 'request',
        label: 'empty',
        url: `${GATEWAY}/api/v1/agent/chat?id=empty`,
        from: clients(5, 1),
        headers: { 'X-API-Key': '' },
      },
    ]);
    for (const label of ['none', 'unknown', 'basic', 'headerOnly', 'empty']) {
      const response = r.request(label).responses[0];
      expectJsonError(response, 401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="ai-agent.example.com"');
    }
    expect(Object.values(r.backends).reduce((n, b) => n + b.requests, 0)).toBe(0);
  });

  test('a spoofed tenant header is replaced by the tenant of the key, for routing too', async () => {
    const r = await scenario([
      {
        op: 'request',
        label: 'spoof',
        url: `${GATEWAY}/api/v1/agent/chat?id=spoof-{i}`,
        count: 3,
        from: clients(6, 3),
        headers: { ...bearer(GLOBEX), 'X-Tenant-ID': 'acme' },
      },
    ]);
    for (const response of r.request('spoof').responses) {
      expect(response.status).toBe(200);
      expect(SHARED).toContain(backendOf(response));
      expect(seenBy(response)['x-tenant-id']).toBe('globex');
    }
    expect(r.backends['acme-agent-service'].requests).toBe(0);
  });

  test('a tenant over its plan gets 429 while another, sending at the same time, is unaffected', async () => {
    // Every request from its own address: only the plan limits can bind (the per-IP limit is 10 r/s, burst 20).
    const r = await scenario([
      {
        op: 'parallel',
        steps: [
          {
            op: 'request',
            label: 'globex',
            url: `${GATEWAY}/api/v1/agent/chat?id=globex-{i}`,
            count: 60,
            concurrency: 30,
            from: clients(20, 60),
            headers: bearer(GLOBEX),
          },
          {
            op: 'request',
            label: 'acme',
            url: `${GATEWAY}/api/v1/agent/chat?id=acme-{i}`,
            count: 60,
            concurrency: 30,
            from: clients(21, 60),
            headers: bearer(ACME_NEW),
          },
        ],
      },
    ]);
    const globex = r.request('globex');
    const ok = globex.responses.filter((x) => x.status === 200).length;
    const rejected = globex.responses.filter((x) => x.status !== 200);
    // basic: 5 r/s, burst 10: one request and the burst pass at once, the bucket refills at 5 r/s.
    const refilled = Math.ceil(((globex.endedAt - globex.startedAt) / 1000) * 5);
    expect(ok).toBeGreaterThanOrEqual(11);
    expect(ok).toBeLessThanOrEqual(11 + refilled + 1);
    expect(rejected.length).toBeGreaterThan(0);
    for (const response of rejected) expectJsonError(response, 429);
    // gold: 50 r/s, burst 100: acme's 60 all pass, beside globex's excess.
    expect(r.request('acme').responses.map((x) => x.status)).toEqual(Array(60).fill(200));
    expect(r.backends['acme-agent-service'].requests).toBe(60);
    expect(r.backends['agent-service-1'].requests + r.backends['agent-service-2'].requests).toBe(ok);
  });

  test('a tenant\'s plan governs its traffic from one address: no per-IP 429 under its plan', async () => {
    // acme (gold: 50 r/s, burst 100) sends 60 requests from one server, as server-to-server API use does.
    // The per-IP limit (10 r/s, burst 20) would reject most of them; it counts only requests without a key.
    const r = await scenario([
      {
        op: 'parallel',
        steps: [
          {
            op: 'request', label: 'acme', url: `${GATEWAY}/api/v1/agent/chat?id=acme-one-{i}`, count: 60,
            concurrency: 30, from: ['127.0.40.1'], headers: bearer(ACME_NEW),
          },
          {
            op: 'request', label: 'anonymous', url: `${GATEWAY}/api/v1/agent/chat?id=anon-{i}`, count: 60,
            concurrency: 30, from: ['127.0.40.2'],
          },
        ],
      },
    ]);
    expect(r.request('acme').responses.map((x) => x.status)).toEqual(Array(60).fill(200));
    // Without a key, the same address is still held to the per-IP limit: 401 while under it, 429 past it.
    const anonymous = r.request('anonymous').responses.map((x) => x.status);
    expect(anonymous.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(anonymous.every((s) => s === 401 || s === 429)).toBe(true);
  });

  test('guessing keys is throttled by the per-IP limit: unknown keys past the burst get 429, not 401', async () => {
    const r = await scenario([
      {
        op: 'request',
        label: 'guess',
        url: `${GATEWAY}/api/v1/agent/chat?id=guess-{i}`,
        count: 50,
        concurrency: 50,
        from: ['127.0.30.1'],
        headers: bearer('e'.repeat(64)),
      },
    ]);
    const statuses = r.request('guess').responses.map((x) => x.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // 1 + burst 20 (+ refill) reach the key check at most.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(21 + 10);
  });

  test('the access log names the tenant of every request and never contains a key', async () => {
    const r = await scenario([
      {
        op: 'request',
        label: 'acme',
        url: `${GATEWAY}/api/v1/agent/chat?id=log-acme`,
        from: clients(7, 1),
        headers: bearer(ACME_OLD),
      },
      {
        op: 'request',
        label: 'globex',
        url: `${GATEWAY}/api/v1/agent/chat?id=log-globex`,
        from: clients(7, 1),
        headers: { 'X-API-Key': GLOBEX },
      },
      {
        op: 'request',
        label: 'unknown',
        url: `${GATEWAY}/api/v1/agent/chat?id=log-unknown`,
        from: clients(7, 1),
        headers: bearer(ACME_OLD.replace('a1', 'ff')),
      },
    ]);
    const entries = r.accessLog.trim().split('\n').map((line) => JSON.parse(line));
    const byUri = (id: string) => entries.find((e) => e.uri.endsWith(`id=${id}`));
    expect(byUri('log-acme')).toMatchObject({ tenant: 'acme', status: 200 });
    expect(byUri('log-globex')).toMatchObject({ tenant: 'globex', status: 200 });
    expect(byUri('log-unknown')).toMatchObject({ tenant: '', status: 401 });
    for (const key of [ACME_OLD, ACME_NEW, GLOBEX, ACME_OLD.replace('a1', 'ff')]) {
      expect(r.accessLog).not.toContain(key);
      expect(r.nginxLog).not.toContain(key);
    }
    const logFormat = conf.slice(conf.indexOf('log_format'), conf.indexOf('access_log'));
    expect(logFormat).toContain('"tenant":"$gateway_tenant"');
    expect(logFormat).not.toMatch(/authorization|api_key/i);
  });
});
