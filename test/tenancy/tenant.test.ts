import { Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { AiAgentPlatform, ApiKeySource, GpuType, RatePlan, Tenant, TENANT_LABEL } from '../../lib';
import { dnsLabel, FC_PARAMS } from '../support/arbitraries';
import { expectValidKubernetes, findObject, findObjects, schemaProblems } from '../support/kube-schema';
import { NetworkPolicyModel, PodModel } from '../support/network-policy';
import { trafficDifferences } from '../support/declared-traffic';
import { pattern } from '../support/patterns';
import { auditSecurity } from '../support/security-audit';

const IMAGE = 'registry.example.com/ai-agent:v1.2.0';

function platformWithTenants() {
  const platform = new AiAgentPlatform(Testing.app(), 'ai-platform');
  platform.addAgent('ai-agent', { image: IMAGE, serviceName: 'ai-agent-service' });
  platform.addModelService('model-service', { image: 'registry.example.com/model-service:v1.2.0' });
  const gold = platform.addRatePlan(RatePlan.perSecond('gold', 50, { burst: 100 }));
  const basic = platform.addRatePlan(RatePlan.perMinute('basic', 600));
  const acme = platform.addTenant('acme', {
    plan: gold,
    quota: { gpus: 4, cpu: Cpu.units(16), memory: Size.gibibytes(64) },
    team: { groups: ['acme-devs'], readOnly: false },
  });
  acme.addAgent('acme-agent', { image: IMAGE, replicas: 2, gpu: { type: GpuType.A10_24GB, count: 2 } });
  const globex = platform.addTenant('globex', { plan: basic, apiKeys: ApiKeySource.secret('globex-keys') });
  return { platform, acme, globex, gold, basic };
}

const TLS = { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem', secretName: 'tls' };

describe('Tenant', () => {
  test('gets a restricted namespace, quota, limit range, isolation policies and RBAC; all valid Kubernetes', () => {
    const { platform } = platformWithTenants();
    const objects = Testing.synth(platform);
    expect(
      objects.filter((o: any) => o.metadata.namespace === 'tenant-acme' || o.metadata.name === 'tenant-acme'),
    ).toMatchSnapshot();
    expectValidKubernetes(objects);
    expect(auditSecurity(objects)).toEqual([]);

    const ns = findObject(objects, 'Namespace', 'tenant-acme');
    expect(ns.metadata.labels).toMatchObject({
      [TENANT_LABEL]: 'acme',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    expect(ns.metadata.namespace).toBeUndefined();
    const quota = findObjects(objects, 'ResourceQuota').find((q) => q.metadata.namespace === 'tenant-acme');
    expect(quota.spec.hard).toEqual({
      'requests.cpu': '16', 'limits.cpu': '32', 'requests.memory': '64Gi', 'limits.memory': '128Gi',
      'requests.nvidia.com/gpu': '4', 'pods': '50',
    });
    const limits = findObjects(objects, 'LimitRange').find((l) => l.metadata.namespace === 'tenant-acme');
    expect(limits.spec.limits[0].defaultRequest).toEqual({ cpu: '100m', memory: '128Mi' });
    const role = findObjects(objects, 'Role').find((r) => r.metadata.namespace === 'tenant-acme');
    expect(role.rules).toContainEqual({
      apiGroups: ['apps'],
      resources: ['deployments/scale'],
      verbs: ['get', 'update', 'patch'],
    });
    const binding = findObjects(objects, 'RoleBinding').find((r) => r.metadata.namespace === 'tenant-acme');
    expect(binding.subjects).toEqual([{ kind: 'Group', name: 'acme-devs', apiGroup: 'rbac.authorization.k8s.io' }]);
    expect(findObjects(objects, 'Role').filter((r) => r.metadata.namespace === 'tenant-globex')).toHaveLength(0);
  });

  test('tenant pools run in the tenant namespace, labelled with the tenant, using the shared Redis by FQDN', () => {
    const { platform, acme } = platformWithTenants();
    const objects = Testing.synth(platform);
    const deployment = findObjects(objects, 'Deployment', 'acme-agent')[0];
    expect(deployment.metadata.namespace).toBe('tenant-acme');
    expect(deployment.spec.template.metadata.labels[TENANT_LABEL]).toBe('acme');
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({
      name: 'REDIS_URL',
      value: 'redis://redis.ai-platform.svc:6379',
    });
    expect(acme.agents.map((a) => a.name)).toEqual(['acme-agent']);
    expect(platform.tenants.map((t) => [t.name, t.plan.name, t.apiKeys.secretName])).toEqual([
      ['acme', 'gold', 'acme-api-keys'],
      ['globex', 'basic', 'globex-keys'],
    ]);
  });

  test("network isolation: no pod of one tenant reaches another's; gateway and shared services are reachable", () => {
    const { platform } = platformWithTenants();
    const gateway = platform.addGateway('Gateway', { serverName: 'api.example.com', tls: TLS });
    gateway.route('/v1/agent/', platform.agents[0]);
    const other = platform.addTenant('initech', { plan: platform.ratePlans[0], quota: { gpus: 1 } });
    other.addAgent('initech-agent', { image: IMAGE, gpu: { type: GpuType.T4_16GB } });
    platform.tenants[1].addAgent('globex-agent', { image: IMAGE });
    const objects = Testing.synth(platform);
    const model = new NetworkPolicyModel(objects);
    const pods = NetworkPolicyModel.pods(objects);
    const GATEWAY = pods.find((p) => p.id === 'ai-platform/ai-gateway')!;
    const parties = { ingressNamespace: 'ingress-nginx', monitoringNamespace: 'monitoring' };
    expect(trafficDifferences(platform, objects, parties)).toEqual([]);
    const tenantOf = (p: PodModel) => p.labels[TENANT_LABEL];
    const byName = (name: string) => pods.find((p) => p.id.endsWith(`/${name}`))!;

    const tenantPods = pods.filter(tenantOf);
    expect(tenantPods.map((p) => p.id).sort()).toEqual([
      'tenant-acme/acme-agent',
      'tenant-globex/globex-agent',
      'tenant-initech/initech-agent',
    ]);
    for (const a of tenantPods) {
      for (const b of tenantPods.filter((p) => tenantOf(p) !== tenantOf(a))) {
        for (const port of [...Object.values(b.ports), 22, 6379]) {
          expect([a.id, b.id, port, model.allows(a, b, port)]).toEqual([a.id, b.id, port, false]);
        }
      }
      // in: only the gateway; out: shared Redis and model services, never the platform's own agents
      expect(model.allows(GATEWAY, a, 8080)).toBe(true);
      expect(model.allows(a, byName('redis'), 6379)).toBe(true);
      expect(model.allows(a, byName('model-service'), 8080)).toBe(true);
      expect(model.allows(a, byName('ai-agent'), 8080)).toBe(false);
      expect(model.allows(a, byName('redis'), 8080)).toBe(false);
      expect(model.allows(byName('ai-agent'), a, 8080)).toBe(false);
      expect(model.allows(byName('redis'), a, 8080)).toBe(false);
    }
    // the evaluator itself can say yes within the platform
    expect(model.allows(byName('ai-agent'), byName('redis'), 6379)).toBe(true);
  });

  test('property: for any set of tenants with pools, no pod of tenant A can reach a pod of tenant B', () => {
    const batches: any[] = [];
    fc.assert(
      fc.property(
        fc.uniqueArray(dnsLabel, { minLength: 2, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 }),
        (names, pools) => {
          const platform = new AiAgentPlatform(Testing.app(), 'p');
          const plan = platform.addRatePlan(RatePlan.perSecond('std', 10));
          names.forEach((name, i) => {
            const tenant = platform.addTenant(name, { plan, quota: { gpus: 8 } });
            for (let j = 0; j < pools[i]; j++) {
              tenant.addAgent(`${name}-pool-${j}`.slice(0, 60).replace(/-+$/, ''), { image: IMAGE });
            }
          });
          const objects = Testing.synth(platform);
          batches.push(...objects);
          const model = new NetworkPolicyModel(objects);
          const pods = NetworkPolicyModel.pods(objects).filter((p) => p.labels[TENANT_LABEL]);
          for (const a of pods) {
            for (const b of pods) {
              if (a.labels[TENANT_LABEL] !== b.labels[TENANT_LABEL]) expect(model.allows(a, b, 8080)).toBe(false);
            }
          }
        },
      ),
      { ...FC_PARAMS, numRuns: Math.min(FC_PARAMS.numRuns ?? 100, 50) },
    );
    expect(schemaProblems(batches)).toEqual([]);
  });

  test('isolation can be turned off, and then the evaluator sees tenants reach each other', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    const plan = platform.addRatePlan(RatePlan.perSecond('std', 10));
    platform.addTenant('a', { plan, networkIsolation: false }).addAgent('a-agent', { image: IMAGE });
    platform.addTenant('b', { plan }).addAgent('b-agent', { image: IMAGE });
    const objects = Testing.synth(platform);
    expect(findObjects(objects, 'NetworkPolicy').filter((p) => p.metadata.namespace === 'tenant-a')).toHaveLength(0);
    const model = new NetworkPolicyModel(objects);
    const [a, b] = ['a-agent', 'b-agent'].map((n) => NetworkPolicyModel.pods(objects).find((p) => p.id.endsWith(n))!);
    expect(model.allows(b, a, 8080)).toBe(false); // b's own egress policies still hold b back
    expect(model.allows(a, b, 8080)).toBe(false); // b's ingress policies keep a out
    expect(
      new NetworkPolicyModel(objects.filter((o: any) => o.metadata.namespace !== 'tenant-b')).allows(a, b, 8080),
    ).toBe(true);
  });

  describe('validation', () => {
    test('fails when two tenants share a name', () => {
      const { platform, gold } = platformWithTenants();
      expect(() => platform.addTenant('acme', { plan: gold })).toThrow(/tenant name \("acme"\) is already used/);
    });
    test('fails when the name is not a DNS label', () => {
      const { platform, gold } = platformWithTenants();
      expect(() => platform.addTenant('Acme Corp', { plan: gold })).toThrow(
        /Tenant 'Acme Corp': name \("Acme Corp"\) must be a DNS-1123 label/,
      );
    });
    test('fails when the name is empty, naming the tenant\'s name (not the constructs library\'s empty id)', () => {
      const { platform, gold } = platformWithTenants();
      expect(() => platform.addTenant('', { plan: gold })).toThrow(
        /^Tenant '': name \(""\) must be a DNS-1123 label: .*\nTenant '': namespace \("tenant-"\) must be a DNS-1123/,
      );
    });
    test('fails when partOf, the monitoring namespace or the quota break the API server\'s rules', () => {
      const props = {
        plan: RatePlan.perSecond('gold', 5), platformNamespace: 'platform', partOf: 'a;b', monitoringNamespace: 'Mon',
        quota: { cpu: Cpu.millis(0) },
      };
      expect(() => new Tenant(Testing.chart(), 'acme', props)).toThrow(pattern(
        /^Tenant 'acme': monitoringNamespace \("Mon"\) must be a DNS-1123 label: .*\n/,
        /Tenant 'acme': partOf \("a;b"\) must be a Kubernetes label value: .*\n/,
        /Tenant 'acme': quota.cpu \(0m\) must be a CPU quantity larger than zero$/,
      ));
    });
    test('fails when the plan is not one of the platform\'s', () => {
      const { platform } = platformWithTenants();
      expect(() => platform.addTenant('initech', { plan: RatePlan.perSecond('platinum', 500) })).toThrow(
        pattern(
          /tenant 'initech' has plan \(platinum \(500r\/s, burst 1000\)\) that is not a plan of this platform;/,
          / known: gold, basic/,
        ),
      );
    });
    test('fails when the quota is below a pool\'s request', () => {
      const { platform, gold } = platformWithTenants();
      const t = platform.addTenant('initech', { plan: gold, quota: { gpus: 1, memory: Size.gibibytes(4) } });
      t.addAgent('big', { image: IMAGE, replicas: 2, gpu: { type: GpuType.A100_80GB, count: 1 } });
      expect(() => Testing.synth(platform)).toThrow(
        pattern(
          /Tenant 'initech': quota.gpus \(1\) is below the GPUs its pools request/,
          / \(2; big: 2 × \(1 GPU, 2 cpu, 4Gi\)\)/,
          /[\s\S]*quota.memory \(4Gi\) is below the memory its pools request \(8Gi/,
        ),
      );
    });
    test('a GPU quota equal to the pool\'s replicas lets rollouts happen (no surge pod by default)', () => {
      const { platform, gold } = platformWithTenants();
      const quota = { gpus: 2, cpu: Cpu.units(8), memory: Size.gibibytes(16) };
      const t = platform.addTenant('initech', { plan: gold, quota });
      const pool = t.addAgent('pool', { image: IMAGE, replicas: 2, gpu: { type: GpuType.L4_24GB, count: 1 } });
      expect(pool.rollout).toEqual({ maxSurge: 0, maxUnavailable: 1 });
      expect(() => Testing.synth(platform)).not.toThrow();
    });
    test('fails when the quota cannot hold the surge pods a rollout creates', () => {
      const { platform, gold } = platformWithTenants();
      const quota = { gpus: 2, cpu: Cpu.units(8), memory: Size.gibibytes(16) };
      const t = platform.addTenant('initech', { plan: gold, quota });
      t.addAgent('pool', {
        image: IMAGE, replicas: 2, gpu: { type: GpuType.L4_24GB, count: 1 },
        rollout: { maxSurge: 1, maxUnavailable: 0 },
      });
      expect(() => Testing.synth(platform)).toThrow(
        "Tenant 'initech': quota.gpus (2) is below the GPUs its pools request (3; pool: 3 × (1 GPU, 2 cpu, 4Gi) "
          + 'counting 1 surge pod(s) of a rollout)',
      );
    });
    test('fails when a rate plan is invalid or two plans share a name', () => {
      expect(() => RatePlan.perSecond('Gold', 0, { burst: -1 })).toThrow(
        pattern(
          /RatePlan 'Gold': name \("Gold"\) must be 1-32 lowercase/,
          /[\s\S]*rate \(0\) must be an integer >= 1/,
          /[\s\S]*burst \(-1\) must be an integer >= 0/,
        ),
      );
      const { platform } = platformWithTenants();
      expect(() => platform.addRatePlan(RatePlan.perSecond('gold', 5))).toThrow(
        /rate plan name \("gold"\) is already used by gold \(50r\/s, burst 100\)/,
      );
    });
    test('fails when a tenant namespace clashes', () => {
      const { platform, gold } = platformWithTenants();
      expect(() => platform.addTenant('x', { plan: gold, namespace: 'tenant-acme' })).toThrow(
        /tenant 'x' has namespace \("tenant-acme"\) already used by tenant 'acme'/,
      );
    });
  });
});
