import { Duration, Size } from 'cdk8s';
import {
  AgentProbes, AgentResources, EnvValue, GpuRequest, MetricsEndpoint, ModelStorage, RolloutStrategy,
} from './agent-values';
import { PodSecurityProps } from '../core/pod-security';
import { WorkloadRole } from './workload';

// The props of GpuAgentDeployment (beside the construct, so that its validation table can read them
// without importing the construct).

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
   * What the workload is for; rendered as its `app.kubernetes.io/component` label.
   * @default WorkloadRole.AGENT
   */
  readonly role?: WorkloadRole;
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
   * How a rollout replaces pods. GPU workloads default to replacing one pod at a time without a surge pod: a
   * surge pod needs GPUs beyond the replicas' (a node pool or a tenant quota sized for the replicas leaves it
   * Pending and the rollout stuck), at the price of one replica fewer while a pod is replaced (with one replica,
   * a short outage). Other workloads surge one pod and keep every replica serving. Tenant quotas are checked
   * against replicas + `maxSurge`.
   * @default - GPU workloads `{ maxSurge: 0, maxUnavailable: 1 }`, others `{ maxSurge: 1, maxUnavailable: 0 }`
   */
  readonly rollout?: RolloutStrategy;
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
