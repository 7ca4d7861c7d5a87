import { createHash } from 'crypto';
import { Chart, Duration, Lazy, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import {
  containerSecurityContext,
  optOutAnnotations,
  podSecurityContext,
  podSecurityOptOuts,
  selectorLabels,
  standardLabels,
  writableVolumes,
} from '../core/pod';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { sortedRecord } from '../core/records';
import { GpuAgentDeploymentFacts, validateGpuAgentDeploymentProps } from './_validate-gpu-agent-deployment-props';
import {
  EnvValue, EnvVariable, GpuAllocation, MetricsEndpoint, ModelStorage, ResourceRange, RolloutStrategy,
} from './agent-values';
import { ResolvedPodSecurity, resolvePodSecurity } from '../core/pod-security';
import { IAgentWorkload, IScalableWorkload, ScaleTargetRef, ScalingTarget, WorkloadRole } from './workload';
import { AllowToOptions, EgressRule, egressRule, EgressTarget, IAllowsEgress, unrenderedEgress } from './egress';
import { brand, hasBrand } from '../core/brand';
import { GpuAgentDeploymentProps } from './gpu-agent-deployment-props';

export * from './gpu-agent-deployment-props';

/**
 * A GPU-backed agent service: a Deployment and its ClusterIP Service, with the GPU pool's node selector
 * and toleration, probes for slow model loading, graceful drain, Prometheus scraping, the restricted pod
 * security profile, a PodDisruptionBudget and a topology spread.
 *
 * The Deployment is the construct's `Resource` child. Every rendering (the Kubernetes objects, the
 * Compose service) maps the resolved readonly fields below; none reads another's output.
 */
export class GpuAgentDeployment extends Construct implements IScalableWorkload, IAllowsEgress {
  /** Returns true when `x` is a GpuAgentDeployment, also one made by another copy of this package (symbol brand). */
  public static isGpuAgentDeployment(x: unknown): x is GpuAgentDeployment {
    return hasBrand(x, 'GpuAgentDeployment');
  }

  static {
    brand(this, 'GpuAgentDeployment');
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly role: WorkloadRole;
  /** Container image. */
  public readonly image: string;
  public readonly containerPort: number;
  public readonly serviceName: string;
  public readonly servicePort: number;
  public readonly selectorLabels: Record<string, string>;
  /** Labels on every object and pod of the workload. */
  public readonly labels: Record<string, string>;
  /** Replicas rendered while no autoscaler owns the count. */
  public readonly replicas: number;
  /** How a rollout replaces pods (see {@link GpuAgentDeploymentProps.rollout}). */
  public readonly rollout: Required<RolloutStrategy>;
  /** GPUs per pod, if any. */
  public readonly gpu?: GpuAllocation;
  /** Resolved requests and limits, as Kubernetes quantities. */
  public readonly resources: {
    /** CPU as Kubernetes quantities (`"2"`, `"500m"`). */
    readonly cpu: ResourceRange<string>;
    /** Memory as Kubernetes quantities (`"4Gi"`). */
    readonly memory: ResourceRange<string>;
  };
  public readonly healthPath: string;
  /** Path of the readiness endpoint. */
  public readonly readyPath: string;
  public readonly metrics?: Required<MetricsEndpoint>;
  /** Environment, in rendering order. */
  public readonly env: ReadonlyArray<EnvVariable>;
  /** Model weights, if mounted. */
  public readonly modelStorage?: ModelStorage;
  /** ConfigMap mounted at {@link configMountPath}, if any. */
  public readonly configMapName?: string;
  /** Where the ConfigMap is mounted. */
  public readonly configMountPath: string;
  /** Contents of the ConfigMap the workload creates (keys sorted); undefined when it creates none. */
  public readonly configData?: Readonly<Record<string, string>>;
  /** Checksum on the pod template that rolls the pods when the configuration changes, if any. */
  public readonly configChecksum?: string;
  /** Time the startup probe allows for model loading. */
  public readonly startupBudget: Duration;
  /** Delay before the container gets SIGTERM. */
  public readonly preStopDelay: Duration;
  /** preStop delay plus drain timeout. */
  public readonly terminationGracePeriod: Duration;
  /** Size of the memory-backed `/dev/shm`, in whole KiB and at most the memory limit; undefined when disabled. */
  public readonly sharedMemory?: Size;
  /** Whether pods are spread across nodes. */
  public readonly spreadAcrossNodes: boolean;
  /** Resolved pod security. */
  public readonly security: ResolvedPodSecurity;
  /** What an autoscaler's `scaleTargetRef` points at: this Deployment. */
  public readonly scaleTargetRef: ScaleTargetRef;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service. */
  public readonly service: k8s.KubeService;
  /** The ConfigMap the workload creates from `configData`, if any. */
  public readonly configMap?: k8s.KubeConfigMap;

  /** `REDIS_URL`, when the workload uses Redis. */
  public readonly redisUrl?: string;

  private autoscaler?: IConstruct;
  private readonly egressList: EgressRule[] = [];
  private isolatedBy?: IConstruct;
  private minAutoscaledReplicas?: number;
  private pdb?: k8s.KubePodDisruptionBudget;
  private readonly wantsPdb?: boolean;
  /** Node selector and tolerations of the GPU pool; undefined without GPUs. */
  private readonly gpuScheduling?: {
    readonly nodeSelector: Record<string, string>;
    readonly tolerations: k8s.Toleration[];
  };

  constructor(scope: Construct, id: string, props: GpuAgentDeploymentProps) {
    // Checked before the construct exists: the id is the default name, and an empty one must fail naming the prop.
    const facts = resolveFacts(props, id, Chart.of(scope).namespace);
    validateGpuAgentDeploymentProps(id, facts);
    super(scope, id);

    this.name = facts.name;
    this.namespace = facts.namespace;
    this.role = props.role ?? WorkloadRole.AGENT;
    this.image = facts.image;
    this.containerPort = facts.containerPort;
    this.servicePort = facts.servicePort;
    this.serviceName = facts.serviceName;
    this.replicas = facts.replicas;
    this.rollout = facts.rollout;
    this.healthPath = facts.healthPath;
    this.readyPath = facts.readyPath;
    this.configMountPath = facts.configMountPath;
    this.configMapName = props.configMapName;
    this.configData = props.configData && props.configMapName ? sortedRecord(props.configData) : undefined;
    this.configChecksum = props.configChecksum ?? checksum(props.configData);
    this.modelStorage = props.modelStorage;
    this.security = facts.security;
    this.metrics = facts.metrics;
    this.env = resolveEnv(props);
    this.redisUrl = props.redisUrl;
    this.startupBudget = facts.startupBudget;
    this.preStopDelay = props.preStopDelay ?? Duration.seconds(10);
    const drainTimeout = props.drainTimeout ?? Duration.seconds(300);
    this.terminationGracePeriod = Duration.seconds(this.preStopDelay.toSeconds() + drainTimeout.toSeconds());
    this.sharedMemory = facts.sharedMemory;
    this.spreadAcrossNodes = props.spreadAcrossNodes ?? true;
    this.resources = {
      cpu: { request: facts.cpu.request.amount, limit: facts.cpu.limit.amount },
      memory: { request: sizeQuantity(facts.memory.request), limit: sizeQuantity(facts.memory.limit) },
    };
    if (props.gpu) {
      this.gpu = { type: props.gpu.type, count: props.gpu.count ?? 1 };
      this.gpuScheduling = {
        nodeSelector: { [props.gpu.nodeLabelKey ?? 'gpu-type']: props.gpu.type.nodeLabelValue },
        tolerations: props.gpu.tolerations ?? [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      };
    }
    const partOf = facts.partOf;
    this.selectorLabels = selectorLabels(this.name, partOf);
    this.labels = { ...props.labels, ...standardLabels(this.name, this.role, partOf) };
    this.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name };
    this.wantsPdb = props.podDisruptionBudget;

    this.deployment = this.renderDeployment();
    this.service = this.renderService();
    this.configMap = this.renderConfigMap();
    this.renderModelClaim();
    if (this.wantsPdb ?? this.replicas > 1) this.addPdb();
    this.node.addValidation({ validate: () => unrenderedEgress(this, 'GpuAgentDeployment', this.isolatedBy) });
  }

  public get egressRules(): readonly EgressRule[] {
    return [...this.egressList];
  }

  /** See {@link IAllowsEgress.allowTo}. */
  public allowTo(target: IAgentWorkload | EgressTarget, options?: AllowToOptions): void {
    this.egressList.push(egressRule({ type: 'GpuAgentDeployment', id: this.node.id }, target, options));
  }

  /**
   * Records that `policies` render this workload's NetworkPolicy (the platform's or its tenant's), so its
   * `allowTo` takes effect.
   * @internal
   */
  public markIsolated(policies: IConstruct): void {
    this.isolatedBy = policies;
  }

  public get autoscaled(): boolean {
    return this.autoscaler !== undefined;
  }

  /** True when its autoscaler may take it to zero replicas (KEDA, `minReplicas: 0`). */
  public get scalesToZero(): boolean {
    return this.minAutoscaledReplicas === 0;
  }

  /** See {@link IScalableWorkload.markAutoscaled}. @internal */
  public markAutoscaled(autoscaler: IConstruct, minReplicas?: number): void {
    if (this.autoscaler && this.autoscaler !== autoscaler) {
      throw new Error(`GpuAgentDeployment '${this.node.id}': already autoscaled by '${this.autoscaler.node.path}', `
        + `cannot also be scaled by '${autoscaler.node.path}'`);
    }
    this.autoscaler = autoscaler;
    this.minAutoscaledReplicas = minReplicas;
    if (this.wantsPdb !== false) this.addPdb();
  }

  public toScalingTarget(): ScalingTarget {
    return {
      scaleTargetRef: this.scaleTargetRef,
      replicas: this.renderedReplicas,
      containers: [{ name: CONTAINER, requests: this.containerResources().requests }],
    };
  }

  /** The PodDisruptionBudget, once there is one. */
  public get podDisruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return this.pdb;
  }

  /** `replicas` as rendered: none once an autoscaler owns the count. */
  private get renderedReplicas(): number | undefined {
    return this.autoscaler ? undefined : this.replicas;
  }

  private addPdb(): void {
    if (this.pdb) return;
    this.pdb = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata: { name: `${this.name}-pdb`, namespace: this.namespace, labels: this.labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.selectorLabels } },
    });
  }

  private renderDeployment(): k8s.KubeDeployment {
    const optOuts = { ...podSecurityOptOuts(this.security), 'pod-disruption-budget': this.wantsPdb === false };
    return new k8s.KubeDeployment(this, 'Resource', {
      metadata: {
        name: this.name, namespace: this.namespace, labels: this.labels, annotations: optOutAnnotations(optOuts),
      },
      spec: {
        replicas: Lazy.any({ produce: () => this.renderedReplicas }) as unknown as number,
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selectorLabels },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(this.rollout.maxSurge),
            maxUnavailable: k8s.IntOrString.fromNumber(this.rollout.maxUnavailable),
          },
        },
        template: {
          metadata: { labels: this.labels, annotations: this.podAnnotations() },
          spec: this.podSpec(),
        },
      },
    });
  }

  private renderService(): k8s.KubeService {
    return new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels: this.labels },
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [
          { name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
        ],
      },
    });
  }

  private renderConfigMap(): k8s.KubeConfigMap | undefined {
    if (!this.configData || !this.configMapName) return undefined;
    return new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: this.configMapName, namespace: this.namespace, labels: this.labels },
      data: { ...this.configData },
    });
  }

  private renderModelClaim(): void {
    const claim = this.modelStorage?.newClaim;
    if (!this.modelStorage || !claim) return;
    new k8s.KubePersistentVolumeClaim(this, 'ModelClaim', {
      metadata: { name: this.modelStorage.claimName, namespace: this.namespace, labels: this.labels },
      spec: {
        accessModes: [claim.accessMode],
        storageClassName: claim.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(sizeQuantity(claim.size)) } },
      },
    });
  }

  private podAnnotations(): Record<string, string> | undefined {
    const annotations: Record<string, string> = {};
    if (this.metrics) {
      annotations['prometheus.io/scrape'] = 'true';
      annotations['prometheus.io/port'] = String(this.metrics.port);
      annotations['prometheus.io/path'] = this.metrics.path;
    }
    if (this.configChecksum) annotations['checksum/config'] = this.configChecksum;
    return Object.keys(annotations).length ? annotations : undefined;
  }

  private podSpec(): k8s.PodSpec {
    const { volumes, mounts } = this.volumes();
    return {
      automountServiceAccountToken: this.security.automountServiceAccountToken,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: this.terminationGracePeriod.toSeconds(),
      securityContext: podSecurityContext(this.security),
      nodeSelector: this.gpuScheduling?.nodeSelector,
      tolerations: this.gpuScheduling?.tolerations,
      topologySpreadConstraints: this.spreadAcrossNodes ? [{
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: this.selectorLabels },
      }] : undefined,
      containers: [this.container(mounts)],
      volumes: volumes.length ? volumes : undefined,
    };
  }

  private volumes(): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [];
    if (this.modelStorage) {
      volumes.push({
        name: 'model-storage',
        persistentVolumeClaim: { claimName: this.modelStorage.claimName, readOnly: true },
      });
      mounts.push({ name: 'model-storage', mountPath: this.modelStorage.mountPath, readOnly: true });
    }
    if (this.configMapName) {
      volumes.push({ name: 'config', configMap: { name: this.configMapName } });
      mounts.push({ name: 'config', mountPath: this.configMountPath, readOnly: true });
    }
    if (this.sharedMemory) {
      const sizeLimit = k8s.Quantity.fromString(sizeQuantity(this.sharedMemory));
      volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit } });
      mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
    }
    const writable = writableVolumes(this.security);
    volumes.push(...writable.volumes);
    mounts.push(...writable.mounts);
    return { volumes, mounts };
  }

  /** Requests and limits of the container: cpu, memory and the GPUs, as Kubernetes quantities. */
  private containerResources(): { requests: Record<string, string>; limits: Record<string, string> } {
    const requests: Record<string, string> = { cpu: this.resources.cpu.request, memory: this.resources.memory.request };
    const limits: Record<string, string> = { cpu: this.resources.cpu.limit, memory: this.resources.memory.limit };
    if (this.gpu) {
      requests[this.gpu.type.resourceName] = String(this.gpu.count);
      limits[this.gpu.type.resourceName] = String(this.gpu.count);
    }
    return { requests, limits };
  }

  private container(mounts: k8s.VolumeMount[]): k8s.Container {
    const { requests, limits } = this.containerResources();
    const quantities = (r: Record<string, string>) =>
      Object.fromEntries(Object.entries(r).map(([k, q]) => [k, k8s.Quantity.fromString(q)]));
    const metricsPort = this.metrics && this.metrics.port !== this.containerPort
      ? [{ name: 'metrics', containerPort: this.metrics.port, protocol: 'TCP' }] : [];
    return {
      name: CONTAINER,
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: this.containerPort, protocol: 'TCP' }, ...metricsPort],
      env: this.env.length ? this.env.map(({ name, value }) => (value.secret
        ? { name, valueFrom: { secretKeyRef: { name: value.secret.secretName, key: value.secret.key } } }
        : { name, value: value.value })) : undefined,
      resources: { requests: quantities(requests), limits: quantities(limits) },
      volumeMounts: mounts.length ? mounts : undefined,
      ...this.probes(),
      lifecycle: this.preStopDelay.toSeconds() > 0
        ? { preStop: { exec: { command: ['sleep', String(this.preStopDelay.toSeconds())] } } }
        : undefined,
      securityContext: containerSecurityContext(this.security),
    };
  }

  private probes(): Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
    const period = 10;
    const http = (path: string) => ({ path, port: k8s.IntOrString.fromString('http') });
    return {
      startupProbe: {
        httpGet: http(this.healthPath),
        periodSeconds: period,
        timeoutSeconds: 5,
        failureThreshold: Math.max(1, Math.ceil(this.startupBudget.toSeconds() / period)),
      },
      livenessProbe: { httpGet: http(this.healthPath), periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 },
      readinessProbe: { httpGet: http(this.readyPath), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    };
  }
}

/** Name of the workload's one container. */
const CONTAINER = 'agent';

/** The props with every default applied: what the validation rules check and the fields are set from. */
function resolveFacts(
  props: GpuAgentDeploymentProps, id: string, chartNamespace: string | undefined,
): GpuAgentDeploymentFacts {
  const name = props.name ?? id;
  const modelLoadTime = props.probes?.modelLoadTime ?? Duration.minutes(5);
  const containerPort = props.port ?? 8080;
  const memory = props.resources?.memory ?? { request: Size.gibibytes(4), limit: Size.gibibytes(8) };
  const security = resolvePodSecurity(props.security);
  const configMountPath = props.configMountPath ?? '/app/config';
  const sharedMemory = resolveSharedMemory(props.sharedMemory ?? Size.gibibytes(1), memory.limit);
  const mounts: Array<readonly [string, string]> = [
    ...(props.modelStorage ? [['modelStorage.mountPath', props.modelStorage.mountPath] as const] : []),
    ...(props.configMapName ? [['configMountPath', configMountPath] as const] : []),
    ...(sharedMemory ? [['sharedMemory', '/dev/shm'] as const] : []),
    ...(security.readOnlyRootFilesystem
      ? security.writablePaths.map((path, i) => [`security.writablePaths[${i}]`, path] as const) : []),
  ];
  return {
    props,
    name,
    namespace: props.namespace ?? chartNamespace ?? 'default',
    partOf: props.partOf ?? 'ai-agent-platform',
    serviceName: props.serviceName ?? (name.endsWith('-service') ? name : `${name}-service`),
    image: props.image,
    containerPort,
    servicePort: props.servicePort ?? 80,
    replicas: props.replicas ?? 1,
    rollout: {
      maxSurge: props.rollout?.maxSurge ?? (props.gpu ? 0 : 1),
      maxUnavailable: props.rollout?.maxUnavailable ?? (props.gpu ? 1 : 0),
    },
    healthPath: props.probes?.healthPath ?? '/health',
    readyPath: props.probes?.readyPath ?? '/ready',
    configMountPath,
    security,
    cpu: props.resources?.cpu ?? { request: Cpu.units(2), limit: Cpu.units(4) },
    memory,
    sharedMemory,
    modelLoadTime,
    startupBudget: props.probes?.startupBudget ?? Duration.seconds(modelLoadTime.toSeconds() * 2),
    metrics: props.metrics === false ? undefined
    : { port: props.metrics?.port ?? containerPort, path: props.metrics?.path ?? '/metrics' },
    dedicatedEnv: dedicatedEnv(props).map((e) => e.name),
    mounts,
  };
}

/** Variables set by dedicated props, in rendering order. */
function dedicatedEnv(props: GpuAgentDeploymentProps): EnvVariable[] {
  const values: Array<[string, string | undefined]> = [
    ['MODEL_PATH', props.modelPath],
    ['REDIS_URL', props.redisUrl],
    ['MAX_TOKENS', props.maxTokens === undefined ? undefined : String(props.maxTokens)],
    ['LOG_LEVEL', props.logLevel],
  ];
  return values.flatMap(([name, value]) => (value === undefined ? [] : [{ name, value: EnvValue.value(value) }]));
}

/** The container's environment: the dedicated variables, then `env` sorted by name. */
function resolveEnv(props: GpuAgentDeploymentProps): EnvVariable[] {
  const env = props.env ?? {};
  return [...dedicatedEnv(props), ...Object.keys(env).sort().map((name) => ({ name, value: env[name] }))];
}

/** `/dev/shm`'s size in whole KiB (as rendered), capped at the memory limit; undefined when zero (disabled). */
function resolveSharedMemory(requested: Size, memoryLimit: Size): Size | undefined {
  if (sizeKib(requested) <= 0) return undefined;
  return Size.kibibytes(Math.min(sizeKib(requested), sizeKib(memoryLimit)));
}

function checksum(data: Record<string, string> | undefined): string | undefined {
  if (!data) return undefined;
  return createHash('sha256').update(JSON.stringify(sortedRecord(data))).digest('hex');
}
