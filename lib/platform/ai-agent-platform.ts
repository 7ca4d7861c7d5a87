import { ApiObject, Chart, ChartProps, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { namespacesFirst } from './_apply-order';
import { writeArtifactsOnSynth } from './platform-app';
import { streamsManifests } from './_manifest-writer';
import { ArchitectureModel, renderArchitecture } from './architecture';
import { NamespaceNetworkPolicies, TrafficGraph } from '../core/network-policies';
import { platformConnections, PlatformTraffic, trafficProblems } from './_traffic';
import { optOutAnnotations, standardLabels } from '../core/pod';
import { FIELD_RULES } from '../core/field-rules';
import { PropsValidator } from '../core/validation';
import { AgentAutoscaler, AgentAutoscalerProps } from '../scaling/agent-autoscaler';
import { AlertRules, AlertRulesProps, IMetricsTarget } from '../alerting/alert-rules';
import { ComposeStack } from '../compose/compose-stack';
import { ComposeStackProps } from '../compose/compose-stack-props';
import { AgentGateway, AgentGatewayProps } from '../gateway/agent-gateway';
import { GatewayTarget } from '../gateway/targets';
import { GpuAgentDeployment, GpuAgentDeploymentProps } from '../workloads/gpu-agent-deployment';
import { Artifact, IArtifactSource, registerArtifactSource } from '../core/artifact';
import { Redis, RedisProps } from '../workloads/redis';
import { PlatformTenantProps, RatePlan, Tenant } from '../tenancy/tenant';
import { WorkloadRole } from '../workloads/workload';
import { podGroupOf } from '../workloads/egress';
import { brand, hasBrand } from '../core/brand';

/** Props of {@link AiAgentPlatform}. */
export interface AiAgentPlatformProps extends Omit<ChartProps, 'namespace'> {
  /**
   * Namespace of the platform; the chart creates it.
   * @default 'ai-platform'
   */
  readonly namespace?: string;
  /**
   * Value of every object's `app.kubernetes.io/part-of` label.
   * @default 'ai-agent-platform'
   */
  readonly partOf?: string;
  /**
   * Redis for the agents (persistent); false for none.
   * @default - Redis with a 10Gi volume
   */
  readonly redis?: RedisProps | false;
  /**
   * Default-deny NetworkPolicies that allow exactly the traffic the model declares (DNS, Prometheus, the edge,
   * the gateway's routes, the agents' Redis and model services, `allowTo`); false to render none.
   * @default - see {@link PlatformNetworkPoliciesOptions}
   */
  readonly networkPolicies?: PlatformNetworkPoliciesOptions | false;
}

/** Which namespaces may reach the platform's pods. */
export interface PlatformNetworkPoliciesOptions {
  /**
   * Namespace of the ingress controller (for an `HTTPRoute` edge, of the Gateway API implementation's proxies):
   * let in to the gateway, or to the routed workloads when the edge bypasses it.
   * @default 'ingress-nginx'
   */
  readonly ingressNamespace?: string;
  /** Namespace of Prometheus. @default 'monitoring' */
  readonly monitoringNamespace?: string;
}

/** Props of {@link AiAgentPlatform.addAlerts}: the platform namespace and labels come from the platform. */
export interface PlatformAlertProps extends Omit<AlertRulesProps, 'platformNamespace' | 'partOf'> {
  /**
   * Scrape every workload that exposes metrics through a PodMonitor (now and when added later).
   * @default true
   */
  readonly monitorWorkloads?: boolean;
}

/**
 * Props of the Compose stack added with {@link AiAgentPlatform.addComposeStack}: the gateway's nginx.conf
 * and the alert rules default to the platform's own.
 */
export type PlatformComposeProps = Omit<ComposeStackProps, 'nginxConf'> & Partial<Pick<ComposeStackProps, 'nginxConf'>>;

/**
 * Props of the gateway added with {@link AiAgentPlatform.addGateway}: the namespace and labels come from the
 * platform.
 */
export type PlatformGatewayProps = Omit<AgentGatewayProps, 'namespace' | 'partOf'>;

/** Props of an agent added with {@link AiAgentPlatform.addAgent}: the namespace and labels come from the platform. */
export type PlatformAgentProps = Omit<GpuAgentDeploymentProps, 'namespace' | 'partOf' | 'role'>;

/**
 * The enterprise AI agent platform: one chart that owns the namespace and composes the agents, the
 * model services and Redis. It is the single model every output is rendered from: the Kubernetes
 * manifests, and (through {@link IArtifactSource}) the files written beside them.
 */
export class AiAgentPlatform extends Chart implements IArtifactSource {
  /** Returns true when `x` is an AiAgentPlatform, also one made by another copy of this package (symbol brand). */
  public static isAiAgentPlatform(x: unknown): x is AiAgentPlatform {
    return hasBrand(x, 'AiAgentPlatform');
  }

  static {
    brand(this, 'AiAgentPlatform');
    // toJson() below is prepareRendering, then cdk8s' own: PlatformApp may write the objects one at a time.
    streamsManifests(this.prototype.toJson, (chart) => (chart as AiAgentPlatform).prepareRendering());
  }

  /**
   * The platform a construct belongs to: its nearest scope that is an AiAgentPlatform (as cdk8s's
   * `Chart.of`), also one made by another copy of this package.
   */
  public static of(construct: IConstruct): AiAgentPlatform {
    const platform = [...construct.node.scopes].reverse().find((s) => AiAgentPlatform.isAiAgentPlatform(s));
    if (!platform) throw new Error(`'${construct.node.path}' is not inside an AiAgentPlatform`);
    return platform as AiAgentPlatform;
  }

  /** The platform's namespace. */
  public readonly namespaceName: string;
  /** The `app.kubernetes.io/part-of` label value. */
  public readonly partOf: string;
  /** Redis, unless disabled. */
  public readonly redis?: Redis;

  private readonly workloads: GpuAgentDeployment[] = [];
  /** Names and Service names the workloads use, so that adding one does not scan every other. */
  private readonly workloadNames = new Set<string>();
  private readonly workloadServiceNames = new Set<string>();
  private readonly tenantList: Tenant[] = [];
  /** The tenants by name and by namespace, so that adding one does not scan every other. */
  private readonly tenantsByName = new Map<string, Tenant>();
  private readonly tenantsByNamespace = new Map<string, Tenant>();
  private readonly plans: RatePlan[] = [];
  private readonly networkPolicies?: NamespaceNetworkPolicies;
  /** The platform's connections, which its and its tenants' NetworkPolicies render. */
  private readonly traffic = new TrafficGraph();
  private readonly ingressNamespace: string;
  private readonly monitoringNamespace: string;
  private readonly autoscalerList: AgentAutoscaler[] = [];
  private gatewayConstruct?: AgentGateway;
  private readonly artifactProducers: Array<() => Artifact[]> = [];
  private alertRules?: AlertRules;
  private composeStack?: ComposeStack;
  private monitorWorkloads = false;

  /**
   * The platform's manifests, each Namespace it creates before the objects in it (so `kubectl apply -f`
   * works in one pass on an empty cluster), otherwise in the order they were added.
   */
  public override toJson(): ReturnType<Chart['toJson']> {
    this.prepareRendering();
    return super.toJson();
  }

  /**
   * What every rendering of the manifests starts with: the Namespaces first, and the connections the
   * NetworkPolicies render collected from the model as it is now.
   * @internal
   */
  public prepareRendering(): void {
    namespacesFirst(this);
    this.traffic.refresh();
  }

  constructor(scope: Construct, id: string, props: AiAgentPlatformProps = {}) {
    const namespace = props.namespace ?? 'ai-platform';
    super(scope, id, { ...props, namespace });
    this.namespaceName = namespace;
    this.partOf = props.partOf ?? 'ai-agent-platform';
    const policies = props.networkPolicies || undefined;
    new PropsValidator('AiAgentPlatform', id)
      .field(FIELD_RULES.namespaceName, 'namespace', namespace)
      .dnsLabel('partOf', this.partOf)
      .field(FIELD_RULES.namespaceName, 'networkPolicies.ingressNamespace', policies?.ingressNamespace)
      .field(FIELD_RULES.namespaceName, 'networkPolicies.monitoringNamespace', policies?.monitoringNamespace)
      // cdk8s puts the chart's labels on every object.
      .labels('labels', props.labels)
      .throwIfAny();
    registerArtifactSource(this);
    // With a plain cdk8s App, app.synth() writes the artifacts too (PlatformApp does, atomically).
    writeArtifactsOnSynth(this.node.root);
    this.addArtifacts(() => [{ path: 'architecture.md', content: renderArchitecture(this.architecture()) }]);
    this.node.addValidation({ validate: () => duplicateObjectNames(this) });

    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...standardLabels(namespace, 'namespace', this.partOf),
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        annotations: optOutAnnotations({ 'default-deny-network-policy': props.networkPolicies === false }),
      },
    });
    // A Namespace is cluster-scoped: it must not inherit the chart's namespace.
    ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    if (props.redis !== false) {
      this.redis = new Redis(this, 'Redis', { ...props.redis, namespace, partOf: this.partOf });
    }
    this.monitoringNamespace = policies?.monitoringNamespace ?? 'monitoring';
    this.ingressNamespace = policies?.ingressNamespace ?? 'ingress-nginx';
    if (props.networkPolicies !== false) {
      this.networkPolicies = new NamespaceNetworkPolicies(this, 'NetworkPolicies', {
        namespace,
        monitoringNamespace: this.monitoringNamespace,
        traffic: this.traffic,
      });
      this.traffic.addSource(() => platformConnections(this.trafficModel()));
      this.node.addValidation({ validate: () => trafficProblems(this.trafficModel(), this.node.id) });
      if (this.redis) {
        this.networkPolicies.isolate(podGroupOf(this.redis, this.partOf));
      }
    }
  }

  /** The model the platform's connections are declared from, as it is now. */
  private trafficModel(): PlatformTraffic {
    return {
      namespace: this.namespaceName, partOf: this.partOf, ingressNamespace: this.ingressNamespace,
      gateway: this.gatewayConstruct, workloads: this.workloads, redis: this.redis,
      tenantRedisUrl: this.tenantRedisUrl, tenants: this.tenantList,
    };
  }

  /** `REDIS_URL` of the tenants' pools: the platform's Redis by its cluster-wide name. */
  private get tenantRedisUrl(): string | undefined {
    return this.redis ? `redis://${this.redis.name}.${this.namespaceName}.svc:${this.redis.port}` : undefined;
  }

  /**
   * Adds a GPU-backed agent service. `REDIS_URL` defaults to the platform's Redis.
   * @param id construct id, and the Deployment's name unless `props.name` is set
   */
  public addAgent(id: string, props: PlatformAgentProps): GpuAgentDeployment {
    return this.addWorkload(id, WorkloadRole.AGENT, props);
  }

  /**
   * Adds a model-serving workload (the agents call it over HTTP).
   * @param id construct id, and the Deployment's name unless `props.name` is set
   */
  public addModelService(id: string, props: PlatformAgentProps): GpuAgentDeployment {
    return this.addWorkload(id, WorkloadRole.MODEL_SERVICE, { redisUrl: undefined, ...props });
  }

  /**
   * Registers a rate-limit tier that tenants can be on. Unlike the other `add*` methods it takes no id: a
   * plan is a value, not a construct, and its name (the nginx zone suffix) is the name the user chose.
   * @returns the plan, for {@link TenantProps.plan}
   */
  public addRatePlan(plan: RatePlan): RatePlan {
    const clash = this.plans.find((p) => p.name === plan.name);
    if (clash && clash !== plan) {
      throw new Error(`AiAgentPlatform '${this.node.id}': rate plan name ("${plan.name}") is already used by ${clash}`);
    }
    if (!clash) this.plans.push(plan);
    return plan;
  }

  /** The rate plans, in the order they were added. */
  public get ratePlans(): RatePlan[] {
    return [...this.plans];
  }

  /**
   * Adds a tenant: its own namespace, quota, network isolation and (optionally) agent pools; at the
   * gateway, its API keys and rate plan.
   * @param id construct id, and the tenant's name (a DNS label)
   */
  public addTenant(id: string, props: PlatformTenantProps): Tenant {
    const name = id;
    if (this.tenantsByName.has(name)) {
      throw new Error(
        `AiAgentPlatform '${this.node.id}': tenant name ("${name}") is already used; tenant names must be unique`,
      );
    }
    if (!this.plans.includes(props.plan)) {
      throw new Error(
        `AiAgentPlatform '${this.node.id}': tenant '${name}' has plan (${props.plan}) that is not a plan` +
          ` of this platform; known: ${this.plans.map((p) => p.name).join(', ') || 'none'} (add it with addRatePlan)`,
      );
    }
    const tenant = new Tenant(this, id, {
      ...props,
      platformNamespace: this.namespaceName,
      partOf: this.partOf,
      monitoringNamespace: this.monitoringNamespace,
      redisUrl: this.tenantRedisUrl,
      traffic: this.networkPolicies ? this.traffic : undefined,
    });
    tenant.onAgentAdded((agent) => {
      this.gatewayConstruct?.addTenantPool(agent);
      this.monitorIfAlerting(agent);
    });
    const nsClash = this.tenantsByNamespace.get(tenant.namespace);
    if (nsClash || tenant.namespace === this.namespaceName) {
      const owner = nsClash ? `tenant '${nsClash.name}'` : 'the platform';
      throw new Error(
        `AiAgentPlatform '${this.node.id}': tenant '${name}' has namespace ("${tenant.namespace}")` +
          ` already used by ${owner}`,
      );
    }
    this.tenantList.push(tenant);
    this.tenantsByName.set(name, tenant);
    this.tenantsByNamespace.set(tenant.namespace, tenant);
    return tenant;
  }

  /** The tenants, in the order they were added. */
  public get tenants(): Tenant[] {
    return [...this.tenantList];
  }

  /** The agents, in the order they were added. */
  public get agents(): GpuAgentDeployment[] {
    return this.workloads.filter((w) => w.role === WorkloadRole.AGENT);
  }

  /** The model services, in the order they were added. */
  public get modelServices(): GpuAgentDeployment[] {
    return this.workloads.filter((w) => w.role === WorkloadRole.MODEL_SERVICE);
  }

  /**
   * Adds the Docker Compose target: `compose/` in the output directory (see {@link ComposeStack}). Once
   * per platform.
   * @param id construct id
   * @param props the gateway's nginx.conf renderer, the alert rules and the Compose options
   */
  public addComposeStack(id: string, props: PlatformComposeProps = {}): ComposeStack {
    if (this.composeStack) {
      throw new Error(`AiAgentPlatform '${this.node.id}': cannot add Compose stack '${id}': `
        + `already has one ('${this.composeStack.node.id}')`);
    }
    this.composeStack = new ComposeStack(this, id, {
      ...props,
      // The nginx.conf is rendered for the gateway's nginx version: run that very image.
      gateway: { ...props.gateway, image: props.gateway?.image ?? this.gatewayConstruct?.image },
      nginxConf: props.nginxConf ?? ((target) => {
        if (!this.gatewayConstruct) {
          throw new Error(
            `AiAgentPlatform '${this.node.id}': the Compose stack's nginx needs a gateway (addGateway)` +
              ' or an explicit nginxConf',
          );
        }
        return this.gatewayConstruct.renderNginxConf(GatewayTarget.forComposeStack(target));
      }),
      alertRules: props.alertRules ?? (this.alertRules ? () => this.alertRules!.renderRulesFile() : undefined),
      nginxFiles: props.nginxFiles ?? (() => (props.nginxConf ? {} : this.gatewayConstruct?.nginxFiles() ?? {})),
      requestMetrics: props.requestMetrics ?? (() => {
        const gateway = this.gatewayConstruct;
        const program = props.nginxConf ? undefined : gateway?.renderRequestMetricsProgram();
        return program ? { image: gateway!.requestMetrics!.image, program } : undefined;
      }),
    });
    return this.composeStack;
  }

  /** The Compose target, once added. */
  public get compose(): ComposeStack | undefined {
    return this.composeStack;
  }

  /** Every workload (agents and model services), in the order they were added. */
  public get allWorkloads(): GpuAgentDeployment[] {
    return [...this.workloads];
  }

  /**
   * Hands a workload's replica count to an autoscaler (an HPA, or a KEDA ScaledObject with `keda`); the
   * workload then omits `replicas` and gets a PodDisruptionBudget.
   * @param id construct id
   * @param props the target must be one of this platform's workloads
   */
  public addAutoscaler(id: string, props: AgentAutoscalerProps): AgentAutoscaler {
    if (!this.workloads.includes(props.target as GpuAgentDeployment)) {
      const path = (props.target as { node?: { path?: string } } | undefined)?.node?.path;
      throw new Error(
        `AiAgentPlatform '${this.node.id}': autoscaler '${id}' targets '${path}',` +
          ' which is not a workload of this platform (add it with addAgent or addModelService)',
      );
    }
    const autoscaler = new AgentAutoscaler(this, id, props);
    this.autoscalerList.push(autoscaler);
    return autoscaler;
  }

  /** The autoscalers, in the order they were added. */
  public get autoscalers(): AgentAutoscaler[] {
    return [...this.autoscalerList];
  }

  /**
   * Adds the platform's alerting: PrometheusRule `ai-agent-alerts` in `monitoring` (unless `props` name
   * others), PodMonitors for the workloads and the Grafana dashboard. Once per platform.
   * @param id construct id
   */
  public addAlerts(id: string, props: PlatformAlertProps = {}): AlertRules {
    if (this.alertRules) {
      throw new Error(`AiAgentPlatform '${this.node.id}': cannot add alerts '${id}': `
        + `already has alerts ('${this.alertRules.node.id}')`);
    }
    const { monitorWorkloads, ...rest } = props;
    this.alertRules = new AlertRules(this, id, { ...rest, platformNamespace: this.namespaceName, partOf: this.partOf });
    this.monitorWorkloads = monitorWorkloads ?? true;
    // Tenant pools too: their series carry a `tenant` label.
    [...this.workloads, ...this.tenantList.flatMap((t) => t.agents)].forEach((w) => this.monitorIfAlerting(w));
    if (this.gatewayConstruct?.metricsTarget) this.monitorIfAlerting(this.gatewayConstruct.metricsTarget);
    this.alertOnGateway();
    return this.alertRules;
  }

  /** The alerting added with {@link addAlerts}, if any. */
  public get alerts(): AlertRules | undefined {
    return this.alertRules;
  }

  /**
   * Adds the AI gateway (nginx): its Kubernetes Deployment and edge, and the standalone
   * `nginx/nginx.conf` artifact. Route paths to workloads with `gateway.route(path, workload)`. Once per
   * platform.
   * @param id construct id (the gateway's name is `props.name`)
   */
  public addGateway(id: string, props: PlatformGatewayProps): AgentGateway {
    if (this.gatewayConstruct) {
      throw new Error(`AiAgentPlatform '${this.node.id}': cannot add gateway '${id}': `
        + `already has a gateway ('${this.gatewayConstruct.node.id}')`);
    }
    const gateway = new AgentGateway(this, id, { ...props, namespace: this.namespaceName, partOf: this.partOf });
    this.gatewayConstruct = gateway;
    if (this.networkPolicies && gateway.deployment) {
      this.networkPolicies.isolate(podGroupOf(gateway, this.partOf));
      gateway.markIsolated(this.networkPolicies);
    }
    if (gateway.metricsTarget) this.monitorIfAlerting(gateway.metricsTarget);
    this.alertOnGateway();
    // Tenants (now and added later) are identified by API key, limited by plan and routed to their pools.
    gateway.useTenants(() => this.tenantList);
    this.tenantList.forEach((t) => t.agents.forEach((pool) => gateway.addTenantPool(pool)));
    this.addArtifacts(() => {
      const program = gateway.renderRequestMetricsProgram();
      return [
        { path: 'nginx/nginx.conf', content: gateway.renderNginxConf(GatewayTarget.standalone()) },
        ...Object.entries(gateway.nginxFiles()).map(([name, content]) => ({ path: `nginx/${name}`, content })),
        ...(program ? [{ path: 'nginx/gateway.mtail', content: program }] : []),
      ];
    });
    return gateway;
  }

  /** The gateway, once {@link addGateway} added it. */
  public get gateway(): AgentGateway | undefined {
    return this.gatewayConstruct;
  }

  /**
   * Adds files written beside the manifests; the producer runs at synth time, so later changes to the
   * model still show up.
   */
  public addArtifacts(producer: () => Artifact[]): void {
    this.artifactProducers.push(producer);
  }

  /** The gateway's alerts, once the platform has both a gateway and alerts. */
  private alertOnGateway(): void {
    const gateway = this.gatewayConstruct;
    if (!gateway || !this.alertRules) return;
    const n = gateway.metricNames;
    this.alertRules.addGatewayAlerts({
      name: gateway.name,
      upMetric: n.up,
      requestMetrics: n.requests && n.firstByte && n.rejected && n.tokens
        ? {
            requests: n.requests, firstByte: n.firstByte, rejected: n.rejected, tokens: n.tokens,
            requestDuration: n.requestDuration!, latencyBuckets: gateway.requestMetrics!.latencyBuckets,
          }
        : undefined,
    });
    // Budgets are alerted once a route counts tokens (before that the counter never exists).
    this.alertRules.useTokenBudgets(() => {
      if (!gateway.countsTokens) return [];
      return this.tenantList.flatMap((t) => (t.plan.tokensPerDay === undefined ? []
        : [{ tenant: t.name, tokensPerDay: t.plan.tokensPerDay }]));
    });
  }

  /** A PodMonitor for a target that exposes metrics, once alerting is on (and `monitorWorkloads`). */
  private monitorIfAlerting(target: IMetricsTarget): void {
    if (this.alertRules && this.monitorWorkloads && target.metrics) this.alertRules.monitor(target);
  }

  /** What `dist/architecture.md` draws: the platform as built so far. */
  public architecture(): ArchitectureModel {
    const workloads = [...this.workloads, ...this.tenantList.flatMap((t) => t.agents)];
    return {
      platform: this.node.id,
      namespace: this.namespaceName,
      gateway: this.gatewayConstruct
        ? {
            name: this.gatewayConstruct.name,
            host: this.gatewayConstruct.serverName,
            routes: this.gatewayConstruct.routes.map((r) => ({
              path: r.path,
              upstream: r.upstream.name,
              services: r.upstream.workload ? [r.upstream.workload.serviceName] : [],
            })),
          }
        : undefined,
      workloads: workloads.map((w) => ({
        name: w.name,
        serviceName: w.serviceName,
        namespace: w.namespace,
        role: w.role,
        replicas: w.autoscaled ? 'autoscaled' : String(w.replicas),
        gpu: w.gpu ? `${w.gpu.count} × ${w.gpu.type.name}` : undefined,
      })),
      redis: this.redis ? { name: this.redis.name, storage: this.redis.storage } : undefined,
      autoscalers: this.autoscalerList.map((a) => ({
        name: a.name,
        target: a.target.name,
        range: `${a.minReplicas}-${a.maxReplicas} replicas${a.scaledObjectName ? ' (KEDA)' : ''}`,
      })),
      alerts: this.alertRules
        ? [
            {
              name: this.alertRules.name,
              namespace: this.alertRules.namespace,
              // Every alert once (the SLO's burn-rate alert has a rule per window), the gateway's included.
              rules: [...new Set(this.alertRules.ruleGroups.flatMap((g) => g.rules)
                .flatMap((r) => ('alert' in r ? [r.alert] : [])))],
            },
          ]
        : [],
      tenants: this.tenantList.map((t) => ({
        name: t.name,
        namespace: t.namespace,
        plan: t.plan.name,
        pools: t.agents.map((a) => a.name),
      })),
    };
  }

  public renderArtifacts(): Artifact[] {
    return this.artifactProducers.flatMap((produce) => produce());
  }

  private addWorkload(id: string, role: WorkloadRole, props: PlatformAgentProps): GpuAgentDeployment {
    const workload = new GpuAgentDeployment(this, id, {
      redisUrl: role === WorkloadRole.AGENT ? this.redis?.url : undefined,
      ...props,
      role,
      namespace: this.namespaceName,
      partOf: this.partOf,
    });
    if (this.workloadNames.has(workload.name) || this.workloadServiceNames.has(workload.serviceName)) {
      const clash = this.workloads.find((w) => w.name === workload.name || w.serviceName === workload.serviceName)!;
      throw new Error(
        `AiAgentPlatform '${this.node.id}': workload '${id}' has name ("${workload.name}")` +
          ` or serviceName ("${workload.serviceName}") already used by '${clash.node.id}'`,
      );
    }
    this.workloads.push(workload);
    if (this.networkPolicies) {
      this.networkPolicies.isolate(podGroupOf(workload, this.partOf));
      workload.markIsolated(this.networkPolicies);
    }
    this.workloadNames.add(workload.name);
    this.workloadServiceNames.add(workload.serviceName);
    this.monitorIfAlerting(workload);
    return workload;
  }
}

/**
 * Objects of one kind that share a namespace and name: the second would overwrite the first when applied. The
 * objects are grouped by namespace first, so that only one namespace's keys are held at a time (at 5000
 * tenants, 56 k keys held together were ~10 MB the collector kept until its next full collection).
 */
function duplicateObjectNames(chart: Chart): string[] {
  const byNamespace = new Map<string, ApiObject[]>();
  for (const obj of chart.node.findAll()) {
    if (!(obj instanceof ApiObject)) continue;
    const namespace = obj.metadata.namespace ?? '';
    const objects = byNamespace.get(namespace);
    if (objects) objects.push(obj);
    else byNamespace.set(namespace, [obj]);
  }
  const duplicates: Array<{ first: ApiObject; second: ApiObject }> = [];
  for (const objects of byNamespace.values()) {
    const seen = new Map<string, ApiObject>();
    for (const obj of objects) {
      const key = `${obj.apiVersion.split('/')[0]}/${obj.kind}/${obj.name}`;
      const first = seen.get(key);
      if (first) duplicates.push({ first, second: obj });
      else seen.set(key, obj);
    }
  }
  // In tree order of the second object, as the objects are defined.
  const order = new Map(duplicates.length ? chart.node.findAll().map((c, i) => [c, i]) : []);
  return duplicates
    .sort((a, b) => order.get(a.second)! - order.get(b.second)!)
    .map(({ first, second }) =>
      `AiAgentPlatform '${chart.node.id}': ${second.kind} "${second.name}" is defined twice,` +
        ` by '${first.node.path}' and '${second.node.path}'`);
}
