import { Chart, Testing } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AgentAutoscaler, AgentGateway, AiAgentPlatform, AlertRules, ApiKeyHeader, ComposeStack, EnvValue, GatewayTarget,
  GatewayUpstream, GpuAgentDeployment, GpuType, RateLimit, RateLimitZone, RatePlan, Redis, ScalingMetric, ScalingPolicy,
  Tenant,
} from '../../lib';
import { findObject, findObjects } from '../support/kube-schema';
import { NetworkPolicyModel } from '../support/network-policy';

type Lib = typeof import('../../lib');

const IMAGE = 'registry.example.com/ai-agent:v1.2.0';

/** A second copy of the package, as when a user's and a dependency's copies meet: distinct classes. */
function secondCopy(): Lib {
  let copy: Lib | undefined;
  jest.isolateModules(() => {
    copy = require('../../lib');
  });
  return copy!;
}

/** An object of no class of ours that carries a brand, as another copy's instance would. */
function branded(className: string): object {
  return { [Symbol.for(`cdk8s-ai-agent-platform.${className}`)]: true };
}

function platform(): AiAgentPlatform {
  return new AiAgentPlatform(Testing.app(), 'ai-platform');
}

describe('add* methods take an id the user chose, then props', () => {
  test('the ids become construct ids; the rendered names come from props', () => {
    const p = platform();
    const agent = p.addAgent('ai-agent', { image: IMAGE });
    const gateway = p.addGateway('edge', { serverName: 'ai.example.com' });
    gateway.route('/api/', agent);
    const alerts = p.addAlerts('monitoring');
    const compose = p.addComposeStack('local');
    const tenant = p.addTenant('acme', { plan: p.addRatePlan(RatePlan.perSecond('gold', 5)) });
    expect([gateway.node.id, alerts.node.id, compose.node.id, tenant.node.id])
      .toEqual(['edge', 'monitoring', 'local', 'acme']);
    expect([gateway.name, alerts.name, tenant.name]).toEqual(['ai-gateway', 'ai-agent-alerts', 'acme']);
    expect(p.compose).toBe(compose);
  });

  test('fails when a second gateway is added, naming both ids', () => {
    const p = platform();
    p.addGateway('edge', { serverName: 'ai.example.com' });
    expect(() => p.addGateway('edge2', { serverName: 'ai.example.com', name: 'other' }))
      .toThrow("AiAgentPlatform 'ai-platform': cannot add gateway 'edge2': already has a gateway ('edge')");
  });

  test('fails when a second Compose stack is added, naming both ids', () => {
    const p = platform();
    p.addComposeStack('local');
    expect(() => p.addComposeStack('local2'))
      .toThrow("AiAgentPlatform 'ai-platform': cannot add Compose stack 'local2': already has one ('local')");
  });

  test('fails when a second alerting is added, naming both ids', () => {
    const p = platform();
    p.addAlerts('monitoring');
    expect(() => p.addAlerts('more'))
      .toThrow("AiAgentPlatform 'ai-platform': cannot add alerts 'more': already has alerts ('monitoring')");
  });
});

describe('Tenant is (scope, id, props)', () => {
  test('renders on its own, with the platform facts as props', () => {
    const chart = Testing.chart();
    const tenant = new Tenant(chart, 'acme', { plan: RatePlan.perSecond('gold', 5), platformNamespace: 'platform' });
    tenant.addAgent('acme-agent', { image: IMAGE });
    const objects = Testing.synth(chart);
    expect(tenant.namespace).toBe('tenant-acme');
    expect(tenant.gatewayAccess).toEqual({ namespace: 'platform', podLabels: expect.any(Object) });
    const labels = findObject(objects, 'Namespace', 'tenant-acme').metadata.labels;
    expect(labels['app.kubernetes.io/part-of']).toBe('ai-agent-platform');
    const policies = JSON.stringify(findObjects(objects, 'NetworkPolicy'));
    expect(policies).toContain('"kubernetes.io/metadata.name":"platform"');
    expect(policies).toContain('"kubernetes.io/metadata.name":"monitoring"');
    // Its pool: in from the platform's gateway pods, out to the platform's Redis and model services.
    const model = new NetworkPolicyModel(objects);
    const pool = NetworkPolicyModel.pods(objects)[0];
    const platformPod = (component: string, ports: Record<string, number>) => ({
      id: component, namespace: 'platform', ports, ip: '10.245.0.1',
      labels: { 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': 'ai-agent-platform' },
    });
    expect(model.allows(platformPod('gateway', {}), pool, 8080)).toBe(true);
    expect(model.allows(platformPod('agent', {}), pool, 8080)).toBe(false);
    expect(model.allows(pool, platformPod('model', { http: 8000 }), 8000)).toBe(true);
    expect(model.allows(pool, platformPod('cache', { redis: 6379 }), 6379)).toBe(false); // no REDIS_URL given
    expect(model.allows(pool, platformPod('agent', { http: 8080 }), 8080)).toBe(false);
  });

  test('on its own, renders its pools as they are at each synth', () => {
    const chart = Testing.chart();
    const tenant = new Tenant(chart, 'acme', { plan: RatePlan.perSecond('gold', 5), platformNamespace: 'platform' });
    tenant.addAgent('acme-agent', { image: IMAGE });
    const ingressOf = (name: string) => findObject(Testing.synth(chart), 'NetworkPolicy', name).spec.ingress;
    expect(ingressOf('acme-agent')).toHaveLength(1); // the platform's gateway
    tenant.addAgent('acme-helper', { image: IMAGE });
    expect(ingressOf('acme-helper')).toEqual(ingressOf('acme-agent'));
  });

  test('fails when platformNamespace is not a DNS label', () => {
    const props = { plan: RatePlan.perSecond('gold', 5), platformNamespace: 'Platform' };
    expect(() => new Tenant(Testing.chart(), 'acme', props))
      .toThrow("Tenant 'acme': platformNamespace (\"Platform\") must be a DNS-1123 label");
  });

  test('the platform hands its pools to the gateway through onAgentAdded (once)', () => {
    const props = { plan: RatePlan.perSecond('gold', 5), platformNamespace: 'platform' };
    const tenant = new Tenant(Testing.chart(), 'acme', props);
    const seen: string[] = [];
    tenant.onAgentAdded((a) => seen.push(a.name));
    tenant.addAgent('acme-agent', { image: IMAGE });
    expect(seen).toEqual(['acme-agent']);
    expect(() => tenant.onAgentAdded(() => undefined)).toThrow("Tenant 'acme': onAgentAdded was already called");
  });
});

describe('AiAgentPlatform.of', () => {
  test('finds the platform of any construct inside it', () => {
    const p = platform();
    const agent = p.addAgent('ai-agent', { image: IMAGE });
    expect(AiAgentPlatform.of(agent)).toBe(p);
    expect(AiAgentPlatform.of(agent.node.defaultChild!)).toBe(p);
    expect(AiAgentPlatform.of(p)).toBe(p);
  });

  test('fails when the construct is not inside a platform', () => {
    const chart = Testing.chart();
    const orphan = new Construct(chart, 'orphan');
    expect(() => AiAgentPlatform.of(orphan)).toThrow(`'${orphan.node.path}' is not inside an AiAgentPlatform`);
  });

  test('finds a platform made by a second copy of the package', () => {
    const other = secondCopy();
    const p = new other.AiAgentPlatform(Testing.app(), 'ai-platform');
    const agent = p.addAgent('ai-agent', { image: IMAGE });
    expect(other.AiAgentPlatform).not.toBe(AiAgentPlatform);
    expect(AiAgentPlatform.of(agent)).toBe(p);
  });
});

describe('isX() checks a symbol brand, not instanceof', () => {
  const checks: Array<[string, (x: unknown) => boolean]> = [
    ['AiAgentPlatform', AiAgentPlatform.isAiAgentPlatform],
    ['GpuAgentDeployment', GpuAgentDeployment.isGpuAgentDeployment],
    ['AgentAutoscaler', AgentAutoscaler.isAgentAutoscaler], ['AgentGateway', AgentGateway.isAgentGateway],
    ['Tenant', Tenant.isTenant], ['AlertRules', AlertRules.isAlertRules], ['ComposeStack', ComposeStack.isComposeStack],
    ['Redis', Redis.isRedis], ['RatePlan', RatePlan.isRatePlan], ['GpuType', GpuType.isGpuType],
    ['EnvValue', EnvValue.isEnvValue],
    ['RateLimit', RateLimit.isRateLimit], ['RateLimitZone', RateLimitZone.isRateLimitZone],
    ['ApiKeyHeader', ApiKeyHeader.isApiKeyHeader], ['GatewayUpstream', GatewayUpstream.isGatewayUpstream],
    ['ScalingMetric', ScalingMetric.isScalingMetric], ['ScalingPolicy', ScalingPolicy.isScalingPolicy],
  ];

  test.each(checks)('%s: true for a branded object of another copy, false for anything else', (name, is) => {
    expect(is(branded(name))).toBe(true);
    expect(is(branded(`${name}X`))).toBe(false);
    expect(is({})).toBe(false);
    expect(is(undefined)).toBe(false);
    expect(is(null)).toBe(false);
    expect(is('x')).toBe(false);
  });

  test('recognises instances of this copy and of a second copy', () => {
    const other = secondCopy();
    const p = platform();
    const agent = p.addAgent('ai-agent', { image: IMAGE });
    expect([AiAgentPlatform.isAiAgentPlatform(p), GpuAgentDeployment.isGpuAgentDeployment(agent), Chart.isChart(p)])
      .toEqual([true, true, true]);
    expect(GpuAgentDeployment.isGpuAgentDeployment(p)).toBe(false);
    expect(other.RateLimit.perSecond(5) instanceof RateLimit).toBe(false);
    expect(RateLimit.isRateLimit(other.RateLimit.perSecond(5))).toBe(true);
    expect(other.RateLimit.isRateLimit(RateLimit.perSecond(5))).toBe(true);
    expect(GpuType.isGpuType(other.GpuType.A10_24GB)).toBe(true);
  });

  test("value objects of a second copy pass validation and render as this copy's", () => {
    const other = secondCopy();
    const render = (lib: Lib) => {
      const p = platform();
      const agent = p.addAgent('ai-agent', {
        image: IMAGE, gpu: { type: lib.GpuType.A10_24GB }, env: { A: lib.EnvValue.value('1') },
      });
      p.addGateway('Gateway', {
        serverName: 'ai.example.com',
        rateLimits: [lib.RateLimitZone.perClientIp('per_ip', lib.RateLimit.perSecond(10))],
        tenancy: { apiKeyHeaders: [lib.ApiKeyHeader.named('X-API-Key')] },
      }).route('/api/', agent);
      p.addTenant('acme', { plan: p.addRatePlan(lib.RatePlan.perSecond('gold', 5)) });
      p.addAutoscaler('hpa', { target: agent, maxReplicas: 4, metrics: [lib.ScalingMetric.cpu(70)] });
      return [p.gateway!.renderNginxConf(GatewayTarget.standalone()), JSON.stringify(Testing.synth(p))];
    };
    const thisCopy = { GpuType, EnvValue, RateLimitZone, RateLimit, ApiKeyHeader, RatePlan, ScalingMetric } as Lib;
    expect(render(other)).toEqual(render(thisCopy));
  });

  test('fails when a value is a look-alike without the brand', () => {
    const p = platform();
    const agent = p.addAgent('ai-agent', { image: IMAGE });
    const lookAlike = { ...RateLimitZone.perClientIp('per_ip', RateLimit.perSecond(10)) } as RateLimitZone;
    const gateway = () => p.addGateway('Gateway', { serverName: 'ai.example.com', rateLimits: [lookAlike] });
    expect(() => gateway().route('/api/', agent))
      .toThrow(/AgentGateway 'Gateway': rateLimits\[0\] \(.*\) must be a RateLimitZone/);
  });
});

describe('env takes only this library\'s EnvValue', () => {
  test.each([
    ['fromValue', () => plus.EnvValue.fromValue('info'), '{"value":"info"}'],
    ['fromSecretValue',
      (scope: Construct) => plus.EnvValue.fromSecretValue({
        secret: plus.Secret.fromSecretName(scope, 's', 'keys'), key: 'k',
      }),
      '{"valueFrom":{"secretKeyRef":{"name":"keys","key":"k"}}}'],
  ])('fails when env holds a cdk8s-plus EnvValue.%s, instead of rendering no value', (_, make, shown) => {
    const p = platform();
    const value = make(p) as unknown as EnvValue;
    expect(() => p.addAgent('ai-agent', { image: IMAGE, env: { API_KEY: value } })).toThrow(
      `GpuAgentDeployment 'ai-agent': env.API_KEY (${shown}) must be an EnvValue of cdk8s-ai-agent-platform `
      + '(EnvValue.value(text) or EnvValue.fromSecret(secretName, key)), not a cdk8s-plus EnvValue or another object');
  });

  test('renders the library\'s EnvValue (also from a second copy) with its value', () => {
    const other = secondCopy();
    const p = platform();
    const values = { A: EnvValue.value('1'), B: other.EnvValue.fromSecret('keys', 'b') };
    p.addAgent('ai-agent', { image: IMAGE, env: values });
    const env = findObject(Testing.synth(p), 'Deployment', 'ai-agent').spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'A', value: '1' },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'keys', key: 'b' } } },
    ]));
  });
});
