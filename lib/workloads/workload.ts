import { IConstruct } from 'constructs';

/**
 * A workload that serves HTTP behind a Kubernetes Service: what a gateway route, a ServiceMonitor or
 * a NetworkPolicy needs to know about it. Implemented by {@link GpuAgentDeployment}.
 */
export interface IAgentWorkload extends IConstruct {
  /** Name of the workload (Deployment) and of its pods' `app.kubernetes.io/name` label. */
  readonly name: string;
  /** Namespace the workload runs in. */
  readonly namespace: string;
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
  /** Prometheus scrape settings, or undefined when the workload exposes no metrics. */
  readonly metrics?: {
    /** Container port that serves the metrics. */
    readonly port: number;
    /** HTTP path of the metrics, e.g. `/metrics`. */
    readonly path: string;
  };
}

/** A workload whose replica count an autoscaler can own. */
export interface IScalableWorkload extends IAgentWorkload {
  /**
   * What an HPA's (or KEDA ScaledObject's) `scaleTargetRef` points at.
   * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/#HorizontalPodAutoscalerSpec
   */
  readonly scaleTargetRef: {
    /** API version of the target, e.g. `apps/v1`. */
    readonly apiVersion: string;
    /** Kind of the target, e.g. `Deployment`. */
    readonly kind: string;
    /** Name of the target object. */
    readonly name: string;
  };
  /** True once an autoscaler owns the replica count; the workload then omits `replicas`. */
  readonly autoscaled: boolean;
  /**
   * Hands the replica count to an autoscaler: the workload stops rendering `replicas`.
   * @param autoscaler the construct that owns the count from now on
   * @internal
   */
  markAutoscaled(autoscaler: IConstruct): void;
}
