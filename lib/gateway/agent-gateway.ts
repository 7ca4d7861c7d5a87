import { Chart, Duration, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  addEdge, addGatewayWorkload, addHeadlessService, bypassedWorkload, ingressNginxAnnotations,
  ingressNginxLimitAnnotations,
} from './_kubernetes';
import { GatewayNginxSpec, gatewayNginxConfig, usesTokens } from './_nginx-conf';
import { NGINX_CONTAINER } from './_nginx-container';
import { GATEWAY_METRIC_NAMES, REQUEST_METRICS, requestMetricsProgram } from './_request-metrics';
import { TOKEN_USAGE, TOKEN_USAGE_SCRIPT } from './_token-usage';
import {
  ResolvedAgentGatewayProps, ResolvedGatewayCluster, ResolvedGatewayDeployment, ResolvedGatewayTenancy,
  resolveAgentGatewayProps,
} from './_resolve-agent-gateway-props';
import { GatewayTenancySpec, resolveTenancy } from './_tenant-routing';
import {
  AGENT_GATEWAY_RULES, checkHeadlessServiceName, checkWorkload, ROUTE_RULES, TARGET_RULES, UPSTREAM_RULES,
} from './_validate-agent-gateway-props';
import {
  AgentGatewayProps, ResolvedGatewayClientTimeouts, ResolvedGatewayRequestMetrics, ResolvedGatewayTls,
  ResolvedGatewayTuning,
} from './props';
import { GatewayEdge, GatewayTarget, GatewayTargetKind } from './targets';
import { IGatewayTenant, TENANT_KEYS_DIRECTORY, TENANT_KEYS_SECRET_KEY } from './tenancy';
import { routeLocations } from './_route-paths';
import {
  GatewayRoute, GatewayRouteOptions, GatewayUpstream, GatewayUpstreamOptions, PathMatch,
} from './upstream';
import { HealthCheck, LoadBalancing, RateLimitZone, RetryPolicy, UpstreamServer } from './values';
import { selectorLabels, standardLabels } from '../core/pod';
import { sizeQuantity } from '../core/quantity';
import { PropsValidator } from '../core/validation';
import { renderMtailProgram } from '../mtail';
import { NginxBuild, NginxModule, NginxVersion, renderNginxConfig } from '../nginx';
import { IAgentWorkload, WorkloadRole } from '../workloads/workload';
import {
  AllowToOptions, EgressRule, egressRule, EgressTarget, IAllowsEgress, unrenderedEgress,
} from '../workloads/egress';
import type { GatewayRequestSignal } from '../scaling/scaling-metric';
import { brand, hasBrand } from '../core/brand';

export type { AgentGatewayProps } from './props';

/**
 * The AI gateway: nginx in front of the agents and model services. One model, three renderings of its
 * nginx.conf ({@link GatewayTarget}: VMs, Kubernetes, Compose), the Kubernetes Deployment (unprivileged
 * nginx, read-only root, config in a ConfigMap whose checksum rolls the pods, exporter sidecar), and
 * the edge (ingress-nginx `Ingress` or Gateway API `HTTPRoute`).
 *
 * The props are resolved (defaults filled in) and checked once, in the constructor; every rendering maps
 * the resolved fields. Routes are added with {@link route}; everything renders at synth time, so later
 * routes show up. The Deployment is the construct's `Resource` child.
 */
export class AgentGateway extends Construct implements IAllowsEgress {
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
  /** True when the builds are NGINX Plus. */
  public readonly nginxPlus: boolean;
  /** Third-party modules compiled into the builds. */
  public readonly nginxModules: readonly NginxModule[];
  /** Rate-limit zones every route applies unless it says otherwise. */
  public readonly rateLimits: readonly RateLimitZone[];
  /** Simultaneous connections per client IP, when limited. */
  public readonly connectionsPerClient?: number;
  /** Largest request body. */
  public readonly maxBodySize: Size;
  /** Timeouts on slow clients. */
  public readonly clientTimeouts: ResolvedGatewayClientTimeouts;
  /** The performance tuning applied. */
  public readonly tuning: ResolvedGatewayTuning;
  /** True when the JSON access log is written. */
  public readonly accessLog: boolean;
  /** OTLP export of the gateway's spans, when asked for. */
  public readonly tracing?: {
    /** The OTLP/gRPC collector, `host:port`. */
    readonly otlpEndpoint: string;
    /** The spans' `service.name`. */
    readonly serviceName: string;
  };
  /** The request metrics (mtail image and latency buckets in seconds), unless off. */
  public readonly requestMetrics?: ResolvedGatewayRequestMetrics;
  /**
   * Names of the metrics the gateway exports, for alerts and dashboards: the nginx exporter's up gauge (unless
   * the exporter is off) and the request metrics (unless off).
   */
  public readonly metricNames: {
    /** `nginx_up`. */
    readonly up?: string;
    /** Requests by route, upstream, tenant, method, status. */
    readonly requests?: string;
    /** Histogram (without `_bucket`) of the whole request's duration, by route and tenant. */
    readonly requestDuration?: string;
    /** Histogram (without `_bucket`) of the time until the upstream's response header, by route and upstream. */
    readonly firstByte?: string;
    /** Refused requests by route, tenant, reason. */
    readonly rejected?: string;
    /** Tokens by route, tenant, model, kind (routes with `tokenUsage`). */
    readonly tokens?: string;
  };
  /** The TLS served, when TLS is on. */
  public readonly tls?: ResolvedGatewayTls;
  /** True when the gateway serves HTTPS. */
  public readonly tlsEnabled: boolean;
  /** TLS Secret of the edge, when TLS is on. */
  public readonly tlsSecretName?: string;
  /** How traffic enters the cluster. */
  public readonly edge: GatewayEdge;
  /** The gateway Deployment, unless disabled. */
  public readonly deployment?: k8s.KubeDeployment;
  /** Labels of the gateway's objects. */
  public readonly labels: Record<string, string>;
  /** Labels that select exactly the gateway's pods. */
  public readonly selectorLabels: Record<string, string>;
  /** What the workload is: the gateway (its pods' `app.kubernetes.io/component`). */
  public readonly role = WorkloadRole.GATEWAY;
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
    /** The request metrics' mtail sidecar (port 3903, `request-metrics`), unless off. */
    readonly additionalMetrics: ReadonlyArray<{
      /** mtail's port (3903). */
      readonly port: number;
      /** `/metrics`. */
      readonly path: string;
      /** The container port's name, `request-metrics`. */
      readonly portName: string;
    }>;
  };

  private readonly partOf: string;
  /** The mtail program of the request metrics, unless they are off. */
  private readonly metricsProgram?: string;
  private readonly edgeName: string;
  private readonly cluster: ResolvedGatewayCluster;
  /** The Deployment's settings; undefined with `kubernetes: false`. */
  private readonly deploymentSettings?: ResolvedGatewayDeployment;
  private readonly tenancy: ResolvedGatewayTenancy;
  private readonly upstreamList: GatewayUpstream[] = [];
  private readonly routeList: GatewayRoute[] = [];
  /** Lookups beside the ordered lists, so that adding a route or upstream does not scan every other. */
  private readonly upstreamsByName = new Map<string, GatewayUpstream>();
  private readonly upstreamsByWorkload = new Map<IAgentWorkload, GatewayUpstream>();
  private readonly routePaths = new Set<string>();
  private tenantProvider?: () => readonly IGatewayTenant[];
  private readonly egressList: EgressRule[] = [];
  private isolatedBy?: Construct;
  private readonly tenantPools = new Set<IAgentWorkload>();

  constructor(scope: Construct, id: string, props: AgentGatewayProps) {
    super(scope, id);
    const r = resolveAgentGatewayProps(props, Chart.of(this).namespace);
    new PropsValidator('AgentGateway', id).rules(AGENT_GATEWAY_RULES, { props, resolved: r }).throwIfAny();

    this.name = r.name;
    this.namespace = r.namespace;
    this.partOf = r.partOf;
    this.serverName = r.serverName;
    this.image = r.image;
    this.nginxVersion = r.nginxVersion;
    this.standaloneNginxVersion = r.standaloneNginxVersion;
    this.nginxPlus = r.nginxPlus;
    this.nginxModules = r.nginxModules;
    this.rateLimits = r.rateLimits;
    this.connectionsPerClient = r.connectionsPerClient;
    this.maxBodySize = r.maxBodySize;
    this.clientTimeouts = r.clientTimeouts;
    this.tuning = r.tuning;
    this.accessLog = r.accessLog;
    this.requestMetrics = r.requestMetrics;
    // Fixed by the props alone: rendered once for the ConfigMap, the Compose stack and the VM's file.
    this.metricsProgram = r.requestMetrics ? renderMtailProgram(requestMetricsProgram(r.requestMetrics)) : undefined;
    this.tracing = r.tracing;
    this.metricNames = {
      up: r.deployment?.exporterImage === false ? undefined : NGINX_CONTAINER.exporterUpMetric,
      ...(r.requestMetrics ? {
        requests: GATEWAY_METRIC_NAMES.requests,
        requestDuration: GATEWAY_METRIC_NAMES.requestDuration,
        firstByte: GATEWAY_METRIC_NAMES.upstreamHeaderDuration,
        rejected: GATEWAY_METRIC_NAMES.rejected,
        tokens: GATEWAY_METRIC_NAMES.tokens,
      } : {}),
    };
    this.tls = r.tls;
    this.tlsEnabled = r.tls !== undefined;
    this.tlsSecretName = r.tls?.secretName;
    this.edge = r.edge;
    this.edgeName = r.edgeName;
    this.cluster = r.cluster;
    this.deploymentSettings = r.deployment;
    this.tenancy = r.tenancy;
    this.labels = standardLabels(this.name, WorkloadRole.GATEWAY, this.partOf);
    this.selectorLabels = selectorLabels(this.name, this.partOf);

    this.metricsTarget = this.metricsTargetOf(r);
    this.deployment = r.deployment ? this.addDeployment(r.deployment) : undefined;
    this.addEdge();
    this.node.addValidation({ validate: () => unrenderedEgress(this, 'AgentGateway', this.isolatedBy) });
  }

  public get egressRules(): readonly EgressRule[] {
    return [...this.egressList];
  }

  /**
   * See {@link IAllowsEgress.allowTo}. The routes' workloads need none (the platform lets the gateway reach
   * them); an upstream outside the model (its `servers` only) or the OTLP collector of `tracing` does.
   */
  public allowTo(target: IAgentWorkload | EgressTarget, options?: AllowToOptions): void {
    this.egressList.push(egressRule({ type: 'AgentGateway', id: this.node.id }, target, options));
  }

  /** See {@link GpuAgentDeployment.markIsolated}. @internal */
  public markIsolated(policies: Construct): void {
    this.isolatedBy = policies;
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
    const workloadServer = workload && UpstreamServer.of(`${workload.serviceName}:${workload.containerPort}`);
    const name = options.name ?? (workload ? `${workload.name.replace(/-/g, '_')}_backend` : undefined);
    const resolved = {
      name,
      workload,
      loadBalancing: options.loadBalancing ?? LoadBalancing.leastConnections(),
      servers: options.servers ?? (workloadServer ? [workloadServer] : []),
      healthCheck: options.healthCheck ?? HealthCheck.passive(),
      keepalive: options.keepalive ?? 32,
      zoneSize: options.zoneSize ?? Size.kibibytes(64),
    };
    new PropsValidator('AgentGateway', this.node.id).rules(UPSTREAM_RULES, {
      ...resolved,
      nameTaken: name !== undefined && this.upstreamsByName.has(name),
      workloadTaken: workload !== undefined && this.upstreamsByWorkload.has(workload),
      nginxPlus: this.nginxPlus,
      nginxModules: this.nginxModules,
      headlessServiceName: workload && this.rendersHeadlessServices ? this.headlessServiceName(workload) : undefined,
    }).throwIfAny();

    const upstream = new GatewayUpstream(this.node.path, name!, workload, resolved.loadBalancing, resolved.servers,
      resolved.keepalive, resolved.healthCheck, resolved.zoneSize);
    this.upstreamList.push(upstream);
    this.upstreamsByName.set(upstream.name, upstream);
    if (workload) {
      this.upstreamsByWorkload.set(workload, upstream);
      this.addHeadlessServiceFor(workload, `Headless-${name}`);
    }
    return upstream;
  }

  /**
   * Routes a path prefix to a workload (its upstream is created on first use, from `options.upstream`)
   * or to an upstream of this gateway.
   * @param path location prefix, e.g. `/api/v1/agent/`
   */
  public route(
    path: string, target: IAgentWorkload | GatewayUpstream, options: GatewayRouteOptions = {},
  ): GatewayRoute {
    const known = GatewayUpstream.isGatewayUpstream(target)
      ? (this.upstreamsByName.get(target.name) === target ? target : undefined)
      : this.upstreamsByWorkload.get(target);
    const timeouts = {
      connectTimeout: options.connectTimeout ?? Duration.seconds(5),
      readTimeout: options.readTimeout ?? Duration.seconds(300),
      sendTimeout: options.sendTimeout ?? Duration.seconds(300),
    };
    const rateLimits = options.rateLimits === false ? [] : options.rateLimits ?? [...this.rateLimits];
    const retries = options.retries ?? RetryPolicy.onFailure();
    const match = options.match
      ?? (typeof path === 'string' && path.endsWith('/') ? PathMatch.PREFIX : PathMatch.EXACT);
    new PropsValidator('AgentGateway', this.node.id).rules(ROUTE_RULES, {
      path, target, options, upstream: known, match,
      routed: routeLocations(path, match).some((l) => this.routePaths.has(l.join(' '))),
      gatewayRateLimits: this.rateLimits, rateLimits, timeouts, retries,
      requestMetrics: this.requestMetrics !== undefined, modules: this.nginxModules,
    }).throwIfAny();

    const upstream = known ?? this.addUpstream({ ...options.upstream, workload: target as IAgentWorkload });
    const route: GatewayRoute = {
      path,
      match,
      upstream,
      ...timeouts,
      streaming: options.streaming ?? true,
      maxBodySize: options.maxBodySize,
      rateLimits,
      retries,
      extraDirectives: [...(options.extraDirectives ?? [])],
      tokenUsage: options.tokenUsage ?? false,
    };
    this.routeList.push(route);
    for (const location of routeLocations(path, match)) this.routePaths.add(location.join(' '));
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
    new PropsValidator('AgentGateway', this.node.id)
      .rules(TARGET_RULES, { target, workerRlimitNofile: this.tuning.workerRlimitNofile })
      .throwIfAny();
    return renderNginxConfig(gatewayNginxConfig(this.nginxSpec(), target, this.build(version)));
  }

  /**
   * The gateway's count of the requests a route sends to its workload's upstream: the signal to scale that
   * workload from zero with ({@link ScalingMetric.gatewayRequestRate}), since the gateway counts requests while
   * the workload has no pods. Needs the request metrics on.
   * @param route a route of this gateway to a workload
   */
  public requestSignal(route: GatewayRoute): GatewayRequestSignal {
    const v = new PropsValidator('AgentGateway', this.node.id);
    v.check(this.routeList.includes(route), 'requestSignal(route)', route?.path, 'must be a route of this gateway');
    v.check(this.requestMetrics !== undefined, 'requestSignal(route)', route?.path,
      'needs the gateway\'s request metrics (requestMetrics is false)');
    v.check(route?.upstream?.workload !== undefined, 'requestSignal(route)', route?.path,
      'must route to a workload (its upstream has only servers)');
    v.throwIfAny();
    return {
      counter: GATEWAY_METRIC_NAMES.requests,
      labels: { namespace: this.namespace, upstream: route.upstream.name },
      workload: route.upstream.workload!,
      description: `${route.path} → ${route.upstream.name}`,
    };
  }

  /** True when a route counts tokens (`tokenUsage`): njs is loaded and `agent_gateway_tokens_total` exists. */
  public get countsTokens(): boolean {
    return usesTokens({ requestMetrics: this.requestMetrics, routes: this.routeList });
  }

  /**
   * Files the gateway's nginx reads beside nginx.conf, by name (mounted or copied to `/etc/nginx/<name>`):
   * the token-usage script when a route counts tokens.
   */
  public nginxFiles(): Record<string, string> {
    return this.countsTokens ? { [TOKEN_USAGE.scriptName]: TOKEN_USAGE_SCRIPT } : {};
  }

  /**
   * The mtail program that turns the gateway's metrics lines into Prometheus metrics (the same for every
   * target), or undefined with `requestMetrics: false`.
   */
  public renderRequestMetricsProgram(): string | undefined {
    return this.metricsProgram;
  }

  /**
   * Serves tenants: from now on every route needs an API key that belongs to one of the tenants (else 401),
   * each tenant is limited by its plan, and agent routes go to the tenant's own pool. The platform calls
   * this with its tenants; the provider is read at synth time, so tenants added later count.
   * @internal
   */
  public useTenants(provider: () => readonly IGatewayTenant[]): void {
    if (this.tenantProvider) {
      throw new Error(`AgentGateway '${this.node.id}': already serves tenants (useTenants was called)`);
    }
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
    const v = new PropsValidator('AgentGateway', this.node.id);
    const headless = this.rendersHeadlessServices ? this.headlessServiceName(pool) : undefined;
    checkHeadlessServiceName(v, `tenant pool '${pool.namespace}/${pool.name}'`, pool, headless);
    checkWorkload(v, `tenant pool '${pool.namespace}/${pool.name}'`, pool);
    v.throwIfAny();
    this.tenantPools.add(pool);
    this.addHeadlessServiceFor(pool, `Headless-${pool.namespace}-${pool.name}`);
  }

  /** Name of the headless Service over a workload's pods. @internal */
  public headlessServiceName(workload: IAgentWorkload): string {
    return `${workload.serviceName}-headless`;
  }

  /** The Kubernetes object PodMonitors scrape, when the Deployment has the exporter sidecar. */
  private metricsTargetOf(r: ResolvedAgentGatewayProps): AgentGateway['metricsTarget'] {
    if (!r.deployment || r.deployment.exporterImage === false) return undefined;
    return {
      name: this.name, namespace: this.namespace, selectorLabels: this.selectorLabels,
      metrics: { port: NGINX_CONTAINER.exporterPort, path: NGINX_CONTAINER.metricsPath, portName: 'metrics' },
      additionalMetrics: r.requestMetrics ? [{
        port: REQUEST_METRICS.port, path: REQUEST_METRICS.metricsPath, portName: REQUEST_METRICS.portName,
      }] : [],
    };
  }

  /** ConfigMap, Deployment, Service and PDB, rendering the nginx.conf for Kubernetes at synth time. */
  private addDeployment(d: ResolvedGatewayDeployment): k8s.KubeDeployment {
    const k8sTarget = GatewayTarget.kubernetes();
    const { cpu, memory } = d.resources;
    return addGatewayWorkload(this, {
      name: this.name,
      namespace: this.namespace,
      labels: this.labels,
      selectorLabels: this.selectorLabels,
      image: this.image,
      replicas: d.replicas,
      resources: {
        cpu: [cpu.request.amount, cpu.limit.amount],
        memory: [sizeQuantity(memory.request), sizeQuantity(memory.limit)],
      },
      exporterImage: d.exporterImage === false ? undefined : d.exporterImage,
      requestMetrics: this.requestMetrics
        ? { image: this.requestMetrics.image, program: this.metricsProgram! }
        : undefined,
      security: d.security,
      target: k8sTarget,
      terminationGraceSeconds: () => this.longestReadTimeout() + 30,
      podDisruptionBudget: d.podDisruptionBudget,
      renderConf: () => this.renderNginxConf(k8sTarget),
      nginxFiles: () => this.nginxFiles(),
      confInputs: () => this.renderInputs(),
      tenantKeys: {
        directory: TENANT_KEYS_DIRECTORY,
        files: () => (this.tenantProvider?.() ?? []).map((t) => ({
          file: `${t.name}.map`, secretName: t.apiKeys.secretName, key: TENANT_KEYS_SECRET_KEY,
        })),
      },
    });
  }

  /** The Ingress or HTTPRoute, with ingress-nginx annotations carrying the gateway's limits. */
  private addEdge(): void {
    const limits = {
      tls: this.tlsEnabled, maxBodySize: this.maxBodySize, routes: () => this.routeList,
      rateLimits: this.rateLimits, connectionsPerClient: this.connectionsPerClient,
    };
    addEdge(this, {
      edge: this.edge,
      name: this.edgeName,
      namespace: this.namespace,
      labels: this.labels,
      host: this.serverName,
      tlsSecretName: this.tlsSecretName,
      gatewayServiceName: this.name,
      routes: () => this.routeList,
      annotations: ingressNginxAnnotations(limits),
      limitAnnotations: ingressNginxLimitAnnotations(limits),
      throughGateway: () => this.edgeThroughGateway,
    });
  }

  /** Only the gateway checks API keys: with tenants, the edge never bypasses it (read at synth). */
  private get edgeThroughGateway(): boolean {
    return (this.tenantProvider?.() ?? []).length > 0;
  }

  /**
   * The workload the edge sends `route`'s traffic to itself, bypassing the gateway (`EdgeBackend.WORKLOADS`,
   * no tenants, a workload in the gateway's namespace); undefined when the gateway gets it. Read at synth.
   */
  public edgeWorkload(route: GatewayRoute): IAgentWorkload | undefined {
    const spec = { edge: this.edge, throughGateway: () => this.edgeThroughGateway, namespace: this.namespace };
    return bypassedWorkload(spec, route);
  }

  /** True when the Deployment re-resolves pod addresses: each upstream workload gets a headless Service. */
  private get rendersHeadlessServices(): boolean {
    return this.deploymentSettings !== undefined && this.cluster.dynamic;
  }

  /** A headless Service over a workload's pods, when the Deployment re-resolves pod addresses. */
  private addHeadlessServiceFor(workload: IAgentWorkload, id: string): void {
    if (!this.rendersHeadlessServices) return;
    addHeadlessService(this, id, this.headlessServiceName(workload), workload,
      standardLabels(this.headlessServiceName(workload), 'gateway-discovery', this.partOf));
  }

  /**
   * What the nginx.conf depends on that can change after construction: the routes, upstreams and pools
   * (lists that only grow) and the tenants (the platform's list grows in place; a provider that returns
   * a new array each time never matches, so its rendering is never reused).
   */
  private renderInputs(): unknown[] {
    const tenants = this.tenantProvider?.();
    const tenantAgents = tenants?.reduce((n, t) => n + t.agents.length, 0);
    const sizes = [this.routeList.length, this.upstreamList.length, this.tenantPools.size];
    return [...sizes, tenants, tenants?.length, tenantAgents];
  }

  private build(version: NginxVersion): NginxBuild {
    return { version, plus: this.nginxPlus, modules: [...this.nginxModules] };
  }

  private longestReadTimeout(): number {
    return Math.max(300, ...this.routeList.map((r) => Math.ceil(r.readTimeout.toMilliseconds() / 1000)));
  }

  /** The resolved fields, and the routes, upstreams and tenants so far, as the nginx builder needs them. */
  private nginxSpec(): GatewayNginxSpec {
    return {
      serverName: this.serverName,
      tls: this.tls,
      rateLimitZones: this.rateLimits,
      connectionsPerClient: this.connectionsPerClient,
      maxBodySize: this.maxBodySize,
      clientTimeouts: this.clientTimeouts,
      tuning: this.tuning,
      accessLog: this.accessLog,
      requestMetrics: this.requestMetrics,
      tracing: this.tracing,
      upstreams: this.upstreamList,
      routes: this.routeList,
      tenancy: this.tenancySpec(),
      kubernetes: {
        clusterDomain: this.cluster.clusterDomain,
        dnsResolver: this.cluster.dnsResolver,
        headlessServiceName: (w) => this.headlessServiceName(w),
        trustedProxies: this.cluster.trustedProxies,
      },
    };
  }

  /** The tenants as the nginx builder needs them; fails naming every problem of the tenant model. */
  private tenancySpec(): GatewayTenancySpec | undefined {
    return resolveTenancy(this.node.id, this.tenantProvider?.() ?? [], {
      headers: this.tenancy.apiKeyHeaders,
      tenantHeader: this.tenancy.tenantHeader,
      planZoneSize: this.tenancy.planZoneSize,
      routes: this.routeList,
      upstreams: this.upstreamList,
      rateLimits: this.rateLimits,
      knownPools: this.tenantPools,
      kubernetes: this.deploymentSettings
        ? { namespace: this.namespace, labels: this.labels, needsKnownPools: this.cluster.dynamic }
        : undefined,
    });
  }
}
