/**
 * The gateway's request metrics end to end, on a platform of our own (a chat agent and an embeddings model
 * service, one tenant on a small plan): the rendered standalone nginx.conf on the real nginx, the rendered
 * mtail program in the real mtail (Debian's), which receives nginx's syslog lines on loopback, and the real
 * Prometheus scraping mtail. The assertions are on the series Prometheus stored, queried with PromQL, against
 * what the clients saw.
 */
import { App, Duration, Size } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { AiAgentPlatform, GatewayTarget, GpuType, NginxModule, RatePlan, ScalingMetric } from '../../lib';
import { HelperSpec, runScenario, ScenarioResult, statusCounts } from './scenario';
import { runTool } from '../support/tools';
import {
  GATEWAY_SERIES_FIXTURE, GATEWAY_TOKEN_SERIES_FIXTURE, gatewaySeries, readGatewaySeries,
} from '../support/gateway-series';

const HOST = 'chat.example.com';
const KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const HOSTS = { [HOST]: '127.0.0.1', 'chat-agent-service': '127.0.0.21', 'embedder-service': '127.0.0.22' };

function buildPlatform() {
  const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
  const chat = platform.addAgent('chat-agent', {
    image: 'registry.example.com/chat-agent:2.0.1',
    gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
  });
  const embedder = platform.addModelService('embedder', {
    image: 'registry.example.com/embedder:1.4.0',
    gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(2) },
  });
  const gateway = platform.addGateway('gateway', {
    serverName: HOST,
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
    requestMetrics: { latencyBuckets: [Duration.millis(100), Duration.millis(500), Duration.seconds(2)] },
  });
  gateway.route('/v1/chat/', chat);
  gateway.route('/v1/embeddings/', embedder, { maxBodySize: Size.kibibytes(1) });
  platform.addTenant('initech', { plan: platform.addRatePlan(RatePlan.perSecond('small', 1, { burst: 3 })) });
  return gateway;
}

/** The Prometheus config: scrape mtail every second. */
const PROMETHEUS_YML = [
  'global: { scrape_interval: 1s, evaluation_interval: 1s }',
  'scrape_configs:',
  '  - job_name: gateway-metrics',
  '    static_configs: [{ targets: ["127.0.0.1:3903"] }]',
].join('\n');

/**
 * A directory with the gateway's mtail program and a Prometheus config scraping mtail (with `scrapeLabels`,
 * the labels the Prometheus Operator would add), and the two as helpers started in the sandbox before nginx.
 */
function observabilityStack(
  name: string, program: string, scrapeLabels = '',
): { dir: string; helpers: HelperSpec[] } {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), `${name}-`));
  fs.mkdirSync(path.join(dir, 'progs'));
  fs.writeFileSync(path.join(dir, 'progs', 'gateway.mtail'), program);
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), scrapeLabels
    ? PROMETHEUS_YML.replace('{ targets: ["127.0.0.1:3903"] }',
        `{ targets: ["127.0.0.1:3903"], labels: ${scrapeLabels} }`)
    : PROMETHEUS_YML);
  return {
    dir,
    helpers: [
      { name: 'mtail', port: 3903, command: ['mtail', `--progs=${dir}/progs`, '--logs=udp://127.0.0.1:5140',
        '--port=3903', '--address=127.0.0.1', '--emit_prog_label=false', '--logtostderr'] },
      { name: 'prometheus', port: 9090, command: ['prometheus', `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/tsdb`, '--web.listen-address=127.0.0.1:9090'] },
    ],
  };
}

function promQuery(label: string, expr: string, until: string) {
  return {
    op: 'fetch' as const, label, timeoutMs: 15_000, until,
    url: `http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(expr)}`,
  };
}

/** Series of a Prometheus instant query: labels → value. */
function series(r: ScenarioResult, label: string): Array<{ metric: Record<string, string>; value: number }> {
  const body = JSON.parse(r.fetch(label).body);
  return body.data.result.map((s: { metric: Record<string, string>; value: [number, string] }) =>
    ({ metric: s.metric, value: Number(s.value[1]) }));
}

describe('Request metrics on the real nginx, mtail and Prometheus (a platform of our own)', () => {
  let result: ScenarioResult;
  let dir: string;

  beforeAll(async () => {
    runTool('mtail', ['--version']);
    runTool('prometheus', ['--version']);
    const gateway = buildPlatform();
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    const stack = observabilityStack('request-metrics', gateway.renderRequestMetricsProgram()!);
    dir = stack.dir;
    const auth = { Authorization: `Bearer ${KEY}` };
    result = await runScenario({
      conf,
      hosts: HOSTS,
      certHost: HOST,
      files: { 'tenants/initech.map': `"${KEY}" initech;\n` },
      backends: [{ name: 'chat-agent-service', port: 8080 }, { name: 'embedder-service', port: 8080 }],
      helpers: stack.helpers,
      deadlineMs: 60_000,
      steps: [
        // 1 + a burst of 3 pass, then 2 over the plan: 429 (rate_limit) for initech.
        { op: 'request', label: 'chat', url: `https://${HOST}/v1/chat/completions?id={i}`, count: 6,
          method: 'POST', bodyBytes: 100, headers: auth },
        { op: 'wait', ms: 3100 },
        { op: 'request', label: 'failing', url: `https://${HOST}/v1/chat/completions?status=500`, count: 2,
          method: 'POST', headers: auth },
        { op: 'wait', ms: 2100 },
        { op: 'request', label: 'slow', url: `https://${HOST}/v1/chat/completions?delay=700`, method: 'POST',
          headers: auth },
        { op: 'request', label: 'anonymous', url: `https://${HOST}/v1/chat/completions`, count: 2, method: 'POST' },
        { op: 'wait', ms: 1100 },
        { op: 'request', label: 'tooLarge', url: `https://${HOST}/v1/embeddings/`, method: 'POST', bodyBytes: 4096,
          headers: auth },
        { op: 'request', label: 'unrouted', url: `https://${HOST}/nowhere`, headers: auth },
        { op: 'fetch', label: 'mtail', url: 'http://127.0.0.1:3903/metrics',
          until: '^agent_gateway_http_requests_total\\{.*status="404".*\\} 1$' },
        promQuery('requests', 'sum by (route, upstream, tenant, method, status) (agent_gateway_http_requests_total)',
          '"status":"404"'),
        promQuery('rejected', 'sum by (route, tenant, reason) (agent_gateway_rejected_requests_total)',
          'body_too_large'),
        promQuery('slowBucket',
          'sum by (le) (agent_gateway_http_request_duration_seconds_bucket{route="/v1/chat/",tenant="initech"})',
          '"\\+Inf"'),
        promQuery('headerTime',
          'sum by (upstream) (agent_gateway_upstream_header_duration_seconds_count{route="/v1/chat/"})',
          'chat_agent|chat-agent'),
      ],
    });
  }, 90_000);

  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  test('the clients saw what the metrics will say', () => {
    expect(statusCounts(result.request('chat'))).toEqual({ 200: 4, 429: 2 });
    expect(statusCounts(result.request('failing'))).toEqual({ 500: 2 });
    expect(statusCounts(result.request('slow'))).toEqual({ 200: 1 });
    expect(statusCounts(result.request('anonymous'))).toEqual({ 401: 2 });
    expect(statusCounts(result.request('tooLarge'))).toEqual({ 413: 1 });
    expect(statusCounts(result.request('unrouted'))).toEqual({ 404: 1 });
  });

  test('requests by route, upstream, tenant, method and status, as Prometheus stored them', () => {
    expect(result.fetch('requests').matched).toBe(true);
    const got = Object.fromEntries(series(result, 'requests').map((s) =>
      [`${s.metric.route} ${s.metric.upstream} ${s.metric.tenant} ${s.metric.method} ${s.metric.status}`, s.value]));
    expect(got).toEqual({
      '/v1/chat/ chat_agent_backend initech POST 200': 5,
      '/v1/chat/ none initech POST 429': 2,
      '/v1/chat/ chat_agent_backend initech POST 500': 2,
      '/v1/chat/ none none POST 401': 2,
      '/v1/embeddings/ none initech POST 413': 1,
      'other none initech GET 404': 1,
    });
  });

  test('refused requests by reason: the plan\'s 429s, the missing key\'s 401s, the body limit\'s 413', () => {
    expect(result.fetch('rejected').matched).toBe(true);
    const got = Object.fromEntries(series(result, 'rejected').map((s) =>
      [`${s.metric.route} ${s.metric.tenant} ${s.metric.reason}`, s.value]));
    expect(got).toEqual({
      '/v1/chat/ initech rate_limit': 2,
      '/v1/chat/ none unauthenticated': 2,
      '/v1/embeddings/ initech body_too_large': 1,
    });
  });

  test('latency histograms with the configured buckets: the 700 ms call lands above 500 ms', () => {
    expect(result.fetch('slowBucket').matched).toBe(true);
    const buckets = Object.fromEntries(series(result, 'slowBucket').map((s) => [s.metric.le, s.value]));
    // 4 answered + 2 rejected + 2 failing on /v1/chat/ for initech (all fast) and the slow one.
    expect(buckets['+Inf']).toBe(9);
    expect(buckets['0.5']).toBe(8);
    expect(buckets['2']).toBe(9);
    expect(series(result, 'headerTime').map((s) => s.value)).toEqual([7]);
  });

  test('an observation of 0 s (a 401 answered at once) is counted in every bucket, as _count says', () => {
    const value = (suffix: string, le?: string) => {
      const found = result.fetch('mtail').body.split('\n').find((l) =>
        l.startsWith(`agent_gateway_http_request_duration_seconds_${suffix}{`) && l.includes('tenant="none"')
        && (le === undefined || l.includes(`le="${le}"`)));
      if (!found) throw new Error(`no ${suffix} ${le ?? ''} series for tenant none`);
      return Number(found.split(' ').pop());
    };
    expect(value('count')).toBe(2);
    expect(value('sum')).toBe(0);
    expect(value('bucket', '0.1')).toBe(2);
    expect(value('bucket', '+Inf')).toBe(2);
  });

  test('the series the promtool tests use are the ones this run produced (test/support/fixtures)', () => {
    const seen = gatewaySeries(result.fetch('mtail').body);
    if (process.env.UPDATE_GATEWAY_SERIES) fs.writeFileSync(GATEWAY_SERIES_FIXTURE, `${seen.join('\n')}\n`);
    expect(seen).toEqual(readGatewaySeries());
  });

  test('nginx logs no failed send and no other problem than the refusals it always logs', () => {
    const expected = /limiting requests|client intended to send too large body/;
    const problems = result.nginxLog.split('\n').filter((l) => /\[(warn|error|crit)\]/.test(l) && !expected.test(l));
    expect(problems).toEqual([]);
  });
});

describe('Scale from zero: the cold start on the real nginx, and KEDA\'s query on the real Prometheus', () => {
  let result: ScenarioResult;
  let query: string;
  let dir: string;

  beforeAll(async () => {
    const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
    const summarizer = platform.addAgent('summarizer', {
      image: 'registry.example.com/summarizer:1.0.0',
      gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
    });
    const gateway = platform.addGateway('gateway', {
      serverName: HOST, tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
    });
    const route = gateway.route('/v1/summarize/', summarizer);
    const scaler = platform.addAutoscaler('summarizer-scaler', {
      target: summarizer, minReplicas: 0, maxReplicas: 2,
      metrics: [ScalingMetric.gatewayRequestRate(gateway.requestSignal(route), 1)],
      keda: { prometheusServerAddress: 'http://127.0.0.1:9090' },
    });
    query = (scaler.resource.toJson() as any).spec.triggers[0].metadata.query;
    // The namespace label the Prometheus Operator puts on the gateway pods' series (PodMonitor).
    const stack = observabilityStack('cold-start', gateway.renderRequestMetricsProgram()!, '{ namespace: support }');
    dir = stack.dir;
    result = await runScenario({
      conf: gateway.renderNginxConf(GatewayTarget.standalone()),
      // No pod yet: nothing listens at the workload's address.
      hosts: { [HOST]: '127.0.0.1', 'summarizer-service': '127.0.0.31' },
      certHost: HOST,
      backends: [],
      helpers: stack.helpers,
      deadlineMs: 40_000,
      steps: [
        { op: 'wait', ms: 1500 },
        { op: 'request', label: 'cold', url: `https://${HOST}/v1/summarize/?id={i}`, count: 3, method: 'POST',
          bodyBytes: 10 },
        { op: 'fetch', label: 'mtail', url: 'http://127.0.0.1:3903/metrics', until: 'summarizer_backend' },
        promQuery('keda', query, '"value":\\[[0-9.]+,"[0-9.]*[1-9][0-9.]*"\\]'),
        promQuery('rateOnly', query.slice(0, query.indexOf(' or vector(0))')).replace(/^\(/, ''), '"value"'),
      ],
    });
  }, 60_000);

  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  test('a request while no pod is up gets 503 JSON with Retry-After, not a bare 502', () => {
    const cold = result.request('cold').responses;
    expect(cold.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(cold[0].headers['retry-after']).toBe('30');
    expect(cold[0].headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(cold[0].body).error).toMatchObject({ status: 503, message: expect.stringContaining('starting') });
  });

  test('the gateway counted them, and KEDA\'s query (as rendered in the ScaledObject) sees a rate above 0', () => {
    expect(query).toBe(
      '(sum(rate(agent_gateway_http_requests_total{namespace="support",upstream="summarizer_backend"}[60s])) or '
          + 'vector(0)) + (sum(agent_gateway_http_requests_total{namespace="support",upstream="summarizer_backend"} '
          + 'unless agent_gateway_http_requests_total{namespace="support",upstream="summarizer_backend"} offset 60s) '
          + 'or vector(0)) / 60',
    );
    const keda = result.fetch('keda');
    expect(keda.matched).toBe(true);
    expect(Number(JSON.parse(keda.body).data.result[0].value[1])).toBeGreaterThan(0);
    // Why the query has a second term: the counter was born at 3 (the first requests since mtail started), and
    // rate() alone sees no increase, so those requests would never wake the workload.
    expect(JSON.parse(result.fetch('rateOnly').body).data.result[0].value[1]).toBe('0');
  });
});

describe('Token usage on the real nginx with njs, mtail and Prometheus', () => {
  let result: ScenarioResult;
  let dir: string;
  const CHAT = `https://${HOST}/v1/chat/completions`;

  beforeAll(async () => {
    const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
    const chat = platform.addAgent('chat-agent', {
      image: 'registry.example.com/chat-agent:2.0.1',
      gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
    });
    const gateway = platform.addGateway('gateway', {
      serverName: HOST,
      tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
      nginxModules: [NginxModule.NJS],
    });
    gateway.route('/v1/chat/', chat, { tokenUsage: true });
    platform.addTenant('initech', { plan: platform.addRatePlan(RatePlan.perSecond('big', 100, { burst: 100 })) });
    const stack = observabilityStack('token-usage', gateway.renderRequestMetricsProgram()!);
    dir = stack.dir;
    const auth = { Authorization: `Bearer ${KEY}` };
    result = await runScenario({
      conf: gateway.renderNginxConf(GatewayTarget.standalone()),
      hosts: { [HOST]: '127.0.0.1', 'chat-agent-service': '127.0.0.21' },
      certHost: HOST,
      files: { 'tenants/initech.map': `"${KEY}" initech;\n`, ...gateway.nginxFiles() },
      backends: [{ name: 'chat-agent-service', port: 8080 }],
      helpers: stack.helpers,
      deadlineMs: 40_000,
      steps: [
        { op: 'request', label: 'json', url: `${CHAT}?openai=json&prompt=12&completion=34`, method: 'POST',
          bodyBytes: 50, headers: auth },
        // 40 kB of content (proxy buffers are 16k): the usage object comes in a later chunk than the model.
        { op: 'request', label: 'padded', url: `${CHAT}?openai=json&prompt=100&completion=200&pad=40000`,
          method: 'POST', bodyBytes: 50, headers: auth },
        { op: 'request', label: 'stream', method: 'POST', bodyBytes: 50, headers: auth,
          url: `${CHAT}?openai=stream&prompt=7&completion=5&interval=200&model=mistral-7b-instruct&id=stream` },
        promQuery('tokens', 'sum by (tenant, model, kind) (agent_gateway_tokens_total)', 'mistral'),
        { op: 'fetch', label: 'mtail', url: 'http://127.0.0.1:3903/metrics' },
      ],
    });
  }, 60_000);

  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  test('prompt and completion tokens per tenant and model, from JSON bodies and the stream\'s last chunk', () => {
    expect(result.fetch('tokens').matched).toBe(true);
    const got = Object.fromEntries(series(result, 'tokens').map((s) =>
      [`${s.metric.tenant} ${s.metric.model} ${s.metric.kind}`, s.value]));
    expect(got).toEqual({
      'initech llama-3.1-8b-instruct prompt': 112,
      'initech llama-3.1-8b-instruct completion': 234,
      'initech mistral-7b-instruct prompt': 7,
      'initech mistral-7b-instruct completion': 5,
    });
  });

  test('the responses reach the client unchanged, and the stream is not held back', () => {
    const json = result.request('json').responses[0];
    expect(JSON.parse(json.body).usage).toEqual({ prompt_tokens: 12, completion_tokens: 34, total_tokens: 46 });
    expect(JSON.parse(result.request('padded').responses[0].body).choices[0].message.content).toHaveLength(40_000);
    const stream = result.request('stream').responses[0];
    expect(stream.body.match(/^data: /gm)).toHaveLength(7);
    expect(stream.body.endsWith('data: [DONE]\n\n')).toBe(true);
    // The first token reached the client before the backend wrote the last one (five chunks 200 ms apart).
    const sent = result.backends['chat-agent-service'].log.find((l) => l.id === 'stream')!.eventsSentAt;
    const firstToken = stream.chunks.find((c) => c.text.includes('t0 '))!;
    expect(firstToken.at).toBeLessThan(sent[sent.length - 1]);
    expect(sent[sent.length - 1] - firstToken.at).toBeGreaterThan(500);
  });

  test('the token series the promtool tests use are the ones this run produced (test/support/fixtures)', () => {
    const seen = gatewaySeries(result.fetch('mtail').body).filter((s) => s.startsWith('agent_gateway_tokens_total'));
    if (process.env.UPDATE_GATEWAY_SERIES) fs.writeFileSync(GATEWAY_TOKEN_SERIES_FIXTURE, `${seen.join('\n')}\n`);
    expect(seen).toEqual(readGatewaySeries(GATEWAY_TOKEN_SERIES_FIXTURE));
  });

  test('nginx with njs logs no error', () => {
    expect(result.nginxLog.split('\n').filter((l) => /\[(error|crit|alert|emerg)\]/.test(l) && !/setrlimit/.test(l)))
      .toEqual([]);
  });
});
