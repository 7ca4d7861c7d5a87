/**
 * Scaling from zero on the gateway's own request count: the gateway counts the requests to a workload's
 * upstream while the workload has no pods, so KEDA can wake it; the gateway answers those requests with a
 * deliberate 503 and Retry-After until a pod is ready.
 */
import { App, Duration, Size, Testing } from 'cdk8s';
import { AiAgentPlatform, GatewayTarget, GpuType, ScalingMetric } from '../../lib';
import { expectNginxConfigValid } from '../support/nginx-sandbox';
import { blockOf } from '../support/nginx-text';
import { expectValidKubernetes, findObject } from '../support/kube-schema';

const PROMETHEUS = 'http://prometheus-operated.monitoring:9090';
const SERIES = 'agent_gateway_http_requests_total{namespace="support",upstream="summarizer_backend"}';

function platformWithGateway(requestMetrics = true) {
  const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
  const gpu = { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) };
  const summarizer = platform.addAgent('summarizer', { image: 'registry.example.com/summarizer:1.0.0', gpu });
  const chat = platform.addAgent('chat', { image: 'registry.example.com/chat:1.0.0', gpu });
  const gateway = platform.addGateway('gateway', {
    serverName: 'ai.example.com', ...(requestMetrics ? {} : { requestMetrics: false }),
  });
  const summarize = gateway.route('/v1/summarize/', summarizer);
  const chatRoute = gateway.route('/v1/chat/', chat);
  return { platform, gateway, summarizer, chat, summarize, chatRoute };
}

describe('scale from zero on the gateway\'s request rate', () => {
  test('KEDA wakes the workload on the gateway\'s count of its upstream\'s requests', () => {
    const { platform, gateway, summarizer, summarize } = platformWithGateway();
    platform.addAutoscaler('summarizer-scaler', {
      target: summarizer, minReplicas: 0, maxReplicas: 4,
      metrics: [ScalingMetric.gatewayRequestRate(gateway.requestSignal(summarize), 2)],
      keda: { prometheusServerAddress: PROMETHEUS },
    });
    const objects = Testing.synth(platform);
    expectValidKubernetes(objects);
    const spec = findObject(objects, 'ScaledObject', 'summarizer').spec;
    expect(spec.minReplicaCount).toBe(0);
    expect(spec.triggers).toEqual([{
      type: 'prometheus',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: PROMETHEUS,
        query: `(sum(rate(${SERIES}[60s])) or vector(0)) + (sum(${SERIES} unless ${SERIES} offset 60s) or vector(0))`
          + ' / 60',
        threshold: '2',
      },
    }]);
    // The upstream in the query is the one the gateway renders for the route.
    expect(gateway.renderNginxConf(GatewayTarget.kubernetes())).toContain('upstream summarizer_backend {');
  });

  test('without KEDA the HPA asks an adapter for the per-second rate, selected by the same labels', () => {
    const { platform, gateway, chat, chatRoute } = platformWithGateway();
    platform.addAutoscaler('chat-hpa', {
      target: chat, minReplicas: 1, maxReplicas: 4,
      metrics: [ScalingMetric.gatewayRequestRate(gateway.requestSignal(chatRoute), 5, { window: Duration.minutes(2) })],
    });
    const hpa = findObject(Testing.synth(platform), 'HorizontalPodAutoscaler', 'chat-hpa');
    expect(hpa.spec.metrics).toEqual([{
      type: 'External',
      external: {
        metric: {
          name: 'agent_gateway_http_requests_per_second',
          selector: { matchLabels: { namespace: 'support', upstream: 'chat_backend' } },
        },
        target: { type: 'AverageValue', averageValue: 5 },
      },
    }]);
  });

  test('a signal counts one workload\'s requests: scaling another workload on it fails, naming both', () => {
    const { platform, gateway, chat, summarize } = platformWithGateway();
    expect(() => platform.addAutoscaler('chat-scaler', {
      target: chat, minReplicas: 0, maxReplicas: 4,
      metrics: [ScalingMetric.gatewayRequestRate(gateway.requestSignal(summarize), 2)],
      keda: { prometheusServerAddress: PROMETHEUS },
    })).toThrow('metrics[0] ("ScalingMetric.gatewayRequestRate(/v1/summarize/ → summarizer_backend, 2)") counts the '
      + "requests to 'summarizer', not to the target 'chat'");
  });

  test('the signal needs the request metrics and a route of this gateway', () => {
    const { gateway, summarize } = platformWithGateway(false);
    expect(() => gateway.requestSignal(summarize)).toThrow(
      "AgentGateway 'gateway': requestSignal(route) (\"/v1/summarize/\") needs the gateway's request metrics",
    );
    const other = platformWithGateway();
    expect(() => other.gateway.requestSignal(summarize)).toThrow('must be a route of this gateway');
  });

  test('the cold start is answered deliberately: 503 JSON with Retry-After on that route only', () => {
    const { platform, gateway, summarizer } = platformWithGateway();
    platform.addAutoscaler('summarizer-scaler', {
      target: summarizer, minReplicas: 0, maxReplicas: 4,
      metrics: [ScalingMetric.gatewayRequestRate(gateway.requestSignal(gateway.routes[0]), 2)],
      keda: { prometheusServerAddress: PROMETHEUS },
    });
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect(blockOf(conf, 'location /v1/summarize/ {')).toEqual(expect.arrayContaining([
      'error_page 502 =503 @cold_start;', 'error_page 429 @error_429;', 'error_page 504 @error_504;',
    ]));
    expect(blockOf(conf, 'location /v1/chat/ {').join('\n')).not.toContain('error_page');
    expect(blockOf(conf, 'location @cold_start {')).toEqual(expect.arrayContaining([
      'add_header Retry-After 30 always;',
    ]));
    expectNginxConfigValid(conf, { hosts: ['summarizer-service', 'chat-service'] });
  });
});
