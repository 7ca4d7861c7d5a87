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
  readonly metrics?: { readonly port: number; readonly path: string };
}

/** A workload whose replica count an autoscaler can own. */
export interface IScalableWorkload extends IAgentWorkload {
  /** What an HPA's `scaleTargetRef` points at. */
  readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  /** True once an autoscaler owns the replica count; the workload then omits `replicas`. */
  readonly autoscaled: boolean;
  /**
   * Hands the replica count to an autoscaler: the workload stops rendering `replicas`.
   * @param autoscaler the construct that owns the count from now on
   */
  markAutoscaled(autoscaler: IConstruct): void;
}
