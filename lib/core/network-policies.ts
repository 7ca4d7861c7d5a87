import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { METRICS_PORT_NAMES, TENANT_LABEL } from './pod';
import { COMPONENT_LABEL, WorkloadRole } from './workload-role';

/**
 * The platform's network model, and the NetworkPolicies rendered from it. Every namespace the platform
 * isolates gets a default-deny, DNS to kube-dns and Prometheus's scrape; every group of pods it renders
 * (a workload, the gateway, Redis) gets one policy of its own, named after it, that lets in and out exactly
 * the {@link Connection}s the model declares for it: the gateway's routes, the agents' Redis and model
 * services, the edge, and what the user allowed with `allowTo`. Nothing else passes.
 */

/** Pods the platform renders, which get a NetworkPolicy of their own. */
export interface PodGroup {
  /** Name of the workload: the name of its policy. */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select exactly these pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** What the pods are (`app.kubernetes.io/component`). */
  readonly role: WorkloadRole;
  /** The platform's `app.kubernetes.io/part-of`. */
  readonly partOf: string;
  /** The tenant the pods belong to, for a tenant's pool. */
  readonly tenant?: string;
}

/** A TCP or UDP port of a policy rule: a number, or the name of a container port of the destination pods. */
export interface PolicyPort {
  /** `TCP` or `UDP`. */
  readonly protocol: 'TCP' | 'UDP';
  /** Port number or container port name. */
  readonly port: number | string;
}

/** An IP block: a CIDR and the blocks inside it that are excluded. */
export interface IpBlock {
  /** The CIDR, e.g. `0.0.0.0/0`. */
  readonly cidr: string;
  /** CIDRs inside it that are not included. */
  readonly except: readonly string[];
}

/** One end of a {@link Connection}. */
export type TrafficPeer =
  /** Pods the platform renders. */
  | { readonly pods: PodGroup }
  /** The pods of a namespace (all, or those with the labels), e.g. an ingress controller's or a database's. */
  | { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> }
  /** Addresses outside the cluster's pods. */
  | { readonly ipBlocks: readonly IpBlock[] };

/** Traffic the model declares: `from` may open connections to `to` on `ports`. */
export interface Connection {
  /** Who opens the connection. */
  readonly from: TrafficPeer;
  /** Who accepts it. */
  readonly to: TrafficPeer;
  /** The destination ports. */
  readonly ports: readonly PolicyPort[];
}

/** The rules of one pod group's policy. */
interface GroupRules {
  readonly ingress: Array<{ readonly peer: TrafficPeer; readonly ports: readonly PolicyPort[] }>;
  readonly egress: Array<{ readonly peer: TrafficPeer; readonly ports: readonly PolicyPort[] }>;
}

const groupKey = (g: PodGroup) => `${g.namespace}/${g.name}`;

/**
 * The connections of a platform, collected from sources asked at synth (routes and dependencies can be
 * declared after a workload's policy exists), indexed once per rendering by the pod group they concern.
 */
export class TrafficGraph {
  private readonly sources: Array<() => readonly Connection[]> = [];
  private index?: Map<string, GroupRules>;
  private readonly cached: boolean;

  /**
   * @param options.cached keep the index until {@link refresh} (a platform refreshes before each rendering);
   * false to build it at every question (a small graph with no one to refresh it)
   */
  constructor(options: { readonly cached?: boolean } = {}) {
    this.cached = options.cached ?? true;
  }

  /** Adds a source of connections, asked at every rendering. */
  public addSource(source: () => readonly Connection[]): void {
    this.sources.push(source);
    this.index = undefined;
  }

  /** Forgets the connections collected for the last rendering, so the next one sees the model as it is then. */
  public refresh(): void {
    this.index = undefined;
  }

  /** Every connection the sources declare now. */
  public connections(): Connection[] {
    return this.sources.flatMap((source) => source());
  }

  /** The connections into (`ingress`) and out of (`egress`) a pod group. */
  public rulesOf(group: PodGroup): GroupRules {
    const index = this.index ?? this.buildIndex();
    if (this.cached) this.index = index;
    return index.get(groupKey(group)) ?? { ingress: [], egress: [] };
  }

  private buildIndex(): Map<string, GroupRules> {
    const index = new Map<string, GroupRules>();
    const rulesFor = (g: PodGroup) => {
      const key = groupKey(g);
      let rules = index.get(key);
      if (!rules) index.set(key, (rules = { ingress: [], egress: [] }));
      return rules;
    };
    for (const c of this.connections()) {
      if ('pods' in c.from) rulesFor(c.from.pods).egress.push({ peer: c.to, ports: c.ports });
      if ('pods' in c.to) rulesFor(c.to.pods).ingress.push({ peer: c.from, ports: c.ports });
    }
    return index;
  }
}

const port = (p: PolicyPort): k8s.NetworkPolicyPort => ({
  protocol: p.protocol,
  port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port),
});
const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const anyTenantNamespace = { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] };
const DNS_PORTS: PolicyPort[] = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];

/** Labels of the platform's gateway pods (AgentGateway renders them): what tenant namespaces let in. */
export function gatewayPodLabels(partOf: string): Record<string, string> {
  return { [COMPONENT_LABEL]: WorkloadRole.GATEWAY, 'app.kubernetes.io/part-of': partOf };
}

/**
 * A peer as a policy in `namespace` names it. Another tenant's pods stand for every tenant's pods of their
 * kind: the policy of each tenant pool says exactly what it may reach and who reaches it, so the side
 * that sees many tenants (Redis, the model services, the gateway) needs one peer for all of them, not one
 * per tenant, and still admits nothing the tenants' own policies refuse.
 */
function policyPeers(peer: TrafficPeer, namespace: string): k8s.NetworkPolicyPeer[] {
  if ('ipBlocks' in peer) {
    return peer.ipBlocks.map((b) => ({
      ipBlock: { cidr: b.cidr, except: b.except.length ? [...b.except] : undefined },
    }));
  }
  if ('namespace' in peer) {
    const podSelector = peer.podLabels ? { matchLabels: { ...peer.podLabels } } : undefined;
    return [{ namespaceSelector: inNamespace(peer.namespace), podSelector }];
  }
  const g = peer.pods;
  if (g.tenant !== undefined && g.namespace !== namespace) {
    return [{
      namespaceSelector: anyTenantNamespace,
      podSelector: { matchLabels: { [COMPONENT_LABEL]: g.role, 'app.kubernetes.io/part-of': g.partOf } },
    }];
  }
  const podSelector = { matchLabels: { ...g.selectorLabels } };
  return [g.namespace === namespace ? { podSelector } : { namespaceSelector: inNamespace(g.namespace), podSelector }];
}

/** Rules with the same ports become one rule listing every peer once, in the order they were declared. */
function mergedRules(
  rules: GroupRules['ingress'],
  namespace: string,
): Array<{ readonly peers: k8s.NetworkPolicyPeer[]; readonly ports: readonly PolicyPort[] }> {
  type Merged = { peers: k8s.NetworkPolicyPeer[]; seen: Set<string>; ports: readonly PolicyPort[] };
  const byPorts = new Map<string, Merged>();
  for (const rule of rules) {
    const ports = [...new Map(rule.ports.map((p) => [`${p.protocol}/${p.port}`, p])).values()];
    const key = JSON.stringify(ports);
    let merged = byPorts.get(key);
    if (!merged) byPorts.set(key, (merged = { peers: [], seen: new Set(), ports }));
    for (const peer of policyPeers(rule.peer, namespace)) {
      const peerKey = JSON.stringify(peer);
      if (merged.seen.has(peerKey)) continue;
      merged.seen.add(peerKey);
      merged.peers.push(peer);
    }
  }
  return [...byPorts.values()];
}

function policy(
  scope: Construct,
  id: string,
  name: string,
  namespace: string,
  labels: Record<string, string> | undefined,
  spec: k8s.NetworkPolicySpec,
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, { metadata: { name, namespace, labels }, spec });
}

/** Options of {@link NamespaceNetworkPolicies}. */
export interface NamespaceNetworkPoliciesProps {
  /** The namespace. */
  readonly namespace: string;
  /** Namespace of Prometheus, let in to the metrics ports. */
  readonly monitoringNamespace: string;
  /** Labels of the policies. */
  readonly labels?: Record<string, string>;
  /** The connections the pods' policies are rendered from. */
  readonly traffic: TrafficGraph;
}

/**
 * The policies of one namespace the platform isolates: default-deny for every pod, DNS to kube-dns,
 * Prometheus to the metrics ports, and (through {@link isolate}) one policy per pod group it renders.
 */
export class NamespaceNetworkPolicies extends Construct {
  private readonly props: NamespaceNetworkPoliciesProps;

  constructor(scope: Construct, id: string, props: NamespaceNetworkPoliciesProps) {
    super(scope, id);
    this.props = props;
    const { namespace, labels } = props;
    policy(this, 'DefaultDeny', 'default-deny-all', namespace, labels, {
      podSelector: {}, policyTypes: ['Ingress', 'Egress'],
    });
    policy(this, 'AllowDns', 'allow-dns-egress', namespace, labels, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
        ports: DNS_PORTS.map(port),
      }],
    });
    policy(this, 'AllowMonitoring', 'allow-prometheus-scrape', namespace, labels, {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: inNamespace(props.monitoringNamespace) }],
        ports: Object.values(METRICS_PORT_NAMES).map((name) => port({ protocol: 'TCP', port: name })),
      }],
    });
  }

  /**
   * The policy of one pod group, named after it: in and out, exactly its connections in the traffic graph
   * as they are at synth. A group with none in a direction has no rule for it (the default-deny holds).
   */
  public isolate(group: PodGroup): k8s.KubeNetworkPolicy {
    const { namespace, labels, traffic } = this.props;
    const rules = () => traffic.rulesOf(group);
    const lazy = <T>(produce: () => T) => Lazy.any({ produce }) as unknown as T;
    return policy(this, `Pods-${group.name}`, group.name, namespace, labels, {
      podSelector: { matchLabels: { ...group.selectorLabels } },
      policyTypes: lazy(() => {
        const { ingress, egress } = rules();
        const types = [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])];
        return types.length ? types : ['Ingress', 'Egress'];
      }),
      ingress: lazy(() => {
        const merged = mergedRules(rules().ingress, namespace);
        return merged.length ? merged.map((r) => ({ from: r.peers, ports: r.ports.map(port) })) : undefined;
      }),
      egress: lazy(() => {
        const merged = mergedRules(rules().egress, namespace);
        return merged.length ? merged.map((r) => ({ to: r.peers, ports: r.ports.map(port) })) : undefined;
      }),
    });
  }
}
