import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import {
  AiAgentPlatform, EdgeBackend, EgressTarget, GatewayEdge, GpuAgentDeployment, NetworkPort, PathMatch, PlatformApp,
  RatePlan, UpstreamServer,
} from '../../lib';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { ClusterParties, trafficDifferences } from '../support/declared-traffic';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { Endpoint, NetworkPolicyModel, PodModel } from '../support/network-policy';
import { readManifests } from '../support/reference';
import { withTempDir } from '../support/tools';

const IMAGE = 'registry.example.com/agent:v1.0.0';
const TLS = { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem', secretName: 'tls' };
const PARTIES: ClusterParties = { ingressNamespace: 'gateway-system', monitoringNamespace: 'observability' };

/**
 * A platform of our own, not the reference: agents that call the internet, a vector database in another
 * namespace and each other; a model service; a search service in a namespace the platform does not own,
 * routed by the gateway; a gateway that also proxies to a partner's network; tenants with and without pools.
 */
function ownPlatform(options: { readonly backend?: EdgeBackend; readonly tenants?: boolean } = {}) {
  const app = Testing.app();
  const platform = new AiAgentPlatform(app, 'agents', {
    namespace: 'agents-prod',
    partOf: 'acme-ai',
    networkPolicies: PARTIES,
  });
  const planner = platform.addAgent('planner', { image: IMAGE });
  const tools = platform.addAgent('tools', { image: IMAGE, port: 9000 });
  const llm = platform.addModelService('llm', { image: IMAGE, port: 8000 });
  planner.allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443)] });
  const qdrant = EgressTarget.namespace('vector-db', { podLabels: { app: 'qdrant' } });
  planner.allowTo(qdrant, { ports: [NetworkPort.tcp(6333), NetworkPort.tcp(6334)] });
  planner.allowTo(tools);
  const search = new GpuAgentDeployment(new Chart(app, 'search'), 'search', { image: IMAGE, namespace: 'search' });
  const gateway = platform.addGateway('Gateway', {
    serverName: 'api.acme.example',
    tls: TLS,
    edge: GatewayEdge.ingress({ backend: options.backend }),
  });
  gateway.route('/v1/plan/', planner);
  gateway.route('/v1/embeddings', llm, { match: PathMatch.EXACT });
  gateway.route('/v1/search/', search);
  if (options.backend !== EdgeBackend.WORKLOADS) {
    gateway.route('/v1/partner/', gateway.addUpstream({
      name: 'partner', servers: [UpstreamServer.of('partner.example.net:443')],
    }));
    gateway.allowTo(EgressTarget.cidr('203.0.113.0/24', { except: ['203.0.113.128/25'] }), {
      ports: [NetworkPort.tcp(443)],
    });
  }
  if (options.tenants !== false && options.backend !== EdgeBackend.WORKLOADS) {
    const plan = platform.addRatePlan(RatePlan.perSecond('std', 20));
    const acme = platform.addTenant('acme', { plan, quota: { gpus: 0 } });
    acme.addAgent('acme-planner', { image: IMAGE, replaces: planner })
      .allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443)] });
    platform.addTenant('globex', { plan });
    const initech = platform.addTenant('initech', { plan });
    initech.addAgent('initech-planner', { image: IMAGE, replaces: planner })
      .allowTo(EgressTarget.namespace('initech-data'), { ports: [NetworkPort.tcp(5432)] });
  }
  return { app, platform, planner, tools, llm, search, gateway };
}

/** Pods and addresses the own platform's `allowTo`s name, and some they do not. */
const EXTRA: Endpoint[] = [
  {
    id: 'vector-db/qdrant', namespace: 'vector-db', labels: { app: 'qdrant' }, ports: { api: 6333, grpc: 6334 },
    ip: '10.245.1.1',
  },
  { id: 'vector-db/admin', namespace: 'vector-db', labels: { app: 'admin' }, ports: { grpc: 6333 }, ip: '10.245.1.2' },
  { id: 'initech-data/db', namespace: 'initech-data', labels: {}, ports: { pg: 5432 }, ip: '10.245.1.3' },
  { id: 'partner-inside', ip: '203.0.113.5' },
  { id: 'partner-excepted', ip: '203.0.113.200' },
];
const EXTRA_PORTS = [5432, 6333, 6334, 6379, 8000, 9000];

const synthAll = (app: App) => app.charts.flatMap((c) => c.toJson());
const podOf = (objects: any[], id: string): PodModel => {
  const found = NetworkPolicyModel.pods(objects).find((p) => p.id === id);
  if (!found) throw new Error(`no pod ${id}`);
  return found;
};

describe('NetworkPolicies follow the model: every declared connection is allowed and nothing else', () => {
  test('a platform of our own: routes, dependencies, allowTo a workload, a namespace, a CIDR, the internet', () => {
    const { app } = ownPlatform();
    const objects = synthAll(app);
    const { platform } = { platform: app.charts.find((c) => AiAgentPlatform.isAiAgentPlatform(c)) as AiAgentPlatform };
    expect(trafficDifferences(platform, objects, PARTIES, { extraEndpoints: EXTRA, ports: EXTRA_PORTS })).toEqual([]);
    expectValidKubernetes(objects);

    // What the check above covers, spelled out for the connections users ask about.
    const model = new NetworkPolicyModel(objects);
    const [planner, tools, llm, search, gateway, redis, acme, initech] = [
      'agents-prod/planner', 'agents-prod/tools', 'agents-prod/llm', 'search/search', 'agents-prod/ai-gateway',
      'agents-prod/redis', 'tenant-acme/acme-planner', 'tenant-initech/initech-planner',
    ].map((id) => podOf(objects, id));
    const at = (ip: string) => ({ id: ip, ip });
    expect(model.allows(gateway, search, 8080)).toBe(true); // a route into a namespace the platform does not own
    expect(model.allows(gateway, llm, 8000)).toBe(true);
    expect(model.allows(gateway, redis, 6379)).toBe(false);
    expect(model.allows(gateway, at('203.0.113.5'), 443)).toBe(true);
    expect(model.allows(gateway, at('203.0.113.200'), 443)).toBe(false);
    expect(model.allows(gateway, at('8.8.8.8'), 443)).toBe(false);
    expect(model.allows(planner, tools, 9000)).toBe(true);
    expect(model.allows(tools, planner, 8080)).toBe(false);
    expect(model.allows(planner, at('8.8.8.8'), 443)).toBe(true);
    expect(model.allows(planner, at('2001:4860:4860::8888'), 443)).toBe(true);
    expect(model.allows(planner, at('8.8.8.8'), 80)).toBe(false);
    expect(model.allows(planner, at('169.254.169.254'), 443)).toBe(false); // the cloud metadata service
    expect(model.allows(planner, at('10.1.2.3'), 443)).toBe(false);
    // Nor the other private, link-local and loopback ranges, IPv4 and IPv6.
    for (const ip of ['100.64.0.1', '127.0.0.1', '172.16.0.1', '192.168.1.1', '::1', 'fd12::1', 'fe80::1']) {
      expect([ip, model.allows(planner, at(ip), 443)]).toEqual([ip, false]);
    }
    expect(model.allows(planner, search, 8080)).toBe(false);
    expect(model.allows(planner, EXTRA[0], 6333)).toBe(true);
    expect(model.allows(planner, EXTRA[0], 6334)).toBe(true);
    expect(model.allows(planner, EXTRA[1], 6333)).toBe(false);
    expect(model.allows(tools, at('8.8.8.8'), 443)).toBe(false);
    expect(model.allows(acme, at('8.8.8.8'), 443)).toBe(true);
    expect(model.allows(acme, redis, 6379)).toBe(true);
    expect(model.allows(acme, llm, 8000)).toBe(true);
    expect(model.allows(acme, initech, 8080)).toBe(false);
    expect(model.allows(initech, EXTRA[2], 5432)).toBe(true);
    expect(model.allows(acme, EXTRA[2], 5432)).toBe(false);
    expect(model.allows(gateway, acme, 8080)).toBe(true);
    expect(model.allows(planner, acme, 8080)).toBe(false);
  });

  test('the edge bypass: the ingress controller reaches the routed workloads, the gateway only for the rest', () => {
    const controller = { id: 'c', namespace: 'gateway-system', labels: {}, ports: {}, ip: '10.245.0.9' };
    const { app, platform, gateway, search } = ownPlatform({ backend: EdgeBackend.WORKLOADS });
    const objects = synthAll(app);
    expect(trafficDifferences(platform, objects, PARTIES, { extraEndpoints: EXTRA, ports: EXTRA_PORTS })).toEqual([]);
    const model = new NetworkPolicyModel(objects);
    expect(model.allows(controller, podOf(objects, 'agents-prod/planner'), 8080)).toBe(true);
    expect(model.allows(controller, podOf(objects, 'agents-prod/llm'), 8000)).toBe(true);
    // The search route's workload is in another namespace: the edge cannot name its Service, the gateway takes it.
    expect(gateway.edgeWorkload(gateway.routes.find((r) => r.upstream.workload === search)!)).toBeUndefined();
    expect(model.allows(controller, podOf(objects, 'agents-prod/ai-gateway'), 8080)).toBe(true);

    // Without it, every route bypasses the gateway: nothing reaches the gateway pods.
    const solo = Testing.app();
    const p = new AiAgentPlatform(solo, 'p', { networkPolicies: PARTIES });
    const edge = GatewayEdge.ingress({ backend: EdgeBackend.WORKLOADS });
    const g = p.addGateway('Gateway', { serverName: 'api.example.com', tls: TLS, edge });
    g.route('/v1/', p.addAgent('a', { image: IMAGE }));
    const soloObjects = synthAll(solo);
    expect(trafficDifferences(p, soloObjects, PARTIES)).toEqual([]);
    const soloModel = new NetworkPolicyModel(soloObjects);
    expect(soloModel.allows(controller, podOf(soloObjects, 'ai-platform/ai-gateway'), 8080)).toBe(false);
    expect(soloModel.allows(controller, podOf(soloObjects, 'ai-platform/a'), 8080)).toBe(true);
  });

  test('the reference platform', () => {
    const app = Testing.app();
    const platform = buildReferencePlatform(app);
    const objects = synthAll(app);
    const parties = { ingressNamespace: 'ingress-nginx', monitoringNamespace: 'monitoring' };
    expect(trafficDifferences(platform, objects, parties, { ports: [6379] })).toEqual([]);
    // Each pod of the platform and the tenant's pool has a policy of its own, named after it.
    expect(findObjects(objects, 'NetworkPolicy').map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort())
      .toEqual([
        'ai-platform/ai-agent', 'ai-platform/ai-gateway', 'ai-platform/allow-dns-egress',
        'ai-platform/allow-prometheus-scrape', 'ai-platform/default-deny-all', 'ai-platform/model-service',
        'ai-platform/redis',
        'tenant-acme/acme-agent', 'tenant-acme/allow-dns-egress', 'tenant-acme/allow-prometheus-scrape',
        'tenant-acme/default-deny-all',
        'tenant-globex/allow-dns-egress', 'tenant-globex/allow-prometheus-scrape', 'tenant-globex/default-deny-all',
      ]);
  });

  test('the check fails when a policy lets through more, or less, than the model declares', () => {
    const { app, platform } = ownPlatform();
    const objects = synthAll(app);
    const check = (changed: any[]) =>
      trafficDifferences(platform, changed, PARTIES, { extraEndpoints: EXTRA, ports: EXTRA_PORTS });
    const withoutRedis = objects.filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'redis'));
    expect(check(withoutRedis)).toContain('declared, blocked: agents-prod/planner -> agents-prod/redis TCP/6379');
    const allowAll = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'allow-all', namespace: 'agents-prod' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
    };
    expect(check([...objects, allowAll])).toContain('allowed, not declared: agents-prod/tools -> internet-v4 TCP/443');
  });

  test('PlatformApp renders the policies from the model as it is at each synth', () => withTempDir((dir) => {
    const app = new PlatformApp({ outdir: path.join(dir, 'dist') });
    const platform = new AiAgentPlatform(app, 'p');
    const agent = platform.addAgent('a', { image: IMAGE });
    platform.addGateway('Gateway', { serverName: 'api.example.com', tls: TLS }).route('/v1/', agent);
    const egressOf = () => findObject(readManifests(path.join(dir, 'dist')), 'NetworkPolicy', 'a').spec.egress;
    app.synth();
    expect(egressOf()).toHaveLength(1); // Redis
    agent.allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443)] });
    app.synth();
    expect(egressOf()).toHaveLength(2);
    expect(egressOf()[1].ports).toEqual([{ port: 443, protocol: 'TCP' }]);
  }));

  test('policies are valid Kubernetes and name their ports as the pods do', () => {
    const { app } = ownPlatform();
    const objects = synthAll(app);
    const planner = findObject(objects, 'NetworkPolicy', 'planner');
    expect(planner.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(planner.spec.egress).toContainEqual({
      ports: [{ port: 443, protocol: 'TCP' }],
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']) } },
        { ipBlock: { cidr: '::/0', except: expect.arrayContaining(['fc00::/7']) } },
      ],
    });
    expect(findObject(objects, 'NetworkPolicy', 'ai-gateway').spec.egress).toContainEqual({
      ports: [{ port: 'http', protocol: 'TCP' }],
      to: expect.arrayContaining([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'search' } },
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'search', 'app.kubernetes.io/part-of': 'ai-agent-platform' },
        },
      }]),
    });
  });
});

describe("tenants' pools in the policies of the services they share", () => {
  const agentLabels = { 'app.kubernetes.io/component': 'agent', 'app.kubernetes.io/part-of': 'acme-ai' };

  /** A platform with Redis and tenants' pools, no gateway. */
  const withTenants = (tenants: Record<string, string[]>) => {
    const app = Testing.app();
    const platform = new AiAgentPlatform(app, 'agents', {
      namespace: 'agents-prod', partOf: 'acme-ai', networkPolicies: PARTIES,
    });
    platform.addAgent('planner', { image: IMAGE });
    const plan = platform.addRatePlan(RatePlan.perSecond('std', 20));
    for (const [name, pools] of Object.entries(tenants)) {
      const tenant = platform.addTenant(name, { plan });
      for (const pool of pools) tenant.addAgent(pool, { image: IMAGE });
    }
    return { app, platform };
  };

  test('every tenant pool is one peer of the shared Redis, however many tenants there are', () => {
    const redisPeers = (tenants: Record<string, string[]>) => {
      const { app, platform } = withTenants(tenants);
      const objects = synthAll(app);
      expect(trafficDifferences(platform, objects, PARTIES)).toEqual([]);
      return findObject(objects, 'NetworkPolicy', 'redis').spec.ingress.flatMap((r: any) => r.from);
    };
    expect(redisPeers({ a: ['a-agent'], b: ['b-agent', 'b-helper'], c: ['c-agent'] }))
      .toHaveLength(redisPeers({ a: ['a-agent'] }).length);
  });

  test('the one peer admits tenant pools only: no look-alike outside tenant namespaces, no other pod in them', () => {
    const { app } = ownPlatform();
    const objects = synthAll(app);
    const model = new NetworkPolicyModel(objects);
    const redis = podOf(objects, 'agents-prod/redis');
    const lookAlike = { id: 'other/agent', namespace: 'other', labels: agentLabels, ports: {}, ip: '10.245.2.1' };
    expect(model.allows(lookAlike, redis, 6379)).toBe(false);
    // A pod of a tenant whose own isolation is off, that is not one of its pools.
    const { app: app2, platform } = ownPlatform();
    platform.addTenant('open', { plan: platform.ratePlans[0], networkIsolation: false });
    const objects2 = synthAll(app2);
    const stranger = { id: 'tenant-open/stranger', namespace: 'tenant-open', labels: {}, ports: {}, ip: '10.245.2.2' };
    expect(new NetworkPolicyModel(objects2).allows(stranger, podOf(objects2, 'agents-prod/redis'), 6379)).toBe(false);
  });

  test("a tenant's pool reached by another of its pools is named exactly, not as every tenant's pools", () => {
    const { app, platform } = withTenants({ acme: ['acme-agent', 'acme-helper'], initech: ['initech-agent'] });
    const [acmeAgent, acmeHelper] = platform.tenants[0].agents;
    acmeAgent.allowTo(acmeHelper);
    // A tenant that isolates nothing of its own: only the target's policy can keep its pool out.
    platform.addTenant('open', { plan: platform.ratePlans[0], networkIsolation: false }).addAgent('open-agent', {
      image: IMAGE,
    });
    const objects = synthAll(app);
    expect(trafficDifferences(platform, objects, PARTIES)).toEqual([]);
    const model = new NetworkPolicyModel(objects);
    const to = podOf(objects, 'tenant-acme/acme-helper');
    expect(model.allows(podOf(objects, 'tenant-acme/acme-agent'), to, 8080)).toBe(true);
    expect(model.allows(podOf(objects, 'tenant-initech/initech-agent'), to, 8080)).toBe(false);
    expect(model.allows(podOf(objects, 'tenant-open/open-agent'), to, 8080)).toBe(false);
  });
});

describe('allowTo validation', () => {
  test('a target needs ports unless it is a workload; ports and CIDRs are checked when made', () => {
    const { planner } = ownPlatform({ tenants: false });
    expect(() => planner.allowTo(EgressTarget.internet())).toThrow(
      "GpuAgentDeployment 'planner': allowTo ports ([]) must list at least one port for the internet"
      + ' (e.g. [NetworkPort.tcp(443)]): no target is opened on every port');
    expect(() => NetworkPort.tcp(0)).toThrow("NetworkPort 'tcp': port (0) must be an integer between 1 and 65535");
    expect(() => NetworkPort.udp(70000)).toThrow(/port \(70000\) must be an integer between 1 and 65535/);
    expect(() => EgressTarget.cidr('10.0.0.1/8')).toThrow(
      "EgressTarget 'cidr': cidr (\"10.0.0.1/8\") must be an IPv4 or IPv6 CIDR written as its network address");
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '010.0.0.0/8', '2001:db8::1/32', 'example.com/8', '10.0.0.0/08']) {
      expect(() => EgressTarget.cidr(bad)).toThrow(/must be an IPv4 or IPv6 CIDR/);
    }
    for (const good of ['0.0.0.0/0', '10.0.0.0/8', '203.0.113.7/32', '2001:db8::/32', '::/0', '::ffff:10.0.0.0/104']) {
      expect(() => EgressTarget.cidr(good)).not.toThrow();
    }
    expect(() => EgressTarget.cidr('10.0.0.0/8', { except: ['10.0.0.0/8', '192.168.0.0/16', '10.1.0.0/16'] })).toThrow(
      'EgressTarget \'cidr\': except[0] ("10.0.0.0/8") must be a strict subset of cidr ("10.0.0.0/8")\n'
      + 'EgressTarget \'cidr\': except[1] ("192.168.0.0/16") must be a strict subset of cidr ("10.0.0.0/8")');
    expect(() => EgressTarget.namespace('Vector DB'))
      .toThrow(/EgressTarget 'namespace': name \("Vector DB"\) must be a DNS-1123 label/);
  });

  test('fails at synth when an allowTo reaches into another tenant or names the platform namespace', () => {
    const { app, platform, planner } = ownPlatform();
    const [acme, , initech] = platform.tenants;
    acme.agents[0].allowTo(initech.agents[0]);
    planner.allowTo(acme.agents[0]);
    planner.allowTo(EgressTarget.namespace('tenant-globex'), { ports: [NetworkPort.tcp(80)] });
    planner.allowTo(EgressTarget.namespace('agents-prod'), { ports: [NetworkPort.tcp(80)] });
    expect(() => app.synth()).toThrow(new RegExp([
      "AiAgentPlatform 'agents': workload 'planner' allowTo\\[3\\] \\(workload \"acme-planner\" in \"tenant-acme\"\\)"
        + " reaches into tenant 'acme': a tenant's pods take traffic from the gateway and their own tenant only",
      "AiAgentPlatform 'agents': workload 'planner' allowTo\\[4\\] \\(namespace \"tenant-globex\"\\)"
        + " reaches into tenant 'globex'",
      "AiAgentPlatform 'agents': workload 'planner' allowTo\\[5\\] \\(namespace \"agents-prod\"\\)"
        + " is the platform's own"
        + ' namespace: pass the workload itself',
      "AiAgentPlatform 'agents': tenant 'acme' pool 'acme-planner' allowTo\\[1\\] \\(workload \"initech-planner\" in"
        + " \"tenant-initech\"\\) reaches into tenant 'initech'",
    ].join('[\\s\\S]*')));
  });

  test('fails at synth when the gateway must reach servers outside the model and nothing allows it', () => {
    const { app, gateway } = ownPlatform({ tenants: false });
    const app2 = Testing.app();
    const platform2 = new AiAgentPlatform(app2, 'p');
    const gateway2 = platform2.addGateway('Gateway', { serverName: 'api.example.com', tls: TLS });
    const openai = gateway2.addUpstream({ name: 'openai', servers: [UpstreamServer.of('api.openai.com:443')] });
    gateway2.route('/v1/openai/', openai);
    expect(() => app2.synth()).toThrow(
      "AiAgentPlatform 'p': gateway 'ai-gateway' must reach upstream 'openai' (api.openai.com:443), outside the model,"
      + " and the platform's NetworkPolicies let it reach only its routes' workloads: say where they are with"
      + ' gateway.allowTo(');
    gateway2.allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443)] });
    expect(() => app2.synth()).not.toThrow();
    expect(gateway.egressRules).toHaveLength(1);
    expect(() => app.synth()).not.toThrow();
  });

  test('an allowTo that no policy renders fails instead of doing nothing', () => {
    const app = Testing.app();
    const standalone = new GpuAgentDeployment(new Chart(app, 'c'), 'loner', { image: IMAGE });
    standalone.allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443)] });
    standalone.allowTo(EgressTarget.namespace('vector-db'), { ports: [NetworkPort.tcp(6333)] });
    expect(() => app.synth()).toThrow(
      "GpuAgentDeployment 'loner': allowTo (the internet, namespace \"vector-db\") has no effect:"
      + ' no NetworkPolicies isolate its pods'
      + ' (add it to an AiAgentPlatform with networkPolicies, or to a tenant with networkIsolation)');
    const app2 = Testing.app();
    const open = new AiAgentPlatform(app2, 'p', { networkPolicies: false });
    open.addAgent('a', { image: IMAGE }).allowTo(EgressTarget.cidr('192.0.2.0/24'), { ports: [NetworkPort.tcp(443)] });
    expect(() => app2.synth()).toThrow(/GpuAgentDeployment 'a': allowTo \(CIDR 192.0.2.0\/24\) has no effect/);
  });
});
