import { Duration, Size } from 'cdk8s';
import { brand, hasBrand } from '../core/brand';

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

  /** The nginx expression. */
  public toString(): string {
    return this.expression;
  }
}

/** The kinds of {@link LoadBalancing}. */
export enum LoadBalancingMethod {
  /** nginx's default: requests in turn. */
  ROUND_ROBIN = 'round_robin',
  /** Requests in turn, in proportion to each server's `weight`. */
  WEIGHTED_ROUND_ROBIN = 'weighted_round_robin',
  /** `least_conn`: the server with the fewest active connections (weighted). */
  LEAST_CONNECTIONS = 'least_conn',
  /** `ip_hash`: the client's address picks the server. */
  IP_HASH = 'ip_hash',
  /** `hash <key> [consistent]`: a request key picks the server. */
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

  /** The method (and key) as nginx writes it. */
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
  /**
   * Failed attempts within `failTimeout` that mark the server unavailable (0 disables).
   * @default - the upstream's health check
   */
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
   * A `server` of an upstream.
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

  /** As nginx writes it. */
  public toString(): string {
    return this.address;
  }
}

/** The kinds of {@link HealthCheck}. */
export enum HealthCheckKind {
  /** `max_fails`/`fail_timeout` on real traffic (stock nginx). */
  PASSIVE = 'passive',
  /** NGINX Plus `health_check`. */
  NGINX_PLUS = 'nginx_plus',
  /** The third-party nginx_upstream_check_module's `check`. */
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
   * @param options `maxFails` (default 3) within `failTimeout` (default 30s) mark a server
   *   unavailable for `failTimeout`
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
  /** Returns true when `x` is a RateLimit, also one made by another copy of this package (symbol brand). */
  public static isRateLimit(x: unknown): x is RateLimit {
    return hasBrand(x, 'RateLimit');
  }

  static {
    brand(this, 'RateLimit');
  }

  /**
   * A limit of `rate` requests per second.
   * @param rate requests per second (a positive integer)
   * @param options burst (default 0) and nodelay (default true: burst requests are served at once)
   */
  public static perSecond(rate: number, options: RateLimitOptions = {}): RateLimit {
    return new RateLimit(rate, 'r/s', options.burst ?? 0, options.nodelay ?? true);
  }

  /**
   * A limit of `rate` requests per minute.
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

  /** As nginx writes it. */
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
  /** Returns true when `x` is a RateLimitZone, also one made by another copy of this package (symbol brand). */
  public static isRateLimitZone(x: unknown): x is RateLimitZone {
    return hasBrand(x, 'RateLimitZone');
  }

  static {
    brand(this, 'RateLimitZone');
  }

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
  public static perKey(
    name: string,
    key: RequestKey,
    limit: RateLimit,
    options: RateLimitZoneOptions = {},
  ): RateLimitZone {
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
    return new RetryPolicy(
      options.tries,
      options.timeout ?? Duration.seconds(30),
      [...(options.also ?? [])],
      options.nonIdempotent ?? false,
    );
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
