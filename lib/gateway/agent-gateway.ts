import { Chart, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { GatewayNginxSpec, gatewayNginxConfig, resolvesDynamically } from './_nginx-conf';
import { GatewayTenancySpec, resolveTenancy, validateTenancyOptions } from './_tenant-routing';
import {
  addEdge, addGatewayWorkload, addHeadlessService, INGRESS_NGINX_ANNOTATIONS, INGRESS_NGINX_PREFIX, ingressNginxAnnotations,
} from './_kubernetes';
import { selectorLabels, standardLabels } from '../core/pod';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { isDnsSubdomain, PropsValidator } from '../core/validation';
import { GatewayEdge, GatewayEdgeKind, GatewayTarget, GatewayTargetKind } from './targets';
import { ApiKeyHeader, GatewayTenancyOptions, IGatewayTenant, TENANT_KEYS_DIRECTORY, TENANT_KEYS_SECRET_KEY } from './tenancy';
import { GatewayRoute, GatewayRouteOptions, GatewayUpstream, GatewayUpstreamOptions } from './upstream';
import {
  HealthCheck, HealthCheckKind, LoadBalancing, RateLimit, RateLimitZone, RetryPolicy, UpstreamServer,
} from './values';
import { isPinnedImage } from '../workloads/agent-values';
import { NginxBuild, NginxModule, NginxVersion, renderNginxConfig } from '../nginx';
import { resolvePodSecurity } from '../core/pod-security';
import {
  DEFAULT_EXPORTER_IMAGE, DEFAULT_GATEWAY_IMAGE, GatewayClientTimeouts, GatewayKubernetesProps, GatewayTlsProps, GatewayTuning, MODERN_TLS_CIPHERS,
} from './props';
import { IAgentWorkload, WorkloadRole } from '../workloads/workload';
import { NGINX_CONTAINER } from './_nginx-container';
import { brand, hasBrand } from '../core/brand';

/** Props of {@link AgentGateway}. */
export interface AgentGatewayProps {
  /** Host name the gateway serves (`ai-agent.example.com`). */
  readonly serverName: string;
  /** Name of the Kubernetes objects. @default 'ai-gateway' */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** @default 'ai-agent-platform' */
  readonly partOf?: string;
  /** TLS; omit to serve plain HTTP (only behind something that terminates TLS). @default - no TLS */
  readonly tls?: GatewayTlsProps;
  /**
   * Rate-limit zones; every API route applies each unless it says otherwise. Rejected requests get 429.
   * @default - `ai_api` 10 r/s per client IP (burst 20) and `ai_global` 1000 r/s for the server (burst 1000)
   */
  readonly rateLimits?: RateLimitZone[];
  /** Simultaneous connections per client IP (`limit_conn`). @default - unlimited */
  readonly connectionsPerClient?: number;
  /** Largest request body. @default Size.mebibytes(100) */
  readonly maxBodySize?: Size;
  /** Timeouts on slow clients. @default - header 10s, body 60s, send 60s, see {@link GatewayClientTimeouts} */
  readonly clientTimeouts?: GatewayClientTimeouts;
  /** @default - the brief's values, see {@link GatewayTuning} */
  readonly tuning?: GatewayTuning;
  /**
   * JSON access log, buffered (`buffer=4k flush=1s`): lines reach the log at most a second late, and a worker
   * killed outright (SIGKILL, OOM) loses its last few lines; reloads and shutdowns flush.
   * @default true
   */
  readonly accessLog?: boolean;
  /** Image of the gateway Deployment (and the Compose service). @default DEFAULT_GATEWAY_IMAGE */
  readonly image?: string;
  /** nginx version of the Kubernetes and Compose renderings. @default - the image tag's version */
  readonly nginxVersion?: string;
  /** nginx version of the standalone rendering. @default '1.22.1' (Debian 12) */
  readonly standaloneNginxVersion?: string;
  /** The builds are NGINX Plus. @default false */
  readonly nginxPlus?: boolean;
  /** Third-party modules compiled into the builds. @default - none */
  readonly nginxModules?: NginxModule[];
  /** The Deployment; false to render no Kubernetes workload. @default - see {@link GatewayKubernetesProps} */
  readonly kubernetes?: GatewayKubernetesProps | false;
  /** How traffic enters the cluster. @default GatewayEdge.ingress() */
  readonly edge?: GatewayEdge;
  /**
   * How tenants are identified, once the platform adds tenants (the gateway then serves them).
   * @default - see {@link GatewayTenancyOptions}
   */
  readonly tenancy?: GatewayTenancyOptions;
}

/** nginx names (upstreams, zones): short, so they never hit nginx's token limit. */
const UPSTREAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ZONE_NAME = UPSTREAM_NAME;
const ROUTE_PATH = /^\/[A-Za-z0-9._~\-/]{0,1023}$/;
/** Header and cookie names a key reads. */
const FIELD_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * Files nginx opens: absolute, plain characters only. No `$` (ssl_certificate expands variables), no
 * quotes, spaces or `..` segments.
 */
const FILE_PATH = /^(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/;
/** A request path an active health check sends (its query included). */
const PROBE_PATH = /^\/[A-Za-z0-9._~\-/?=&%]{0,255}$/;
/** A DNS server address: a host name or IPv4 address, optionally with a port. */
const DNS_SERVER = /^[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?(:\d{1,5})?$/;
const SERVER_ADDRESS = /^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):(\d{1,5})$/;

/**
 * The AI gateway: nginx in front of the agents and model services. One model, three renderings of its
 * nginx.conf ({@link GatewayTarget}: VMs, Kubernetes, Compose), the Kubernetes Deployment (unprivileged
 * nginx, read-only root, config in a ConfigMap whose checksum rolls the pods, exporter sidecar), and
 * the edge (ingress-nginx `Ingress` or Gateway API `HTTPRoute`).
 *
 * Routes are added with {@link route}; everything renders at synth time, so later routes show up.
 * The Deployment is the construct's `Resource` child.
 */
export class AgentGateway extends Construct {
  /** Returns true when `x` is an AgentGateway, also one made by another copy of this package (symbol brand). */
  public static isAgentGateway(x: unknown): x is AgentGateway {
    return hasBrand(x, 'AgentGateway');
  }

  static {
    brand(this, 'AgentGateway');
  }

  /** Name of the Kubernetes objects (Deployment, Service, ConfigMap `<name>-nginx`). */
  public readonly name: string;
  /** Namespace of the Kubernetes objects. */
  public readonly namespace: string;
  /** Host name served. */
  public readonly serverName: string;
  /** Image of the Deployment (and of the Compose service). */
  public readonly image: string;
  /** Version of the Kubernetes and Compose renderings. */
  public readonly nginxVersion: NginxVersion;
  /** Version of the standalone rendering. */
  public readonly standaloneNginxVersion: NginxVersion;
  /** Rate-limit zones every route applies unless it says otherwise. */
  public readonly rateLimits: readonly RateLimitZone[];
  /** Largest request body. */
  public readonly maxBodySize: Size;
  /** True when the gateway serves HTTPS. */
  public readonly tlsEnabled: boolean;
  /** TLS Secret of the edge, when TLS is on. */
  public readonly tlsSecretName?: string;
  /** The gateway Deployment, unless disabled. */
  public readonly deployment?: k8s.KubeDeployment;
  /** Labels of the gateway's objects. */
  public readonly labels: Record<string, string>;
  /**
   * What a PodMonitor scrapes: the exporter sidecar's `metrics` port, when the gateway runs in
   * Kubernetes with the exporter.
   */
  public readonly metricsTarget?: {
    /** Name of the gateway (and of its PodMonitor). */
    readonly name: string;
    /** Namespace of the gateway pods. */
    readonly namespace: string;
    /** Labels that select the gateway pods. */
    readonly selectorLabels: Record<string, string>;
    /** The exporter's port, path and port name. */
    readonly metrics: {
      /** The exporter's port (9113). */
      readonly port: number;
      /** `/metrics`. */
      readonly path: string;
      /** The container port's name, `metrics`. */
      readonly portName: string;
    };
  };

  private readonly props: AgentGatewayProps;
  private readonly partOf: string;
  private readonly upstreamList: GatewayUpstream[] = [];
  private readonly routeList: GatewayRoute[] = [];
  /** Lookups beside the ordered lists, so that adding a route or upstream does not scan every other. */
  private readonly upstreamsByName = new Map<string, GatewayUpstream>();
  private readonly upstreamsByWorkload = new Map<IAgentWorkload, GatewayUpstream>();
  private readonly routePaths = new Set<string>();
  private readonly kube: { clusterDomain: string; dnsResolver: string; dynamic: boolean; trustedProxies: string[] };
  private readonly apiKeyHeaders: readonly ApiKeyHeader[];
  private readonly tenantHeader: string;
  private tenantProvider?: () => readonly IGatewayTenant[];
  private readonly tenantPools = new Set<IAgentWorkload>();

  constructor(scope: Construct, id: string, props: AgentGatewayProps) {
    super(scope, id);
    this.props = props;
    const v = new PropsValidator('AgentGateway', id);
    this.name = props.name ?? 'ai-gateway';
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.partOf = props.partOf ?? 'ai-agent-platform';
    this.serverName = props.serverName;
    this.image = props.image ?? DEFAULT_GATEWAY_IMAGE;
    this.maxBodySize = props.maxBodySize ?? Size.mebibytes(100);
    this.rateLimits = props.rateLimits ?? [
      RateLimitZone.perClientIp('ai_api', RateLimit.perSecond(10, { burst: 20 })),
      RateLimitZone.global('ai_global', RateLimit.perSecond(1000, { burst: 1000 })),
    ];

    v.dnsLabel('name', this.name).dnsLabel('namespace', this.namespace);
    v.check(isDnsSubdomain(this.serverName), 'serverName', this.serverName, 'must be a lowercase DNS name (ai-agent.example.com)');
    v.check(isPinnedImage(this.image), 'image', this.image, 'must be pinned to a tag other than "latest" or to a digest');
    v.check(sizeKib(this.maxBodySize) > 0, 'maxBodySize', this.maxBodySize.toKibibytes(), 'must be larger than zero (KiB)');

    const imageVersion = NginxVersion.fromImage(this.image);
    const version = props.nginxVersion !== undefined ? NginxVersion.tryParse(props.nginxVersion) : imageVersion;
    v.check(props.nginxVersion === undefined || version !== undefined, 'nginxVersion', props.nginxVersion, 'must be an nginx version (1.27.3)');
    v.check(props.nginxVersion !== undefined || imageVersion !== undefined, 'image', this.image, 'names no nginx version in its tag: set nginxVersion');
    this.nginxVersion = version ?? NginxVersion.parse('1.28.0');
    const standalone = props.standaloneNginxVersion !== undefined ? NginxVersion.tryParse(props.standaloneNginxVersion) : NginxVersion.DEBIAN_12;
    v.check(standalone !== undefined, 'standaloneNginxVersion', props.standaloneNginxVersion, 'must be an nginx version (1.22.1)');
    this.standaloneNginxVersion = standalone ?? NginxVersion.DEBIAN_12;
    for (const [prop, ver] of [['nginxVersion', this.nginxVersion], ['standaloneNginxVersion', this.standaloneNginxVersion]] as const) {
      v.check(ver.atLeast(NginxVersion.OLDEST_SUPPORTED), prop, ver.toString(), `must be >= ${NginxVersion.OLDEST_SUPPORTED}`);
    }

    const zoneNames = new Set<string>();
    this.rateLimits.forEach((zone, i) => {
      const p = `rateLimits[${i}]`;
      v.check(RateLimitZone.isRateLimitZone(zone), p, zone, 'must be a RateLimitZone (RateLimitZone.perClientIp, .global, .perKey)');
      if (!(RateLimitZone.isRateLimitZone(zone))) return;
      v.check(ZONE_NAME.test(zone.name), `${p}.name`, zone.name, 'must be 1-64 letters, digits and \'_\', not starting with a digit');
      v.check(!zoneNames.has(zone.name), `${p}.name`, zone.name, 'is used by another zone');
      zoneNames.add(zone.name);
      checkRateLimit(v, `${p}.limit`, zone.limit);
      v.check(sizeKib(zone.size) >= 32, `${p}.size`, `${zone.size.toKibibytes()}KiB`, 'must be at least 32KiB');
      if (zone.key.fieldName !== undefined) {
        v.check(FIELD_NAME.test(zone.key.fieldName), `${p}.key`, zone.key.fieldName, 'must be a header or cookie name of 1-64 letters, digits, \'-\' and \'_\'');
      }
    });
    if (props.connectionsPerClient !== undefined) v.integer('connectionsPerClient', props.connectionsPerClient, 1);

    if (props.tls) {
      const tls = props.tls;
      for (const key of ['certificateFile', 'keyFile'] as const) {
        v.check(typeof tls[key] === 'string' && FILE_PATH.test(tls[key]!) && tls[key]!.length <= 1024, `tls.${key}`, tls[key],
          'is required with tls and must be an absolute path of letters, digits and ._-/ without \'..\' (e.g. /etc/nginx/ssl/cert.pem)');
      }
      this.tlsSecretName = tls.secretName ?? `${this.name}-tls`;
      v.dnsSubdomain('tls.secretName', this.tlsSecretName);
      if (tls.hsts?.maxAge) v.check(tls.hsts.maxAge.toMilliseconds() >= 1000, 'tls.hsts.maxAge', tls.hsts.maxAge.toHumanString(), 'must be at least 1 second');
      if (tls.ciphers !== undefined) v.check(/^[A-Za-z0-9_:+!-]{1,1024}$/.test(tls.ciphers), 'tls.ciphers', tls.ciphers, 'must be an OpenSSL cipher list (at most 1024 characters)');
    }
    this.tlsEnabled = props.tls !== undefined;

    for (const key of ['header', 'body', 'send'] as const) {
      const timeout = props.clientTimeouts?.[key];
      if (timeout) v.check(timeout.toMilliseconds() >= 1000, `clientTimeouts.${key}`, timeout.toHumanString(), 'must be at least 1 second');
    }

    const tuning = props.tuning ?? {};
    if (tuning.workerProcesses !== 'auto') v.integer('tuning.workerProcesses', tuning.workerProcesses, 1);
    v.integer('tuning.workerRlimitNofile', tuning.workerRlimitNofile, 1024);
    v.integer('tuning.workerConnections', tuning.workerConnections, 1);
    v.integer('tuning.keepaliveRequests', tuning.keepaliveRequests, 1);
    if (tuning.gzip) v.integer('tuning.gzip.level', tuning.gzip.level, 1, 9).integer('tuning.gzip.minLength', tuning.gzip.minLength, 0);

    const kube = props.kubernetes === false ? {} : props.kubernetes ?? {};
    if (props.kubernetes !== false) v.integer('kubernetes.replicas', kube.replicas, 1);
    if (kube.clusterDomain !== undefined) v.dnsSubdomain('kubernetes.clusterDomain', kube.clusterDomain);
    if (kube.dnsResolver !== undefined) {
      v.check(DNS_SERVER.test(kube.dnsResolver), 'kubernetes.dnsResolver', kube.dnsResolver, 'must be a host name or IPv4 address, optionally with :port');
    }
    const trustedProxies = kube.trustedProxies ?? ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
    trustedProxies.forEach((cidr, i) => v.check(isCidr(cidr), `kubernetes.trustedProxies[${i}]`, cidr, 'must be an IPv4 or IPv6 address or CIDR'));
    const cpu = kube.resources?.cpu ?? { request: Cpu.millis(100), limit: Cpu.units(1) };
    const memory = kube.resources?.memory ?? { request: Size.mebibytes(128), limit: Size.mebibytes(512) };
    v.check(sizeKib(memory.request) > 0 && sizeKib(memory.request) <= sizeKib(memory.limit), 'kubernetes.resources.memory.request', sizeQuantity(memory.request),
      `must be larger than zero and <= the limit (${sizeQuantity(memory.limit)})`);
    const exporterImage = kube.exporterImage ?? DEFAULT_EXPORTER_IMAGE;
    if (exporterImage !== false) v.check(isPinnedImage(exporterImage), 'kubernetes.exporterImage', exporterImage, 'must be pinned to a tag other than "latest" or to a digest');
    const edge = props.edge ?? GatewayEdge.ingress();
    const edgeName = edge.name ?? `${this.name}-${edge.kind === GatewayEdgeKind.INGRESS ? 'ingress' : 'route'}`;
    v.dnsSubdomain('edge.name', edgeName);
    for (const key of Object.keys(edge.ingress?.annotations ?? {})) {
      if (!key.startsWith(INGRESS_NGINX_PREFIX)) continue;
      const annotation = key.slice(INGRESS_NGINX_PREFIX.length);
      v.check(INGRESS_NGINX_ANNOTATIONS.has(annotation), `edge.annotations["${key}"]`, annotation,
        'is not an ingress-nginx annotation (rate limits are limit-rps, limit-rpm, limit-burst-multiplier, limit-connections)');
    }
    if (edge.kind === GatewayEdgeKind.HTTP_ROUTE) {
      v.check((edge.httpRoute?.parentRefs ?? []).length > 0, 'edge.parentRefs', (edge.httpRoute?.parentRefs ?? []).length, 'must name at least one Gateway');
    }
    this.apiKeyHeaders = props.tenancy?.apiKeyHeaders ?? [ApiKeyHeader.bearer(), ApiKeyHeader.named('X-API-Key')];
    this.tenantHeader = props.tenancy?.tenantHeader ?? 'X-Tenant-ID';
    validateTenancyOptions(v, this.apiKeyHeaders, this.tenantHeader, props.tenancy?.planZoneSize);
    v.throwIfAny();

    this.kube = {
      clusterDomain: kube.clusterDomain ?? 'cluster.local',
      dnsResolver: kube.dnsResolver ?? `kube-dns.kube-system.svc.${kube.clusterDomain ?? 'cluster.local'}`,
      dynamic: resolvesDynamically(this.build(this.nginxVersion)),
      trustedProxies: [...trustedProxies],
    };
    this.labels = standardLabels(this.name, WorkloadRole.GATEWAY, this.partOf);
    const podSelector = selectorLabels(this.name, this.partOf);

    if (props.kubernetes !== false && exporterImage !== false) {
      this.metricsTarget = {
        name: this.name, namespace: this.namespace, selectorLabels: podSelector,
        metrics: { port: NGINX_CONTAINER.exporterPort, path: NGINX_CONTAINER.metricsPath, portName: 'metrics' },
      };
    }
    if (props.kubernetes !== false) {
      const k8sTarget = GatewayTarget.kubernetes();
      this.deployment = addGatewayWorkload(this, {
        name: this.name,
        namespace: this.namespace,
        labels: this.labels,
        selectorLabels: podSelector,
        image: this.image,
        replicas: kube.replicas ?? 2,
        resources: {
          cpu: [cpu.request.amount, cpu.limit.amount],
          memory: [sizeQuantity(memory.request), sizeQuantity(memory.limit)],
        },
        exporterImage: exporterImage === false ? undefined : exporterImage,
        security: resolvePodSecurity(kube.security, { runAsUser: NGINX_CONTAINER.uid, runAsGroup: NGINX_CONTAINER.uid }),
        target: k8sTarget,
        terminationGraceSeconds: () => this.longestReadTimeout() + 30,
        podDisruptionBudget: kube.podDisruptionBudget ?? true,
        renderConf: () => this.renderNginxConf(k8sTarget),
        confInputs: () => this.renderInputs(),
        tenantKeys: {
          directory: TENANT_KEYS_DIRECTORY,
          files: () => (this.tenantProvider?.() ?? []).map((t) => ({ file: `${t.name}.map`, secretName: t.apiKeys.secretName, key: TENANT_KEYS_SECRET_KEY })),
        },
      });
    }
    addEdge(this, {
      edge,
      name: edgeName,
      namespace: this.namespace,
      labels: this.labels,
      host: this.serverName,
      tlsSecretName: this.tlsSecretName,
      gatewayServiceName: this.name,
      routes: () => this.routeList,
      annotations: ingressNginxAnnotations({
        tls: this.tlsEnabled, maxBodySize: this.maxBodySize, routes: () => this.routeList,
        rateLimits: this.rateLimits, connectionsPerClient: this.props.connectionsPerClient,
      }),
      // Only the gateway checks API keys: with tenants, the edge never bypasses it.
      throughGateway: () => (this.tenantProvider?.() ?? []).length > 0,
    });
  }

  /** The upstreams, in the order they were added. */
  public get upstreams(): readonly GatewayUpstream[] {
    return [...this.upstreamList];
  }

  /** The routes, in the order they were added. */
  public get routes(): readonly GatewayRoute[] {
    return [...this.routeList];
  }

  /**
   * Adds an upstream. With a workload, its servers in Kubernetes are the workload's pods and in Compose
   * its Compose service; `servers` are then only the standalone (VM) servers. Without a workload,
   * `servers` are used everywhere (an external service).
   */
  public addUpstream(options: GatewayUpstreamOptions & { readonly workload?: IAgentWorkload }): GatewayUpstream {
    const workload = options.workload;
    const name = options.name ?? (workload ? `${workload.name.replace(/-/g, '_')}_backend` : undefined);
    const v = new PropsValidator('AgentGateway', this.node.id);
    v.check(name !== undefined, 'upstream.name', name, 'is required for an upstream without a workload');
    if (name !== undefined) {
      v.check(UPSTREAM_NAME.test(name), 'upstream.name', name, 'must be 1-64 letters, digits and \'_\', not starting with a digit');
      v.check(!this.upstreamsByName.has(name), 'upstream.name', name, 'is used by another upstream of this gateway');
    }
    if (workload) {
      v.check(!this.upstreamsByWorkload.has(workload), `upstream '${name}'.workload`, workload.name, 'already has an upstream in this gateway; route to it instead');
    }
    const lb = options.loadBalancing ?? LoadBalancing.leastConnections();
    const servers = options.servers ?? (workload ? [UpstreamServer.of(`${workload.serviceName}:${workload.containerPort}`)] : []);
    const health = options.healthCheck ?? HealthCheck.passive();
    const keepalive = options.keepalive ?? 32;
    const zoneSize = options.zoneSize ?? Size.kibibytes(64);
    const p = `upstream '${name}'`;
    v.check(servers.length > 0, `${p}.servers`, servers.length, 'must list at least one server');
    v.check(servers.length === 0 || servers.some((s) => !s.options.backup), `${p}.servers`, servers.map(String), 'must include a server that is not backup');
    servers.forEach((server, i) => {
      const sp = `${p}.servers[${i}]`;
      const match = SERVER_ADDRESS.exec(server.address);
      v.check(match !== null && match[1].length <= 253 && Number(match[3]) >= 1 && Number(match[3]) <= 65535, `${sp}.address`, server.address,
        'must be host:port with a host name of at most 253 characters and a port between 1 and 65535');
      v.integer(`${sp}.weight`, server.options.weight, 1, 1000);
      v.integer(`${sp}.maxFails`, server.options.maxFails, 0);
      v.integer(`${sp}.maxConns`, server.options.maxConns, 0);
      if (server.options.failTimeout) v.check(server.options.failTimeout.toMilliseconds() >= 1000, `${sp}.failTimeout`, server.options.failTimeout.toHumanString(), 'must be at least 1 second');
      v.check(!(server.options.backup && lb.isHash), `${sp}.backup`, true,
        `is not allowed with ${lb.method} load balancing (nginx rejects backup servers with hash, ip_hash and random)`);
    });
    if (lb.key?.fieldName !== undefined) v.check(FIELD_NAME.test(lb.key.fieldName), `${p}.loadBalancing.key`, lb.key.fieldName, 'must be a header or cookie name of 1-64 letters, digits, \'-\' and \'_\'');
    if (health.active?.path !== undefined) {
      v.check(PROBE_PATH.test(health.active.path), `${p}.healthCheck.path`, health.active.path, 'must be an absolute path (and query) of letters, digits and ._~-/?=&%, at most 256 characters');
    }
    v.integer(`${p}.keepalive`, keepalive, 0, 10000);
    v.integer(`${p}.healthCheck.maxFails`, health.maxFails, 0);
    v.check(health.failTimeout.toMilliseconds() >= 1000, `${p}.healthCheck.failTimeout`, health.failTimeout.toHumanString(), 'must be at least 1 second');
    v.check(sizeKib(zoneSize) >= 32, `${p}.zoneSize`, `${zoneSize.toKibibytes()}KiB`, 'must be at least 32KiB');
    if (health.kind === HealthCheckKind.NGINX_PLUS) {
      v.check(this.props.nginxPlus === true, `${p}.healthCheck`, 'HealthCheck.nginxPlus()', 'needs nginxPlus: true (stock nginx has no active health_check; use HealthCheck.passive())');
    }
    if (health.kind === HealthCheckKind.UPSTREAM_CHECK_MODULE) {
      v.check((this.props.nginxModules ?? []).includes(NginxModule.UPSTREAM_CHECK), `${p}.healthCheck`, 'HealthCheck.upstreamCheckModule()',
        'needs nginxModules: [NginxModule.UPSTREAM_CHECK] (stock nginx has no check directive; use HealthCheck.passive())');
    }
    v.throwIfAny();

    const upstream = new GatewayUpstream(this.node.path, name!, workload, lb, servers, keepalive, health, zoneSize);
    this.upstreamList.push(upstream);
    this.upstreamsByName.set(upstream.name, upstream);
    if (workload) this.upstreamsByWorkload.set(workload, upstream);
    if (workload && this.props.kubernetes !== false && this.kube.dynamic) {
      addHeadlessService(this, `Headless-${name}`, this.headlessServiceName(workload), workload,
        standardLabels(this.headlessServiceName(workload), 'gateway-discovery', this.partOf));
    }
    return upstream;
  }

  /**
   * Routes a path prefix to a workload (its upstream is created on first use, from `options.upstream`)
   * or to an upstream of this gateway.
   * @param path location prefix, e.g. `/api/v1/agent/`
   */
  public route(path: string, target: IAgentWorkload | GatewayUpstream, options: GatewayRouteOptions = {}): GatewayRoute {
    const v = new PropsValidator('AgentGateway', this.node.id);
    let upstream: GatewayUpstream | undefined;
    if (GatewayUpstream.isGatewayUpstream(target)) {
      upstream = this.upstreamsByName.get(target.name) === target ? target : undefined;
      v.check(upstream !== undefined, `route '${path}'.target`, target.name, `is an upstream of another gateway ('${target.gatewayId}'), unknown here`);
      v.check(options.upstream === undefined, `route '${path}'.upstream`, options.upstream?.name, 'is only for routes to a workload');
    } else {
      upstream = this.upstreamsByWorkload.get(target);
      v.check(!(upstream && options.upstream), `route '${path}'.upstream`, options.upstream?.name, `cannot reconfigure upstream '${upstream?.name}' of an earlier route`);
    }
    v.check(ROUTE_PATH.test(path) && path.endsWith('/'), 'route.path', path, 'must be an absolute path ending in \'/\' of at most 1024 letters, digits and ._~-/');
    v.check(path !== '/', 'route.path', path, 'must not be \'/\' (the gateway answers unknown paths with a JSON 404)');
    v.check(!path.split('/').some((segment) => segment === '.' || segment === '..'), 'route.path', path,
      'must not contain \'.\' or \'..\' segments (nginx normalizes request paths, so such a location never matches)');
    v.check(!this.routePaths.has(path), 'route.path', path, 'is already routed');
    v.check(![`${NGINX_CONTAINER.healthPath}/`, `${NGINX_CONTAINER.statusPath}/`].includes(path), 'route.path', path, 'is the gateway\'s own');
    const rateLimits = options.rateLimits === false ? [] : options.rateLimits ?? [...this.rateLimits];
    rateLimits.forEach((zone) => {
      v.check(this.rateLimits.includes(zone), `route '${path}'.rateLimits`, zone.name, 'must be a zone of the gateway\'s rateLimits');
    });
    const timeouts = { connectTimeout: options.connectTimeout ?? Duration.seconds(5), readTimeout: options.readTimeout ?? Duration.seconds(300), sendTimeout: options.sendTimeout ?? Duration.seconds(300) };
    for (const [key, value] of Object.entries(timeouts)) {
      v.check(value.toMilliseconds() >= 1000, `route '${path}'.${key}`, value.toHumanString(), 'must be at least 1 second');
    }
    const retries = options.retries ?? RetryPolicy.onFailure();
    if (!retries.off) {
      v.integer(`route '${path}'.retries.tries`, retries.tries, 1, 100);
      v.check(retries.timeout.toMilliseconds() >= 1000, `route '${path}'.retries.timeout`, retries.timeout.toHumanString(), 'must be at least 1 second');
    }
    if (options.maxBodySize) v.check(sizeKib(options.maxBodySize) > 0, `route '${path}'.maxBodySize`, options.maxBodySize.toKibibytes(), 'must be larger than zero (KiB)');
    v.throwIfAny();

    upstream ??= this.addUpstream({ ...options.upstream, workload: target as IAgentWorkload });
    const route: GatewayRoute = {
      path,
      upstream,
      ...timeouts,
      streaming: options.streaming ?? true,
      maxBodySize: options.maxBodySize,
      rateLimits,
      retries,
      extraDirectives: [...(options.extraDirectives ?? [])],
    };
    this.routeList.push(route);
    this.routePaths.add(path);
    return route;
  }

  /**
   * The gateway's nginx.conf for a target. Fails naming every directive the target's nginx version
   * (or build) does not support.
   */
  public renderNginxConf(target: GatewayTarget): string {
    const version = target.options.nginxVersion !== undefined
      ? NginxVersion.parse(target.options.nginxVersion)
      : target.kind === GatewayTargetKind.STANDALONE ? this.standaloneNginxVersion : this.nginxVersion;
    if (this.routeList.length === 0) {
      throw new Error(`AgentGateway '${this.node.id}': has no routes; add one with gateway.route(path, workload)`);
    }
    const v = new PropsValidator('AgentGateway', this.node.id);
    const ports = { httpPort: target.httpPort, httpsPort: target.httpsPort, statusPort: target.statusPort, publicHttpsPort: target.publicHttpsPort };
    for (const [key, port] of Object.entries(ports)) v.integer(`target.${key}`, port, 1, 65535);
    v.check(new Set([target.httpPort, target.httpsPort, target.statusPort]).size === 3, 'target ports', [target.httpPort, target.httpsPort, target.statusPort].join(', '),
      'must be three different ports (http, https, stub_status)');
    checkTargetPaths(v, target);
    const nofile = this.nginxSpec().tuning.workerRlimitNofile;
    if (target.maxOpenFiles !== undefined) {
      v.check(nofile <= target.maxOpenFiles, 'tuning.workerRlimitNofile', nofile, `must be <= the ${target.kind} container's open-file limit (${target.maxOpenFiles})`);
    }
    v.throwIfAny();
    return renderNginxConfig(gatewayNginxConfig(this.nginxSpec(), target, this.build(version)));
  }

  /**
   * Serves tenants: from now on every route needs an API key that belongs to one of the tenants (else 401),
   * each tenant is limited by its plan, and agent routes go to the tenant's own pool. The platform calls
   * this with its tenants; the provider is read at synth time, so tenants added later count.
   * @internal
   */
  public useTenants(provider: () => readonly IGatewayTenant[]): void {
    if (this.tenantProvider) throw new Error(`AgentGateway '${this.node.id}': already serves tenants (useTenants was called)`);
    this.tenantProvider = provider;
  }

  /**
   * Makes a tenant's agent pool reachable the way the gateway resolves workloads: in Kubernetes with
   * nginx >= 1.27.3, a headless Service over its pods in the tenant's namespace. The platform calls it
   * for every pool. Idempotent.
   * @internal
   */
  public addTenantPool(pool: IAgentWorkload): void {
    if (this.tenantPools.has(pool)) return;
    this.tenantPools.add(pool);
    if (this.props.kubernetes !== false && this.kube.dynamic) {
      addHeadlessService(this, `Headless-${pool.namespace}-${pool.name}`, this.headlessServiceName(pool), pool,
        standardLabels(this.headlessServiceName(pool), 'gateway-discovery', this.partOf));
    }
  }

  /** Name of the headless Service over a workload's pods. @internal */
  public headlessServiceName(workload: IAgentWorkload): string {
    return `${workload.serviceName}-headless`;
  }

  /**
   * What the nginx.conf depends on that can change after construction: the routes, upstreams and pools
   * (lists that only grow) and the tenants (the platform's list grows in place; a provider that returns
   * a new array each time never matches, so its rendering is never reused).
   */
  private renderInputs(): unknown[] {
    const tenants = this.tenantProvider?.();
    return [this.routeList.length, this.upstreamList.length, this.tenantPools.size, tenants, tenants?.length, tenants?.reduce((n, t) => n + t.agents.length, 0)];
  }

  private build(version: NginxVersion): NginxBuild {
    return { version, plus: this.props.nginxPlus ?? false, modules: [...(this.props.nginxModules ?? [])] };
  }

  private longestReadTimeout(): number {
    return Math.max(300, ...this.routeList.map((r) => Math.ceil(r.readTimeout.toMilliseconds() / 1000)));
  }

  private nginxSpec(): GatewayNginxSpec {
    const props = this.props;
    const tuning = props.tuning ?? {};
    const tls = props.tls;
    const hsts = tls?.hsts;
    return {
      serverName: this.serverName,
      tls: tls ? {
        certificateFile: tls.certificateFile!,
        keyFile: tls.keyFile!,
        ciphers: tls.ciphers ?? MODERN_TLS_CIPHERS,
        sessionTimeout: tls.sessionTimeout ?? Duration.days(1),
        hsts: hsts ? [`max-age=${Math.floor((hsts.maxAge ?? Duration.days(365)).toMilliseconds() / 1000)}`, hsts.includeSubDomains ? 'includeSubDomains' : '', hsts.preload ? 'preload' : '']
          .filter(Boolean).join('; ') : undefined,
      } : undefined,
      rateLimitZones: this.rateLimits,
      connectionsPerClient: props.connectionsPerClient,
      maxBodySize: this.maxBodySize,
      clientTimeouts: {
        header: props.clientTimeouts?.header ?? Duration.seconds(10),
        body: props.clientTimeouts?.body ?? Duration.seconds(60),
        send: props.clientTimeouts?.send ?? Duration.seconds(60),
      },
      tuning: {
        workerProcesses: String(tuning.workerProcesses ?? 'auto'),
        workerRlimitNofile: tuning.workerRlimitNofile ?? NGINX_CONTAINER.maxOpenFiles,
        workerConnections: tuning.workerConnections ?? 4096,
        keepaliveTimeout: tuning.keepaliveTimeout ?? Duration.seconds(65),
        keepaliveRequests: tuning.keepaliveRequests ?? 1000,
        gzip: tuning.gzip === false ? undefined : { minLength: tuning.gzip?.minLength ?? 1024, level: tuning.gzip?.level ?? 6 },
      },
      accessLog: props.accessLog ?? true,
      upstreams: this.upstreamList,
      routes: this.routeList,
      tenancy: this.tenancySpec(),
      kubernetes: {
        clusterDomain: this.kube.clusterDomain,
        dnsResolver: this.kube.dnsResolver,
        headlessServiceName: (w) => this.headlessServiceName(w),
        trustedProxies: this.kube.trustedProxies,
      },
    };
  }

  /** The tenants as the nginx builder needs them; fails naming every problem of the tenant model. */
  private tenancySpec(): GatewayTenancySpec | undefined {
    return resolveTenancy(this.node.id, this.tenantProvider?.() ?? [], {
      headers: this.apiKeyHeaders,
      tenantHeader: this.tenantHeader,
      planZoneSize: this.props.tenancy?.planZoneSize ?? Size.mebibytes(10),
      routes: this.routeList,
      upstreams: this.upstreamList,
      rateLimits: this.rateLimits,
      knownPools: this.tenantPools,
      kubernetes: this.props.kubernetes === false ? undefined : { namespace: this.namespace, labels: this.labels, needsKnownPools: this.kube.dynamic },
    });
  }
}

/** The paths and files a target puts into nginx.conf: absolute, plain characters only. */
function checkTargetPaths(v: PropsValidator, target: GatewayTarget): void {
  v.check(ROUTE_PATH.test(target.healthPath) && !target.healthPath.endsWith('/'), 'target.healthPath', target.healthPath,
    'must be an absolute path of letters, digits and ._~-/, not ending in \'/\'');
  v.check(ROUTE_PATH.test(target.statusPath) && !target.statusPath.endsWith('/'), 'target.statusPath', target.statusPath,
    'must be an absolute path of letters, digits and ._~-/, not ending in \'/\'');
  const files: Array<[string, string | undefined]> = [['target.pidFile', target.pidFile], ['target.tempDirectory', target.tempDirectory],
    ['target.certificateFile', target.options.certificateFile], ['target.keyFile', target.options.keyFile]];
  for (const [prop, file] of files) {
    if (file !== undefined) v.check(FILE_PATH.test(file), prop, file, 'must be an absolute path of letters, digits and ._-/ without \'..\'');
  }
  if (target.resolver !== undefined) v.check(DNS_SERVER.test(target.resolver), 'target.resolver', target.resolver, 'must be a host name or IPv4 address, optionally with :port');
}

function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) && (bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32));
  return /^[0-9a-fA-F:]+$/.test(address) && address.includes(':') && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= 128));
}

function checkRateLimit(v: PropsValidator, prop: string, limit: RateLimit): void {
  v.check(RateLimit.isRateLimit(limit), prop, limit, 'must be a RateLimit (RateLimit.perSecond, RateLimit.perMinute)');
  if (!(RateLimit.isRateLimit(limit))) return;
  v.check(Number.isInteger(limit.rate) && limit.rate > 0, `${prop}.rate`, limit.rate, 'must be a positive integer (requests per second or minute)');
  v.check(Number.isInteger(limit.burst) && limit.burst >= 0, `${prop}.burst`, limit.burst, 'must be an integer >= 0');
}
