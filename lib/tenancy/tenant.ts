import { JsonPatch, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Connection, gatewayPodLabels, NamespaceNetworkPolicies, TrafficGraph,
} from '../core/network-policies';
import { optOutAnnotations, standardLabels, TENANT_LABEL } from '../core/pod';
import {
  cpuMillicores, isCpuQuantity, memoryQuantity, millicoresQuantity, sizeKib, sizeQuantity,
} from '../core/quantity';
import { PropsValidator } from '../core/validation';
import { validateTenantProps } from './_validate-tenant-props';
import { GpuAgentDeployment, GpuAgentDeploymentProps } from '../workloads/gpu-agent-deployment';
import { GatewayAccess } from '../gateway/tenancy';
import { brand, hasBrand } from '../core/brand';
import { IAgentWorkload, WorkloadRole } from '../workloads/workload';
import { allowedConnections, HTTP_PORT, podGroupOf, REDIS_PORT } from '../workloads/egress';
import { COMPONENT_LABEL } from '../core/workload-role';

export { TENANT_LABEL };

/** Options of a {@link RatePlan}. */
export interface RatePlanOptions {
  /** Requests queued above the rate before 429. @default - per factory */
  readonly burst?: number;
  /**
   * Tokens (prompt + completion) a tenant of the plan may use per day. `TenantTokenBudgetExhausted` fires when
   * a tenant used more in the last 24 hours, counted by the gateway on routes with `tokenUsage`. Alerted, not
   * enforced: enforcing it in nginx needs njs shared memory (`js_shared_dict_zone`, njs 0.8.0), which the
   * builds this library targets and tests (njs 0.7.9) do not have.
   * @default - no budget
   */
  readonly tokensPerDay?: number;
}

/** Props of a tenant's own agent pool ({@link Tenant.addAgent}). */
export interface TenantAgentProps extends Omit<GpuAgentDeploymentProps, 'namespace' | 'partOf' | 'role'> {
  /**
   * The shared agent this pool replaces for the tenant: the tenant's requests on that agent's gateway routes go
   * to the pool (a 70B reasoning model keeps its H100s while a tenant's chat runs on its own L4s).
   * @default - the only shared agent the gateway routes to; synth fails when it routes to several
   */
  readonly replaces?: IAgentWorkload;
}

/**
 * A rate-limit tier. The gateway renders one `limit_req_zone` per plan, keyed by tenant, so every
 * tenant gets its own bucket at its plan's rate without one zone per tenant.
 */
export class RatePlan {
  /** Returns true when `x` is a RatePlan, also one made by another copy of this package (symbol brand). */
  public static isRatePlan(x: unknown): x is RatePlan {
    return hasBrand(x, 'RatePlan');
  }

  static {
    brand(this, 'RatePlan');
  }

  /**
   * A plan of `rate` requests per second per tenant.
   * @param name plan name, also the nginx zone suffix (lowercase letters, digits, '_')
   * @param rate requests per second
   * @param options burst (requests queued above the rate; rejected with 429 beyond), default 2 × rate; the
   *   daily token budget
   */
  public static perSecond(name: string, rate: number, options: RatePlanOptions = {}): RatePlan {
    return new RatePlan(name, rate, 's', options.burst ?? rate * 2, options.tokensPerDay);
  }

  /**
   * A plan of `rate` requests per minute per tenant.
   * @param name plan name (lowercase letters, digits, '_')
   * @param rate requests per minute
   * @param options burst, default rate / 6 (ten seconds' worth), at least 1; the daily token budget
   */
  public static perMinute(name: string, rate: number, options: RatePlanOptions = {}): RatePlan {
    return new RatePlan(name, rate, 'm', options.burst ?? Math.max(1, Math.ceil(rate / 6)), options.tokensPerDay);
  }

  private constructor(
    /** Plan name. */
    public readonly name: string,
    /** Requests per `unit`. */
    public readonly rate: number,
    /** `s` (per second) or `m` (per minute), as nginx writes rates. */
    public readonly unit: 's' | 'm',
    /** Requests allowed above the rate before 429. */
    public readonly burst: number,
    /** Tokens per tenant per day, when the plan has a budget. */
    public readonly tokensPerDay?: number,
  ) {
    const v = new PropsValidator('RatePlan', name);
    v.check(
      /^[a-z][a-z0-9_]{0,31}$/.test(name),
      'name',
      name,
      "must be 1-32 lowercase letters, digits or '_', starting with a letter",
    );
    v.integer('rate', rate, 1).integer('burst', burst, 0);
    if (tokensPerDay !== undefined) v.integer('tokensPerDay', tokensPerDay, 1);
    v.throwIfAny();
  }

  /** nginx's rate notation: `10r/s`. */
  public get nginxRate(): string {
    return `${this.rate}r/${this.unit}`;
  }

  /** For error messages. */
  public toString(): string {
    return `${this.name} (${this.nginxRate}, burst ${this.burst})`;
  }
}

/** Where a tenant's API keys come from. Keys never appear in generated files. */
export class ApiKeySource {
  /**
   * A Kubernetes Secret in the gateway's namespace holding an nginx `map` include file (key `keys.map`),
   * one line per key: `"<api key>" <tenant>;`. Two lines for one tenant during a rotation.
   * @param secretName name of the Secret
   */
  public static secret(secretName: string): ApiKeySource {
    return new ApiKeySource(secretName);
  }

  private constructor(
    /** Name of the Secret. */
    public readonly secretName: string,
  ) {}
}

/** Resource quota of a tenant's namespace. */
export interface TenantQuota {
  /** `requests.nvidia.com/gpu`. @default 0 (no GPUs) */
  readonly gpus?: number;
  /** `requests.cpu` (and `limits.cpu` at twice the value). @default Cpu.units(8) */
  readonly cpu?: Cpu;
  /** `requests.memory` (and `limits.memory` at twice the value). @default Size.gibibytes(32) */
  readonly memory?: Size;
  /** `pods`. @default 50 */
  readonly pods?: number;
}

/** Access of a tenant's team to its namespace. */
export interface TenantTeam {
  /** Groups bound to the tenant's Role. @default - none */
  readonly groups?: string[];
  /** Users bound to the tenant's Role. @default - none */
  readonly users?: string[];
  /**
   * Read-only (get/list/watch) or operate (also scale and restart Deployments, delete pods).
   * @default true
   */
  readonly readOnly?: boolean;
}

/** Props of {@link Tenant}. */
export interface TenantProps {
  /** Rate-limit tier; must be one of the platform's plans. */
  readonly plan: RatePlan;
  /**
   * The tenant's namespace.
   * @default - `tenant-<name>`
   */
  readonly namespace?: string;
  /** @default - see {@link TenantQuota} */
  readonly quota?: TenantQuota;
  /**
   * Where its API keys come from.
   * @default - ApiKeySource.secret(`<name>-api-keys`)
   */
  readonly apiKeys?: ApiKeySource;
  /**
   * Default-deny NetworkPolicies that isolate the tenant from every other tenant. Turning this off
   * lets any pod of the cluster reach the tenant's pods.
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * A Role and RoleBinding for the tenant's team on its namespace.
   * @default - no RBAC objects
   */
  readonly team?: TenantTeam;
  /** The platform's namespace (gateway, Redis, model services): its NetworkPolicies let these pods in or out. */
  readonly platformNamespace: string;
  /**
   * The `app.kubernetes.io/part-of` value.
   * @default 'ai-agent-platform'
   */
  readonly partOf?: string;
  /**
   * Namespace of Prometheus (let in to scrape the tenant's pools).
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * `REDIS_URL` of the tenant's agent pools.
   * @default - none
   */
  readonly redisUrl?: string;
  /**
   * The platform's traffic graph, which declares the pools' connections: their policies render from it.
   * @internal
   */
  readonly traffic?: TrafficGraph;
}

/**
 * Props of {@link AiAgentPlatform.addTenant}: the tenant itself; the platform fills in where it runs
 * (the rest of {@link TenantProps}).
 */
export type PlatformTenantProps =
  Omit<TenantProps, 'platformNamespace' | 'partOf' | 'monitoringNamespace' | 'redisUrl' | 'traffic'>;

/**
 * A tenant of the platform: its own namespace with a ResourceQuota (GPUs included) and a LimitRange,
 * default-deny NetworkPolicies that let in only the gateway and Prometheus and let out only DNS and the
 * platform's shared Redis and model services, optional RBAC for its team, and its own agent pools.
 * At the gateway a tenant is identified by API key and limited by its {@link RatePlan}.
 */
export class Tenant extends Construct {
  /** Returns true when `x` is a Tenant, also one made by another copy of this package (symbol brand). */
  public static isTenant(x: unknown): x is Tenant {
    return hasBrand(x, 'Tenant');
  }

  static {
    brand(this, 'Tenant');
  }

  /** The tenant's name (a DNS label). */
  public readonly name: string;
  /** The tenant's namespace. */
  public readonly namespace: string;
  /** The tenant's rate plan. */
  public readonly plan: RatePlan;
  /** Where its API keys come from. */
  public readonly apiKeys: ApiKeySource;
  /** Resolved quota, as Kubernetes quantities. */
  public readonly quota: {
    /** `requests.nvidia.com/gpu`. */
    readonly gpus: number;
    /** `requests.cpu`. */
    readonly cpu: string;
    /** `requests.memory`. */
    readonly memory: string;
    /** `pods`. */
    readonly pods: number;
  };
  /**
   * The gateway pods its NetworkPolicies let in: the platform namespace's pods labelled
   * `app.kubernetes.io/component: gateway` and the platform's part-of. Undefined without isolation.
   */
  public readonly gatewayAccess?: GatewayAccess;

  private readonly pools: GpuAgentDeployment[] = [];
  private readonly replacedBy = new Map<IAgentWorkload, IAgentWorkload>();
  private readonly partOf: string;
  private readonly redisUrl?: string;
  private readonly policies?: NamespaceNetworkPolicies;
  private onAgent?: (agent: GpuAgentDeployment) => void;
  private readonly cpuMillis: number;
  private readonly memoryKib: number;

  constructor(scope: Construct, id: string, props: TenantProps) {
    // Checked before the construct exists: the id is the tenant's name, and an empty one must fail naming it.
    const namespace = props.namespace ?? `tenant-${id}`;
    const apiKeys = props.apiKeys ?? ApiKeySource.secret(`${id}-api-keys`);
    const cpu = props.quota?.cpu ?? Cpu.units(8);
    const memory = props.quota?.memory ?? Size.gibibytes(32);
    const cpuMillis = isCpuQuantity(cpu.amount) ? cpuMillicores(cpu.amount) : 0;
    const memoryKib = sizeKib(memory);
    const quota = {
      gpus: props.quota?.gpus ?? 0,
      cpu: cpu.amount,
      memory: sizeQuantity(memory),
      pods: props.quota?.pods ?? 50,
    };
    const partOf = props.partOf ?? 'ai-agent-platform';
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    validateTenantProps(id, {
      props, name: id, namespace, partOf, monitoringNamespace, planIsRatePlan: RatePlan.isRatePlan(props.plan),
      apiKeysSecretName: apiKeys.secretName, quota, cpuMillis, memoryKib,
    });
    super(scope, id);
    this.partOf = partOf;
    this.redisUrl = props.redisUrl;
    this.name = id;
    this.namespace = namespace;
    this.plan = props.plan;
    this.apiKeys = apiKeys;
    this.cpuMillis = cpuMillis;
    this.memoryKib = memoryKib;
    this.quota = quota;

    const labels = { ...standardLabels(this.namespace, 'tenant', this.partOf), [TENANT_LABEL]: id };
    this.renderNamespace(props, labels);
    this.renderQuota(labels);
    this.renderLimits(labels);
    if (props.networkIsolation !== false) {
      this.gatewayAccess = { namespace: props.platformNamespace, podLabels: gatewayPodLabels(this.partOf) };
      this.policies = new NamespaceNetworkPolicies(this, 'NetworkPolicies', {
        namespace: this.namespace,
        monitoringNamespace,
        traffic: props.traffic ?? this.ownTraffic(props.platformNamespace),
      });
    }
    if (props.team) this.addTeamAccess(props.team, labels);
    this.node.addValidation({ validate: () => this.quotaProblems() });
  }

  /**
   * Adds an agent pool of this tenant's own, in its namespace. Gateway requests with this tenant's key on the
   * routes of the shared agent it `replaces` go to it; the tenant's other requests, and tenants without pools,
   * use the shared ones.
   */
  public addAgent(id: string, props: TenantAgentProps): GpuAgentDeployment {
    const { replaces, ...agentProps } = props;
    const agent = new GpuAgentDeployment(this, id, {
      redisUrl: this.redisUrl,
      ...agentProps,
      labels: { ...props.labels, [TENANT_LABEL]: this.name },
      role: WorkloadRole.AGENT,
      namespace: this.namespace,
      partOf: this.partOf,
    });
    this.pools.push(agent);
    if (replaces) this.replacedBy.set(agent, replaces);
    if (this.policies) {
      this.policies.isolate(podGroupOf(agent, this.partOf, this.name));
      agent.markIsolated(this.policies);
    }
    this.onAgent?.(agent);
    return agent;
  }

  /** The shared agent each pool replaces for this tenant (pools added with `replaces`). */
  public get replaces(): ReadonlyMap<IAgentWorkload, IAgentWorkload> {
    return new Map(this.replacedBy);
  }

  /**
   * Calls `callback` with every pool added from now on (the platform makes it reachable from the gateway
   * and monitors it). Once per tenant.
   * @internal
   */
  public onAgentAdded(callback: (agent: GpuAgentDeployment) => void): void {
    if (this.onAgent) throw new Error(`Tenant '${this.name}': onAgentAdded was already called`);
    this.onAgent = callback;
  }

  /** The tenant's own agent pools. */
  public get agents(): GpuAgentDeployment[] {
    return [...this.pools];
  }

  /**
   * The pools' connections when no platform declares them (a Tenant on its own): in from the gateway pods
   * of `gatewayAccess`; out to the platform namespace's Redis (with a `REDIS_URL`) and model services,
   * found by their labels, and to what each pool's `allowTo` names.
   */
  private ownTraffic(platformNamespace: string): TrafficGraph {
    const traffic = new TrafficGraph({ cached: false });
    const shared = (role: WorkloadRole) => ({
      namespace: platformNamespace,
      podLabels: { [COMPONENT_LABEL]: role, 'app.kubernetes.io/part-of': this.partOf },
    });
    const ownPool = (w: IAgentWorkload) => this.pools.includes(w as GpuAgentDeployment);
    const groupOf = (w: IAgentWorkload) => podGroupOf(w, this.partOf, ownPool(w) ? this.name : undefined);
    const gateway = { namespace: platformNamespace, podLabels: this.gatewayAccess!.podLabels };
    traffic.addSource(() => this.pools.flatMap((pool): Connection[] => {
      const group = groupOf(pool);
      return [
        { from: gateway, to: { pods: group }, ports: [HTTP_PORT] },
        ...(pool.redisUrl ? [{ from: { pods: group }, to: shared(WorkloadRole.CACHE), ports: [REDIS_PORT] }] : []),
        { from: { pods: group }, to: shared(WorkloadRole.MODEL_SERVICE), ports: [HTTP_PORT] },
        ...allowedConnections(group, pool.egressRules, groupOf),
      ];
    }));
    return traffic;
  }

  private renderNamespace(props: TenantProps, labels: Record<string, string>): void {
    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: this.namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: optOutAnnotations({ 'default-deny-network-policy': props.networkIsolation === false }),
      },
    });
    ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }

  private renderQuota(labels: Record<string, string>): void {
    const q = (value: string) => k8s.Quantity.fromString(value);
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'tenant-quota', namespace: this.namespace, labels },
      spec: {
        hard: {
          'requests.cpu': q(this.quota.cpu),
          'limits.cpu': q(millicoresQuantity(this.cpuMillis * 2)),
          'requests.memory': q(this.quota.memory),
          'limits.memory': q(sizeQuantity(Size.kibibytes(this.memoryKib * 2))),
          'requests.nvidia.com/gpu': q(String(this.quota.gpus)),
          'pods': q(String(this.quota.pods)),
        },
      },
    });
  }

  private renderLimits(labels: Record<string, string>): void {
    const q = (value: string) => k8s.Quantity.fromString(value);
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'tenant-limits', namespace: this.namespace, labels },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: q('100m'), memory: q('128Mi') },
          default: { cpu: q('500m'), memory: q('512Mi') },
        }],
      },
    });
  }

  private addTeamAccess(team: TenantTeam, labels: Record<string, string>): void {
    const read = ['get', 'list', 'watch'];
    const readOnly = team.readOnly ?? true;
    const role = new k8s.KubeRole(this, 'TeamRole', {
      metadata: { name: 'tenant-team', namespace: this.namespace, labels },
      rules: [
        {
          apiGroups: [''],
          resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'events', 'persistentvolumeclaims'],
          verbs: read,
        },
        { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: read },
        { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: read },
        ...(readOnly
          ? []
          : [
              { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
              { apiGroups: ['apps'], resources: ['deployments'], verbs: ['patch'] },
              { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'update', 'patch'] },
            ]),
      ],
    });
    const subjects: k8s.Subject[] = [
      ...[...(team.groups ?? [])]
        .sort()
        .map((name) => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' })),
      ...[...(team.users ?? [])].sort().map((name) => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' })),
    ];
    new k8s.KubeRoleBinding(this, 'TeamBinding', {
      metadata: { name: 'tenant-team', namespace: this.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects,
    });
  }

  /**
   * The quota must hold the tenant's own pools at their replica counts plus the surge pods of a rollout
   * (requests, as the quota counts them): a quota that fits only the replicas leaves every update stuck.
   */
  private quotaProblems(): string[] {
    let gpus = 0;
    let cpu = 0;
    let memory = 0;
    const parts: string[] = [];
    for (const pool of this.pools) {
      const replicas = Math.max(pool.replicas, 1) + pool.rollout.maxSurge;
      gpus += (pool.gpu?.count ?? 0) * replicas;
      cpu += cpuMillicores(pool.resources.cpu.request) * replicas;
      memory += sizeKib(memoryQuantity(pool.resources.memory.request)) * replicas;
      const { cpu: poolCpu, memory: poolMemory } = pool.resources;
      parts.push(
        `${pool.name}: ${replicas} × (${pool.gpu?.count ?? 0} GPU, ${poolCpu.request} cpu, ${poolMemory.request})`
          + (pool.rollout.maxSurge ? ` counting ${pool.rollout.maxSurge} surge pod(s) of a rollout` : ''),
      );
    }
    const problems: string[] = [];
    const prefix = `Tenant '${this.name}': `;
    const pools = parts.join('; ');
    if (gpus > this.quota.gpus) {
      problems.push(`${prefix}quota.gpus (${this.quota.gpus}) is below the GPUs its pools request (${gpus}; ${pools})`);
    }
    if (cpu > this.cpuMillis) {
      problems.push(`${prefix}quota.cpu (${this.quota.cpu}) is below the CPU its pools request (${cpu}m; ${pools})`);
    }
    if (memory > this.memoryKib) {
      const requested = sizeQuantity(Size.kibibytes(memory));
      problems.push(
        `${prefix}quota.memory (${this.quota.memory}) is below the memory its pools request (${requested}; ${pools})`,
      );
    }
    return problems;
  }
}
