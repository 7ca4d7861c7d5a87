import { createHash } from 'crypto';
import { Chart, Duration, Lazy, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import {
  containerSecurityContext, optOutAnnotations, podSecurityContext, podSecurityOptOuts, selectorLabels, standardLabels, writableVolumes,
} from '../core/pod';
import { cpuMillicores, sizeKib, sizeQuantity } from '../core/quantity';
import { sortedRecord } from '../core/records';
import { PropsValidator, raw } from '../core/validation';
import {
  AgentProbes, AgentResources, ENV_VALUE_ALLOWED, EnvValue, EnvVariable, GpuAllocation, GpuRequest, GpuType, isPinnedImage, MetricsEndpoint,
  ModelStorage, ResourceRange,
} from './agent-values';
import { PodSecurityProps, ResolvedPodSecurity, resolvePodSecurity } from '../core/pod-security';
import { IScalableWorkload } from './workload';
import { brand, hasBrand } from '../core/brand';

/** Props of {@link GpuAgentDeployment}. */
export interface GpuAgentDeploymentProps {
  /** Container image, pinned to a tag other than `latest` or to a digest. */
  readonly image: string;
  /**
   * Name of the Deployment (a DNS label).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Component label (`app.kubernetes.io/component`).
   * @default 'agent'
   */
  readonly component?: string;
  /**
   * Value of the `app.kubernetes.io/part-of` label.
   * @default 'ai-agent-platform'
   */
  readonly partOf?: string;
  /**
   * Extra labels on every object and pod of the workload (not used in selectors).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** Port the container listens on. @default 8080 */
  readonly port?: number;
  /**
   * Replicas while no autoscaler owns the count.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * GPUs per pod.
   * @default - no GPU (a CPU-only workload)
   */
  readonly gpu?: GpuRequest;
  /** @default - cpu 2/4, memory 4Gi/8Gi (request/limit) */
  readonly resources?: AgentResources;
  /**
   * Model weights.
   * @default - none mounted
   */
  readonly modelStorage?: ModelStorage;
  /**
   * `MODEL_PATH` environment variable.
   * @default - not set
   */
  readonly modelPath?: string;
  /** `REDIS_URL`. @default - not set */
  readonly redisUrl?: string;
  /** `MAX_TOKENS`. @default - not set */
  readonly maxTokens?: number;
  /** `LOG_LEVEL`. @default - not set */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  /**
   * More environment variables; `EnvValue.fromSecret` for anything secret.
   * @default - none
   */
  readonly env?: Record<string, EnvValue>;
  /**
   * Name of a ConfigMap mounted read-only at `configMountPath`.
   * @default - none
   */
  readonly configMapName?: string;
  /**
   * Contents of the ConfigMap; when set, the workload creates the ConfigMap `configMapName` and puts
   * a checksum of the data on the pod template, so that config changes roll the pods.
   * @default - the ConfigMap exists already
   */
  readonly configData?: Record<string, string>;
  /** Where the ConfigMap is mounted. @default '/app/config' */
  readonly configMountPath?: string;
  /**
   * Checksum of the configuration, put on the pod template so that config changes roll the pods.
   * @default - none
   */
  readonly configChecksum?: string;
  /** @default - see {@link AgentProbes} */
  readonly probes?: AgentProbes;
  /**
   * How long an in-flight generation may take to finish when a pod is stopped. The pod's
   * termination grace period is `preStopDelay` + `drainTimeout`.
   * @default Duration.seconds(300)
   */
  readonly drainTimeout?: Duration;
  /**
   * Delay before the container gets SIGTERM, so endpoints drop the pod before it stops accepting.
   * @default Duration.seconds(10)
   */
  readonly preStopDelay?: Duration;
  /**
   * Size of the memory-backed `/dev/shm` for inference runtimes (PyTorch, NCCL); `Size.mebibytes(0)` disables it.
   * @default Size.gibibytes(1)
   */
  readonly sharedMemory?: Size;
  /**
   * Prometheus scraping via `prometheus.io/*` pod annotations; false to disable.
   * @default - the container port and `/metrics`
   */
  readonly metrics?: MetricsEndpoint | false;
  /** @default - the restricted profile, see {@link PodSecurityProps} */
  readonly security?: PodSecurityProps;
  /**
   * Create a PodDisruptionBudget (`maxUnavailable: 1`).
   * @default - when more than one replica or an autoscaler owns the count
   */
  readonly podDisruptionBudget?: boolean;
  /**
   * Spread pods across nodes (`topologySpreadConstraints` on `kubernetes.io/hostname`, ScheduleAnyway).
   * @default true
   */
  readonly spreadAcrossNodes?: boolean;
  /**
   * Name of the Service.
   * @default - `<name>-service`, or `<name>` when the name already ends in `-service`
   */
  readonly serviceName?: string;
  /** Port the Service exposes. @default 80 */
  readonly servicePort?: number;
}

/**
 * A GPU-backed agent service: a Deployment and its ClusterIP Service, with the GPU pool's node selector
 * and toleration, probes for slow model loading, graceful drain, Prometheus scraping, the restricted pod
 * security profile, a PodDisruptionBudget and a topology spread.
 *
 * The Deployment is the construct's `Resource` child.
 */
export class GpuAgentDeployment extends Construct implements IScalableWorkload {
  /** Returns true when `x` is a GpuAgentDeployment, also one made by another copy of this package (symbol brand). */
  public static isGpuAgentDeployment(x: unknown): x is GpuAgentDeployment {
    return hasBrand(x, 'GpuAgentDeployment');
  }

  static {
    brand(this, 'GpuAgentDeployment');
  }

  public readonly name: string;
  public readonly namespace: string;
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
  /** Time the startup probe allows for model loading. */
  public readonly startupBudget: Duration;
  /** preStop delay plus drain timeout. */
  public readonly terminationGracePeriod: Duration;
  /** Resolved pod security. */
  public readonly security: ResolvedPodSecurity;
  public readonly scaleTargetRef: IScalableWorkload['scaleTargetRef'];
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service. */
  public readonly service: k8s.KubeService;

  private autoscaler?: IConstruct;
  private readonly wantsPdb?: boolean;

  constructor(scope: Construct, id: string, props: GpuAgentDeploymentProps) {
    super(scope, id);
    const v = new PropsValidator('GpuAgentDeployment', id);

    this.name = props.name ?? id;
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.image = props.image;
    this.containerPort = props.port ?? 8080;
    this.servicePort = props.servicePort ?? 80;
    this.serviceName = props.serviceName ?? (this.name.endsWith('-service') ? this.name : `${this.name}-service`);
    this.replicas = props.replicas ?? 1;
    this.healthPath = props.probes?.healthPath ?? '/health';
    this.readyPath = props.probes?.readyPath ?? '/ready';
    this.configMountPath = props.configMountPath ?? '/app/config';
    this.configMapName = props.configMapName;
    this.modelStorage = props.modelStorage;
    this.security = resolvePodSecurity(props.security);
    const partOf = props.partOf ?? 'ai-agent-platform';

    v.dnsLabel('name', this.name).dnsLabel('serviceName', this.serviceName).dnsLabel('namespace', this.namespace);
    v.check(isPinnedImage(this.image), 'image', this.image, 'must be pinned to a tag other than "latest" or to a digest (registry/name:tag)');
    v.integer('port', this.containerPort, 1, 65535).integer('servicePort', this.servicePort, 1, 65535);
    v.integer('replicas', this.replicas, 0);
    v.integer('security.runAsUser', this.security.runAsUser, 1).integer('security.runAsGroup', this.security.runAsGroup, 1);
    for (const [prop, path] of [['probes.healthPath', this.healthPath], ['probes.readyPath', this.readyPath], ['configMountPath', this.configMountPath]]) {
      v.check(/^\/[A-Za-z0-9._~\-/]*$/.test(path), prop, path, 'must be an absolute path of letters, digits and ._~-/');
    }
    if (props.configMapName !== undefined) v.dnsSubdomain('configMapName', props.configMapName);
    v.check(props.configData === undefined || props.configMapName !== undefined, 'configData', Object.keys(props.configData ?? {}),
      'needs configMapName, the name of the ConfigMap to create');
    for (const key of Object.keys(props.configData ?? {})) {
      v.check(/^[-._a-zA-Z0-9]{1,253}$/.test(key), `configData.${key}`, key, 'must be a ConfigMap key: letters, digits, \'-\', \'_\' or \'.\'');
    }
    if (props.modelStorage) {
      v.dnsSubdomain('modelStorage.claimName', props.modelStorage.claimName);
      if (props.modelStorage.newClaim) {
        v.check(sizeKib(props.modelStorage.newClaim.size) > 0, 'modelStorage.size', raw(sizeQuantity(props.modelStorage.newClaim.size)), 'must be larger than zero');
      }
    }

    if (props.gpu) {
      const count = props.gpu.count ?? 1;
      v.check(Number.isInteger(count) && count >= 1, 'gpu.count', count, 'must be a positive integer (GPUs cannot be shared by fractions)');
      v.check(GpuType.isGpuType(props.gpu.type), 'gpu.type', props.gpu.type, `must be a GpuType (one of ${GpuType.CATALOG.map((g) => g.name).join(', ')}, or GpuType.custom)`);
      if (props.gpu.modelMemory && GpuType.isGpuType(props.gpu.type) && Number.isInteger(count) && count >= 1) {
        const need = sizeKib(props.gpu.modelMemory);
        const have = sizeKib(props.gpu.type.memory) * count;
        v.check(need <= have, 'gpu.modelMemory', raw(sizeQuantity(props.gpu.modelMemory)),
          `must fit in ${count} × ${props.gpu.type.name} (${sizeQuantity(Size.kibibytes(have))})`);
      }
      this.gpu = { type: props.gpu.type, count };
    }

    const cpu = props.resources?.cpu ?? { request: Cpu.units(2), limit: Cpu.units(4) };
    const memory = props.resources?.memory ?? { request: Size.gibibytes(4), limit: Size.gibibytes(8) };
    v.check(sizeKib(memory.request) <= sizeKib(memory.limit), 'resources.memory.request', raw(sizeQuantity(memory.request)), `must be <= resources.memory.limit (${sizeQuantity(memory.limit)})`);
    v.check(cpuMillicores(cpu.request.amount) <= cpuMillicores(cpu.limit.amount), 'resources.cpu.request', raw(cpu.request.amount), `must be <= resources.cpu.limit (${cpu.limit.amount})`);
    v.check(sizeKib(memory.request) > 0, 'resources.memory.request', raw(sizeQuantity(memory.request)), 'must be larger than zero');
    this.resources = {
      cpu: { request: cpu.request.amount, limit: cpu.limit.amount },
      memory: { request: sizeQuantity(memory.request), limit: sizeQuantity(memory.limit) },
    };

    const modelLoadTime = props.probes?.modelLoadTime ?? Duration.minutes(5);
    this.startupBudget = props.probes?.startupBudget ?? Duration.seconds(modelLoadTime.toSeconds() * 2);
    v.check(this.startupBudget.toSeconds() >= modelLoadTime.toSeconds(), 'probes.startupBudget', raw(this.startupBudget.toHumanString()),
      `must be at least probes.modelLoadTime (${modelLoadTime.toHumanString()}), or the pod is restarted while the model loads`);

    const preStopDelay = props.preStopDelay ?? Duration.seconds(10);
    const drainTimeout = props.drainTimeout ?? Duration.seconds(300);
    this.terminationGracePeriod = Duration.seconds(preStopDelay.toSeconds() + drainTimeout.toSeconds());

    if (props.metrics !== false) {
      this.metrics = { port: props.metrics?.port ?? this.containerPort, path: props.metrics?.path ?? '/metrics' };
      v.integer('metrics.port', this.metrics.port, 1, 65535);
      v.check(/^\/[A-Za-z0-9._~\-/]*$/.test(this.metrics.path), 'metrics.path', this.metrics.path, 'must be an absolute path of letters, digits and ._~-/');
    }

    const env: Array<{ name: string; value: EnvValue }> = [];
    const addEnv = (name: string, value: string | undefined) => { if (value !== undefined) env.push({ name, value: EnvValue.value(value) }); };
    addEnv('MODEL_PATH', props.modelPath);
    addEnv('REDIS_URL', props.redisUrl);
    if (props.maxTokens !== undefined) {
      v.integer('maxTokens', props.maxTokens, 1);
      addEnv('MAX_TOKENS', String(props.maxTokens));
    }
    addEnv('LOG_LEVEL', props.logLevel);
    for (const name of Object.keys(props.env ?? {}).sort()) {
      v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name), `env.${name}`, name, 'must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)');
      v.check(!env.some((e) => e.name === name), `env.${name}`, name, 'is already set by a dedicated prop');
      const value: unknown = props.env![name];
      v.check(EnvValue.isEnvValue(value), `env.${name}`, value, ENV_VALUE_ALLOWED);
      if (EnvValue.isEnvValue(value)) env.push({ name, value });
    }
    this.env = env;
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      v.check(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(key), `labels.${key}`, key, 'must be a label key ([prefix/]name)');
      v.check(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(value), `labels.${key}`, value, 'must be a label value (at most 63 letters, digits, \'-\', \'_\', \'.\')');
    }
    v.throwIfAny();

    this.selectorLabels = selectorLabels(this.name, partOf);
    this.labels = { ...props.labels, ...standardLabels(this.name, props.component ?? 'agent', partOf) };
    this.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name };

    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: {
        name: this.name, namespace: this.namespace, labels: this.labels,
        annotations: optOutAnnotations({ ...podSecurityOptOuts(this.security), 'pod-disruption-budget': props.podDisruptionBudget === false }),
      },
      spec: {
        replicas: Lazy.any({ produce: () => (this.autoscaler ? undefined : this.replicas) }) as unknown as number,
        revisionHistoryLimit: 5,
        selector: { matchLabels: this.selectorLabels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels: this.labels, annotations: this.podAnnotations(props.configChecksum ?? checksum(props.configData)) },
          spec: this.podSpec(props, preStopDelay, memory.limit),
        },
      },
    });

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.serviceName, namespace: this.namespace, labels: this.labels },
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [{ name: 'http', port: this.servicePort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    if (props.configData && props.configMapName) {
      new k8s.KubeConfigMap(this, 'Config', {
        metadata: { name: props.configMapName, namespace: this.namespace, labels: this.labels },
        data: sortedRecord(props.configData),
      });
    }

    if (props.modelStorage?.newClaim) {
      const claim = props.modelStorage.newClaim;
      new k8s.KubePersistentVolumeClaim(this, 'ModelClaim', {
        metadata: { name: props.modelStorage.claimName, namespace: this.namespace, labels: this.labels },
        spec: {
          accessModes: [claim.accessMode],
          storageClassName: claim.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(sizeQuantity(claim.size)) } },
        },
      });
    }

    this.wantsPdb = props.podDisruptionBudget;
    if (this.wantsPdb ?? this.replicas > 1) this.addPdb();
  }

  public get autoscaled(): boolean {
    return this.autoscaler !== undefined;
  }

  /** See {@link IScalableWorkload.markAutoscaled}. @internal */
  public markAutoscaled(autoscaler: IConstruct): void {
    if (this.autoscaler && this.autoscaler !== autoscaler) {
      throw new Error(`GpuAgentDeployment '${this.node.id}': already autoscaled by '${this.autoscaler.node.path}', cannot also be scaled by '${autoscaler.node.path}'`);
    }
    this.autoscaler = autoscaler;
    if (this.wantsPdb !== false) this.addPdb();
  }

  /** The PodDisruptionBudget, once there is one. */
  public get podDisruptionBudget(): k8s.KubePodDisruptionBudget | undefined {
    return this.node.tryFindChild('Pdb') as k8s.KubePodDisruptionBudget | undefined;
  }

  private addPdb(): void {
    if (this.podDisruptionBudget) return;
    new k8s.KubePodDisruptionBudget(this, 'Pdb', {
      metadata: { name: `${this.name}-pdb`, namespace: this.namespace, labels: this.labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: this.selectorLabels } },
    });
  }

  private podAnnotations(configChecksum: string | undefined): Record<string, string> | undefined {
    const annotations: Record<string, string> = {};
    if (this.metrics) {
      annotations['prometheus.io/scrape'] = 'true';
      annotations['prometheus.io/port'] = String(this.metrics.port);
      annotations['prometheus.io/path'] = this.metrics.path;
    }
    if (configChecksum) annotations['checksum/config'] = configChecksum;
    return Object.keys(annotations).length ? annotations : undefined;
  }

  private podSpec(props: GpuAgentDeploymentProps, preStopDelay: Duration, memoryLimit: Size): k8s.PodSpec {
    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [];
    if (this.modelStorage) {
      volumes.push({ name: 'model-storage', persistentVolumeClaim: { claimName: this.modelStorage.claimName, readOnly: true } });
      mounts.push({ name: 'model-storage', mountPath: this.modelStorage.mountPath, readOnly: true });
    }
    if (this.configMapName) {
      volumes.push({ name: 'config', configMap: { name: this.configMapName } });
      mounts.push({ name: 'config', mountPath: this.configMountPath, readOnly: true });
    }
    const shm = props.sharedMemory ?? Size.gibibytes(1);
    if (sizeKib(shm) > 0) {
      const limit = sizeKib(shm) <= sizeKib(memoryLimit) ? shm : memoryLimit;
      volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(sizeQuantity(limit)) } });
      mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
    }
    const writable = writableVolumes(this.security);
    volumes.push(...writable.volumes);
    mounts.push(...writable.mounts);

    const quantity = (value: string) => k8s.Quantity.fromString(value);
    const requests: Record<string, k8s.Quantity> = { cpu: quantity(this.resources.cpu.request), memory: quantity(this.resources.memory.request) };
    const limits: Record<string, k8s.Quantity> = { cpu: quantity(this.resources.cpu.limit), memory: quantity(this.resources.memory.limit) };
    if (this.gpu) {
      requests[this.gpu.type.resourceName] = quantity(String(this.gpu.count));
      limits[this.gpu.type.resourceName] = quantity(String(this.gpu.count));
    }

    const period = 10;
    const container: k8s.Container = {
      name: 'agent',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: this.containerPort, protocol: 'TCP' },
        ...(this.metrics && this.metrics.port !== this.containerPort ? [{ name: 'metrics', containerPort: this.metrics.port, protocol: 'TCP' }] : [])],
      env: this.env.length ? this.env.map(({ name, value }) => (value.secret
        ? { name, valueFrom: { secretKeyRef: { name: value.secret.secretName, key: value.secret.key } } }
        : { name, value: value.value })) : undefined,
      resources: { requests, limits },
      volumeMounts: mounts.length ? mounts : undefined,
      startupProbe: {
        httpGet: { path: this.healthPath, port: k8s.IntOrString.fromString('http') },
        periodSeconds: period,
        timeoutSeconds: 5,
        failureThreshold: Math.max(1, Math.ceil(this.startupBudget.toSeconds() / period)),
      },
      livenessProbe: {
        httpGet: { path: this.healthPath, port: k8s.IntOrString.fromString('http') },
        periodSeconds: 30,
        timeoutSeconds: 5,
        failureThreshold: 3,
      },
      readinessProbe: {
        httpGet: { path: this.readyPath, port: k8s.IntOrString.fromString('http') },
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
      },
      lifecycle: preStopDelay.toSeconds() > 0
        ? { preStop: { exec: { command: ['sleep', String(preStopDelay.toSeconds())] } } }
        : undefined,
      securityContext: containerSecurityContext(this.security),
    };

    return {
      automountServiceAccountToken: this.security.automountServiceAccountToken,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: this.terminationGracePeriod.toSeconds(),
      securityContext: podSecurityContext(this.security),
      nodeSelector: this.gpu ? { [props.gpu?.nodeLabelKey ?? 'gpu-type']: this.gpu.type.nodeLabelValue } : undefined,
      tolerations: this.gpu ? (props.gpu?.tolerations ?? [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]) : undefined,
      topologySpreadConstraints: props.spreadAcrossNodes === false ? undefined : [{
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: this.selectorLabels },
      }],
      containers: [container],
      volumes: volumes.length ? volumes : undefined,
    };
  }
}

function checksum(data: Record<string, string> | undefined): string | undefined {
  if (!data) return undefined;
  return createHash('sha256').update(JSON.stringify(sortedRecord(data))).digest('hex');
}
