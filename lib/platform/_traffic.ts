import { Connection, PodGroup, PolicyPort } from '../core/network-policies';
import { WorkloadRole } from '../core/workload-role';
import { AgentGateway } from '../gateway/agent-gateway';
import { Tenant } from '../tenancy/tenant';
import {
  allowedConnections, describeTarget, EgressRule, EgressTarget, HTTP_PORT, podGroupOf, REDIS_PORT,
} from '../workloads/egress';
import { GpuAgentDeployment } from '../workloads/gpu-agent-deployment';
import { Redis } from '../workloads/redis';
import { IAgentWorkload } from '../workloads/workload';

/** What the platform's traffic is declared from: the model as it is at synth. */
export interface PlatformTraffic {
  readonly namespace: string;
  readonly partOf: string;
  /** Namespace of the ingress controller (or Gateway API implementation) in front of the gateway. */
  readonly ingressNamespace: string;
  readonly gateway?: AgentGateway;
  readonly workloads: readonly GpuAgentDeployment[];
  readonly redis?: Redis;
  /** `REDIS_URL` of the tenants' pools: the platform's Redis by its cluster-wide name. */
  readonly tenantRedisUrl?: string;
  readonly tenants: readonly Tenant[];
}

/**
 * Every connection of the platform, from the model: the edge to the gateway (or, bypassed, to the routes'
 * workloads); the gateway to every workload a route or a tenant's pool sends it to; every agent to the
 * platform's Redis (when its `REDIS_URL` is Redis's) and model services; and each `allowTo`.
 */
export function platformConnections(t: PlatformTraffic): Connection[] {
  const tenantOf = poolTenants(t);
  const groupOf = (w: IAgentWorkload): PodGroup => podGroupOf(w, t.partOf, tenantOf.get(w)?.name);
  const pools = t.tenants.flatMap((tenant) => tenant.agents);
  const agents = [...t.workloads.filter((w) => w.role === WorkloadRole.AGENT), ...pools];
  const modelServices = t.workloads.filter((w) => w.role === WorkloadRole.MODEL_SERVICE);
  const redis = t.redis && podGroupOf(t.redis, t.partOf);
  const edge = { namespace: t.ingressNamespace };
  const connections: Connection[] = [];
  const connect = (from: Connection['from'], to: Connection['to'], ports: PolicyPort[]) =>
    connections.push({ from, to, ports });

  const gateway = t.gateway?.deployment ? t.gateway : undefined;
  if (gateway) {
    const group = podGroupOf(gateway, t.partOf);
    const routed = new Set(gateway.routes.flatMap((r) => (r.upstream.workload ? [r.upstream.workload] : [])));
    const bypassed = new Set(gateway.routes.flatMap((r) => gateway.edgeWorkload(r) ?? []));
    const viaGateway = gateway.routes.some((r) => !gateway.edgeWorkload(r)) || gateway.routes.length === 0;
    if (viaGateway) connect(edge, { pods: group }, [HTTP_PORT]);
    bypassed.forEach((w) => connect(edge, { pods: groupOf(w) }, [HTTP_PORT]));
    [...routed, ...pools].forEach((w) => connect({ pods: group }, { pods: groupOf(w) }, [HTTP_PORT]));
    connections.push(...allowedConnections(group, gateway.egressRules, groupOf));
  }
  for (const agent of agents) {
    const from = { pods: groupOf(agent) };
    const usesRedis = agent.redisUrl !== undefined && [t.redis?.url, t.tenantRedisUrl].includes(agent.redisUrl);
    if (redis && usesRedis) connect(from, { pods: redis }, [REDIS_PORT]);
    modelServices.forEach((m) => connect(from, { pods: groupOf(m) }, [HTTP_PORT]));
  }
  for (const w of [...t.workloads, ...pools]) {
    connections.push(...allowedConnections(groupOf(w), w.egressRules, groupOf));
  }
  return connections;
}

/** The tenant each pool belongs to. */
function poolTenants(t: PlatformTraffic): Map<IAgentWorkload, Tenant> {
  return new Map(t.tenants.flatMap((tenant) => tenant.agents.map((pool) => [pool, tenant] as const)));
}

/**
 * What the policies would block although the model declares it, or let through although the tenancy
 * forbids it: an `allowTo` into another tenant, and a gateway that must reach servers outside the model
 * (an upstream without a workload, the OTLP collector) with no `allowTo` saying where they are.
 */
export function trafficProblems(t: PlatformTraffic, platformId: string): string[] {
  const problems: string[] = [];
  const tenantOf = poolTenants(t);
  const tenantByNamespace = new Map(t.tenants.map((tenant) => [tenant.namespace, tenant]));
  type Source = { readonly name: string; readonly tenant?: Tenant; readonly rules: readonly EgressRule[] };
  const sources: Source[] = [
    ...(t.gateway ? [{ name: `gateway '${t.gateway.name}'`, rules: t.gateway.egressRules }] : []),
    ...t.workloads.map((w) => ({ name: `workload '${w.name}'`, rules: w.egressRules })),
    ...t.tenants.flatMap((tenant) => tenant.agents.map((pool) => ({
      name: `tenant '${tenant.name}' pool '${pool.name}'`, tenant, rules: pool.egressRules,
    }))),
  ];
  for (const source of sources) {
    source.rules.forEach((rule, i) => {
      const target = rule.target;
      const into = target instanceof EgressTarget
        ? ('namespace' in target._peer ? tenantByNamespace.get(target._peer.namespace) : undefined)
        : tenantOf.get(target);
      if (into && into !== source.tenant) {
        problems.push(`AiAgentPlatform '${platformId}': ${source.name} allowTo[${i}] (${describeTarget(target)})`
          + ` reaches into tenant '${into.name}': a tenant's pods take traffic from the gateway and their own`
          + ' tenant only');
      }
      if (target instanceof EgressTarget && 'namespace' in target._peer && target._peer.namespace === t.namespace) {
        problems.push(`AiAgentPlatform '${platformId}': ${source.name} allowTo[${i}] (${describeTarget(target)})`
          + ' is the platform\'s own namespace: pass the workload itself (allowTo(workload))');
      }
    });
  }
  const gateway = t.gateway;
  if (gateway?.deployment && gateway.egressRules.length === 0) {
    const outside = [
      ...gateway.upstreams.filter((u) => !u.workload).map((u) => `upstream '${u.name}' (${u.servers.join(', ')})`),
      ...(gateway.tracing ? [`tracing.otlpEndpoint (${gateway.tracing.otlpEndpoint})`] : []),
    ];
    if (outside.length) {
      problems.push(`AiAgentPlatform '${platformId}': gateway '${gateway.name}' must reach ${outside.join(' and ')},`
        + ' outside the model, and the platform\'s NetworkPolicies let it reach only its routes\' workloads:'
        + ' say where they are with gateway.allowTo(EgressTarget.namespace(...) | EgressTarget.cidr(...)'
        + ' | EgressTarget.internet(), { ports: [...] })');
    }
  }
  return problems;
}
