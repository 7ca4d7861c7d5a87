import { IConstruct } from 'constructs';
import { WorkloadRole } from '../core/workload-role';

export { WorkloadRole };

/**
 * A workload that serves HTTP behind a Kubernetes Service: what a gateway route, a ServiceMonitor or
 * a NetworkPolicy needs to know about it. Implemented by {@link GpuAgentDeployment}.
 */
export interface IAgentWorkload extends IConstruct {
  /** Name of the workload (Deployment) and of its pods' `app.kubernetes.io/name` label. */
  readonly name: string;
  /** Namespace the workload runs in. */
  readonly namespace: string;
  /** What the workload is for; its `app.kubernetes.io/component` label. */
  readonly role: WorkloadRole;
  /** Name of the ClusterIP Service in front of the pods. */
  readonly serviceName: string;
  /** Port the Service exposes. */
  readonly servicePort: number;
  /** Port the container listens on (named `http`). */
  readonly containerPort: number;
  /** Labels that select exactly this workload's pods. */
  readonly selectorLabels: Record<string, string>;
  /** Path of the liveness endpoint. */
  readonly healthPath: string;
  /**
   * True when an autoscaler may take the workload to zero replicas: the gateway then answers its routes with
   * 503 and `Retry-After` while no pod is up, instead of a bare 502.
   * @default false
   */
  readonly scalesToZero?: boolean;
  /** Prometheus scrape settings, or undefined when the workload exposes no metrics. */
  readonly metrics?: {
    /** Container port that serves the metrics. */
    readonly port: number;
    /** HTTP path of the metrics, e.g. `/metrics`. */
    readonly path: string;
  };
}

/**
 * What an HPA's (or KEDA ScaledObject's) `scaleTargetRef` points at.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/#HorizontalPodAutoscalerSpec
 */
export interface ScaleTargetRef {
  /** API version of the target, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** Kind of the target, e.g. `Deployment`. */
  readonly kind: string;
  /** Name of the target object. */
  readonly name: string;
}

/** A container of a scaling target, as far as an autoscaler cares. */
export interface ScalingTargetContainer {
  /** Container name. */
  readonly name: string;
  /** Resource requests by resource name (`cpu`, `memory`, `nvidia.com/gpu`), as Kubernetes quantities. */
  readonly requests: Readonly<Record<string, string>>;
}

/**
 * What an autoscaler needs to know of the workload it scales, as the workload renders it (cdk8s-plus's
 * `ScalingTarget`): the reference, the replica count it still pins, and its containers' requests.
 */
export interface ScalingTarget {
  /** What the autoscaler's `scaleTargetRef` points at. */
  readonly scaleTargetRef: ScaleTargetRef;
  /** The `replicas` the workload renders; undefined once it leaves the count to an autoscaler. */
  readonly replicas?: number;
  /** The pods' containers. */
  readonly containers: readonly ScalingTargetContainer[];
}

/** A workload whose replica count an autoscaler can own. */
export interface IScalableWorkload extends IAgentWorkload {
  /** True once an autoscaler owns the replica count; the workload then omits `replicas`. */
  readonly autoscaled: boolean;
  /** What an autoscaler reads of the workload: asked when it renders and validates, so it sees the final state. */
  toScalingTarget(): ScalingTarget;
  /**
   * Hands the replica count to an autoscaler: the workload stops rendering `replicas`. Called by the
   * autoscaler's constructor.
   * @param autoscaler the construct that owns the count from now on
   * @internal
   */
  markAutoscaled(autoscaler: IConstruct, minReplicas?: number): void;
}
