import { Size } from 'cdk8s';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { PropsValidator, raw } from '../core/validation';
import { GatewayTarget, GatewayTargetKind } from './targets';
import { ApiKeyHeader, IGatewayRatePlan, IGatewayTenant, TENANT_KEYS_DIRECTORY } from './tenancy';
import { GatewayRoute, GatewayUpstream } from './upstream';
import { RateLimitZone, UpstreamServer } from './values';
import { blank, block, comment, directive, NginxDirective, NginxNode, nginxSize } from '../nginx';
import { IAgentWorkload, WorkloadRole } from '../workloads/workload';

/**
 * Tenancy in the gateway's nginx.conf: the API key identifies the tenant (maps over the key files the
 * tenants' Secrets provide), each plan has one `limit_req_zone` keyed by tenant, and agent routes go to
 * the tenant's own pool. Built as typed nodes for the one serializer; `_gateway-nginx.ts` places them.
 */

/** The variable holding the matched tenant's name ("" when the key is missing or unknown). */
export const TENANT_VAR = '$gateway_tenant';
/** The internal location `auth_request` asks (it runs after the per-IP and plan limits). */
export const AUTH_LOCATION = '/_gateway_tenant_auth';

/** What the nginx builder needs to know about tenancy, resolved by the gateway. */
export interface GatewayTenancySpec {
  readonly headers: readonly ApiKeyHeader[];
  readonly tenantHeader: string;
  /** Directory of the `<tenant>.map` key files. */
  readonly keysDirectory: string;
  readonly tenants: readonly IGatewayTenant[];
  /** Distinct plans of the tenants, in first-use order. */
  readonly plans: readonly IGatewayRatePlan[];
  readonly planZoneSize: Size;
  /** For each upstream routed to a shared agent: the tenants with pools and their pool upstreams. */
  readonly pools: ReadonlyMap<
    GatewayUpstream,
    ReadonlyArray<{ readonly tenant: string; readonly upstream: GatewayUpstream }>
  >;
}

/** An HTTP header name nginx passes on (no '_', which nginx drops by default). */
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
/** Headers the gateway sets itself for the backends. */
const GATEWAY_HEADERS = ['host', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-proto', 'x-request-id', 'connection'];

/** Checks the gateway's tenancy props (eagerly, in its constructor). */
export function validateTenancyOptions(
  v: PropsValidator, headers: readonly ApiKeyHeader[], tenantHeader: string, zoneSize: Size | undefined,
): void {
  v.check(headers.length > 0, 'tenancy.apiKeyHeaders', headers.length, 'must list at least one header');
  const seen = new Set<string>();
  headers.forEach((h, i) => {
    v.check(
      ApiKeyHeader.isApiKeyHeader(h),
      `tenancy.apiKeyHeaders[${i}]`,
      h,
      'must be an ApiKeyHeader (ApiKeyHeader.bearer(), ApiKeyHeader.named(name))',
    );
    if (!(ApiKeyHeader.isApiKeyHeader(h))) return;
    v.check(
      HEADER_NAME.test(h.name),
      `tenancy.apiKeyHeaders[${i}]`,
      h.name,
      "must be a header name of letters, digits and '-' (nginx drops headers with '_')",
    );
    v.check(!seen.has(h.name.toLowerCase()), `tenancy.apiKeyHeaders[${i}]`, h.name, 'is listed twice');
    v.check(
      !GATEWAY_HEADERS.includes(h.name.toLowerCase()),
      `tenancy.apiKeyHeaders[${i}]`,
      h.name,
      'is a header the gateway sets itself',
    );
    seen.add(h.name.toLowerCase());
  });
  v.check(
    HEADER_NAME.test(tenantHeader),
    'tenancy.tenantHeader',
    tenantHeader,
    "must be a header name of letters, digits and '-' (nginx drops headers with '_')",
  );
  v.check(
    !seen.has(tenantHeader.toLowerCase()) &&
      !GATEWAY_HEADERS.includes(tenantHeader.toLowerCase()) &&
      tenantHeader.toLowerCase() !== 'authorization',
    'tenancy.tenantHeader',
    tenantHeader,
    'must differ from the API key headers and the headers the gateway sets',
  );
  if (zoneSize === undefined) return;
  const kib = sizeKib(zoneSize);
  v.check(kib >= 1024 && kib <= 1024 ** 2, 'tenancy.planZoneSize', raw(sizeQuantity(zoneSize)),
    'must be between 1Mi and 1Gi');
}

/** What {@link resolveTenancy} needs of the gateway. */
export interface GatewayTenancyContext {
  readonly headers: readonly ApiKeyHeader[];
  readonly tenantHeader: string;
  readonly planZoneSize: Size;
  readonly routes: readonly GatewayRoute[];
  readonly upstreams: readonly GatewayUpstream[];
  readonly rateLimits: readonly RateLimitZone[];
  /** Pools the gateway was told about (`addTenantPool`): their headless Services exist. */
  readonly knownPools: ReadonlySet<IAgentWorkload>;
  /** The gateway's Deployment, unless it renders none. */
  readonly kubernetes?: {
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly needsKnownPools: boolean;
  };
}

/**
 * The tenancy spec of a gateway (undefined without tenants). Fails naming every problem: plan zones that
 * clash with the gateway's, pool upstream names taken, pools that get no traffic or that the gateway
 * cannot reach (unknown to it, or behind NetworkPolicies that admit other gateway pods).
 */
export function resolveTenancy(
  gatewayId: string,
  tenants: readonly IGatewayTenant[],
  c: GatewayTenancyContext,
): GatewayTenancySpec | undefined {
  if (tenants.length === 0) return undefined;
  const v = new PropsValidator('AgentGateway', gatewayId);
  const plans = distinctPlans(tenants);
  checkPlanZones(v, plans, c.rateLimits);
  checkTenantNames(v, tenants);
  const shared = [...new Set(c.routes.filter((r) => isAgent(r.upstream.workload)).map((r) => r.upstream))];
  const pools = new Map<GatewayUpstream, Array<{ tenant: string; upstream: GatewayUpstream }>>(
    shared.map((u) => [u, []]));
  for (const t of tenants) {
    for (const pool of t.agents) {
      const replaced = replacedUpstream(v, t, pool, shared);
      checkTenantPool(v, t, pool, shared.length > 0, c);
      if (!replaced) continue;
      const taken = pools.get(replaced)!;
      v.check(!taken.some((p) => p.tenant === t.name), `tenant '${t.name}' pool '${pool.name}'`, replaced.name,
        `replaces a shared agent another pool of '${t.name}' replaces already`);
      taken.push({ tenant: t.name, upstream: poolUpstream(replaced, pool) });
    }
  }
  v.throwIfAny();
  return {
    headers: c.headers,
    tenantHeader: c.tenantHeader,
    keysDirectory: TENANT_KEYS_DIRECTORY,
    tenants,
    plans,
    planZoneSize: c.planZoneSize,
    pools,
  };
}

/** The tenants' plans, each once, in first-use order. */
function distinctPlans(tenants: readonly IGatewayTenant[]): IGatewayRatePlan[] {
  const plans: IGatewayRatePlan[] = [];
  for (const t of tenants) if (!plans.some((p) => p.name === t.plan.name)) plans.push(t.plan);
  return plans;
}

/** A plan's zone must not take the name of one of the gateway's own rateLimits zones. */
function checkPlanZones(
  v: PropsValidator,
  plans: readonly IGatewayRatePlan[],
  rateLimits: readonly RateLimitZone[],
): void {
  for (const plan of plans) {
    v.check(
      !rateLimits.some((z) => z.name === planZone(plan)),
      `rate plan '${plan.name}'`,
      planZone(plan),
      "is the name of one of the gateway's rateLimits zones",
    );
  }
}

/** Each tenant is served once. */
function checkTenantNames(v: PropsValidator, tenants: readonly IGatewayTenant[]): void {
  const names = new Set<string>();
  for (const t of tenants) {
    v.check(!names.has(t.name), 'tenant', t.name, 'is served twice');
    names.add(t.name);
  }
}

/**
 * The shared upstream a tenant pool takes over: the one of the agent it `replaces`, else the only one the
 * gateway routes to. Reports a pool that replaces an agent no route goes to, or that does not say which of
 * several it replaces; undefined then, and when no route goes to an agent at all.
 */
function replacedUpstream(
  v: PropsValidator, t: IGatewayTenant, pool: IAgentWorkload, shared: readonly GatewayUpstream[],
): GatewayUpstream | undefined {
  const p = `tenant '${t.name}' pool '${pool.name}'`;
  const replaces = t.replaces?.get(pool);
  if (replaces) {
    const upstream = shared.find((u) => u.workload === replaces);
    v.check(upstream !== undefined, `${p}.replaces`, replaces.name,
      `gets no traffic: no route of this gateway goes to '${replaces.name}'`);
    return upstream;
  }
  v.check(shared.length <= 1, `${p}.replaces`, 'none',
    `must say which shared agent the pool replaces: the gateway routes to ${shared.length} (`
    + `${shared.map((u) => u.workload!.name).join(', ')})`);
  return shared.length === 1 ? shared[0] : undefined;
}

/**
 * A tenant's pool gets its own upstream name and some agent traffic, and, on Kubernetes, is known to the
 * gateway and reachable through the tenant's NetworkPolicies.
 */
function checkTenantPool(
  v: PropsValidator,
  t: IGatewayTenant,
  pool: IAgentWorkload,
  hasAgentRoute: boolean,
  c: GatewayTenancyContext,
): void {
  const p = `tenant '${t.name}' pool '${pool.name}'`;
  v.check(
    !c.upstreams.some((u) => u.name === poolUpstreamName(pool)),
    p,
    poolUpstreamName(pool),
    'is the name of an upstream of this gateway',
  );
  v.check(hasAgentRoute, p, pool.name, 'gets no traffic: no route of this gateway goes to an agent');
  const kube = c.kubernetes;
  if (!kube) return;
  v.check(
    c.knownPools.has(pool) || !kube.needsKnownPools,
    p,
    pool.name,
    'is unknown to the gateway: call gateway.addTenantPool(pool) (the platform does)',
  );
  const access = t.gatewayAccess;
  if (!access) return;
  const admitted =
    access.namespace === kube.namespace &&
    Object.entries(access.podLabels).every(([k, value]) => kube.labels[k] === value);
  v.check(
    admitted,
    p,
    pool.namespace,
    'is unreachable: its NetworkPolicies admit only gateway pods' +
      ` in namespace "${access.namespace}" labelled ${JSON.stringify(access.podLabels)};` +
      ` this gateway runs in "${kube.namespace}" labelled ${JSON.stringify(kube.labels)}`,
  );
}

/** The limit_req zone of a plan. */
export function planZone(plan: IGatewayRatePlan): string {
  return `tenant_${plan.name}`;
}

/** True when the workload is an agent. */
export function isAgent(workload: IAgentWorkload | undefined): boolean {
  return workload?.role === WorkloadRole.AGENT;
}

/** Upstream name of a tenant pool (`acme-agent` gives `acme_agent_backend`). */
export function poolUpstreamName(pool: IAgentWorkload): string {
  return `${pool.name.replace(/-/g, '_')}_backend`;
}

/**
 * The tenant pool upstreams a route's shared upstream fans out to: same balancing, keep-alive and health
 * checks as the shared one; servers `<pool Service>:<port>` in the standalone rendering.
 */
export function poolUpstream(shared: GatewayUpstream, pool: IAgentWorkload): GatewayUpstream {
  return new GatewayUpstream(
    shared.gatewayId,
    poolUpstreamName(pool),
    pool,
    shared.loadBalancing,
    [UpstreamServer.of(`${pool.serviceName}:${pool.containerPort}`)],
    shared.keepalive,
    shared.healthCheck,
    shared.zoneSize,
  );
}

/** Tenant pools exist only where the rendering can reach them: Kubernetes and the standalone VMs. */
export function routesToPools(target: GatewayTarget): boolean {
  return target.kind !== GatewayTargetKind.COMPOSE;
}

/** The upstream-selecting variable of a shared upstream. */
function upstreamVar(shared: GatewayUpstream): string {
  return `$gateway_upstream_${shared.name}`;
}

const planKeyVar = (plan: IGatewayRatePlan) => `$gateway_plan_${plan.name}_key`;

/**
 * http-level nodes: the key extraction, the key → tenant map over the key files, the tenants' plans and
 * zones, and the per-route upstream maps.
 */
export function tenancyHttpNodes(spec: GatewayTenancySpec, target: GatewayTarget): NginxNode[] {
  return [
    blank(),
    comment(`Tenants: identified by API key (${spec.headers.join(', then ')}), never by a header the client sets.`),
    ...apiKeyMaps(spec),
    ...keyToTenantMaps(spec),
    ...planLimits(spec),
    ...poolUpstreamMaps(spec, target),
  ];
}

/** The API key from the first header that carries one (a Bearer header without its `Bearer ` prefix). */
function apiKeyMaps(spec: GatewayTenancySpec): NginxNode[] {
  return spec.headers.map((header, i) => {
    const variable = i === 0 ? '$gateway_api_key' : `$gateway_api_key_${i}`;
    const next = i + 1 < spec.headers.length ? `$gateway_api_key_${i + 1}` : '';
    return header.bearer
      ? block('map', [header.variable, variable], [
          directive('default', next),
          directive('~*^Bearer\\s+(\\S+)\\s*$', '$1'),
        ])
      : block('map', [header.variable, variable], [
          directive('default', header.variable),
          directive('', next),
        ]);
  });
}

/** API key -> tenant over the key files, then tenant -> plan. */
function keyToTenantMaps(spec: GatewayTenancySpec): NginxNode[] {
  return [
    comment('API key -> tenant: one file per tenant (its Secret), lines \'"<key>" <tenant>;\', two during a rotation.'),
    comment('An empty key never matches; a key listed twice fails the configuration test.'),
    block('map', ['$gateway_api_key', '$gateway_key_owner'], [
      directive('default', ''),
      directive('', ''),
      directive('include', `${spec.keysDirectory}/*.map`),
    ]),
    comment('Only tenants of the platform count: a key file naming another tenant gets 401.'),
    block('map', ['$gateway_key_owner', TENANT_VAR], [
      directive('default', ''),
      ...spec.tenants.map((t) => directive(t.name, t.name)),
    ]),
    block('map', [TENANT_VAR, '$gateway_no_tenant'], [directive('default', 0), directive('', 1)]),
    blank(),
    comment('Per-tenant limits: one zone per plan, keyed by tenant (an empty key is not counted).'),
    block('map', [TENANT_VAR, '$gateway_tenant_plan'], [
      directive('default', ''),
      ...spec.tenants.map((t) => directive(t.name, t.plan.name)),
    ]),
  ];
}

/** Each plan's key (the tenant name, for tenants of that plan only) and its limit_req zone. */
function planLimits(spec: GatewayTenancySpec): NginxNode[] {
  return [
    ...spec.plans.map((plan) =>
      block(
        'map',
        ['$gateway_tenant_plan', planKeyVar(plan)],
        [directive('default', ''), directive(plan.name, TENANT_VAR)],
      ),
    ),
    ...spec.plans.map((plan) =>
      directive(
        'limit_req_zone',
        planKeyVar(plan),
        `zone=${planZone(plan)}:${nginxSize(spec.planZoneSize)}`,
        `rate=${plan.nginxRate}`,
      ),
    ),
  ];
}

/** Per shared upstream, tenant -> the tenant's pool upstream; only where the rendering reaches the pools. */
function poolUpstreamMaps(spec: GatewayTenancySpec, target: GatewayTarget): NginxNode[] {
  if (!routesToPools(target)) {
    return [...spec.pools.values()].some((p) => p.length)
      ? [comment('Tenant pools run in Kubernetes only: in this stack every tenant uses the shared pools.')]
      : [];
  }
  return [...spec.pools].filter(([, pools]) => pools.length).flatMap(([shared, pools]) => [
    comment(`Tenants with their own pool; the others share ${shared.name}.`),
    block('map', [TENANT_VAR, upstreamVar(shared)], [
      directive('default', shared.name),
      ...pools.map((p) => directive(p.tenant, p.upstream.name)),
    ]),
  ]);
}

/**
 * Hash sizes of every `map` (they must precede the first one): API keys up to 240 characters, and two keys
 * per tenant plus the tenant tables.
 */
export function tenancyMapHashSizes(spec: GatewayTenancySpec): NginxNode[] {
  return [
    comment('Tenant names and API keys are looked up in hash tables: room for long keys and thousands of tenants.'),
    directive('map_hash_bucket_size', 256),
    directive('map_hash_max_size', Math.max(2048, nextPowerOfTwo(spec.tenants.length * 8))),
  ];
}

/** The tenant pool upstreams this rendering needs. */
export function tenantPoolUpstreams(spec: GatewayTenancySpec, target: GatewayTarget): GatewayUpstream[] {
  if (!routesToPools(target)) return [];
  return [...new Set([...spec.pools.values()].flatMap((pools) => pools.map((p) => p.upstream)))];
}

/** Directives at the top of a route's location: the plan limits and the tenant check. */
export function tenancyRouteLimits(spec: GatewayTenancySpec): NginxNode[] {
  return [
    ...spec.plans.map((plan) =>
      directive('limit_req', `zone=${planZone(plan)}`, ...(plan.burst > 0 ? [`burst=${plan.burst}`] : []), 'nodelay'),
    ),
    comment('After the limits above (access phase): 401 for a missing or unknown key.'),
    directive('auth_request', AUTH_LOCATION),
  ];
}

/** What a route proxies to: the tenant's pool when it has one. */
export function tenancyProxyPass(
  spec: GatewayTenancySpec,
  route: GatewayRoute,
  target: GatewayTarget,
): string | undefined {
  if (!routesToPools(target) || !spec.pools.get(route.upstream)?.length) return undefined;
  return `http://${upstreamVar(route.upstream)}`;
}

/** Headers for the backends: the tenant from the key (replacing any the client sent); keys stay here. */
export function tenancyProxyHeaders(spec: GatewayTenancySpec): NginxDirective[] {
  const keyHeaders = [...new Set(spec.headers.map((h) => h.name))];
  return [
    directive('proxy_set_header', spec.tenantHeader, TENANT_VAR),
    ...keyHeaders.map((name) => directive('proxy_set_header', name, '')),
  ];
}

/** The internal location `auth_request` asks: 204 for a known tenant, else 401. */
export function tenancyAuthLocation(): NginxNode {
  return block('location', ['=', AUTH_LOCATION], [
    directive('internal'),
    block('if', ['($gateway_no_tenant)'], [directive('return', 401)]),
    directive('return', 204),
  ]);
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
