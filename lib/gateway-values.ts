import { Duration, Size } from 'cdk8s';
import { IAgentWorkload } from './workload';

/**
 * A request attribute a hash balancer or a rate limit keys on, as an nginx variable.
 * @see https://nginx.org/en/docs/http/ngx_http_core_module.html#variables
 */
export class RequestKey {
  /** The client address (`$binary_remote_addr`: 4 or 16 bytes, compact in a zone). */
  public static clientIp(): RequestKey {
    return new RequestKey('$binary_remote_addr', 'client IP');
  }

  /** The virtual server (`$server_name`): one bucket for the whole gateway. */
  public static serverName(): RequestKey {
    return new RequestKey('$server_name', 'server name');
  }

  /**
   * A request header, e.g. a session or tenant id (`X-Session-ID` is `$http_x_session_id`).
   * @param name header name: letters, digits and '-'
   */
  public static header(name: string): RequestKey {
    return new RequestKey(`$http_${name.toLowerCase().replace(/-/g, '_')}`, `header ${name}`, name);
  }

  /**
   * A cookie (`$cookie_<name>`).
   * @param name cookie name: letters, digits and '_'
   */
  public static cookie(name: string): RequestKey {
    return new RequestKey(`$cookie_${name}`, `cookie ${name}`, name);
  }

  /**
   * Any nginx variable or combination of variables, e.g. `$http_x_tenant_id$uri`.
   * @param expression nginx variables (and literal text)
   */
  public static expression(expression: string): RequestKey {
    return new RequestKey(expression, expression);
  }

  private constructor(
    /** The nginx expression. */
    public readonly expression: string,
    /** What it is, for messages and comments. */
    public readonly description: string,
    /** The header or cookie name, when it is one (validated by the gateway). */
    public readonly fieldName?: string,
  ) {}

  public toString(): string {
    return this.expression;
  }
}

/** The kinds of {@link LoadBalancing}. */
export enum LoadBalancingMethod {
  ROUND_ROBIN = 'round_robin',
  WEIGHTED_ROUND_ROBIN = 'weighted_round_robin',
  LEAST_CONNECTIONS = 'least_conn',
  IP_HASH = 'ip_hash',
  HASH = 'hash',
}

/**
 * How an upstream picks a server.
 * @see https://nginx.org/en/docs/http/ngx_http_upstream_module.html
 */
export class LoadBalancing {
  /** Round robin (nginx's default): equal servers, short requests. */
  public static roundRobin(): LoadBalancing {
    return new LoadBalancing(LoadBalancingMethod.ROUND_ROBIN);
  }

  /** Round robin by each server's `weight`: heterogeneous servers (e.g. A100 and T4 pools). */
  public static weightedRoundRobin(): LoadBalancing {
    return new LoadBalancing(LoadBalancingMethod.WEIGHTED_ROUND_ROBIN);
  }

  /** The server with the fewest active connections (`least_conn`), weighted: long inference requests. */
  public static leastConnections(): LoadBalancing {
    return new LoadBalancing(LoadBalancingMethod.LEAST_CONNECTIONS);
  }

  /** Client IP affinity (`ip_hash`, first three octets of IPv4). Servers cannot be `backup`. */
  public static ipHash(): LoadBalancing {
    return new LoadBalancing(LoadBalancingMethod.IP_HASH);
  }

  /**
   * Affinity on a key (`hash <key> consistent`), e.g. a session or tenant header, so a conversation's
   * KV cache stays warm on one server. Ketama consistent hashing by default: adding or removing a server
   * remaps only a few keys. Servers cannot be `backup`.
   * @param key what to hash
   * @param options `consistent: false` for plain modulo hashing
   */
  public static consistentHash(key: RequestKey, options: { readonly consistent?: boolean } = {}): LoadBalancing {
    return new LoadBalancing(LoadBalancingMethod.HASH, key, options.consistent ?? true);
  }

  private constructor(
    /** The method. */
    public readonly method: LoadBalancingMethod,
    /** The hash key, for {@link LoadBalancingMethod.HASH}. */
    public readonly key?: RequestKey,
    /** Whether the hash is consistent (ketama). */
    public readonly consistent: boolean = false,
  ) {}

  /** True for methods that pin a request to one server: `backup` servers are not allowed with them. */
  public get isHash(): boolean {
    return this.method === LoadBalancingMethod.IP_HASH || this.method === LoadBalancingMethod.HASH;
  }

  public toString(): string {
    return this.key ? `${this.method} ${this.key}` : this.method;
  }
}

/** Options of one upstream server. */
export interface UpstreamServerOptions {
  /** Relative weight. @default 1 */
  readonly weight?: number;
  /** Receives requests only when every primary server is unavailable. Not allowed with hash methods. @default false */
  readonly backup?: boolean;
  /** Failed attempts within `failTimeout` that mark the server unavailable (0 disables). @default - the upstream's health check */
  readonly maxFails?: number;
  /** Window for `maxFails`, and how long the server then stays unavailable. @default - the upstream's health check */
  readonly failTimeout?: Duration;
  /** At most this many simultaneous connections (0 = unlimited). @default 0 */
  readonly maxConns?: number;
}

/**
 * One server of an upstream, `host:port`, for renderings where the servers are listed by hand
 * (VMs: `agent-service-1:8080`).
 * @see https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server
 */
export class UpstreamServer {
  /**
   * @param address `host:port` (host name or IPv4 address)
   * @param options weight, backup, passive health check
   */
  public static of(address: string, options: UpstreamServerOptions = {}): UpstreamServer {
    return new UpstreamServer(address, options);
  }

  private constructor(
    /** `host:port`. */
    public readonly address: string,
    /** The options as given. */
    public readonly options: UpstreamServerOptions,
  ) {}

  public toString(): string {
    return this.address;
  }
}

/** The kinds of {@link HealthCheck}. */
export enum HealthCheckKind {
  PASSIVE = 'passive',
  NGINX_PLUS = 'nginx_plus',
  UPSTREAM_CHECK_MODULE = 'upstream_check_module',
}

/** Timing of an active health check. */
export interface ActiveHealthCheckOptions {
  /** Path probed. @default - the workload's health path, or '/health' */
  readonly path?: string;
  /** Time between probes. @default Duration.seconds(5) */
  readonly interval?: Duration;
  /** Consecutive failures that mark a server down. @default 3 */
  readonly fails?: number;
  /** Consecutive passes that mark it up again. @default 2 */
  readonly passes?: number;
  /** Probe timeout (upstream check module only). @default Duration.seconds(2) */
  readonly timeout?: Duration;
}

/**
 * How an upstream notices a broken server. Stock nginx only has passive checks (`max_fails`,
 * `fail_timeout`: real requests that fail count); active checks need NGINX Plus (`health_check`) or the
 * third-party nginx_upstream_check_module (Tengine's `check`). The gateway renders those only when the
 * build declares them, and always keeps the passive check.
 * @see https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_fails
 */
export class HealthCheck {
  /**
   * Passive checks (stock nginx).
   * @param options `maxFails` (default 3) within `failTimeout` (default 30s) mark a server unavailable for `failTimeout`
   */
  public static passive(options: { readonly maxFails?: number; readonly failTimeout?: Duration } = {}): HealthCheck {
    return new HealthCheck(HealthCheckKind.PASSIVE, options.maxFails ?? 3, options.failTimeout ?? Duration.seconds(30));
  }

  /**
   * NGINX Plus active checks (`health_check` in each proxied location). Needs `nginxPlus: true`.
   * @see https://nginx.org/en/docs/http/ngx_http_upstream_hc_module.html
   */
  public static nginxPlus(options: ActiveHealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(HealthCheckKind.NGINX_PLUS, 3, Duration.seconds(30), options);
  }

  /**
   * nginx_upstream_check_module (Tengine, third-party) `check` in the upstream. Needs the build to
   * declare `NginxModule.UPSTREAM_CHECK`.
   * @see https://github.com/yaoweibin/nginx_upstream_check_module
   */
  public static upstreamCheckModule(options: ActiveHealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(HealthCheckKind.UPSTREAM_CHECK_MODULE, 3, Duration.seconds(30), options);
  }

  private constructor(
    /** Passive, NGINX Plus or upstream check module. */
    public readonly kind: HealthCheckKind,
    /** Passive: failures that mark a server unavailable. */
    public readonly maxFails: number,
    /** Passive: the failure window and the time out of rotation. */
    public readonly failTimeout: Duration,
    /** Active check timing. */
    public readonly active?: ActiveHealthCheckOptions,
  ) {}
}

/**
 * A request rate and the burst above it that is still served (`limit_req`).
 * @see https://nginx.org/en/docs/http/ngx_http_limit_req_module.html
 */
export class RateLimit {
  /**
   * @param rate requests per second (a positive integer)
   * @param options burst (default 0) and nodelay (default true: burst requests are served at once)
   */
  public static perSecond(rate: number, options: RateLimitOptions = {}): RateLimit {
    return new RateLimit(rate, 'r/s', options.burst ?? 0, options.nodelay ?? true);
  }

  /**
   * @param rate requests per minute (a positive integer)
   * @param options burst (default 0) and nodelay (default true)
   */
  public static perMinute(rate: number, options: RateLimitOptions = {}): RateLimit {
    return new RateLimit(rate, 'r/m', options.burst ?? 0, options.nodelay ?? true);
  }

  private constructor(
    /** Requests per `unit`. */
    public readonly rate: number,
    /** `r/s` or `r/m`. */
    public readonly unit: 'r/s' | 'r/m',
    /** Requests above the rate still accepted. */
    public readonly burst: number,
    /** Burst requests are served at once. */
    public readonly nodelay: boolean,
  ) {}

  /** Requests per second, for comparisons. */
  public get perSecond(): number {
    return this.unit === 'r/s' ? this.rate : this.rate / 60;
  }

  public toString(): string {
    return `${this.rate}${this.unit} burst=${this.burst}${this.nodelay ? ' nodelay' : ''}`;
  }
}

/** Options of a {@link RateLimit}. */
export interface RateLimitOptions {
  /** Requests above the rate that are still accepted. @default 0 */
  readonly burst?: number;
  /** Serve burst requests at once instead of spacing them out at the rate. @default true */
  readonly nodelay?: boolean;
}

/**
 * A rate-limit zone: a key, a rate and the shared memory that counts it (`limit_req_zone`).
 * Every API route applies every zone unless the route says otherwise.
 */
export class RateLimitZone {
  /**
   * Per client IP (`$binary_remote_addr`).
   * @param name zone name, e.g. `ai_api`
   * @param limit rate and burst
   */
  public static perClientIp(name: string, limit: RateLimit, options: RateLimitZoneOptions = {}): RateLimitZone {
    return new RateLimitZone(name, RequestKey.clientIp(), limit, options.size ?? Size.mebibytes(10));
  }

  /**
   * One bucket for the whole gateway (`$server_name`).
   * @param name zone name, e.g. `ai_global`
   * @param limit rate and burst
   */
  public static global(name: string, limit: RateLimit, options: RateLimitZoneOptions = {}): RateLimitZone {
    return new RateLimitZone(name, RequestKey.serverName(), limit, options.size ?? Size.mebibytes(1));
  }

  /**
   * Per any key, e.g. `RequestKey.header('X-Tenant-ID')`. Requests without the key are not limited by it.
   * @param name zone name
   * @param key what to count by
   * @param limit rate and burst
   */
  public static perKey(name: string, key: RequestKey, limit: RateLimit, options: RateLimitZoneOptions = {}): RateLimitZone {
    return new RateLimitZone(name, key, limit, options.size ?? Size.mebibytes(10));
  }

  private constructor(
    /** Zone name (`limit_req_zone ... zone=<name>`). */
    public readonly name: string,
    /** What requests are counted by. */
    public readonly key: RequestKey,
    /** Rate and burst. */
    public readonly limit: RateLimit,
    /** Shared memory for the counters. */
    public readonly size: Size,
  ) {}
}

/** Options of a {@link RateLimitZone}. */
export interface RateLimitZoneOptions {
  /** Shared memory for the counters (1m holds about 16,000 IPv4 states). @default - 10m per client/key, 1m global */
  readonly size?: Size;
}

/** Upstream answers that may be retried on the next server, besides connection errors and timeouts. */
export type RetryCondition = 'http_500' | 'http_502' | 'http_503' | 'http_504' | 'http_429';

/**
 * When a failed request is passed to the next server (`proxy_next_upstream`), bounded by tries and time.
 * @see https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream
 */
export class RetryPolicy {
  /**
   * Retry on connection errors and timeouts (and the given statuses), at most `tries` attempts in total
   * within `timeout`. Non-idempotent requests (POST, the usual inference call) are retried only after
   * errors before anything was sent, unless `nonIdempotent` is set. nginx never tries a server twice for
   * one request.
   */
  public static onFailure(options: {
    /**
     * Attempts in total, the first included.
     * @default - each server of the upstream once, backups included (so a backup is reached when every
     * primary refuses), bounded by `timeout`
     */
    readonly tries?: number;
    /** Retries happen only within this time from the first attempt. @default Duration.seconds(30) */
    readonly timeout?: Duration;
    /** Also retry these upstream statuses. @default - none */
    readonly also?: RetryCondition[];
    /** Also retry POST/PATCH/LOCK after the request was sent (may run an inference twice). @default false */
    readonly nonIdempotent?: boolean;
  } = {}): RetryPolicy {
    return new RetryPolicy(options.tries, options.timeout ?? Duration.seconds(30), [...(options.also ?? [])], options.nonIdempotent ?? false);
  }

  /** Never retry (`proxy_next_upstream off`). */
  public static none(): RetryPolicy {
    return new RetryPolicy(1, Duration.seconds(0), [], false, true);
  }

  private constructor(
    /** Attempts in total; undefined: each server once. */
    public readonly tries: number | undefined,
    /** Retries only within this time. */
    public readonly timeout: Duration,
    /** Statuses retried besides errors and timeouts. */
    public readonly also: readonly RetryCondition[],
    /** Non-idempotent requests are retried too. */
    public readonly nonIdempotent: boolean,
    /** Never retry. */
    public readonly off: boolean = false,
  ) {}
}

/** Where a rendered nginx.conf runs. */
export enum GatewayTargetKind {
  STANDALONE = 'standalone',
  KUBERNETES = 'kubernetes',
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
}

/** Options of {@link GatewayTarget.compose}. */
export interface ComposeGatewayTargetOptions extends GatewayTargetOptions {
  /** The Compose service name of a workload: upstream servers are `<service>:<containerPort>`. */
  readonly serviceNameOf: (workload: IAgentWorkload) => string;
}

/**
 * Which rendering of the gateway's nginx.conf: the same model for VMs, Kubernetes or Docker Compose.
 */
export class GatewayTarget {
  /**
   * nginx on a VM (Debian's nginx by default): upstream servers as given (`agent-service-1:8080`),
   * ports 80 and 443, certificates from the TLS props' files, logs under /var/log/nginx.
   */
  public static standalone(options: GatewayTargetOptions & {
    /** Worker user. @default 'www-data' (Debian) */
    readonly user?: string;
  } = {}): GatewayTarget {
    return new GatewayTarget(GatewayTargetKind.STANDALONE, options, undefined, options.user ?? 'www-data');
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
    return new GatewayTarget(GatewayTargetKind.COMPOSE, options, options.serviceNameOf);
  }

  private constructor(
    /** Which rendering. */
    public readonly kind: GatewayTargetKind,
    /** The options as given. */
    public readonly options: GatewayTargetOptions,
    /** Compose only: service name of a workload. */
    public readonly serviceNameOf?: (workload: IAgentWorkload) => string,
    /** Standalone only: the worker user. */
    public readonly user?: string,
  ) {}

  /** True for the container renderings (Kubernetes, Compose). */
  public get inContainer(): boolean {
    return this.kind !== GatewayTargetKind.STANDALONE;
  }

  /** Plain-HTTP port. */
  public get httpPort(): number {
    return this.options.httpPort ?? (this.inContainer ? 8080 : 80);
  }

  /** HTTPS port. */
  public get httpsPort(): number {
    return this.options.httpsPort ?? (this.inContainer ? 8443 : 443);
  }

  /** HTTPS port clients see. */
  public get publicHttpsPort(): number {
    return this.options.publicHttpsPort ?? (this.inContainer ? 443 : this.httpsPort);
  }

  /** `stub_status` port (127.0.0.1 only). */
  public get statusPort(): number {
    return this.options.statusPort ?? 8081;
  }
}

/** What the Kubernetes edge (Ingress / HTTPRoute) sends each route's traffic to. */
export enum EdgeBackend {
  /** Each route's path goes straight to its workload's Service (the edge balances across its pods). */
  WORKLOADS = 'workloads',
  /** Every route's path goes to the gateway Deployment's Service, which applies its own balancing and limits. */
  GATEWAY = 'gateway',
}

/** Options of an Ingress edge. */
export interface IngressEdgeOptions {
  /** Name of the Ingress. @default - `<gateway name>-ingress` */
  readonly name?: string;
  /** `ingressClassName`. @default 'nginx' */
  readonly className?: string;
  /** @default EdgeBackend.WORKLOADS */
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
  /** @default EdgeBackend.WORKLOADS */
  readonly backend?: EdgeBackend;
}

/** The kinds of {@link GatewayEdge}. */
export enum GatewayEdgeKind {
  INGRESS = 'ingress',
  HTTP_ROUTE = 'http_route',
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
   * An `Ingress` for ingress-nginx (class `nginx`). The gateway's per-client rate limit, body size,
   * timeouts and buffering become real annotations (`limit-rps`, `limit-burst-multiplier`,
   * `proxy-body-size`, `proxy-read-timeout`, `proxy-buffering` ...). ingress-nginx has no global limit
   * annotation, counts limits per controller replica, and rejects with 503 unless its ConfigMap sets
   * `limit-req-status-code: "429"`; `EdgeBackend.GATEWAY` applies the gateway's exact limits instead.
   */
  public static ingress(options: IngressEdgeOptions = {}): GatewayEdge {
    return new GatewayEdge(GatewayEdgeKind.INGRESS, options.name, options.backend ?? EdgeBackend.WORKLOADS, options, undefined);
  }

  /**
   * A Gateway API `HTTPRoute` attached to an existing Gateway (TLS is the Gateway listener's). The
   * standard API has no rate limiting and its `timeouts.request` bounds a whole (streamed) response, so
   * neither is rendered: use the implementation's policies, or `EdgeBackend.GATEWAY` so the gateway's
   * own limits and timeouts apply.
   */
  public static httpRoute(options: HttpRouteEdgeOptions): GatewayEdge {
    return new GatewayEdge(GatewayEdgeKind.HTTP_ROUTE, options.name, options.backend ?? EdgeBackend.WORKLOADS, undefined, options);
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
