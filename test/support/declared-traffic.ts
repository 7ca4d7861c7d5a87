import { AiAgentPlatform, EgressTarget, IAgentWorkload, NetworkPort } from '../../lib';
import { AddressModel, Endpoint, inIpBlock, NetworkPolicyModel, PodModel } from './network-policy';

/**
 * The traffic a platform's model declares, written from its public API (routes, edge, agents, Redis, model
 * services, tenants' pools, `allowTo`) and independently of the library's own code, and a check that the
 * rendered NetworkPolicies allow exactly that: every declared connection, and nothing else, for every pair of
 * endpoints where at least one end is a pod the policies hold.
 */

/** Where the cluster's other parties live (what the platform was given). */
export interface ClusterParties {
  readonly ingressNamespace: string;
  readonly monitoringNamespace: string;
}

interface Edge {
  readonly why: string;
  readonly from: (e: Endpoint) => boolean;
  readonly to: (e: Endpoint) => boolean;
  /** True when the edge covers `port`/`protocol` on `to`. */
  readonly port: (to: Endpoint, port: number, protocol: 'TCP' | 'UDP') => boolean;
}

const pod = (e: Endpoint): e is PodModel => 'namespace' in e;
const idOf = (namespace: string, name: string) => `${namespace}/${name}`;
const isWorkload = (w: IAgentWorkload) => (e: Endpoint) => pod(e) && e.id === idOf(w.namespace, w.name);
const named = (name: string) => (to: Endpoint, port: number, protocol: string) =>
  protocol === 'TCP' && pod(to) && to.ports[name] === port;
const numbered = (ports: readonly NetworkPort[]) => (_to: Endpoint, port: number, protocol: string) =>
  ports.some((p) => p.port === port && p.protocol === protocol);
const inNamespace = (namespace: string, labels: Record<string, string> = {}) => (e: Endpoint) =>
  pod(e) && e.namespace === namespace && Object.entries(labels).every(([k, v]) => e.labels[k] === v);

/** Every edge the model declares. */
export function declaredEdges(platform: AiAgentPlatform, parties: ClusterParties): Edge[] {
  const edges: Edge[] = [];
  const ours = (e: Endpoint) => pod(e) && e.labels['app.kubernetes.io/part-of'] === platform.partOf;
  // Every pod of ours resolves names; Prometheus scrapes every metrics port of every pod of ours.
  edges.push({
    why: 'DNS', from: ours, to: inNamespace('kube-system', { 'k8s-app': 'kube-dns' }),
    port: (_to, port) => port === 53,
  });
  edges.push({
    why: 'scrape', from: inNamespace(parties.monitoringNamespace), to: ours,
    port: (to, port, protocol) => ['http', 'metrics', 'request-metrics'].some((n) => named(n)(to, port, protocol)),
  });
  const gateway = platform.gateway;
  const pools = platform.tenants.flatMap((t) => t.agents);
  const isGateway = (e: Endpoint) => gateway !== undefined && pod(e) && e.id === idOf(gateway.namespace, gateway.name);
  if (gateway) {
    const routed = gateway.routes.flatMap((r) => (r.upstream.workload ? [r.upstream.workload] : []));
    // The edge object sends each route to the gateway, or (bypassed) to the route's workload.
    const edge = inNamespace(parties.ingressNamespace);
    const bypassed = gateway.routes.flatMap((r) => gateway.edgeWorkload(r) ?? []);
    bypassed.forEach((w) =>
      edges.push({ why: `edge to ${w.name}`, from: edge, to: isWorkload(w), port: named('http') }));
    if (gateway.routes.length === 0 || gateway.routes.some((r) => !gateway.edgeWorkload(r))) {
      edges.push({ why: 'edge to the gateway', from: edge, to: isGateway, port: named('http') });
    }
    [...routed, ...pools].forEach((w) =>
      edges.push({ why: `gateway to ${w.name}`, from: isGateway, to: isWorkload(w), port: named('http') }));
    gateway.egressRules.forEach((r, i) => edges.push(allowed(`gateway allowTo[${i}]`, isGateway, r)));
  }
  const agents = [...platform.agents, ...pools];
  const redis = platform.redis;
  for (const agent of agents) {
    if (redis && agent.redisUrl && agent.redisUrl.startsWith(`redis://${redis.name}`)) {
      edges.push({
        why: `${agent.name} to Redis`, from: isWorkload(agent),
        to: (e) => pod(e) && e.id === idOf(platform.namespaceName, redis.name), port: named('redis'),
      });
    }
    for (const m of platform.modelServices) {
      edges.push({
        why: `${agent.name} to ${m.name}`, from: isWorkload(agent), to: isWorkload(m), port: named('http'),
      });
    }
  }
  for (const w of [...platform.allWorkloads, ...pools]) {
    w.egressRules.forEach((r, i) => edges.push(allowed(`${w.name} allowTo[${i}]`, isWorkload(w), r)));
  }
  return edges;
}

function allowed(
  why: string,
  from: (e: Endpoint) => boolean,
  rule: { target: any; ports?: readonly NetworkPort[] },
): Edge {
  const ports = rule.ports ? numbered(rule.ports) : named('http');
  const target = rule.target;
  if (!(target instanceof EgressTarget)) return { why, from, to: isWorkload(target), port: ports };
  const peer = (target as any)._peer;
  if ('namespace' in peer) return { why, from, to: inNamespace(peer.namespace, peer.podLabels), port: ports };
  const blocks = peer.ipBlocks as Array<{ cidr: string; except: string[] }>;
  return {
    why, from, port: ports,
    to: (e) => e.ip !== undefined && blocks.some((b) => inIpBlock(e.ip!, b)),
  };
}

/** The cluster's other parties as endpoints, and addresses outside it. */
export function bystanders(parties: ClusterParties, extra: readonly Endpoint[] = []): Endpoint[] {
  type Labels = Record<string, string>;
  const at = (namespace: string, name: string, labels: Labels, ports: Record<string, number>, ip: string) =>
    ({ id: `${namespace}/${name}`, namespace, labels, ports, ip });
  const addresses: AddressModel[] = [
    { id: 'internet-v4', ip: '8.8.8.8' },
    { id: 'internet-v6', ip: '2001:4860:4860::8888' },
    { id: 'private-network', ip: '10.1.2.3' },
    { id: 'cgnat', ip: '100.64.0.1' },
    { id: 'cloud-metadata', ip: '169.254.169.254' },
  ];
  return [
    at(parties.ingressNamespace, 'controller', { app: 'ingress-nginx' }, { http: 80 }, '10.245.0.1'),
    at(parties.monitoringNamespace, 'prometheus', { app: 'prometheus' }, { web: 9090 }, '10.245.0.2'),
    at('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, { dns: 53 }, '10.245.0.3'),
    at('default', 'stranger', { app: 'stranger' }, { http: 8080 }, '10.245.0.4'),
    ...addresses,
    ...extra,
  ];
}

/**
 * Every difference between what the rendered policies allow and what the model declares, over every pair
 * of endpoints where at least one end is a pod in a namespace with a default-deny policy, on every port
 * any endpoint has plus `ports`, over TCP and UDP: `allowed, not declared: a -> b TCP/22`.
 */
export function trafficDifferences(
  platform: AiAgentPlatform,
  objects: readonly any[],
  parties: ClusterParties,
  options: { readonly extraEndpoints?: readonly Endpoint[]; readonly ports?: readonly number[] } = {},
): string[] {
  const model = new NetworkPolicyModel(objects);
  const isolated = new Set(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all')
    .map((o) => o.metadata.namespace));
  const pods = NetworkPolicyModel.pods(objects);
  const endpoints = [...pods, ...bystanders(parties, options.extraEndpoints)];
  const held = (e: Endpoint) => pod(e) && isolated.has(e.namespace) && pods.includes(e);
  const ports = [...new Set([
    ...endpoints.flatMap((e) => (pod(e) ? Object.values(e.ports) : [])), 22, 53, 80, 443, ...(options.ports ?? []),
  ])].sort((a, b) => a - b);
  const edges = declaredEdges(platform, parties);
  const differences: string[] = [];
  for (const from of endpoints) {
    for (const to of endpoints) {
      if (!held(from) && !held(to)) continue;
      for (const protocol of ['TCP', 'UDP'] as const) {
        for (const port of ports) {
          const declared = edges.some((e) => e.from(from) && e.to(to) && e.port(to, port, protocol));
          const allows = model.allows(from, to, port, protocol);
          if (declared !== allows) {
            const verdict = allows ? 'allowed, not declared' : 'declared, blocked';
            differences.push(`${verdict}: ${from.id} -> ${to.id} ${protocol}/${port}`);
          }
        }
      }
    }
  }
  return differences;
}
