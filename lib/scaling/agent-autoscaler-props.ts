import { Duration } from 'cdk8s';
import { ScalingBehavior, ScalingMetric } from './scaling-metric';
import { IScalableWorkload } from '../workloads/workload';

// The props of AgentAutoscaler (beside the construct, so that its validation table can read them without
// importing the construct).

/**
 * Render a KEDA `ScaledObject` instead of an HPA: KEDA's operator then creates and owns the HPA, with
 * its triggers queried from Prometheus directly (no prometheus-adapter needed).
 * @see https://keda.sh/docs/latest/reference/scaledobject-spec/
 * @see https://keda.sh/docs/latest/scalers/prometheus/
 */
export interface KedaScalingOptions {
  /**
   * Address of the Prometheus server KEDA queries (the trigger's `serverAddress`), e.g.
   * `http://prometheus-operated.monitoring.svc:9090`.
   * @see https://keda.sh/docs/latest/scalers/prometheus/
   */
  readonly prometheusServerAddress: string;
  /**
   * Name of the ScaledObject. The HPA that KEDA creates gets the autoscaler's `name`.
   * @default - the target's name
   */
  readonly scaledObjectName?: string;
  /**
   * How often KEDA checks the triggers (`pollingInterval`, whole seconds).
   * @default Duration.seconds(30)
   * @see https://keda.sh/docs/latest/reference/scaledobject-spec/#pollinginterval
   */
  readonly pollingInterval?: Duration;
  /**
   * With `minReplicas: 0`, how long after the last active trigger KEDA scales to zero. Rendered only then
   * (KEDA ignores it otherwise). Whole seconds.
   * @default Duration.minutes(5)
   * @see https://keda.sh/docs/latest/reference/scaledobject-spec/#cooldownperiod
   */
  readonly cooldownPeriod?: Duration;
  /**
   * Replicas KEDA sets after `failureThreshold` failed Prometheus queries in a row. KEDA applies it only
   * to triggers with an `AverageValue` target, so at least one metric must have one.
   * @default - none: the replica count stays as it is while the metrics fail
   * @see https://keda.sh/docs/latest/reference/scaledobject-spec/#fallback
   */
  readonly fallback?: {
    /** Failed queries in a row before the fallback applies; a positive integer. */
    readonly failureThreshold: number;
    /** Replica count while the queries fail; between max(minReplicas, 1) and maxReplicas. */
    readonly replicas: number;
  };
}

/** Props of {@link AgentAutoscaler}. */
export interface AgentAutoscalerProps {
  /** The workload whose replica count the autoscaler owns; it stops rendering `replicas`. */
  readonly target: IScalableWorkload;
  /**
   * Name of the HorizontalPodAutoscaler (with `keda`, of the HPA that KEDA creates).
   * @default - `<target name>-hpa`
   */
  readonly name?: string;
  /**
   * Fewest replicas. With 1, a node drain or a crash takes the only pod and the service is down for a
   * pod start and a model load; 0 (scale to zero) needs `keda` and a metric measured outside the
   * target's pods, see `keda`.
   * @default 2
   * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/#HorizontalPodAutoscalerSpec
   */
  readonly minReplicas?: number;
  /** Most replicas; bounds the GPUs the workload can take. */
  readonly maxReplicas: number;
  /**
   * What to scale on; the HPA follows the metric that asks for the most replicas. Metrics other than cpu
   * and memory need a metrics adapter (or `keda`).
   * @default - `[ScalingMetric.cpu(80)]`, Kubernetes' own default, rendered explicitly
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-multiple-metrics
   */
  readonly metrics?: ScalingMetric[];
  /**
   * Scale-up and scale-down rates.
   * @default - see {@link ScalingBehavior}: immediate scale up by 100 % or 4 pods per 15 s,
   *   scale down after 5 minutes by 50 % per minute
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
   */
  readonly behavior?: ScalingBehavior;
  /**
   * Render a KEDA ScaledObject instead of an HPA, for clusters that run KEDA rather than a custom
   * metrics adapter.
   *
   * Scale to zero (`minReplicas: 0`): KEDA removes every pod after `cooldownPeriod` without activity and
   * brings one back when a trigger becomes active. The trigger that wakes the workload must be measured
   * outside its pods (an `external` metric with a `prometheusQuery`, such as the gateway's request rate):
   * at zero replicas the pods' own metrics (queue depth, KV cache, cpu) do not exist. The first request
   * after idling waits for scheduling, possibly a new GPU node, the image pull and the model load: minutes,
   * during which the Service has no endpoints and the ingress answers 503. Use it for batch and
   * development workloads, not for interactive agents.
   * @default - a plain HorizontalPodAutoscaler
   */
  readonly keda?: KedaScalingOptions;
}
