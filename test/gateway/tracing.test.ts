/**
 * Trace context without and with OTLP export. Without: the gateway's own W3C handling (proven on the real
 * nginx in test/e2e/agent-gateway.e2e.test.ts). With: nginx's OpenTelemetry module, which Debian 12 does not
 * package, so these renderings are checked against the module's documented directives and the build
 * declaration, and cannot run through `nginx -t` here.
 */
import { App, Size } from 'cdk8s';
import { AiAgentPlatform, AgentGatewayProps, GatewayTarget, GpuType, NginxModule } from '../../lib';
import { blockOf } from '../support/nginx-text';

function gatewayWith(props: Partial<AgentGatewayProps>) {
  const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
  const chat = platform.addAgent('chat', {
    image: 'registry.example.com/chat:1.0.0', gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
  });
  const gateway = platform.addGateway('gateway', { serverName: 'ai.example.com', ...props });
  gateway.route('/v1/chat/', chat);
  return gateway;
}

test('by default: the trace context maps, traceparent to the agents, the trace id in the JSON log', () => {
  const conf = gatewayWith({}).renderNginxConf(GatewayTarget.kubernetes());
  expect(conf).toContain('map $http_traceparent $gateway_trace_id {');
  expect(blockOf(conf, 'location /v1/chat/ {')).toContain(
    'proxy_set_header traceparent 00-$gateway_trace_id-$gateway_span_id-$gateway_trace_flags;',
  );
  expect(conf).toContain('"trace_id":"$gateway_trace_id"');
  expect(conf).not.toMatch(/otel/);
});

test('with OTLP export: the module loaded, the exporter, a span per request, the module propagates', () => {
  const conf = gatewayWith({
    nginxModules: [NginxModule.OTEL],
    tracing: { otlpEndpoint: 'otel-collector.monitoring.svc:4317' },
  }).renderNginxConf(GatewayTarget.kubernetes());
  expect(conf).toContain('load_module modules/ngx_otel_module.so;');
  expect(blockOf(conf, 'otel_exporter {')).toEqual(['endpoint otel-collector.monitoring.svc:4317;']);
  expect(conf).toContain('otel_service_name ai-gateway;');
  expect(conf).toContain('otel_trace on;');
  expect(conf).toContain('otel_trace_context propagate;');
  expect(conf).toContain('"trace_id":"$otel_trace_id"');
  // The module sets traceparent itself; a second header of the gateway's would contradict it.
  expect(blockOf(conf, 'location /v1/chat/ {').join('\n')).not.toContain('traceparent');
  expect(conf).not.toContain('$gateway_trace_id');
});

test('refused without the module in the builds, or with an endpoint that is not host:port', () => {
  expect(() => gatewayWith({ tracing: { otlpEndpoint: 'otel:4317' } })).toThrow(
    "AgentGateway 'gateway': tracing (\"otel:4317\") needs nginx's OpenTelemetry module in the builds: "
      + 'nginxModules: [NginxModule.OTEL]',
  );
  expect(() => gatewayWith({ nginxModules: [NginxModule.OTEL], tracing: { otlpEndpoint: 'http://otel:4317/' } }))
    .toThrow('tracing.otlpEndpoint ("http://otel:4317/") must be host:port of an OTLP/gRPC collector');
});

test('the otel directives are refused by a build that does not declare the module', () => {
  const gateway = gatewayWith({});
  gateway.route('/v1/x/', gateway.routes[0].upstream,
    { extraDirectives: [{ type: 'directive', name: 'otel_span_name', args: ['x'] }] });
  expect(() => gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
    "'otel_*' directives of nginx's OpenTelemetry module needs the otel module",
  );
});
