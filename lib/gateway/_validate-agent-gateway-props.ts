import { Duration, Size } from 'cdk8s';
import { INGRESS_NGINX_ANNOTATIONS, INGRESS_NGINX_PREFIX } from './_kubernetes';
import { NGINX_CONTAINER } from './_nginx-container';
import { ResolvedAgentGatewayProps } from './_resolve-agent-gateway-props';
import { validateTenancyOptions } from './_tenant-routing';
import { AgentGatewayProps } from './props';
import { GatewayEdgeKind, GatewayTarget } from './targets';
import { GatewayRouteOptions, GatewayUpstream, PathMatch } from './upstream';
import {
  HealthCheck, HealthCheckKind, LoadBalancing, RateLimit, RateLimitZone, RetryPolicy, UpstreamServer,
} from './values';
import { FIELD_RULES } from '../core/field-rules';
import { checkPodSecurity } from '../core/pod';
import { isCpuQuantity, sizeKib, sizeQuantity } from '../core/quantity';
import { isAbsolutePath, isDnsSubdomain, PropsRule, PropsValidator, raw } from '../core/validation';
import { NginxModule, NginxVersion } from '../nginx';
import { IAgentWorkload } from '../workloads/workload';

/**
 * The AgentGateway's validation rules, as tables (aws-cdk's `validate-queue-props.ts`): the props
 * (checked in the constructor), an upstream (`addUpstream`), a route (`route`) and a rendering target
 * (`renderNginxConf`). Each table runs whole, so the user sees every problem at once.
 */

/** nginx names (upstreams, zones): short, so they never hit nginx's token limit. */
const NGINX_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const NGINX_NAME_ALLOWED = 'must be 1-64 letters, digits and \'_\', not starting with a digit';
/** Header and cookie names a key reads. */
const FIELD_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FIELD_NAME_ALLOWED = 'must be a header or cookie name of 1-64 letters, digits, \'-\' and \'_\'';
/**
 * Files nginx opens: absolute, plain characters only. No `$` (ssl_certificate expands variables), no
 * quotes, spaces or `..` segments.
 */
const FILE_PATH = /^(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/;
/** The longest file name (one path segment) file systems allow: NAME_MAX, 255 bytes on Linux. */
const FILE_NAME_MAX = 255;
/** A request path an active health check sends (its query included). */
const PROBE_PATH = /^\/[A-Za-z0-9._~\-/?=&%]{0,255}$/;
/** A DNS server address: a host name or IPv4 address, optionally with a port. */
const DNS_SERVER = /^[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?(:\d{1,5})?$/;
const DNS_SERVER_ALLOWED = 'must be a host name or IPv4 address, optionally with :port';
const SERVER_ADDRESS = /^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):(\d{1,5})$/;
const AT_LEAST_A_SECOND = 'must be at least 1 second';

/** A location path nginx matches: absolute, plain characters, at most 1024 of them. */
function isRoutePath(path: string): boolean {
  return isAbsolutePath(path) && path.length <= 1024;
}

/** A file nginx opens has no name (path segment) longer than {@link FILE_NAME_MAX}: else it cannot exist. */
function checkFileNames(v: PropsValidator, prop: string, file: string): void {
  const longest = Math.max(...file.split('/').map((name) => Buffer.byteLength(name)));
  v.check(longest <= FILE_NAME_MAX, prop, file,
    `has a file or directory name of ${longest} bytes; file systems allow at most ${FILE_NAME_MAX} (NAME_MAX)`);
}

// ---------------------------------------------------------------------------------------------------
// The props (constructor)

/** What the constructor's rules read: the props as given and as resolved. */
export interface AgentGatewayRuleInput {
  readonly props: AgentGatewayProps;
  readonly resolved: ResolvedAgentGatewayProps;
}

type GatewayRule = PropsRule<AgentGatewayRuleInput>;

const names: GatewayRule = (v, { resolved: r }) => {
  // The name is the Service's too: a DNS-1035 label.
  v.field(FIELD_RULES.serviceName, 'name', r.name).field(FIELD_RULES.namespaceName, 'namespace', r.namespace)
    .labelValue('partOf', r.partOf);
  v.check(isDnsSubdomain(r.serverName), 'serverName', r.serverName,
    'must be a lowercase DNS name (ai-agent.example.com)');
  // The edge's host (Ingress rule host, HTTPRoute hostname) is never an IP address.
  if (r.edge.kind !== GatewayEdgeKind.NONE && isDnsSubdomain(r.serverName)) {
    v.check(FIELD_RULES.ingressHost.test(r.serverName), 'serverName', r.serverName,
      'must be a DNS name, not an IP address: the edge (Ingress or HTTPRoute) takes no IP address as its host');
  }
};

const image: GatewayRule = (v, { resolved: r }) => {
  v.pinnedImage('image', r.image);
};

const tracing: GatewayRule = (v, { resolved: r }) => {
  if (!r.tracing) return;
  v.check(/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/.test(r.tracing.otlpEndpoint), 'tracing.otlpEndpoint',
    r.tracing.otlpEndpoint, 'must be host:port of an OTLP/gRPC collector (otel-collector.monitoring.svc:4317)');
  v.check(/^[A-Za-z0-9._-]{1,128}$/.test(r.tracing.serviceName), 'tracing.serviceName', r.tracing.serviceName,
    'must be 1-128 letters, digits, ., _ or -');
  v.check(r.nginxModules.includes(NginxModule.OTEL), 'tracing', r.tracing.otlpEndpoint,
    'needs nginx\'s OpenTelemetry module in the builds: nginxModules: [NginxModule.OTEL] (the nginx:*-otel images)');
};

const requestMetrics: GatewayRule = (v, { resolved: r }) => {
  const metrics = r.requestMetrics;
  if (!metrics) return;
  v.pinnedImage('requestMetrics.image', metrics.image);
  const buckets = metrics.latencyBuckets;
  v.check(buckets.length > 0 && buckets.length <= 30, 'requestMetrics.latencyBuckets', buckets.length,
    'must list 1 to 30 bounds (each bucket is a series per route and tenant)');
  buckets.forEach((seconds, i) => {
    v.check(Number.isFinite(seconds) && seconds > 0 && (i === 0 || seconds > buckets[i - 1]),
      `requestMetrics.latencyBuckets[${i}]`, `${seconds}s`, 'must be larger than zero and than the bound before it');
  });
};

const maxBodySize: GatewayRule = (v, { resolved: r }) => {
  v.check(sizeKib(r.maxBodySize) > 0, 'maxBodySize', r.maxBodySize.toKibibytes(), 'must be larger than zero (KiB)');
};

const nginxVersions: GatewayRule = (v, { props, resolved: r }) => {
  if (props.nginxVersion !== undefined) {
    v.check(NginxVersion.tryParse(props.nginxVersion) !== undefined, 'nginxVersion', props.nginxVersion,
      'must be an nginx version (1.27.3)');
  } else {
    v.check(NginxVersion.fromImage(r.image) !== undefined, 'image', r.image,
      'names no nginx version in its tag: set nginxVersion');
  }
  if (props.standaloneNginxVersion !== undefined) {
    v.check(NginxVersion.tryParse(props.standaloneNginxVersion) !== undefined, 'standaloneNginxVersion',
      props.standaloneNginxVersion, 'must be an nginx version (1.22.1)');
  }
  const versions = [['nginxVersion', r.nginxVersion], ['standaloneNginxVersion', r.standaloneNginxVersion]] as const;
  for (const [prop, ver] of versions) {
    const oldest = NginxVersion.OLDEST_SUPPORTED;
    v.check(ver.atLeast(oldest), prop, ver.toString(), `must be >= ${oldest}`);
  }
};

const rateLimitZones: GatewayRule = (v, { resolved: r }) => {
  const zoneNames = new Set<string>();
  r.rateLimits.forEach((zone, i) => {
    const p = `rateLimits[${i}]`;
    v.check(RateLimitZone.isRateLimitZone(zone), p, zone,
      'must be a RateLimitZone (RateLimitZone.perClientIp, .global, .perKey)');
    if (!RateLimitZone.isRateLimitZone(zone)) return;
    v.check(NGINX_NAME.test(zone.name), `${p}.name`, zone.name, NGINX_NAME_ALLOWED);
    v.check(!zoneNames.has(zone.name), `${p}.name`, zone.name, 'is used by another zone');
    zoneNames.add(zone.name);
    checkRateLimit(v, `${p}.limit`, zone.limit);
    v.check(sizeKib(zone.size) >= 32, `${p}.size`, `${zone.size.toKibibytes()}KiB`, 'must be at least 32KiB');
    const field = zone.key.fieldName;
    if (field !== undefined) v.check(FIELD_NAME.test(field), `${p}.key`, field, FIELD_NAME_ALLOWED);
  });
};

function checkRateLimit(v: PropsValidator, prop: string, limit: RateLimit): void {
  v.check(RateLimit.isRateLimit(limit), prop, limit, 'must be a RateLimit (RateLimit.perSecond, RateLimit.perMinute)');
  if (!RateLimit.isRateLimit(limit)) return;
  v.check(Number.isInteger(limit.rate) && limit.rate > 0, `${prop}.rate`, limit.rate,
    'must be a positive integer (requests per second or minute)');
  v.check(Number.isInteger(limit.burst) && limit.burst >= 0, `${prop}.burst`, limit.burst, 'must be an integer >= 0');
}

const connectionsPerClient: GatewayRule = (v, { resolved: r }) => {
  v.integer('connectionsPerClient', r.connectionsPerClient, 1);
};

const tls: GatewayRule = (v, { props, resolved: r }) => {
  if (!props.tls || !r.tls) return;
  const given = props.tls;
  for (const key of ['certificateFile', 'keyFile'] as const) {
    const file = given[key];
    v.check(typeof file === 'string' && FILE_PATH.test(file) && file.length <= 1024, `tls.${key}`, file,
      'is required with tls and must be an absolute path of letters, digits and ._-/ without \'..\''
      + ' (e.g. /etc/nginx/ssl/cert.pem)');
    if (typeof file === 'string') checkFileNames(v, `tls.${key}`, file);
  }
  v.field(FIELD_RULES.objectName, 'tls.secretName', r.tls.secretName);
  if (given.hsts?.maxAge) atLeastASecond(v, 'tls.hsts.maxAge', given.hsts.maxAge);
  if (given.ciphers !== undefined) {
    v.check(/^[A-Za-z0-9_:+!-]{1,1024}$/.test(given.ciphers), 'tls.ciphers', given.ciphers,
      'must be an OpenSSL cipher list (at most 1024 characters)');
  }
};

function atLeastASecond(v: PropsValidator, prop: string, value: Duration): void {
  v.check(value.toMilliseconds() >= 1000, prop, value.toHumanString(), AT_LEAST_A_SECOND);
}

const clientTimeouts: GatewayRule = (v, { props }) => {
  for (const key of ['header', 'body', 'send'] as const) {
    const timeout = props.clientTimeouts?.[key];
    if (timeout) atLeastASecond(v, `clientTimeouts.${key}`, timeout);
  }
};

const tuning: GatewayRule = (v, { props }) => {
  const given = props.tuning ?? {};
  if (given.workerProcesses !== 'auto') v.integer('tuning.workerProcesses', given.workerProcesses, 1);
  v.integer('tuning.workerRlimitNofile', given.workerRlimitNofile, 1024);
  v.integer('tuning.workerConnections', given.workerConnections, 1);
  v.integer('tuning.keepaliveRequests', given.keepaliveRequests, 1);
  if (given.gzip) {
    v.integer('tuning.gzip.level', given.gzip.level, 1, 9).integer('tuning.gzip.minLength', given.gzip.minLength, 0);
  }
};

const kubernetes: GatewayRule = (v, { props, resolved: r }) => {
  const kube = props.kubernetes === false ? {} : props.kubernetes ?? {};
  if (r.deployment) v.integer('kubernetes.replicas', r.deployment.replicas, 1);
  v.dnsSubdomain('kubernetes.clusterDomain', kube.clusterDomain);
  if (kube.dnsResolver !== undefined) {
    v.check(DNS_SERVER.test(kube.dnsResolver), 'kubernetes.dnsResolver', kube.dnsResolver, DNS_SERVER_ALLOWED);
  }
  r.cluster.trustedProxies.forEach((cidr, i) => {
    v.check(isCidr(cidr), `kubernetes.trustedProxies[${i}]`, cidr, 'must be an IPv4 or IPv6 address or CIDR');
  });
  if (!r.deployment) return;
  checkPodSecurity(v, 'kubernetes.security', r.deployment.security);
  const cpu = r.deployment.resources.cpu;
  for (const [which, value] of [['request', cpu.request], ['limit', cpu.limit]] as const) {
    v.check(isCpuQuantity(value.amount), `kubernetes.resources.cpu.${which}`, raw(value.amount),
      'must be a CPU quantity larger than zero (Cpu.units(1), Cpu.millis(100))');
  }
  const memory = r.deployment.resources.memory;
  const request = sizeKib(memory.request);
  v.check(request > 0 && request <= sizeKib(memory.limit), 'kubernetes.resources.memory.request',
    sizeQuantity(memory.request), `must be larger than zero and <= the limit (${sizeQuantity(memory.limit)})`);
  if (r.deployment.exporterImage !== false) v.pinnedImage('kubernetes.exporterImage', r.deployment.exporterImage);
};

function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    return v4.slice(1).every((o) => Number(o) <= 255)
      && (bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32));
  }
  return /^[0-9a-fA-F:]+$/.test(address) && address.includes(':')
    && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= 128));
}

const edge: GatewayRule = (v, { resolved: r }) => {
  v.field(FIELD_RULES.objectName, 'edge.name', r.edgeName);
  v.field(FIELD_RULES.ingressClassName, 'edge.className', r.edge.ingress?.className);
  v.annotations('edge.annotations', r.edge.ingress?.annotations);
  for (const key of Object.keys(r.edge.ingress?.annotations ?? {})) {
    if (!key.startsWith(INGRESS_NGINX_PREFIX)) continue;
    const annotation = key.slice(INGRESS_NGINX_PREFIX.length);
    v.check(INGRESS_NGINX_ANNOTATIONS.has(annotation), `edge.annotations["${key}"]`, annotation,
      'is not an ingress-nginx annotation'
      + ' (rate limits are limit-rps, limit-rpm, limit-burst-multiplier, limit-connections)');
  }
  if (r.edge.kind === GatewayEdgeKind.HTTP_ROUTE) {
    const parents = r.edge.httpRoute?.parentRefs ?? [];
    v.check(parents.length > 0, 'edge.parentRefs', parents.length, 'must name at least one Gateway');
    // Gateway API's ObjectName, Namespace and SectionName (apis/v1/shared_types.go): a Gateway's name, a
    // namespace name and a listener name.
    parents.forEach((ref, i) => {
      v.field(FIELD_RULES.objectName, `edge.parentRefs[${i}].name`, ref.name)
        .field(FIELD_RULES.namespaceName, `edge.parentRefs[${i}].namespace`, ref.namespace)
        .field(FIELD_RULES.dns1123Subdomain, `edge.parentRefs[${i}].sectionName`, ref.sectionName);
    });
  }
};

const tenancy: GatewayRule = (v, { props, resolved: r }) => {
  validateTenancyOptions(v, r.tenancy.apiKeyHeaders, r.tenancy.tenantHeader, props.tenancy?.planZoneSize);
};

/** The AgentGateway's props rules, in the order their problems are reported. */
export const AGENT_GATEWAY_RULES: ReadonlyArray<GatewayRule> = [
  names, image, requestMetrics, tracing, maxBodySize, nginxVersions, rateLimitZones, connectionsPerClient, tls,
  clientTimeouts, tuning, kubernetes, edge, tenancy,
];

// ---------------------------------------------------------------------------------------------------
// An upstream (addUpstream)

/** An upstream about to be added, defaults filled in, and what the gateway knows of it. */
export interface UpstreamRuleInput {
  /** Undefined without a name and a workload (reported). */
  readonly name?: string;
  readonly workload?: IAgentWorkload;
  readonly loadBalancing: LoadBalancing;
  readonly servers: readonly UpstreamServer[];
  readonly healthCheck: HealthCheck;
  readonly keepalive: number;
  readonly zoneSize: Size;
  /** Another upstream of the gateway has this name. */
  readonly nameTaken: boolean;
  /** The workload already has an upstream in the gateway. */
  readonly workloadTaken: boolean;
  readonly nginxPlus: boolean;
  readonly nginxModules: readonly NginxModule[];
  /** Name of the headless Service the gateway creates over the workload's pods, when it creates one. */
  readonly headlessServiceName?: string;
}

type UpstreamRule = PropsRule<UpstreamRuleInput>;

const upstreamName: UpstreamRule = (v, u) => {
  v.check(u.name !== undefined, 'upstream.name', u.name, 'is required for an upstream without a workload');
  if (u.name !== undefined) {
    v.check(NGINX_NAME.test(u.name), 'upstream.name', u.name, NGINX_NAME_ALLOWED);
    v.check(!u.nameTaken, 'upstream.name', u.name, 'is used by another upstream of this gateway');
  }
  if (u.workload) {
    v.check(!u.workloadTaken, `upstream '${u.name}'.workload`, u.workload.name,
      'already has an upstream in this gateway; route to it instead');
    checkHeadlessServiceName(v, `upstream '${u.name}'.workload`, u.workload, u.headlessServiceName);
    checkWorkload(v, `upstream '${u.name}'.workload`, u.workload);
  }
};

/**
 * A workload of this library is valid already; one of the user's own (an IAgentWorkload) is checked here: the
 * edge and the headless Service take its Service name, namespace and selector.
 */
export function checkWorkload(v: PropsValidator, prop: string, workload: IAgentWorkload): void {
  v.field(FIELD_RULES.serviceName, `${prop}.serviceName`, workload.serviceName)
    .field(FIELD_RULES.namespaceName, `${prop}.namespace`, workload.namespace)
    .labels(`${prop}.selectorLabels`, workload.selectorLabels);
}

/**
 * The headless Service over a workload's pods is named `<serviceName>-headless`: a Service name, so a DNS-1035
 * label of at most 63 characters, which a long serviceName leaves no room for.
 */
export function checkHeadlessServiceName(
  v: PropsValidator, prop: string, workload: IAgentWorkload, name: string | undefined,
): void {
  if (name === undefined) return;
  v.check(FIELD_RULES.serviceName.test(name), prop, workload.serviceName, 'gives the headless Service over its pods '
    + `the name "${name}", which ${FIELD_RULES.serviceName.allowed.replace(/^must be/, 'is not')}: shorten its `
    + 'serviceName');
}

const upstreamServers: UpstreamRule = (v, u) => {
  const p = `upstream '${u.name}'`;
  v.check(u.servers.length > 0, `${p}.servers`, u.servers.length, 'must list at least one server');
  v.check(u.servers.length === 0 || u.servers.some((s) => !s.options.backup), `${p}.servers`, u.servers.map(String),
    'must include a server that is not backup');
  u.servers.forEach((server, i) => checkServer(v, `${p}.servers[${i}]`, server, u.loadBalancing));
};

function checkServer(v: PropsValidator, sp: string, server: UpstreamServer, lb: LoadBalancing): void {
  const match = SERVER_ADDRESS.exec(server.address);
  const port = Number(match?.[3]);
  v.check(match !== null && match[1].length <= 253 && port >= 1 && port <= 65535, `${sp}.address`, server.address,
    'must be host:port with a host name of at most 253 characters and a port between 1 and 65535');
  v.integer(`${sp}.weight`, server.options.weight, 1, 1000);
  v.integer(`${sp}.maxFails`, server.options.maxFails, 0);
  v.integer(`${sp}.maxConns`, server.options.maxConns, 0);
  if (server.options.failTimeout) atLeastASecond(v, `${sp}.failTimeout`, server.options.failTimeout);
  v.check(!(server.options.backup && lb.isHash), `${sp}.backup`, true,
    `is not allowed with ${lb.method} load balancing (nginx rejects backup servers with hash, ip_hash and random)`);
}

const upstreamSettings: UpstreamRule = (v, u) => {
  const p = `upstream '${u.name}'`;
  const key = u.loadBalancing.key?.fieldName;
  if (key !== undefined) v.check(FIELD_NAME.test(key), `${p}.loadBalancing.key`, key, FIELD_NAME_ALLOWED);
  const health = u.healthCheck;
  if (health.active?.path !== undefined) {
    v.check(PROBE_PATH.test(health.active.path), `${p}.healthCheck.path`, health.active.path,
      'must be an absolute path (and query) of letters, digits and ._~-/?=&%, at most 256 characters');
  }
  v.integer(`${p}.keepalive`, u.keepalive, 0, 10000);
  v.integer(`${p}.healthCheck.maxFails`, health.maxFails, 0);
  atLeastASecond(v, `${p}.healthCheck.failTimeout`, health.failTimeout);
  v.check(sizeKib(u.zoneSize) >= 32, `${p}.zoneSize`, `${u.zoneSize.toKibibytes()}KiB`, 'must be at least 32KiB');
};

const upstreamHealthCheckBuild: UpstreamRule = (v, u) => {
  const p = `upstream '${u.name}'`;
  if (u.healthCheck.kind === HealthCheckKind.NGINX_PLUS) {
    v.check(u.nginxPlus, `${p}.healthCheck`, 'HealthCheck.nginxPlus()',
      'needs nginxPlus: true (stock nginx has no active health_check; use HealthCheck.passive())');
  }
  if (u.healthCheck.kind === HealthCheckKind.UPSTREAM_CHECK_MODULE) {
    const declared = u.nginxModules.includes(NginxModule.UPSTREAM_CHECK);
    v.check(declared, `${p}.healthCheck`, 'HealthCheck.upstreamCheckModule()',
      'needs nginxModules: [NginxModule.UPSTREAM_CHECK]'
      + ' (stock nginx has no check directive; use HealthCheck.passive())');
  }
};

/** The rules of `addUpstream`. */
export const UPSTREAM_RULES: ReadonlyArray<UpstreamRule> = [
  upstreamName, upstreamServers, upstreamSettings, upstreamHealthCheckBuild,
];

// ---------------------------------------------------------------------------------------------------
// A route (route)

/** A route about to be added, defaults filled in, and what the gateway knows of it. */
export interface RouteRuleInput {
  readonly path: string;
  readonly target: IAgentWorkload | GatewayUpstream;
  readonly options: GatewayRouteOptions;
  /** The target upstream when it is this gateway's, or the workload's upstream from an earlier route. */
  readonly upstream?: GatewayUpstream;
  /** The path is routed already. */
  readonly routed: boolean;
  /** How the path matches. */
  readonly match: PathMatch;
  /** The gateway's zones. */
  readonly gatewayRateLimits: readonly RateLimitZone[];
  /** The zones the route applies. */
  readonly rateLimits: readonly RateLimitZone[];
  readonly timeouts: {
    readonly connectTimeout: Duration;
    readonly readTimeout: Duration;
    readonly sendTimeout: Duration;
  };
  readonly retries: RetryPolicy;
  /** The gateway's request metrics are on. */
  readonly requestMetrics: boolean;
  /** The modules the gateway's builds declare. */
  readonly modules: readonly NginxModule[];
}

type RouteRule = PropsRule<RouteRuleInput>;

const routeTarget: RouteRule = (v, r) => {
  const p = `route '${r.path}'`;
  if (GatewayUpstream.isGatewayUpstream(r.target)) {
    v.check(r.upstream !== undefined, `${p}.target`, r.target.name,
      `is an upstream of another gateway ('${r.target.gatewayId}'), unknown here`);
    v.check(r.options.upstream === undefined, `${p}.upstream`, r.options.upstream?.name,
      'is only for routes to a workload');
  } else {
    v.check(!(r.upstream && r.options.upstream), `${p}.upstream`, r.options.upstream?.name,
      `cannot reconfigure upstream '${r.upstream?.name}' of an earlier route`);
  }
};

const routePath: RouteRule = (v, { path, routed, match }) => {
  v.check(isRoutePath(path), 'route.path', path, 'must be an absolute path of at most 1024 letters, digits and ._~-/');
  v.check(Object.values(PathMatch).includes(match), 'route.match', match,
    'must be PathMatch.PREFIX or PathMatch.EXACT');
  v.check(path !== '/', 'route.path', path, 'must not be \'/\' (the gateway answers unknown paths with a JSON 404)');
  v.check(!path.split('/').some((segment) => segment === '.' || segment === '..'), 'route.path', path,
    'must not contain \'.\' or \'..\' segments (nginx normalizes request paths, so such a location never matches)');
  v.check(!path.includes('//'), 'route.path', path, 'must not contain empty segments (\'//\'): nginx merges '
    + 'slashes in request paths, so such a location never matches, and the API server refuses it as an Ingress path');
  v.check(!routed, 'route.path', path, 'is already routed');
  const own: readonly string[] = [NGINX_CONTAINER.healthPath, NGINX_CONTAINER.statusPath];
  v.check(!own.includes(path.replace(/\/$/, '')), 'route.path', path, 'is the gateway\'s own');
};

const routeLimits: RouteRule = (v, r) => {
  const p = `route '${r.path}'`;
  r.rateLimits.forEach((zone) => {
    v.check(r.gatewayRateLimits.includes(zone), `${p}.rateLimits`, zone.name,
      'must be a zone of the gateway\'s rateLimits');
  });
  for (const [key, value] of Object.entries(r.timeouts)) atLeastASecond(v, `${p}.${key}`, value);
  if (!r.retries.off) {
    v.integer(`${p}.retries.tries`, r.retries.tries, 1, 100);
    atLeastASecond(v, `${p}.retries.timeout`, r.retries.timeout);
  }
  const body = r.options.maxBodySize;
  if (body) v.check(sizeKib(body) > 0, `${p}.maxBodySize`, body.toKibibytes(), 'must be larger than zero (KiB)');
};

const routeTokenUsage: RouteRule = (v, r) => {
  if (!r.options.tokenUsage) return;
  const p = `route(${r.path}).tokenUsage`;
  v.check(r.requestMetrics, p, true, 'needs the gateway\'s request metrics (requestMetrics is false): they carry it');
  v.check(r.modules.includes(NginxModule.NJS), p, true,
    'needs the njs module in the gateway\'s builds: nginxModules: [NginxModule.NJS] (the official images ship it; '
    + 'Debian: libnginx-mod-http-js)');
};

/** The rules of `route`. */
export const ROUTE_RULES: ReadonlyArray<RouteRule> = [routeTarget, routePath, routeLimits, routeTokenUsage];

// ---------------------------------------------------------------------------------------------------
// A rendering target (renderNginxConf)

/** A target the gateway renders for, and the gateway's open-file limit. */
export interface TargetRuleInput {
  readonly target: GatewayTarget;
  readonly workerRlimitNofile: number;
}

type TargetRule = PropsRule<TargetRuleInput>;

const targetPorts: TargetRule = (v, { target }) => {
  const ports = {
    httpPort: target.httpPort,
    httpsPort: target.httpsPort,
    statusPort: target.statusPort,
    publicHttpsPort: target.publicHttpsPort,
  };
  for (const [key, port] of Object.entries(ports)) v.port(`target.${key}`, port);
  const own = [target.httpPort, target.httpsPort, target.statusPort];
  v.check(new Set(own).size === 3, 'target ports', own.join(', '),
    'must be three different ports (http, https, stub_status)');
};

/** The paths and files a target puts into nginx.conf: absolute, plain characters only. */
const targetPaths: TargetRule = (v, { target }) => {
  for (const [prop, path] of [['target.healthPath', target.healthPath], ['target.statusPath', target.statusPath]]) {
    v.check(isRoutePath(path) && !path.endsWith('/'), prop, path,
      'must be an absolute path of letters, digits and ._~-/, not ending in \'/\'');
  }
  const files: Array<[string, string | undefined]> = [
    ['target.pidFile', target.pidFile], ['target.tempDirectory', target.tempDirectory],
    ['target.certificateFile', target.options.certificateFile], ['target.keyFile', target.options.keyFile],
  ];
  for (const [prop, file] of files) {
    if (file === undefined) continue;
    v.check(FILE_PATH.test(file), prop, file, 'must be an absolute path of letters, digits and ._-/ without \'..\'');
    checkFileNames(v, prop, file);
  }
  const resolver = target.resolver;
  if (resolver !== undefined) v.check(DNS_SERVER.test(resolver), 'target.resolver', resolver, DNS_SERVER_ALLOWED);
};

const targetOpenFiles: TargetRule = (v, { target, workerRlimitNofile: nofile }) => {
  if (target.maxOpenFiles === undefined) return;
  v.check(nofile <= target.maxOpenFiles, 'tuning.workerRlimitNofile', nofile,
    `must be <= the ${target.kind} container's open-file limit (${target.maxOpenFiles})`);
};

/** The rules of `renderNginxConf`'s target. */
export const TARGET_RULES: ReadonlyArray<TargetRule> = [targetPorts, targetPaths, targetOpenFiles];
