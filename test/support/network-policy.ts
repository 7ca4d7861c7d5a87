import { BlockList, isIPv6 } from 'net';

/**
 * Evaluates Kubernetes NetworkPolicy objects the way a conforming CNI does, for pods taken from
 * synthesized workloads and for addresses outside the cluster: may A open a connection to B on a port?
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface PodModel {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Container ports: name → number. */
  readonly ports: Record<string, number>;
  /** The pod's IP (in the cluster's pod network, 10.244.0.0/16): what an ipBlock peer matches. */
  readonly ip?: string;
}

/** An address outside the cluster's pods (the internet, a node, the cloud metadata service). */
export interface AddressModel {
  readonly id: string;
  readonly ip: string;
}

/** Either end of a connection. */
export type Endpoint = PodModel | AddressModel;

const isPod = (e: Endpoint): e is PodModel => 'namespace' in e;

type Selector =
  | {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  }
  | undefined;

export class NetworkPolicyModel {
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly policies: any[];

  constructor(objects: readonly any[]) {
    this.policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      this.namespaceLabels.set(ns.metadata.name, {
        ...ns.metadata.labels,
        'kubernetes.io/metadata.name': ns.metadata.name,
      });
    }
  }

  /** The pods of every workload in the objects (one per workload: replicas share labels). */
  public static pods(objects: readonly any[]): PodModel[] {
    return objects
      .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
      .map((o, i) => ({
        ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        id: `${o.metadata.namespace}/${o.metadata.name}`,
        namespace: o.metadata.namespace,
        labels: o.spec.template.metadata.labels ?? {},
        ports: Object.fromEntries(
          (o.spec.template.spec.containers ?? [])
            .flatMap((c: any) => c.ports ?? [])
            .map((p: any) => [p.name ?? String(p.containerPort), p.containerPort]),
        ),
      }));
  }

  /**
   * True when `from` may connect to `to` on `port` (a container port number of a pod) over `protocol`.
   * Policies hold pods only: an address is held by none.
   */
  public allows(from: Endpoint, to: Endpoint, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): boolean {
    return (!isPod(from) || this.direction('Egress', from, to, port, to, protocol))
      && (!isPod(to) || this.direction('Ingress', to, from, port, to, protocol));
  }

  private direction(
    type: 'Ingress' | 'Egress',
    subject: PodModel,
    peer: Endpoint,
    port: number,
    destination: Endpoint,
    protocol: 'TCP' | 'UDP',
  ): boolean {
    const selecting = this.policies.filter(
      (p) =>
        p.metadata.namespace === subject.namespace &&
        policyTypes(p).includes(type) &&
        selects(p.spec.podSelector, subject.labels),
    );
    if (selecting.length === 0) return true;
    const rulesKey = type === 'Ingress' ? 'ingress' : 'egress';
    const peersKey = type === 'Ingress' ? 'from' : 'to';
    return selecting.some((p) =>
      (p.spec[rulesKey] ?? []).some(
        (rule: any) =>
          (rule[peersKey] === undefined ||
            rule[peersKey].length === 0 ||
            rule[peersKey].some((q: any) => this.peerMatches(q, p.metadata.namespace, peer))) &&
          (rule.ports === undefined ||
            rule.ports.length === 0 ||
            rule.ports.some((rp: any) => portMatches(rp, port, destination, protocol))),
      ),
    );
  }

  private peerMatches(peer: any, policyNamespace: string, pod: Endpoint): boolean {
    if (peer.ipBlock) return pod.ip !== undefined && inIpBlock(pod.ip, peer.ipBlock);
    if (!isPod(pod)) return false;
    const nsOk =
      peer.namespaceSelector === undefined
        ? pod.namespace === policyNamespace
        : selects(
            peer.namespaceSelector,
            this.namespaceLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace },
          );
    const podOk = peer.podSelector === undefined || selects(peer.podSelector, pod.labels);
    return nsOk && podOk;
  }
}

function policyTypes(p: any): string[] {
  return p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress ? ['Egress'] : [])];
}

function portMatches(rule: any, port: number, destination: Endpoint, protocol: 'TCP' | 'UDP'): boolean {
  if ((rule.protocol ?? 'TCP') !== protocol) return false;
  if (rule.port === undefined) return true;
  const named = isPod(destination) ? destination.ports[rule.port] : undefined;
  const wanted = typeof rule.port === 'number' ? rule.port : named;
  if (wanted === undefined) return false;
  return rule.endPort === undefined ? wanted === port : port >= wanted && port <= rule.endPort;
}

export function selects(selector: Selector, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

/** True when `ip` lies in the block's CIDR and in none of its exceptions (node's own BlockList decides). */
export function inIpBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  const family = isIPv6(ip) ? 'ipv6' : 'ipv4';
  const inside = (cidr: string) => {
    const [address, prefix] = cidr.split('/');
    if (isIPv6(address) !== (family === 'ipv6')) return false;
    const list = new BlockList();
    list.addSubnet(address, Number(prefix), family);
    return list.check(ip, family);
  };
  return inside(block.cidr) && !(block.except ?? []).some(inside);
}
