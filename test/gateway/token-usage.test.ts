/**
 * Token usage in the model: opt-in per route, refused without njs or without the request metrics, and the
 * script shipped to every target beside nginx.conf (the end-to-end run is in test/e2e/request-metrics).
 */
import { App, Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { AiAgentPlatform, GatewayTarget, GpuType, NginxModule } from '../../lib';
import { findObject } from '../support/kube-schema';
import { blockOf } from '../support/nginx-text';
import { expectNginxConfigValid } from '../support/nginx-sandbox';

function platformWith(gatewayProps: Record<string, unknown> = { nginxModules: [NginxModule.NJS] }) {
  const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
  const chat = platform.addAgent('chat', {
    image: 'registry.example.com/chat:1.0.0', gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
  });
  const embed = platform.addModelService('embed', {
    image: 'registry.example.com/embed:1.0.0', gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(2) },
  });
  const gateway = platform.addGateway('gateway', { serverName: 'ai.example.com', ...gatewayProps });
  return { platform, gateway, chat, embed };
}

test('off by default: no njs, no script, the line says none and -', () => {
  const { gateway, chat } = platformWith({});
  gateway.route('/v1/chat/', chat);
  const conf = gateway.renderNginxConf(GatewayTarget.standalone());
  expect(conf).not.toMatch(/load_module|js_/);
  expect(conf).toContain('model=none prompt_tokens=- completion_tokens=-');
  expect(gateway.nginxFiles()).toEqual({});
});

test('on one route: njs loaded first, the filter on that route only, the upstream asked not to compress', () => {
  const { gateway, chat, embed } = platformWith();
  gateway.route('/v1/chat/', chat, { tokenUsage: true });
  gateway.route('/v1/embeddings/', embed);
  const conf = gateway.renderNginxConf(GatewayTarget.kubernetes());
  expect(conf.split('\n').find((l) => l && !l.startsWith('#'))).toBe('load_module modules/ngx_http_js_module.so;');
  expect(conf).toContain('js_import gateway_usage from /etc/nginx/token-usage.js;');
  expect(blockOf(conf, 'location /v1/chat/ {')).toEqual(expect.arrayContaining([
    'js_body_filter gateway_usage.filter buffer_type=buffer;', 'proxy_set_header Accept-Encoding "";',
  ]));
  expect(blockOf(conf, 'location /v1/embeddings/ {').join('\n')).not.toContain('js_');
  expect(conf).toContain(
    'model=$gateway_metric_model prompt_tokens=$gateway_prompt_tokens completion_tokens=$gateway_completion_tokens',
  );
});

test('the script reaches every target: ConfigMap key and mount, Compose file and mount, the VM\'s artifact', () => {
  const { platform, gateway, chat } = platformWith();
  gateway.route('/v1/chat/', chat, { tokenUsage: true });
  platform.addComposeStack('compose', { gpus: 2 });
  const objects = Testing.synth(platform);
  const script = gateway.nginxFiles()['token-usage.js'];
  expect(script).toContain('r.sendBuffer(data, flags);');
  expect(findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data['token-usage.js']).toBe(script);
  const nginx = findObject(objects, 'Deployment', 'ai-gateway').spec.template.spec.containers[0];
  expect(nginx.volumeMounts).toContainEqual(
    { name: 'nginx-conf', mountPath: '/etc/nginx/token-usage.js', subPath: 'token-usage.js', readOnly: true },
  );
  const artifacts = platform.renderArtifacts();
  expect(artifacts.find((a) => a.path === 'nginx/token-usage.js')?.content).toBe(script);
  expect(artifacts.find((a) => a.path === 'compose/nginx/token-usage.js')?.content).toBe(script);
  const compose = YAML.parse(artifacts.find((a) => a.path === 'compose/docker-compose.yml')!.content);
  expect(compose.services.nginx.volumes).toContainEqual(
    { type: 'bind', source: './nginx/token-usage.js', target: '/etc/nginx/token-usage.js', read_only: true },
  );
});

test('refused without njs in the builds or without the request metrics, naming the route and what to do', () => {
  const noNjs = platformWith({});
  expect(() => noNjs.gateway.route('/v1/chat/', noNjs.chat, { tokenUsage: true })).toThrow(
    "AgentGateway 'gateway': route(/v1/chat/).tokenUsage (true) needs the njs module in the gateway's builds: "
      + 'nginxModules: [NginxModule.NJS]',
  );
  const noMetrics = platformWith({ nginxModules: [NginxModule.NJS], requestMetrics: false });
  expect(() => noMetrics.gateway.route('/v1/chat/', noMetrics.chat, { tokenUsage: true })).toThrow(
    'route(/v1/chat/).tokenUsage (true) needs the gateway\'s request metrics (requestMetrics is false)',
  );
});

test('the njs directives are refused by a build that does not declare the module', () => {
  const { gateway, chat } = platformWith();
  gateway.route('/v1/chat/', chat, { extraDirectives: [{ type: 'directive', name: 'js_set', args: ['$x', 'm.f'] }] });
  expect(() => gateway.renderNginxConf(GatewayTarget.standalone())).not.toThrow();
  const plain = platformWith({});
  plain.gateway.route('/v1/chat/', plain.chat,
    { extraDirectives: [{ type: 'directive', name: 'js_set', args: ['$x', 'm.f'] }] });
  expect(() => plain.gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
    "'js_*' directives of the njs module needs the njs module (declare it in the build's modules)",
  );
});

test('nginx -t accepts every rendering with njs and the script in place (standalone, Kubernetes, Compose)', () => {
  const { gateway, chat, embed } = platformWith();
  gateway.route('/v1/chat/', chat, { tokenUsage: true });
  gateway.route('/v1/embeddings/', embed);
  const files = gateway.nginxFiles();
  expectNginxConfigValid(gateway.renderNginxConf(GatewayTarget.standalone()),
    { hosts: ['chat-service', 'embed-service'], files });
  expectNginxConfigValid(gateway.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion: '1.22.1' })), {
    hosts: ['chat-service.support.svc.cluster.local', 'embed-service.support.svc.cluster.local'], files,
  });
  expectNginxConfigValid(gateway.renderNginxConf(
    GatewayTarget.compose({ serviceNameOf: (w) => w.serviceName, nginxVersion: '1.22.1' }),
  ), { hosts: ['chat-service', 'embed-service'], files });
});
