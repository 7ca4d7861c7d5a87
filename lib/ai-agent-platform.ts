import { Chart, ChartProps, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PlatformNetworkPolicies } from './_network-policies';
import { standardLabels } from './_pod';
import { PropsValidator } from './_validation';
import { AgentGateway, AgentGatewayProps } from './agent-gateway';
import { GatewayTarget } from './gateway-targets';
import { GpuAgentDeployment, GpuAgentDeploymentProps } from './gpu-agent-deployment';
import { Artifact, IArtifactSource, registerArtifactSource } from './platform-app';
import { Redis, RedisProps } from './redis';

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
   * Default-deny NetworkPolicies with explicit allows (DNS, traffic between the platform's own pods,
   * the ingress controller's and the monitoring namespace's pods); false to render none.
   * @default - see {@link PlatformNetworkPoliciesOptions}
   */
  readonly networkPolicies?: PlatformNetworkPoliciesOptions | false;
}

/** Which namespaces may reach the platform's pods. */
export interface PlatformNetworkPoliciesOptions {
  /** Namespace of the ingress controller. @default 'ingress-nginx' */
  readonly ingressNamespace?: string;
  /** Namespace of Prometheus. @default 'monitoring' */
  readonly monitoringNamespace?: string;
}

/** Props of an agent added with {@link AiAgentPlatform.addAgent}: the namespace and labels come from the platform. */
export type PlatformAgentProps = Omit<GpuAgentDeploymentProps, 'namespace' | 'partOf'>;

/**
 * The enterprise AI agent platform: one chart that owns the namespace and composes the agents, the
 * model services and Redis. It is the single model every output is rendered from: the Kubernetes
 * manifests, and (through {@link IArtifactSource}) the files written beside them.
 */
export class AiAgentPlatform extends Chart implements IArtifactSource {
  /** Returns the platform a construct belongs to. */
  public static containing(construct: Construct): AiAgentPlatform {
    for (let scope: Construct | undefined = construct; scope; scope = scope.node.scope as Construct | undefined) {
      if (scope instanceof AiAgentPlatform) return scope as AiAgentPlatform;
    }
    throw new Error(`'${construct.node.path}' is not inside an AiAgentPlatform`);
  }

  /** The platform's namespace. */
  public readonly namespaceName: string;
  /** The `app.kubernetes.io/part-of` label value. */
  public readonly partOf: string;
  /** Redis, unless disabled. */
  public readonly redis?: Redis;

  private readonly workloads: GpuAgentDeployment[] = [];
  private gatewayConstruct?: AgentGateway;
  private readonly artifactProducers: Array<() => Artifact[]> = [];

  constructor(scope: Construct, id: string, props: AiAgentPlatformProps = {}) {
    const namespace = props.namespace ?? 'ai-platform';
    super(scope, id, { ...props, namespace });
    this.namespaceName = namespace;
    this.partOf = props.partOf ?? 'ai-agent-platform';
    new PropsValidator('AiAgentPlatform', id).dnsLabel('namespace', namespace).dnsLabel('partOf', this.partOf).throwIfAny();
    registerArtifactSource(this);

    const ns = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...standardLabels(namespace, 'namespace', this.partOf),
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    // A Namespace is cluster-scoped: it must not inherit the chart's namespace.
    ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    if (props.redis !== false) {
      this.redis = new Redis(this, 'Redis', { ...props.redis, namespace, partOf: this.partOf });
    }
    if (props.networkPolicies !== false) {
      new PlatformNetworkPolicies(this, 'NetworkPolicies', {
        namespace,
        partOf: this.partOf,
        ingressNamespace: props.networkPolicies?.ingressNamespace ?? 'ingress-nginx',
        monitoringNamespace: props.networkPolicies?.monitoringNamespace ?? 'monitoring',
      });
    }
  }

  /**
   * Adds a GPU-backed agent service. `REDIS_URL` defaults to the platform's Redis.
   * @param id construct id, and the Deployment's name unless `props.name` is set
   */
  public addAgent(id: string, props: PlatformAgentProps): GpuAgentDeployment {
    return this.addWorkload(id, 'agent', props);
  }

  /**
   * Adds a model-serving workload (the agents call it over HTTP).
   * @param id construct id, and the Deployment's name unless `props.name` is set
   */
  public addModelService(id: string, props: PlatformAgentProps): GpuAgentDeployment {
    return this.addWorkload(id, 'model', { redisUrl: undefined, ...props });
  }

  /** The agents, in the order they were added. */
  public get agents(): GpuAgentDeployment[] {
    return this.workloads.filter((w) => w.labels['app.kubernetes.io/component'] === 'agent');
  }

  /** The model services, in the order they were added. */
  public get modelServices(): GpuAgentDeployment[] {
    return this.workloads.filter((w) => w.labels['app.kubernetes.io/component'] === 'model');
  }

  /** Every workload (agents and model services), in the order they were added. */
  public get allWorkloads(): GpuAgentDeployment[] {
    return [...this.workloads];
  }

  /**
   * Adds the AI gateway (nginx): its Kubernetes Deployment and edge, and the standalone
   * `nginx/nginx.conf` artifact. Route paths to workloads with `gateway.route(path, workload)`.
   */
  public addGateway(props: Omit<AgentGatewayProps, 'namespace' | 'partOf'>): AgentGateway {
    if (this.gatewayConstruct) {
      throw new Error(`AiAgentPlatform '${this.node.id}': already has a gateway ('${this.gatewayConstruct.node.id}')`);
    }
    const gateway = new AgentGateway(this, 'Gateway', { ...props, namespace: this.namespaceName, partOf: this.partOf });
    this.gatewayConstruct = gateway;
    this.addArtifacts(() => [{ path: 'nginx/nginx.conf', content: gateway.renderNginxConf(GatewayTarget.standalone()) }]);
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

  public renderArtifacts(): Artifact[] {
    return this.artifactProducers.flatMap((produce) => produce());
  }

  private addWorkload(id: string, component: string, props: PlatformAgentProps): GpuAgentDeployment {
    const workload = new GpuAgentDeployment(this, id, {
      redisUrl: component === 'agent' ? this.redis?.url : undefined,
      ...props,
      component,
      namespace: this.namespaceName,
      partOf: this.partOf,
    });
    const clash = this.workloads.find((w) => w.name === workload.name || w.serviceName === workload.serviceName);
    if (clash) {
      throw new Error(`AiAgentPlatform '${this.node.id}': workload '${id}' has name ("${workload.name}") or serviceName ("${workload.serviceName}") already used by '${clash.node.id}'`);
    }
    this.workloads.push(workload);
    return workload;
  }
}
