// Value classes and prop types of GpuAgentDeployment: GPUs, model storage, environment, resources and probes.
import { Duration, Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { brand, hasBrand } from '../core/brand';

/**
 * A GPU model from the catalog: the node label value that selects its node pool, its memory and the
 * device-plugin resource name pods request it by.
 */
export class GpuType {
  /** Returns true when `x` is a GpuType, also one made by another copy of this package (symbol brand). */
  public static isGpuType(x: unknown): x is GpuType {
    return hasBrand(x, 'GpuType');
  }

  static {
    brand(this, 'GpuType');
  }

  /** NVIDIA A100 40 GB: large-model training and inference. */
  public static readonly A100_40GB = new GpuType('NVIDIA A100 40GB', 'nvidia-a100', Size.gibibytes(40));
  /** NVIDIA A100 80 GB: large-model training and inference. */
  public static readonly A100_80GB = new GpuType('NVIDIA A100 80GB', 'nvidia-a100-80gb', Size.gibibytes(80));
  /** NVIDIA H100 80 GB. */
  public static readonly H100_80GB = new GpuType('NVIDIA H100 80GB', 'nvidia-h100', Size.gibibytes(80));
  /** NVIDIA A10 24 GB: medium-model inference. */
  public static readonly A10_24GB = new GpuType('NVIDIA A10 24GB', 'nvidia-a10', Size.gibibytes(24));
  /** NVIDIA L4 24 GB: inference. */
  public static readonly L4_24GB = new GpuType('NVIDIA L4 24GB', 'nvidia-l4', Size.gibibytes(24));
  /** NVIDIA T4 16 GB: light inference. */
  public static readonly T4_16GB = new GpuType('NVIDIA T4 16GB', 'nvidia-t4', Size.gibibytes(16));
  /** NVIDIA V100 16 GB: general AI workloads. */
  public static readonly V100_16GB = new GpuType('NVIDIA V100 16GB', 'nvidia-v100', Size.gibibytes(16));
  /** NVIDIA V100 32 GB: general AI workloads. */
  public static readonly V100_32GB = new GpuType('NVIDIA V100 32GB', 'nvidia-v100-32gb', Size.gibibytes(32));

  /** Every GPU of the built-in catalog. */
  public static readonly CATALOG: readonly GpuType[] = [
    GpuType.A100_40GB,
    GpuType.A100_80GB,
    GpuType.H100_80GB,
    GpuType.A10_24GB,
    GpuType.L4_24GB,
    GpuType.T4_16GB,
    GpuType.V100_16GB,
    GpuType.V100_32GB,
  ];

  /**
   * A GPU that is not in the catalog.
   * @param props what the GPU is called, its node label value, memory and resource name
   */
  public static custom(props: {
    readonly name: string;
    readonly nodeLabelValue: string;
    readonly memory: Size;
    readonly resourceName?: string;
  }): GpuType {
    return new GpuType(props.name, props.nodeLabelValue, props.memory, props.resourceName ?? 'nvidia.com/gpu');
  }

  /** Looks a GPU up by its node label value (`nvidia-a100`); fails naming the known values. */
  public static fromNodeLabel(value: string): GpuType {
    const found = GpuType.CATALOG.find((gpu) => gpu.nodeLabelValue === value);
    if (!found) {
      throw new Error(
        `GpuType: unknown GPU node label ("${value}");` +
          ` known: ${GpuType.CATALOG.map((g) => g.nodeLabelValue).join(', ')} (or use GpuType.custom)`,
      );
    }
    return found;
  }

  private constructor(
    /** Human-readable name. */
    public readonly name: string,
    /** Value of the GPU node-pool label (`gpu-type: nvidia-a100`). */
    public readonly nodeLabelValue: string,
    /** Memory of one GPU. */
    public readonly memory: Size,
    /** Extended resource name of the device plugin. */
    public readonly resourceName: string = 'nvidia.com/gpu',
  ) {}

  /** The GPU's name. */
  public toString(): string {
    return this.name;
  }
}

/** GPUs for each pod of a workload. */
export interface GpuRequest {
  /** The GPU model; selects the node pool. */
  readonly type: GpuType;
  /**
   * GPUs per pod: a positive integer, rendered in limits (and requests, which must equal limits).
   * @default 1
   */
  readonly count?: number;
  /**
   * Node label key whose value selects the GPU pool.
   * @default 'gpu-type'
   */
  readonly nodeLabelKey?: string;
  /**
   * Tolerations for the taint of the GPU node pool.
   * @default - tolerates `gpu=true:NoSchedule`
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   */
  readonly tolerations?: k8s.Toleration[];
  /**
   * GPU memory the model needs per pod; synth fails when it exceeds `count` × the GPU's memory.
   * @default - not checked
   */
  readonly modelMemory?: Size;
}

/** The PersistentVolumeClaim a workload creates for its model weights. */
export interface ModelClaimSpec {
  /** Requested capacity. */
  readonly size: Size;
  /** Storage class. @default - the cluster's default class */
  readonly storageClassName?: string;
  /**
   * Access mode of the claim.
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes
   */
  readonly accessMode: string;
}

/** A key of a Kubernetes Secret. */
export interface SecretKeyRef {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Key in the Secret's data. */
  readonly key: string;
}

/** A request and a limit. */
export interface ResourceRange<T> {
  /** What the scheduler reserves. */
  readonly request: T;
  /** The most the container may use. */
  readonly limit: T;
}

/** Where Prometheus scrapes a workload. */
export interface MetricsEndpoint {
  /** Port of the metrics endpoint. @default - the container port */
  readonly port?: number;
  /** Path of the metrics endpoint. @default '/metrics' */
  readonly path?: string;
}

/** GPUs of each pod, resolved. */
export interface GpuAllocation {
  /** The GPU model. */
  readonly type: GpuType;
  /** GPUs per pod. */
  readonly count: number;
}

/** An environment variable of the agent container. */
export interface EnvVariable {
  /** Variable name. */
  readonly name: string;
  /** Its value or Secret reference. */
  readonly value: EnvValue;
}

/** Where a workload's model weights come from. */
export class ModelStorage {
  /**
   * A PersistentVolumeClaim that already exists (or that another workload creates).
   * @param claimName name of the claim
   * @param options where to mount it
   */
  public static existingClaim(claimName: string, options: { readonly mountPath?: string } = {}): ModelStorage {
    return new ModelStorage(claimName, options.mountPath ?? '/models');
  }

  /**
   * A new PersistentVolumeClaim the workload creates. Mounted read-only: the weights are loaded into it
   * out of band.
   */
  public static newClaim(options: {
    /** Name of the claim. */
    readonly claimName: string;
    /** Requested capacity. */
    readonly size: Size;
    /** Storage class; @default - the cluster's default class */
    readonly storageClassName?: string;
    /**
     * Access mode. The default is what a cluster's default StorageClass provides almost everywhere (block
     * storage: EBS, Persistent Disk, Azure Disk, Ceph RBD): one node at a time. A workload of several replicas
     * needs a volume several nodes can mount (`ReadOnlyMany` or `ReadWriteMany`, e.g. NFS, EFS, Filestore,
     * CephFS) and a `storageClassName` that provides it; synth refuses a single-node mode for it.
     * @default 'ReadWriteOnce'
     */
    readonly accessMode?: 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
    /** Mount path; @default '/models' */
    readonly mountPath?: string;
  }): ModelStorage {
    return new ModelStorage(options.claimName, options.mountPath ?? '/models', {
      size: options.size,
      storageClassName: options.storageClassName,
      accessMode: options.accessMode ?? 'ReadWriteOnce',
    });
  }

  private constructor(
    /** Name of the PersistentVolumeClaim. */
    public readonly claimName: string,
    /** Where the claim is mounted (read-only). */
    public readonly mountPath: string,
    /** Set when the workload creates the claim. */
    public readonly newClaim?: ModelClaimSpec,
  ) {}
}

/**
 * What an `env` entry may be. A cdk8s-plus `EnvValue` has the same name and passes the type check
 * (structural typing), but this library would render it without a value: it is refused, never dropped.
 * @internal
 */
export const ENV_VALUE_ALLOWED = 'must be an EnvValue of cdk8s-ai-agent-platform (EnvValue.value(text) or '
  + 'EnvValue.fromSecret(secretName, key)), not a cdk8s-plus EnvValue or another object';

/**
 * Where an environment variable's value comes from. Not cdk8s-plus's `EnvValue`: import this one from
 * `cdk8s-ai-agent-platform` (the workloads refuse cdk8s-plus's).
 */
export class EnvValue {
  /** Returns true when `x` is an EnvValue, also one made by another copy of this package (symbol brand). */
  public static isEnvValue(x: unknown): x is EnvValue {
    return hasBrand(x, 'EnvValue');
  }

  static {
    brand(this, 'EnvValue');
  }

  /** A literal value. Never use this for secrets. */
  public static value(value: string): EnvValue {
    return new EnvValue(value);
  }

  /** A key of a Kubernetes Secret (and of the Compose `.env` file). */
  public static fromSecret(secretName: string, key: string): EnvValue {
    return new EnvValue(undefined, { secretName, key });
  }

  private constructor(
    /** The literal value, if any. */
    public readonly value?: string,
    /** The Secret reference, if any. */
    public readonly secret?: SecretKeyRef,
  ) {}
}

/**
 * How a Deployment's rolling update replaces pods (`strategy.rollingUpdate`), in pods.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
 */
export interface RolloutStrategy {
  /** Pods created above the replica count during a rollout. @default - see GpuAgentDeploymentProps.rollout */
  readonly maxSurge?: number;
  /** Pods that may be unavailable during a rollout. @default - see GpuAgentDeploymentProps.rollout */
  readonly maxUnavailable?: number;
}

/** CPU and memory for each container. Requests and limits are always rendered. */
export interface AgentResources {
  /** @default - request 2, limit 4 */
  readonly cpu?: ResourceRange<Cpu>;
  /** @default - request 4Gi, limit 8Gi */
  readonly memory?: ResourceRange<Size>;
}

/** Probe timings for a model server that loads its weights at start-up. */
export interface AgentProbes {
  /**
   * How long the model takes to load. The startup probe's budget must cover it.
   * @default Duration.minutes(5)
   */
  readonly modelLoadTime?: Duration;
  /**
   * Total time the startup probe allows before Kubernetes restarts the container.
   * @default - twice the model load time
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-startup-probes
   */
  readonly startupBudget?: Duration;
  /** Liveness endpoint. @default '/health' */
  readonly healthPath?: string;
  /** Readiness endpoint. @default '/ready' */
  readonly readyPath?: string;
}

// isPinnedImage is public API (lib/index.ts exports this file); its home is the shared validation rules.
export { isPinnedImage } from '../core/validation';
