/**
 * OpenAI-style routes on the real nginx: exact paths (`/v1/embeddings`) and prefixes (`/v1/chat/`, or
 * `/v1/models` with PathMatch.PREFIX) match as Gateway API's Exact and PathPrefix do, and no API path is ever
 * answered with a redirect (nginx 301s `POST /v1/chat` to `/v1/chat/` for a bare prefix location). The same
 * platform's Ingress and HTTPRoute say the same.
 */
import { App, Size, Testing } from 'cdk8s';
import { AiAgentPlatform, GatewayEdge, GatewayTarget, GpuType, PathMatch } from '../../lib';
import { findObject } from '../support/kube-schema';
import { runScenario, ScenarioResult } from './scenario';

const HOST = 'api.example.com';
const HOSTS = { [HOST]: '127.0.0.1', 'chat-service': '127.0.0.21', 'embed-service': '127.0.0.22',
  'models-service': '127.0.0.23' };

function platformWith(edge = GatewayEdge.ingress()) {
  const platform = new AiAgentPlatform(new App(), 'openai', { namespace: 'openai', redis: false });
  const gpu = { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(4) };
  const chat = platform.addAgent('chat', { image: 'registry.example.com/chat:1.0.0', gpu });
  const embed = platform.addModelService('embed', { image: 'registry.example.com/embed:1.0.0', gpu });
  const models = platform.addModelService('models', { image: 'registry.example.com/models:1.0.0', gpu });
  const gateway = platform.addGateway('gateway', {
    serverName: HOST, edge, rateLimits: [],
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
  });
  gateway.route('/v1/embeddings', embed);
  gateway.route('/v1/chat/', chat);
  gateway.route('/v1/models', models, { match: PathMatch.PREFIX });
  return { platform, gateway };
}

describe('OpenAI-style routes (real nginx)', () => {
  let result: ScenarioResult;
  const cases: Array<[string, string, number, string | undefined]> = [
    ['POST', '/v1/embeddings', 200, 'embed-service'],
    ['POST', '/v1/embeddings?x=1', 200, 'embed-service'],
    ['POST', '/v1/embeddings/', 404, undefined],
    ['POST', '/v1/embeddings/x', 404, undefined],
    ['POST', '/v1/chat', 200, 'chat-service'],
    ['POST', '/v1/chat/', 200, 'chat-service'],
    ['POST', '/v1/chat/completions', 200, 'chat-service'],
    ['POST', '/v1/chatty', 404, undefined],
    ['GET', '/v1/models', 200, 'models-service'],
    ['GET', '/v1/models/llama-3.1-8b', 200, 'models-service'],
    ['GET', '/v1/modelsx', 404, undefined],
  ];

  beforeAll(async () => {
    const { gateway } = platformWith();
    result = await runScenario({
      conf: gateway.renderNginxConf(GatewayTarget.standalone()),
      hosts: HOSTS,
      certHost: HOST,
      backends: ['chat-service', 'embed-service', 'models-service'].map((name) => ({ name, port: 8080 })),
      steps: cases.map(([method, path], i) => ({
        op: 'request' as const, label: `case${i}`, method, url: `https://${HOST}${path}`,
        ...(method === 'POST' ? { bodyBytes: 20 } : {}),
      })),
    });
  }, 60_000);

  test.each(cases.map((c, i) => [i, ...c] as const))('#%i %s %s → %i from %s', (i, _m, _p, status, backend) => {
    const response = result.request(`case${i}`).responses[0];
    expect([response.status, response.headers['x-backend']]).toEqual([status, backend]);
    expect(response.headers.location).toBeUndefined();
  });
});

test('the Ingress and the HTTPRoute match the same way: Exact, and Prefix without the trailing slash', () => {
  const ingress = findObject(Testing.synth(platformWith().platform), 'Ingress', 'ai-gateway-ingress');
  expect(ingress.spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType])).toEqual([
    ['/v1/chat', 'Prefix'], ['/v1/embeddings', 'Exact'], ['/v1/models', 'Prefix'],
  ]);
  const route = findObject(Testing.synth(platformWith(
    GatewayEdge.httpRoute({ parentRefs: [{ name: 'shared', namespace: 'gateway-system' }] }),
  ).platform), 'HTTPRoute', 'ai-gateway-route');
  expect(route.spec.rules.map((r: any) => r.matches[0].path)).toEqual([
    { type: 'PathPrefix', value: '/v1/chat' }, { type: 'Exact', value: '/v1/embeddings' },
    { type: 'PathPrefix', value: '/v1/models' },
  ]);
});

test('a path taken twice is refused, also across the two forms (/v1/x exact and /v1/x/ prefix)', () => {
  const { gateway, platform } = platformWith();
  const [agent] = platform.agents;
  expect(() => gateway.route('/v1/chat', agent)).toThrow('route.path ("/v1/chat") is already routed');
  expect(() => gateway.route('/v1/embeddings/', agent)).toThrow('is already routed');
  expect(() => gateway.route('/health', agent)).toThrow("route.path (\"/health\") is the gateway's own");
});
