import { Duration, Size } from 'cdk8s';
import { NginxDirective } from '../nginx';
import { HealthCheck, LoadBalancing, RateLimitZone, RetryPolicy, UpstreamServer } from './values';
import { IAgentWorkload } from '../workloads/workload';
import { brand, hasBrand } from '../core/brand';

/** Options of an upstream (a group of servers a route proxies to). */
export interface GatewayUpstreamOptions {
  /**
   * Name of the nginx upstream (letters, digits, '_').
   * @default - `<workload name>_backend` with '-' as '_' (`ai-agent` gives `ai_agent_backend`)
   */
  readonly name?: string;
  /** @default LoadBalancing.leastConnections() (inference requests vary a lot in length) */
  readonly loadBalancing?: LoadBalancing;
  /**
   * Servers for the standalone rendering (VMs), e.g. `agent-service-1:8080`. In Kubernetes the servers
   * are the workload's pods, in Compose its Compose service.
   * @default - `<workload serviceName>:<containerPort>`; required for an upstream without a workload
   */
  readonly servers?: UpstreamServer[];
  /**
   * Idle keep-alive connections to the servers cached per worker (0 disables).
   * @default 32
   * @see https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive
   */
  readonly keepalive?: number;
  /** @default HealthCheck.passive() (max_fails 3, fail_timeout 30s) */
  readonly healthCheck?: HealthCheck;
  /**
   * Shared memory `zone` so that every worker sees the same connection counts and failures.
   * @default Size.kibibytes(64)
   * @see https://nginx.org/en/docs/http/ngx_http_upstream_module.html#zone
   */
  readonly zoneSize?: Size;
}

/** An upstream of an {@link AgentGateway}, created by `gateway.addUpstream` or by the first route to a workload. */
export class GatewayUpstream {
  /** Returns true when `x` is a GatewayUpstream, also one made by another copy of this package (symbol brand). */
  public static isGatewayUpstream(x: unknown): x is GatewayUpstream {
    return hasBrand(x, 'GatewayUpstream');
  }

  static {
    brand(this, 'GatewayUpstream');
  }

  /** @internal */
  constructor(
    /** The gateway it belongs to (routes of other gateways cannot use it). */
    public readonly gatewayId: string,
    /** nginx upstream name. */
    public readonly name: string,
    /** The workload behind it, if any. */
    public readonly workload: IAgentWorkload | undefined,
    /** How a server is picked. */
    public readonly loadBalancing: LoadBalancing,
    /** Servers of the standalone rendering. */
    public readonly servers: readonly UpstreamServer[],
    /** Idle keep-alive connections per worker (0: none). */
    public readonly keepalive: number,
    /** How broken servers are noticed. */
    public readonly healthCheck: HealthCheck,
    /** Shared memory zone size. */
    public readonly zoneSize: Size,
  ) {}
}

/**
 * How a route's path matches request paths, as Gateway API's `HTTPPathMatch` types; the same in nginx, the
 * Ingress and the HTTPRoute. Neither ever answers an API path with a redirect.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#pathmatchtype
 */
export enum PathMatch {
  /**
   * The path and everything below it, segment by segment: `/v1/chat/` (or `/v1/chat`) matches `/v1/chat`,
   * `/v1/chat/` and `/v1/chat/completions`, not `/v1/chatty`. nginx gets the prefix location and an exact one
   * for the path without its slash, so `POST /v1/chat` is served, not redirected.
   */
  PREFIX = 'PathPrefix',
  /** Exactly this path (the query string aside): OpenAI-style endpoints such as `/v1/embeddings`. */
  EXACT = 'Exact',
}

/** Options of a route. */
export interface GatewayRouteOptions {
  /**
   * How the path matches.
   * @default - PathMatch.PREFIX for a path ending in '/', PathMatch.EXACT otherwise
   */
  readonly match?: PathMatch;
  /**
   * The upstream to create when the route targets a workload that has none yet.
   * @default - see {@link GatewayUpstreamOptions}
   */
  readonly upstream?: GatewayUpstreamOptions;
  /** @default Duration.seconds(5) */
  readonly connectTimeout?: Duration;
  /**
   * Longest silence between two reads from the server (an inference may think that long before its
   * first token).
   * @default Duration.seconds(300)
   * @see https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
   */
  readonly readTimeout?: Duration;
  /** Longest silence between two writes to the server. @default Duration.seconds(300) */
  readonly sendTimeout?: Duration;
  /**
   * Pass responses through unbuffered (Server-Sent Events reach the client token by token):
   * `proxy_buffering off`, `proxy_cache off`, `X-Accel-Buffering: no` for proxies in front.
   * @default true
   */
  readonly streaming?: boolean;
  /** Largest request body (larger gets 413). @default - the gateway's `maxBodySize` */
  readonly maxBodySize?: Size;
  /** Rate-limit zones applied; false for none. @default - every zone of the gateway */
  readonly rateLimits?: RateLimitZone[] | false;
  /** @default RetryPolicy.onFailure() (2 tries within 30s, idempotent requests only) */
  readonly retries?: RetryPolicy;
  /**
   * Extra directives for the location (escape hatch); checked against the nginx version like the rest.
   * @default - none
   */
  readonly extraDirectives?: NginxDirective[];
  /**
   * Count the prompt and completion tokens of the route's OpenAI-compatible responses per tenant and model
   * (`usage` in JSON bodies, and in a stream's last chunk when the client asks for
   * `stream_options.include_usage`), with an njs body filter that never buffers: the gateway's `nginxModules`
   * must include `NginxModule.NJS`, and the request metrics must be on.
   * @default false
   */
  readonly tokenUsage?: boolean;
}

/** A resolved route. */
export interface GatewayRoute {
  /** The path as given, e.g. `/api/v1/agent/` or `/v1/embeddings`. */
  readonly path: string;
  /** How it matches. */
  readonly match: PathMatch;
  /** Where it proxies to. */
  readonly upstream: GatewayUpstream;
  /** `proxy_connect_timeout`. */
  readonly connectTimeout: Duration;
  /** `proxy_read_timeout`. */
  readonly readTimeout: Duration;
  /** `proxy_send_timeout`. */
  readonly sendTimeout: Duration;
  /** Unbuffered responses. */
  readonly streaming: boolean;
  /** Body size limit of this route, when it differs from the gateway's. */
  readonly maxBodySize?: Size;
  /** Zones applied. */
  readonly rateLimits: readonly RateLimitZone[];
  /** Retry policy. */
  readonly retries: RetryPolicy;
  /** Escape-hatch directives. */
  readonly extraDirectives: readonly NginxDirective[];
  /** Token usage is counted. */
  readonly tokenUsage: boolean;
}
