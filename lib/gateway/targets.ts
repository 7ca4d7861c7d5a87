import { DOCKER_DNS_RESOLVER, NGINX_CONTAINER, STANDALONE_NGINX } from './_nginx-container';
import { ComposeGatewayTarget } from './compose-gateway-target';
import { IAgentWorkload } from '../workloads/workload';

/** Where a rendered nginx.conf runs. */
export enum GatewayTargetKind {
  /** nginx on a VM. */
  STANDALONE = 'standalone',
  /** The gateway Deployment in Kubernetes. */
  KUBERNETES = 'kubernetes',
  /** The Compose stack's `nginx` service. */
  COMPOSE = 'compose',
}

/** Options common to every {@link GatewayTarget}. */
export interface GatewayTargetOptions {
  /** nginx version to render for. @default - the gateway's version for this target */
  readonly nginxVersion?: string;
  /** Plain-HTTP port. @default - 80 standalone, 8080 in containers (unprivileged image) */
  readonly httpPort?: number;
  /** HTTPS port. @default - 443 standalone, 8443 in containers */
  readonly httpsPort?: number;
  /** Loopback-only port of `stub_status`. @default 8081 */
  readonly statusPort?: number;
  /**
   * HTTPS port clients see, for the HTTP → HTTPS redirect.
   * @default - `httpsPort` standalone; 443 in containers (published as 443)
   */
  readonly publicHttpsPort?: number;
  /** Path of the gateway's own health endpoint, answered on every listener. @default '/health' */
  readonly healthPath?: string;
  /** Path of `stub_status` on the status port. @default '/stub_status' */
  readonly statusPath?: string;
}

/** Options of {@link GatewayTarget.compose}. */
export interface ComposeGatewayTargetOptions extends GatewayTargetOptions {
  /** The Compose service name of a workload: upstream servers are `<service>:<containerPort>`. */
  readonly serviceNameOf: (workload: IAgentWorkload) => string;
  /** `host:port` of a workload's upstream server. @default - `<serviceNameOf(workload)>:<containerPort>` */
  readonly upstreamServerOf?: (workload: IAgentWorkload) => string;
  /** Certificate path in the container. @default - the TLS props' file name in /etc/nginx/ssl */
  readonly certificateFile?: string;
  /** Private key path in the container. @default - the TLS props' file name in /etc/nginx/ssl */
  readonly keyFile?: string;
  /** pid file, on a writable path. @default '/tmp/nginx.pid' */
  readonly pidFile?: string;
  /** Directory of nginx's temp paths, writable. @default '/tmp' */
  readonly tempDirectory?: string;
  /** DNS server that re-resolves upstream servers. @default '127.0.0.11' (Docker's embedded DNS) */
  readonly resolver?: string;
  /** The container's open-file limit: `worker_rlimit_nofile` must not exceed it. @default 65535 */
  readonly maxOpenFiles?: number;
}

/** The options a target was made with, whatever its kind. */
export interface GatewayTargetSettings extends Partial<ComposeGatewayTargetOptions> {
  /** Standalone only: the worker user. @default - none in containers */
  readonly user?: string;
}

/** The certificate and private key files nginx reads. */
export interface TlsFiles {
  /** Certificate (chain) file. */
  readonly certificateFile: string;
  /** Private key file. */
  readonly keyFile: string;
}

/**
 * Which rendering of the gateway's nginx.conf: the same model for VMs, Kubernetes or Docker Compose.
 * A target carries every value the rendering must agree on with where it runs (ports, paths, resolver).
 */
export class GatewayTarget {
  /**
   * nginx on a VM (Debian's nginx by default): upstream servers as given (`agent-service-1:8080`),
   * ports 80 and 443, certificates from the TLS props' files, logs under /var/log/nginx.
   */
  public static standalone(
    options: GatewayTargetOptions & {
      /** Worker user. @default 'www-data' (Debian) */
      readonly user?: string;
    } = {},
  ): GatewayTarget {
    return new GatewayTarget(GatewayTargetKind.STANDALONE, { ...options, user: options.user ?? STANDALONE_NGINX.user });
  }

  /**
   * The gateway Deployment: unprivileged image on 8080 (TLS ends at the Ingress / Gateway), logs to
   * stdout/stderr, temp paths under /tmp. Upstreams are the workloads' pods: a headless Service whose
   * name nginx re-resolves while running (`server ... resolve`, nginx >= 1.27.3 or Plus), so the
   * balancing method, weights of connections and passive checks see every pod.
   *
   * Trade-off on older open-source nginx: it resolves names only at start, so pod IPs from a headless
   * Service would go stale when pods are rescheduled. The rendering then points at the workload's
   * ClusterIP Service instead: always reachable, but kube-proxy balances per connection (and upstream
   * keepalive pins connections), so `least_conn`/hash and `max_fails` act on a single server.
   */
  public static kubernetes(options: GatewayTargetOptions = {}): GatewayTarget {
    return new GatewayTarget(GatewayTargetKind.KUBERNETES, options);
  }

  /**
   * The Compose `nginx` service (unprivileged image: 8080 and 8443, published as 80 and 443):
   * upstream servers are `<compose service>:<containerPort>` (re-resolved with Docker's DNS at
   * 127.0.0.11 on nginx >= 1.27.3, so scaled or recreated containers are picked up), certificates are
   * the TLS props' file names in /etc/nginx/ssl (mount `./ssl/` there), logs to stdout/stderr.
   */
  public static compose(options: ComposeGatewayTargetOptions): GatewayTarget {
    return new GatewayTarget(GatewayTargetKind.COMPOSE, options);
  }

  /**
   * The Compose rendering that agrees with a {@link ComposeStack}'s `nginx` service on every value of
   * {@link ComposeGatewayTarget}: service names, ports, health and status paths, certificate, pid and temp
   * paths, resolver and open-file limit. This is what the platform passes by default.
   */
  public static forComposeStack(
    stack: ComposeGatewayTarget,
    options: Pick<GatewayTargetOptions, 'nginxVersion' | 'publicHttpsPort'> = {},
  ): GatewayTarget {
    return GatewayTarget.compose({
      ...options,
      serviceNameOf: (workload) => stack.serviceNameOf(workload),
      upstreamServerOf: (workload) => stack.upstreamServerOf(workload),
      httpPort: stack.httpPort,
      httpsPort: stack.httpsPort,
      healthPath: stack.healthPath,
      statusPort: stack.status?.port,
      statusPath: stack.status?.path,
      certificateFile: stack.certificatePath,
      keyFile: stack.certificateKeyPath,
      pidFile: stack.pidPath,
      tempDirectory: stack.tempDirectory,
      resolver: stack.resolver,
      maxOpenFiles: stack.maxOpenFiles,
    });
  }

  /** Compose only: service name of a workload. */
  public readonly serviceNameOf?: (workload: IAgentWorkload) => string;
  /** Standalone only: the worker user. */
  public readonly user?: string;

  private constructor(
    /** Which rendering. */
    public readonly kind: GatewayTargetKind,
    /** The options as given. */
    public readonly options: GatewayTargetSettings,
  ) {
    this.serviceNameOf = options.serviceNameOf;
    this.user = options.user;
  }

  /** True for the container renderings (Kubernetes, Compose). */
  public get inContainer(): boolean {
    return this.kind !== GatewayTargetKind.STANDALONE;
  }

  /** Plain-HTTP port. */
  public get httpPort(): number {
    return this.options.httpPort ?? (this.inContainer ? NGINX_CONTAINER.httpPort : STANDALONE_NGINX.httpPort);
  }

  /** HTTPS port. */
  public get httpsPort(): number {
    return this.options.httpsPort ?? (this.inContainer ? NGINX_CONTAINER.httpsPort : STANDALONE_NGINX.httpsPort);
  }

  /** HTTPS port clients see. */
  public get publicHttpsPort(): number {
    return this.options.publicHttpsPort ?? (this.inContainer ? STANDALONE_NGINX.httpsPort : this.httpsPort);
  }

  /** `stub_status` port (127.0.0.1 only). */
  public get statusPort(): number {
    return this.options.statusPort ?? NGINX_CONTAINER.statusPort;
  }

  /** Path of the gateway's own health endpoint. */
  public get healthPath(): string {
    return this.options.healthPath ?? NGINX_CONTAINER.healthPath;
  }

  /** Path of `stub_status`. */
  public get statusPath(): string {
    return this.options.statusPath ?? NGINX_CONTAINER.statusPath;
  }

  /** The pid file in a container (writable path); undefined standalone (the package's default). */
  public get pidFile(): string | undefined {
    return this.inContainer ? (this.options.pidFile ?? NGINX_CONTAINER.pidFile) : undefined;
  }

  /** Directory of nginx's temp paths in a container; undefined standalone (the package's defaults). */
  public get tempDirectory(): string | undefined {
    return this.inContainer ? (this.options.tempDirectory ?? NGINX_CONTAINER.tempDirectory) : undefined;
  }

  /** Where errors are logged: stderr in containers, the package's log file standalone. */
  public get errorLog(): string {
    return this.inContainer ? 'stderr' : STANDALONE_NGINX.errorLog;
  }

  /** Compose only: the DNS server that re-resolves upstream servers. */
  public get resolver(): string | undefined {
    return this.kind === GatewayTargetKind.COMPOSE ? (this.options.resolver ?? DOCKER_DNS_RESOLVER) : undefined;
  }

  /** Compose only: the container's open-file limit. */
  public get maxOpenFiles(): number | undefined {
    return this.kind === GatewayTargetKind.COMPOSE
      ? (this.options.maxOpenFiles ?? NGINX_CONTAINER.maxOpenFiles)
      : undefined;
  }

  /**
   * The certificate and key files nginx reads: as given standalone; in Compose the target's paths, by
   * default the same file names in the mounted /etc/nginx/ssl.
   */
  public tlsFiles(files: TlsFiles): TlsFiles {
    if (this.kind !== GatewayTargetKind.COMPOSE) return { ...files };
    const inSslDir = (file: string) => `${NGINX_CONTAINER.sslDirectory}/${file.slice(file.lastIndexOf('/') + 1)}`;
    return {
      certificateFile: this.options.certificateFile ?? inSslDir(files.certificateFile),
      keyFile: this.options.keyFile ?? inSslDir(files.keyFile),
    };
  }

  /** Compose only: `host:port` of a workload's upstream server. */
  public upstreamServerOf(workload: IAgentWorkload): string {
    if (this.options.upstreamServerOf) return this.options.upstreamServerOf(workload);
    if (!this.serviceNameOf) throw new Error(`GatewayTarget (${this.kind}) has no Compose service names`);
    return `${this.serviceNameOf(workload)}:${workload.containerPort}`;
  }
}

/** What the Kubernetes edge (Ingress / HTTPRoute) sends each route's traffic to. */
export enum EdgeBackend {
  /**
   * An opt-out that bypasses the gateway: each route's path goes straight to its workload's Service and the
   * edge balances across its pods. What is lost: the gateway's load-balancing method, weights and backup
   * servers, per-route timeouts and retries, its exact rate limits (only the edge's per-IP limit applies,
   * per ingress-nginx replica; an HTTPRoute has none), request IDs, the JSON access log and JSON errors.
   * Once the gateway serves tenants, paths go to the gateway anyway: it is where API keys are checked.
   */
  WORKLOADS = 'workloads',
  /**
   * Every route's path goes to the gateway Deployment's Service, which applies its own balancing, limits,
   * timeouts and errors, as the standalone and Compose renderings do. The edge adds no limits of its own.
   */
  GATEWAY = 'gateway',
}

/** Options of an Ingress edge. */
export interface IngressEdgeOptions {
  /** Name of the Ingress. @default - `<gateway name>-ingress` */
  readonly name?: string;
  /** `ingressClassName`. @default 'nginx' */
  readonly className?: string;
  /** @default EdgeBackend.GATEWAY */
  readonly backend?: EdgeBackend;
  /**
   * More annotations. Keys under `nginx.ingress.kubernetes.io/` must be annotations ingress-nginx
   * really has (synth fails on `rate-limit`, which does not exist).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
}

/** A parent Gateway an HTTPRoute attaches to. */
export interface GatewayParentRef {
  /** Name of the Gateway. */
  readonly name: string;
  /** Its namespace. @default - the route's namespace */
  readonly namespace?: string;
  /** Listener name (the HTTPS listener holding the certificate). @default - every listener */
  readonly sectionName?: string;
}

/** Options of a Gateway API edge. */
export interface HttpRouteEdgeOptions {
  /** Name of the HTTPRoute. @default - `<gateway name>-route` */
  readonly name?: string;
  /** The Gateway(s) the route attaches to; TLS (`ai-tls-secret`) is configured on their HTTPS listener. */
  readonly parentRefs: GatewayParentRef[];
  /** @default EdgeBackend.GATEWAY */
  readonly backend?: EdgeBackend;
}

/** The kinds of {@link GatewayEdge}. */
export enum GatewayEdgeKind {
  /** A `networking.k8s.io/v1` Ingress for ingress-nginx. */
  INGRESS = 'ingress',
  /** A Gateway API `HTTPRoute`. */
  HTTP_ROUTE = 'http_route',
  /** No edge object: expose the gateway Service yourself. */
  NONE = 'none',
}

/**
 * How traffic enters the cluster: an ingress-nginx `Ingress` (with only annotations ingress-nginx
 * really has), or — since ingress-nginx is retired — a Gateway API `HTTPRoute`.
 * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class GatewayEdge {
  /**
   * An `Ingress` for ingress-nginx (class `nginx`) in front of the gateway Service. The gateway's body size,
   * timeouts and buffering become real annotations (`proxy-body-size`, `proxy-read-timeout`,
   * `proxy-buffering` ...) so the edge never cuts what the gateway allows. Its rate limits stay in the
   * gateway, which applies them exactly (per tenant plan, per IP, global); only with the
   * `EdgeBackend.WORKLOADS` bypass does the per-client limit become `limit-rps`/`limit-burst-multiplier`
   * (ingress-nginx counts it per controller replica and answers 503 unless its ConfigMap sets
   * `limit-req-status-code: "429"`).
   */
  public static ingress(options: IngressEdgeOptions = {}): GatewayEdge {
    return new GatewayEdge(
      GatewayEdgeKind.INGRESS,
      options.name,
      options.backend ?? EdgeBackend.GATEWAY,
      options,
      undefined,
    );
  }

  /**
   * A Gateway API `HTTPRoute` attached to an existing Gateway (TLS is the Gateway listener's). The
   * standard API has no rate limiting and its `timeouts.request` bounds a whole (streamed) response, so
   * neither is rendered: use the implementation's policies, or `EdgeBackend.GATEWAY` so the gateway's
   * own limits and timeouts apply.
   */
  public static httpRoute(options: HttpRouteEdgeOptions): GatewayEdge {
    return new GatewayEdge(
      GatewayEdgeKind.HTTP_ROUTE,
      options.name,
      options.backend ?? EdgeBackend.GATEWAY,
      undefined,
      options,
    );
  }

  /** No edge object (traffic reaches the gateway Service some other way, e.g. a LoadBalancer). */
  public static none(): GatewayEdge {
    return new GatewayEdge(GatewayEdgeKind.NONE, undefined, EdgeBackend.GATEWAY, undefined, undefined);
  }

  private constructor(
    /** Ingress, HTTPRoute or none. */
    public readonly kind: GatewayEdgeKind,
    /** Name of the edge object, when given. */
    public readonly name: string | undefined,
    /** Where route traffic goes. */
    public readonly backend: EdgeBackend,
    /** Ingress options. */
    public readonly ingress: IngressEdgeOptions | undefined,
    /** HTTPRoute options. */
    public readonly httpRoute: HttpRouteEdgeOptions | undefined,
  ) {}
}
