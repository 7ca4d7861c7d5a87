import { Size } from 'cdk8s';
import { IAgentWorkload } from '../workloads/workload';
import { brand, hasBrand } from '../core/brand';

/** Directory the gateway reads tenant key files (`<tenant>.map`) from, in every rendering. */
export const TENANT_KEYS_DIRECTORY = '/etc/nginx/tenants';
/** Key of the tenant Secret that holds its nginx `map` include. */
export const TENANT_KEYS_SECRET_KEY = 'keys.map';

/**
 * Where clients put their API key. The gateway tries the headers in order; the first one present wins.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export class ApiKeyHeader {
  /** Returns true when `x` is an ApiKeyHeader, also one made by another copy of this package (symbol brand). */
  public static isApiKeyHeader(x: unknown): x is ApiKeyHeader {
    return hasBrand(x, 'ApiKeyHeader');
  }

  static {
    brand(this, 'ApiKeyHeader');
  }

  /** `Authorization: Bearer <key>` (the scheme is case-insensitive). */
  public static bearer(): ApiKeyHeader {
    return new ApiKeyHeader('Authorization', true);
  }

  /**
   * A header whose whole value is the key, e.g. `X-API-Key`.
   * @param name header name: letters, digits and '-' (nginx ignores headers with '_' by default)
   */
  public static named(name: string): ApiKeyHeader {
    return new ApiKeyHeader(name, false);
  }

  private constructor(
    /** Header name. */
    public readonly name: string,
    /** The value is `Bearer <key>` rather than the key itself. */
    public readonly bearer: boolean,
  ) {}

  /** The nginx variable of the header (`$http_x_api_key`). */
  public get variable(): string {
    return `$http_${this.name.toLowerCase().replace(/-/g, '_')}`;
  }

  /** For error messages. */
  public toString(): string {
    return this.bearer ? 'Authorization: Bearer' : this.name;
  }
}

/** How the gateway identifies tenants (only used once the platform has tenants). */
export interface GatewayTenancyOptions {
  /**
   * Headers that carry the API key, tried in order.
   * @default - `Authorization: Bearer <key>`, then `X-API-Key`
   */
  readonly apiKeyHeaders?: ApiKeyHeader[];
  /**
   * Header the backends get with the tenant's name. Any value a client sends in it is replaced.
   * @default 'X-Tenant-ID'
   */
  readonly tenantHeader?: string;
  /**
   * Shared memory of each plan's `limit_req_zone` (about 16 000 tenants per MiB), 1Mi to 1Gi.
   * @default Size.mebibytes(10)
   */
  readonly planZoneSize?: Size;
}

/** A tenant's rate plan, as the gateway needs it (a {@link RatePlan}). */
export interface IGatewayRatePlan {
  /** Plan name: the zone is `tenant_<name>`. */
  readonly name: string;
  /** nginx rate (`50r/s`). */
  readonly nginxRate: string;
  /** Requests above the rate before 429. */
  readonly burst: number;
}

/**
 * A tenant as the gateway sees it ({@link Tenant} implements it): its name, plan, where its keys come
 * from and its own agent pools.
 */
export interface IGatewayTenant {
  /** Tenant name (a DNS label): the value of the tenant header and of the access log's `tenant`. */
  readonly name: string;
  /** Its rate plan: the tenant's bucket lives in that plan's zone. */
  readonly plan: IGatewayRatePlan;
  /** The Secret (in the gateway's namespace) holding `keys.map`. */
  readonly apiKeys: {
    /** Name of the Secret. */
    readonly secretName: string;
  };
  /** Its own agent pools. Empty: the shared pools. */
  readonly agents: readonly IAgentWorkload[];
  /**
   * The shared agent a pool replaces for this tenant, by pool: the tenant's requests on that agent's routes go
   * to the pool. A pool without one replaces the only shared agent the gateway routes to.
   * @default - none given
   */
  readonly replaces?: ReadonlyMap<IAgentWorkload, IAgentWorkload>;
  /**
   * The gateway pods its NetworkPolicies let in (namespace and labels); the gateway checks that it is
   * one of them before routing to the tenant's pool.
   * @default - no isolation: any pod may reach the pools
   */
  readonly gatewayAccess?: GatewayAccess;
}

/** The gateway pods a tenant's NetworkPolicies let in. */
export interface GatewayAccess {
  /** Namespace of the gateway pods. */
  readonly namespace: string;
  /** Labels the gateway pods must carry. */
  readonly podLabels: Readonly<Record<string, string>>;
}
