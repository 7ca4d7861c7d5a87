import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { resolvesDynamically } from './_nginx-conf';
import { NGINX_CONTAINER } from './_nginx-container';
import {
  AgentGatewayProps, DEFAULT_EXPORTER_IMAGE, DEFAULT_GATEWAY_IMAGE, GatewayKubernetesProps, GatewayTlsProps,
  MODERN_TLS_CIPHERS, ResolvedGatewayClientTimeouts, ResolvedGatewayRequestMetrics, ResolvedGatewayTls,
  ResolvedGatewayTuning,
} from './props';
import { DEFAULT_LATENCY_BUCKETS, REQUEST_METRICS } from './_request-metrics';
import { GatewayEdge, GatewayEdgeKind } from './targets';
import { ApiKeyHeader } from './tenancy';
import { RateLimit, RateLimitZone } from './values';
import { ResolvedPodSecurity, resolvePodSecurity } from '../core/pod-security';
import { NginxModule, NginxVersion } from '../nginx';
import { AgentResources } from '../workloads/agent-values';

/** Where the gateway's nginx finds the cluster's pods and who may forward to it (every rendering). */
export interface ResolvedGatewayCluster {
  readonly clusterDomain: string;
  readonly dnsResolver: string;
  /** nginx re-resolves upstream names (headless Services over the pods). */
  readonly dynamic: boolean;
  readonly trustedProxies: readonly string[];
}

/** The gateway Deployment, unless disabled. */
export interface ResolvedGatewayDeployment {
  readonly replicas: number;
  readonly exporterImage: string | false;
  readonly security: ResolvedPodSecurity;
  readonly podDisruptionBudget: boolean;
  readonly resources: Required<AgentResources>;
}

/** How tenants are identified. */
export interface ResolvedGatewayTenancy {
  readonly apiKeyHeaders: readonly ApiKeyHeader[];
  readonly tenantHeader: string;
  readonly planZoneSize: Size;
}

/** Every prop of an {@link AgentGateway}, defaults filled in: what its renderings map. */
export interface ResolvedAgentGatewayProps {
  readonly name: string;
  readonly namespace: string;
  readonly partOf: string;
  readonly serverName: string;
  readonly image: string;
  readonly nginxVersion: NginxVersion;
  readonly standaloneNginxVersion: NginxVersion;
  readonly nginxPlus: boolean;
  readonly nginxModules: readonly NginxModule[];
  readonly rateLimits: readonly RateLimitZone[];
  readonly connectionsPerClient?: number;
  readonly maxBodySize: Size;
  readonly tls?: ResolvedGatewayTls;
  readonly clientTimeouts: ResolvedGatewayClientTimeouts;
  readonly tuning: ResolvedGatewayTuning;
  readonly accessLog: boolean;
  /** OTLP export of the gateway's spans, when asked for. */
  readonly tracing?: { readonly otlpEndpoint: string; readonly serviceName: string };
  /** Undefined with `requestMetrics: false`. */
  readonly requestMetrics?: ResolvedGatewayRequestMetrics;
  readonly cluster: ResolvedGatewayCluster;
  /** Undefined with `kubernetes: false`. */
  readonly deployment?: ResolvedGatewayDeployment;
  readonly edge: GatewayEdge;
  readonly edgeName: string;
  readonly tenancy: ResolvedGatewayTenancy;
}

/**
 * The props with every default filled in. Never throws: an invalid value resolves to a fallback, and
 * the validation table (run next) reports it.
 */
export function resolveAgentGatewayProps(props: AgentGatewayProps, chartNamespace?: string): ResolvedAgentGatewayProps {
  const name = props.name ?? 'ai-gateway';
  const image = props.image ?? DEFAULT_GATEWAY_IMAGE;
  const nginxVersion = resolveNginxVersion(props.nginxVersion, image);
  const nginxPlus = props.nginxPlus ?? false;
  const edge = props.edge ?? GatewayEdge.ingress();
  return {
    name,
    namespace: props.namespace ?? chartNamespace ?? 'default',
    partOf: props.partOf ?? 'ai-agent-platform',
    serverName: props.serverName,
    image,
    nginxVersion,
    standaloneNginxVersion: parseVersionOr(props.standaloneNginxVersion, NginxVersion.DEBIAN_12),
    nginxPlus,
    nginxModules: [...(props.nginxModules ?? [])],
    rateLimits: props.rateLimits ?? [
      RateLimitZone.perClientIp('ai_api', RateLimit.perSecond(10, { burst: 20 })),
      RateLimitZone.global('ai_global', RateLimit.perSecond(1000, { burst: 1000 })),
    ],
    connectionsPerClient: props.connectionsPerClient,
    maxBodySize: props.maxBodySize ?? Size.mebibytes(100),
    tls: props.tls ? resolveTls(props.tls, name) : undefined,
    clientTimeouts: resolveClientTimeouts(props),
    tuning: resolveTuning(props),
    accessLog: props.accessLog ?? true,
    tracing: props.tracing
      ? { otlpEndpoint: props.tracing.otlpEndpoint, serviceName: props.tracing.serviceName ?? name }
      : undefined,
    requestMetrics: props.requestMetrics === false ? undefined : {
      image: props.requestMetrics?.image ?? REQUEST_METRICS.defaultImage,
      latencyBuckets: (props.requestMetrics?.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS)
        .map((d) => d.toMilliseconds() / 1000),
    },
    cluster: resolveCluster(props.kubernetes === false ? {} : props.kubernetes ?? {}, nginxVersion, nginxPlus),
    deployment: props.kubernetes === false ? undefined : resolveDeployment(props.kubernetes ?? {}),
    edge,
    edgeName: edge.name ?? `${name}-${edge.kind === GatewayEdgeKind.INGRESS ? 'ingress' : 'route'}`,
    tenancy: {
      apiKeyHeaders: props.tenancy?.apiKeyHeaders ?? [ApiKeyHeader.bearer(), ApiKeyHeader.named('X-API-Key')],
      tenantHeader: props.tenancy?.tenantHeader ?? 'X-Tenant-ID',
      planZoneSize: props.tenancy?.planZoneSize ?? Size.mebibytes(10),
    },
  };
}

/** The version given, else the image tag's; 1.28.0 when neither parses (reported by validation). */
function resolveNginxVersion(given: string | undefined, image: string): NginxVersion {
  const version = given !== undefined ? NginxVersion.tryParse(given) : NginxVersion.fromImage(image);
  return version ?? NginxVersion.parse('1.28.0');
}

function parseVersionOr(given: string | undefined, fallback: NginxVersion): NginxVersion {
  return (given !== undefined ? NginxVersion.tryParse(given) : undefined) ?? fallback;
}

function resolveTls(tls: GatewayTlsProps, gatewayName: string): ResolvedGatewayTls {
  const hsts = tls.hsts;
  return {
    // Required with tls: validation reports them missing.
    certificateFile: tls.certificateFile ?? '',
    keyFile: tls.keyFile ?? '',
    secretName: tls.secretName ?? `${gatewayName}-tls`,
    ciphers: tls.ciphers ?? MODERN_TLS_CIPHERS,
    sessionTimeout: tls.sessionTimeout ?? Duration.days(1),
    hsts: hsts ? {
      maxAge: hsts.maxAge ?? Duration.days(365),
      includeSubDomains: hsts.includeSubDomains ?? false,
      preload: hsts.preload ?? false,
    } : undefined,
  };
}

function resolveClientTimeouts(props: AgentGatewayProps): ResolvedGatewayClientTimeouts {
  return {
    header: props.clientTimeouts?.header ?? Duration.seconds(10),
    body: props.clientTimeouts?.body ?? Duration.seconds(60),
    send: props.clientTimeouts?.send ?? Duration.seconds(60),
  };
}

function resolveTuning(props: AgentGatewayProps): ResolvedGatewayTuning {
  const tuning = props.tuning ?? {};
  return {
    workerProcesses: tuning.workerProcesses ?? 'auto',
    workerRlimitNofile: tuning.workerRlimitNofile ?? NGINX_CONTAINER.maxOpenFiles,
    workerConnections: tuning.workerConnections ?? 4096,
    keepaliveTimeout: tuning.keepaliveTimeout ?? Duration.seconds(65),
    keepaliveRequests: tuning.keepaliveRequests ?? 1000,
    gzip: tuning.gzip === false
      ? undefined
      : { minLength: tuning.gzip?.minLength ?? 1024, level: tuning.gzip?.level ?? 6 },
  };
}

function resolveCluster(kube: GatewayKubernetesProps, version: NginxVersion, plus: boolean): ResolvedGatewayCluster {
  const clusterDomain = kube.clusterDomain ?? 'cluster.local';
  return {
    clusterDomain,
    dnsResolver: kube.dnsResolver ?? `kube-dns.kube-system.svc.${clusterDomain}`,
    dynamic: resolvesDynamically({ version, plus, modules: [] }),
    trustedProxies: [...(kube.trustedProxies ?? ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])],
  };
}

function resolveDeployment(kube: GatewayKubernetesProps): ResolvedGatewayDeployment {
  return {
    replicas: kube.replicas ?? 2,
    exporterImage: kube.exporterImage ?? DEFAULT_EXPORTER_IMAGE,
    security: resolvePodSecurity(kube.security, { runAsUser: NGINX_CONTAINER.uid, runAsGroup: NGINX_CONTAINER.uid }),
    podDisruptionBudget: kube.podDisruptionBudget ?? true,
    resources: {
      cpu: kube.resources?.cpu ?? { request: Cpu.millis(100), limit: Cpu.units(1) },
      memory: kube.resources?.memory ?? { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
    },
  };
}
