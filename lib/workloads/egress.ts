import { isIP } from 'net';
import { FIELD_RULES } from '../core/field-rules';
import { Connection, IpBlock, PodGroup, PolicyPort } from '../core/network-policies';
import { PropsValidator, show } from '../core/validation';
import { REDIS_PORT_NAME } from './redis';
import { IAgentWorkload } from './workload';

/** A TCP or UDP port that {@link IAllowsEgress.allowTo} opens. */
export class NetworkPort {
  /** A TCP port, e.g. `NetworkPort.tcp(443)` for HTTPS. */
  public static tcp(port: number): NetworkPort {
    return new NetworkPort('TCP', port);
  }

  /** A UDP port. */
  public static udp(port: number): NetworkPort {
    return new NetworkPort('UDP', port);
  }

  private constructor(
    /** `TCP` or `UDP`. */
    public readonly protocol: 'TCP' | 'UDP',
    /** The port number, 1-65535. */
    public readonly port: number,
  ) {
    new PropsValidator('NetworkPort', protocol.toLowerCase()).integer('port', port, 1, 65535).throwIfAny();
  }

  /** `TCP/443`. */
  public toString(): string {
    return `${this.protocol}/${this.port}`;
  }

  /** @internal */
  public _toPolicyPort(): PolicyPort {
    return { protocol: this.protocol, port: this.port };
  }
}

/**
 * Private and special-purpose ranges that {@link EgressTarget.internet} leaves out: the cluster's own
 * networks, link-local addresses (among them the cloud metadata service, 169.254.169.254) and loopback.
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 */
const NOT_INTERNET_V4 = [
  '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16',
];
/** Unique local, link-local and loopback IPv6 addresses. */
const NOT_INTERNET_V6 = ['::1/128', 'fc00::/7', 'fe80::/10'];

/**
 * Where a workload may open connections beyond the platform's own traffic (see {@link IAllowsEgress.allowTo}):
 * the pods of another namespace, an IP range, or the internet. Another workload of the model is passed as
 * itself, not as a target.
 */
export class EgressTarget {
  /**
   * The pods of a namespace outside the platform (a vector database, a tool server), all of them or those
   * with `podLabels`. Its own policies must let the workload in; the platform renders none there.
   */
  public static namespace(name: string, options: { readonly podLabels?: Record<string, string> } = {}): EgressTarget {
    new PropsValidator('EgressTarget', 'namespace')
      .field(FIELD_RULES.namespaceName, 'name', name)
      .labels('podLabels', options.podLabels)
      .throwIfAny();
    const podLabels = options.podLabels && Object.keys(options.podLabels).length ? { ...options.podLabels } : undefined;
    return new EgressTarget(`namespace "${name}"${podLabels ? ` pods ${JSON.stringify(podLabels)}` : ''}`,
      { namespace: name, podLabels });
  }

  /**
   * An IP range, e.g. `EgressTarget.cidr('203.0.113.0/24')` for a partner's API; `except` leaves ranges
   * inside it out. CIDRs are written as the API server wants them: the network address, no host bits.
   */
  public static cidr(cidr: string, options: { readonly except?: string[] } = {}): EgressTarget {
    const except = options.except ?? [];
    const v = new PropsValidator('EgressTarget', 'cidr');
    const block = parseCidr(cidr);
    v.check(block !== undefined, 'cidr', cidr, CIDR_ALLOWED);
    except.forEach((e, i) => {
      const inner = parseCidr(e);
      v.check(inner !== undefined, `except[${i}]`, e, CIDR_ALLOWED);
      if (block && inner) {
        v.check(strictlyInside(inner, block), `except[${i}]`, e, `must be a strict subset of cidr (${show(cidr)})`);
      }
    });
    v.throwIfAny();
    return new EgressTarget(`CIDR ${cidr}${except.length ? ` except ${except.join(', ')}` : ''}`,
      { ipBlocks: [{ cidr, except: [...except] }] });
  }

  /**
   * Every public address, IPv4 and IPv6: the internet, without the cluster's private networks, link-local
   * addresses (the cloud metadata service) and loopback. E.g. an LLM provider's API over HTTPS:
   * `agent.allowTo(EgressTarget.internet(), { ports: [NetworkPort.tcp(443)] })`.
   */
  public static internet(): EgressTarget {
    return new EgressTarget('the internet', {
      ipBlocks: [{ cidr: '0.0.0.0/0', except: NOT_INTERNET_V4 }, { cidr: '::/0', except: NOT_INTERNET_V6 }],
    });
  }

  private constructor(
    /** What it is, for messages: `namespace "vector-db"`. */
    public readonly description: string,
    /** @internal */
    public readonly _peer:
      | { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> }
      | { readonly ipBlocks: readonly IpBlock[] },
  ) {}

  /** What it is: `namespace "vector-db"`, `CIDR 203.0.113.0/24`, `the internet`. */
  public toString(): string {
    return this.description;
  }
}

/** Options of {@link IAllowsEgress.allowTo}. */
export interface AllowToOptions {
  /**
   * The ports the connections go to; required for an {@link EgressTarget}.
   * @default - a workload's container port (`http`)
   */
  readonly ports?: NetworkPort[];
}

/** One `allowTo` of a workload: where it may connect, and on which ports. */
export interface EgressRule {
  /** Another workload of the model, or a namespace, a CIDR, the internet. */
  readonly target: IAgentWorkload | EgressTarget;
  /** The ports; undefined for a workload's own `http` port. */
  readonly ports?: readonly NetworkPort[];
}

/** Pods whose NetworkPolicy lets out what `allowTo` names, besides the platform's own traffic. */
export interface IAllowsEgress {
  /** What the pods may reach beyond the platform's own traffic, in the order allowed. */
  readonly egressRules: readonly EgressRule[];
  /**
   * Lets the pods open connections to another workload (on its `http` port unless `ports` say otherwise),
   * the pods of a namespace, or an IP range, on the given ports. The platform renders it in the pods'
   * NetworkPolicy and, for a workload in a namespace it isolates, in the target's.
   */
  allowTo(target: IAgentWorkload | EgressTarget, options?: AllowToOptions): void;
}

/** Checks one `allowTo` call and returns it as a rule; `owner` names the construct in messages. */
export function egressRule(
  owner: { readonly type: string; readonly id: string },
  target: IAgentWorkload | EgressTarget,
  options: AllowToOptions = {},
): EgressRule {
  const v = new PropsValidator(owner.type, owner.id);
  const isTarget = target instanceof EgressTarget;
  v.check(isTarget || (typeof target === 'object' && target !== null && 'selectorLabels' in target),
    'allowTo target', target, 'must be a workload of the model or an EgressTarget (namespace, cidr, internet)');
  v.check(!isTarget || (options.ports?.length ?? 0) > 0, 'allowTo ports', options.ports ?? [],
    `must list at least one port for ${target} (e.g. [NetworkPort.tcp(443)]): no target is opened on every port`);
  (options.ports ?? []).forEach((p, i) =>
    v.check(p instanceof NetworkPort, `allowTo ports[${i}]`, p, 'must be a NetworkPort (NetworkPort.tcp(443))'));
  v.throwIfAny();
  return { target, ports: options.ports ? [...options.ports] : undefined };
}

const CIDR_ALLOWED =
  'must be an IPv4 or IPv6 CIDR written as its network address, e.g. 203.0.113.0/24 or 2001:db8::/32';

interface ParsedCidr {
  readonly family: 4 | 6;
  readonly address: bigint;
  readonly prefix: number;
}

/**
 * A CIDR as the API server accepts it (network address, no host bits, no leading zeros), or undefined. Node's
 * `isIP` already refuses IPv4 octets with a leading zero, also inside an IPv6 address.
 */
export function parseCidr(value: string): ParsedCidr | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!match) return undefined;
  const family = isIP(match[1]);
  if (family === 0) return undefined;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(match[2]);
  if (prefix > bits || String(prefix) !== match[2]) return undefined;
  const address = family === 4 ? ipv4Value(match[1]) : ipv6Value(match[1]);
  if (address % (1n << BigInt(bits - prefix)) !== 0n) return undefined;
  return { family: family as 4 | 6, address, prefix };
}

function strictlyInside(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const shift = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.address >> shift === outer.address >> shift;
}

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

function ipv6Value(address: string): bigint {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4Value(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  // Without '::', isIP has seen all eight groups and none is missing.
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/**
 * The problem of pods that declared `allowTo` but that no NetworkPolicy isolates (outside a platform, or with
 * the policies turned off): the promise would not be kept, in either direction.
 */
export function unrenderedEgress(
  owner: { readonly node: { readonly id: string }; readonly egressRules: readonly EgressRule[] },
  type: string,
  isolatedBy: unknown,
): string[] {
  if (isolatedBy || owner.egressRules.length === 0) return [];
  const targets = owner.egressRules.map((r) => describeTarget(r.target)).join(', ');
  return [`${type} '${owner.node.id}': allowTo (${targets}) has no effect: no NetworkPolicies isolate its pods`
    + ' (add it to an AiAgentPlatform with networkPolicies, or to a tenant with networkIsolation)'];
}

/** A target for messages: `workload "tools" in "ai-platform"`, `the internet`. */
export function describeTarget(target: IAgentWorkload | EgressTarget): string {
  return target instanceof EgressTarget ? target.description : `workload "${target.name}" in "${target.namespace}"`;
}

/** Pods of the model that a NetworkPolicy selects: a workload, the gateway, Redis. */
export type PodsOfTheModel = Pick<IAgentWorkload, 'name' | 'namespace' | 'selectorLabels' | 'role'>;

/** The pod group of a workload, the gateway or Redis, as the NetworkPolicies select it. */
export function podGroupOf(workload: PodsOfTheModel, partOf: string, tenant?: string): PodGroup {
  return {
    name: workload.name, namespace: workload.namespace, selectorLabels: workload.selectorLabels,
    role: workload.role, partOf, tenant,
  };
}

/** A workload's `http` port, as a policy names it (every workload names its container port `http`). */
export const HTTP_PORT: PolicyPort = { protocol: 'TCP', port: 'http' };

/** Redis's port, as a policy names it. */
export const REDIS_PORT: PolicyPort = { protocol: 'TCP', port: REDIS_PORT_NAME };

/**
 * The connections `allowTo` declared for `from`: to a workload (its pod group from `groupOf`) on its `http`
 * port or the given ports, to a namespace's pods or to IP blocks on the given ports.
 */
export function allowedConnections(
  from: PodGroup,
  rules: readonly EgressRule[],
  groupOf: (workload: IAgentWorkload) => PodGroup,
): Connection[] {
  return rules.map((rule) => ({
    from: { pods: from },
    to: rule.target instanceof EgressTarget ? rule.target._peer : { pods: groupOf(rule.target) },
    ports: rule.ports ? rule.ports.map((p) => p._toPolicyPort()) : [HTTP_PORT],
  }));
}
