import { Duration } from 'cdk8s';
import { brand, hasBrand } from '../core/brand';
import { MetricSelector } from '../prometheus/promql';
import { IAgentWorkload } from '../workloads/workload';

/**
 * What an HPA metric is compared with.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/#MetricTarget
 */
export class MetricTarget {
  /**
   * The metric's total must stay at or below `value` (`target.type: Value`); the HPA scales by the
   * ratio of the current total to it.
   * @param value a positive number (a Kubernetes quantity; fractions down to 0.001)
   */
  public static value(value: number): MetricTarget {
    return new MetricTarget('Value', value);
  }

  /**
   * The metric divided by the number of pods must stay at or below `value` (`target.type: AverageValue`).
   * @param value a positive number (a Kubernetes quantity; fractions down to 0.001)
   */
  public static averageValue(value: number): MetricTarget {
    return new MetricTarget('AverageValue', value);
  }

  /**
   * Percent of the pods' resource request (`target.type: Utilization`); only for cpu and memory.
   * @param percent an integer between 1 and 100
   */
  public static utilization(percent: number): MetricTarget {
    return new MetricTarget('Utilization', percent);
  }

  private constructor(
    /** `Value`, `AverageValue` or `Utilization`. */
    public readonly type: 'Value' | 'AverageValue' | 'Utilization',
    /** The number: a quantity, or a percentage for `Utilization`. */
    public readonly amount: number,
  ) {}

  /** `Type(amount)`, e.g. `Utilization(70)`, for messages. */
  public toString(): string {
    return `${this.type}(${this.amount})`;
  }
}

/** Options of the metrics that the autoscaler reads from Prometheus. */
export interface PrometheusMetricOptions {
  /**
   * Label selector passed to the metrics API with the metric name (`metric.selector.matchLabels`). With
   * KEDA, the labels become matchers of the generated PromQL query.
   * @default - none
   */
  readonly selector?: Record<string, string>;
  /**
   * PromQL query that returns the metric's total over the target's pods (one sample). Only used when the
   * autoscaler renders a KEDA ScaledObject: KEDA's Prometheus scaler reads Prometheus directly and
   * divides the result by the replica count (`metricType: AverageValue`), or compares it with the
   * target as is for {@link MetricTarget.value}.
   * @default - generated from the metric's Prometheus series for the built-in LLM signals; required
   *   for `podsAverage` and `external` metrics used with KEDA
   */
  readonly prometheusQuery?: string;
}

/** Options of {@link ScalingMetric.external}. */
export interface ExternalMetricOptions extends PrometheusMetricOptions {
  /**
   * The metric exists while the target has no pods (a broker's queue length, the KEDA HTTP add-on's pending
   * requests): only such metrics can wake a workload scaled to zero. Leave it false for a query over the
   * target's own series.
   * @default false
   */
  readonly availableAtZeroReplicas?: boolean;
}

/**
 * The gateway's request counter for one workload's upstream, as the gateway describes it
 * (`AgentGateway.requestSignal(route)`): it counts requests while the workload has no pods.
 */
export interface GatewayRequestSignal {
  /** The counter, e.g. `agent_gateway_http_requests_total`. */
  readonly counter: string;
  /** Label matchers that select the requests to this workload (its upstream, the gateway's namespace). */
  readonly labels: Readonly<Record<string, string>>;
  /** The workload the requests go to. */
  readonly workload: IAgentWorkload;
  /** For messages: the route and upstream. */
  readonly description: string;
}

/** Options of the LLM-serving signals ({@link ScalingMetric.queueDepth} and friends). */
export interface LlmMetricOptions extends PrometheusMetricOptions {
  /**
   * Name of the metric in the custom metrics API (what the HPA asks the metrics adapter for).
   * @default - the Prometheus series with `vllm:` renamed to `vllm_` (see the metric's factory)
   */
  readonly metricName?: string;
  /**
   * Name of the series in Prometheus that KEDA's generated query sums.
   * @default - the vLLM series (see the metric's factory)
   */
  readonly prometheusSeries?: string;
}

/**
 * A signal the autoscaler scales on. The HPA computes a desired replica count for every metric and
 * uses the largest one.
 *
 * `cpu` and `memory` come from metrics-server. Every other metric comes from an adapter that serves the
 * custom metrics API (`custom.metrics.k8s.io`, for `Pods` metrics) or the external metrics API
 * (`external.metrics.k8s.io`), such as prometheus-adapter: without one the HPA reports
 * `FailedGetPodsMetric` and ignores the metric. Teams running KEDA instead set the autoscaler's `keda`
 * option; KEDA then queries Prometheus itself.
 *
 * For LLM serving, CPU is a poor signal (the GPU is the bottleneck while the CPU idles); the signals
 * that track load are the request queue ({@link ScalingMetric.queueDepth}), the requests in flight
 * ({@link ScalingMetric.inFlightRequests}) and the KV cache ({@link ScalingMetric.kvCacheUsage}).
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#support-for-metrics-apis
 * @see https://github.com/kubernetes-sigs/prometheus-adapter/blob/master/docs/config.md
 */
export class ScalingMetric {
  /** Returns true when `x` is a ScalingMetric, also one made by another copy of this package (symbol brand). */
  public static isScalingMetric(x: unknown): x is ScalingMetric {
    return hasBrand(x, 'ScalingMetric');
  }

  static {
    brand(this, 'ScalingMetric');
  }

  /**
   * Average CPU use of the pods as a percentage of their CPU request (a `Resource` metric from
   * metrics-server). The pods' containers must request cpu.
   * @param utilization percent of the request, an integer between 1 and 100
   */
  public static cpu(utilization: number): ScalingMetric {
    return new ScalingMetric(
      'Resource',
      'cpu',
      MetricTarget.utilization(utilization),
      `ScalingMetric.cpu(${utilization})`,
      {},
    );
  }

  /**
   * Average memory use of the pods as a percentage of their memory request (a `Resource` metric from
   * metrics-server). Memory rarely falls when load falls (caches, loaded weights): as the only metric it
   * tends to keep replicas up. The pods' containers must request memory.
   * @param utilization percent of the request, an integer between 1 and 100
   */
  public static memory(utilization: number): ScalingMetric {
    return new ScalingMetric(
      'Resource',
      'memory',
      MetricTarget.utilization(utilization),
      `ScalingMetric.memory(${utilization})`,
      {},
    );
  }

  /**
   * A per-pod metric from the custom metrics API, averaged over the target's pods (`type: Pods`,
   * `AverageValue`). Needs a metrics adapter (prometheus-adapter) that serves `metricName`.
   * @param metricName name in the custom metrics API, e.g. `requests_per_second`
   * @param averageValue target value per pod
   */
  public static podsAverage(
    metricName: string,
    averageValue: number,
    options: PrometheusMetricOptions = {},
  ): ScalingMetric {
    return new ScalingMetric(
      'Pods',
      metricName,
      MetricTarget.averageValue(averageValue),
      `ScalingMetric.podsAverage(${JSON.stringify(metricName)})`,
      options,
    );
  }

  /**
   * A metric not tied to a Kubernetes object, from the external metrics API (`type: External`): a
   * queue length, the gateway's request rate. Needs an adapter that serves `metricName` (or KEDA,
   * with `prometheusQuery`).
   * @param metricName name in the external metrics API
   * @param target {@link MetricTarget.value} (the total) or {@link MetricTarget.averageValue} (per pod)
   */
  public static external(
    metricName: string,
    target: MetricTarget,
    options: ExternalMetricOptions = {},
  ): ScalingMetric {
    return new ScalingMetric(
      'External',
      metricName,
      target,
      `ScalingMetric.external(${JSON.stringify(metricName)})`,
      options,
      undefined,
      options.availableAtZeroReplicas === true,
    );
  }

  /**
   * The requests per second the AI gateway sends to the target, per replica (`type: External`, target
   * `AverageValue`): measured by the gateway, so it exists while the target has no pods, and a request to a
   * workload scaled to zero wakes it (KEDA activates on any rate above 0). The signal to scale from zero with.
   * Get `signal` from `gateway.requestSignal(route)` (the gateway's request metrics must be on).
   *
   * With KEDA the query is the counter's rate over `window`, plus the count of series that appeared within the
   * window divided by its seconds: a counter series is born at its first value (the first request after the
   * gateway started), which `rate()` alone never sees, so the request that should wake the workload would not.
   * Without KEDA an adapter must serve
   * `<counter without _total>_per_second` in the external metrics API (prometheus-adapter's usual
   * `rate(...)` rule), with the labels as the selector.
   * @param signal the gateway's counter of the requests to the target
   * @param requestsPerSecondPerReplica what one replica serves (a positive number)
   */
  public static gatewayRequestRate(
    signal: GatewayRequestSignal,
    requestsPerSecondPerReplica: number,
    options: {
      /** Rate window of the query. @default Duration.minutes(1) */
      readonly window?: Duration;
    } = {},
  ): ScalingMetric {
    const window = options.window ?? Duration.minutes(1);
    const series = MetricSelector.of(signal.counter, signal.labels);
    const w = `${window.toSeconds()}s`;
    return new ScalingMetric(
      'External',
      `${signal.counter.replace(/_total$/, '')}_per_second`,
      MetricTarget.averageValue(requestsPerSecondPerReplica),
      `ScalingMetric.gatewayRequestRate(${signal.description}, ${requestsPerSecondPerReplica})`,
      {
        selector: { ...signal.labels },
        prometheusQuery: `(sum(rate(${series}[${w}])) or vector(0))`
          + ` + (sum(${series} unless ${series} offset ${w}) or vector(0)) / ${window.toSeconds()}`,
      },
      undefined,
      true,
      signal.workload,
    );
  }

  /**
   * Requests waiting for a free slot in the model server's batch, per pod: the most direct LLM-serving
   * load signal (queued requests mean added latency for every new one). A `Pods` metric.
   *
   * Default names: Prometheus series `vllm:num_requests_waiting`; custom-metrics name
   * `vllm_num_requests_waiting`. Colons are reserved for recording rules in Prometheus naming, and the
   * adapter rule that exposes vLLM's series conventionally renames `vllm:` to `vllm_` (as vLLM's
   * production-stack and the Kubernetes vLLM HPA example do); with prometheus-adapter:
   *
   * ```yaml
   * - seriesQuery: >-
   *     {__name__=~"^vllm:(num_requests_waiting|num_requests_running|kv_cache_usage_perc)$",namespace!="",pod!=""}
   *   resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
   *   name: {matches: "^vllm:(.*)$", as: "vllm_${1}"}
   *   metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
   * ```
   *
   * @param averagePerPod waiting requests per pod the autoscaler aims at (a positive number)
   * @see https://docs.vllm.ai/en/latest/design/metrics.html
   */
  public static queueDepth(averagePerPod: number, options: LlmMetricOptions = {}): ScalingMetric {
    return ScalingMetric.llm('queueDepth', 'vllm:num_requests_waiting', averagePerPod, averagePerPod, options);
  }

  /**
   * Requests being generated right now, per pod (vLLM `vllm:num_requests_running`, custom-metrics name
   * `vllm_num_requests_running`, see {@link ScalingMetric.queueDepth} for the renaming). Useful when the
   * server's batch size is the capacity limit. A `Pods` metric.
   * @param averagePerPod running requests per pod the autoscaler aims at (a positive number)
   */
  public static inFlightRequests(averagePerPod: number, options: LlmMetricOptions = {}): ScalingMetric {
    return ScalingMetric.llm('inFlightRequests', 'vllm:num_requests_running', averagePerPod, averagePerPod, options);
  }

  /**
   * Share of the model server's KV cache in use, averaged over the pods: a full cache forces
   * preemption and recomputation. A `Pods` metric. vLLM reports a fraction (1 = 100 %), so
   * `kvCacheUsage(80)` renders `averageValue: 800m`.
   *
   * Default names: Prometheus series `vllm:kv_cache_usage_perc` (vLLM V1; older releases call it
   * `vllm:gpu_cache_usage_perc`, deprecated since, so set `prometheusSeries`/`metricName` for those);
   * custom-metrics name `vllm_kv_cache_usage_perc`.
   * @param utilization percent of the cache, an integer between 1 and 100
   */
  public static kvCacheUsage(utilization: number, options: LlmMetricOptions = {}): ScalingMetric {
    return ScalingMetric.llm('kvCacheUsage', 'vllm:kv_cache_usage_perc', utilization, utilization / 100, options);
  }

  private static llm(
    factory: string,
    series: string,
    argument: number,
    averageValue: number,
    options: LlmMetricOptions,
  ): ScalingMetric {
    const prometheusSeries = options.prometheusSeries ?? series;
    const metricName = options.metricName ?? prometheusSeries.replace(/:/g, '_');
    return new ScalingMetric(
      'Pods',
      metricName,
      MetricTarget.averageValue(averageValue),
      `ScalingMetric.${factory}(${argument})`,
      { ...options, prometheusSeries },
      factory === 'kvCacheUsage' ? argument : undefined,
    );
  }

  /** The selector passed with the metric name, if any. */
  public readonly selector?: Record<string, string>;
  /** The PromQL query KEDA uses, when one was given. */
  public readonly prometheusQuery?: string;
  /** The Prometheus series of the built-in LLM signals, from which KEDA's query is generated. */
  public readonly prometheusSeries?: string;

  private constructor(
    /** The HPA metric source type. */
    public readonly source: 'Resource' | 'Pods' | 'External',
    /** `cpu`/`memory`, or the name in the custom or external metrics API. */
    public readonly metricName: string,
    /** What the metric is compared with. */
    public readonly target: MetricTarget,
    /** How the metric was made, for error messages: `ScalingMetric.cpu(70)`. */
    private readonly description: string,
    options: PrometheusMetricOptions & { readonly prometheusSeries?: string },
    /** For percent-valued signals: the percentage given (the target holds the fraction). */
    public readonly percent?: number,
    /** True when the metric exists while the target has no pods (it can wake a workload scaled to zero). */
    public readonly availableAtZeroReplicas: boolean = false,
    /** For {@link ScalingMetric.gatewayRequestRate}: the workload whose requests it counts. */
    public readonly gatewayWorkload?: IAgentWorkload,
  ) {
    this.selector = options.selector;
    this.prometheusQuery = options.prometheusQuery;
    this.prometheusSeries = options.prometheusSeries;
  }

  /** True when the metric is measured on the target's own pods (and so does not exist at zero replicas). */
  public get measuredOnTargetPods(): boolean {
    return this.source !== 'External';
  }

  /** The factory call that made the metric, e.g. `ScalingMetric.cpu(70)`, for error messages. */
  public toString(): string {
    return this.description;
  }
}

/**
 * One limit on how fast the autoscaler may change the replica count.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-policies
 */
export class ScalingPolicy {
  /** Returns true when `x` is a ScalingPolicy, also one made by another copy of this package (symbol brand). */
  public static isScalingPolicy(x: unknown): x is ScalingPolicy {
    return hasBrand(x, 'ScalingPolicy');
  }

  static {
    brand(this, 'ScalingPolicy');
  }

  /**
   * Change by at most `percent` % of the current replicas per `period`.
   * @param percent a positive integer (above 100 allowed for scale up)
   * @param period between 1 second and 30 minutes, whole seconds
   */
  public static percent(percent: number, period: Duration): ScalingPolicy {
    return new ScalingPolicy('Percent', percent, period);
  }

  /**
   * Change by at most `pods` replicas per `period`.
   * @param pods a positive integer
   * @param period between 1 second and 30 minutes, whole seconds
   */
  public static pods(pods: number, period: Duration): ScalingPolicy {
    return new ScalingPolicy('Pods', pods, period);
  }

  private constructor(
    /** `Percent` or `Pods`. */
    public readonly type: 'Percent' | 'Pods',
    /** The amount of change per period. */
    public readonly value: number,
    /** The window the change is measured over. */
    public readonly period: Duration,
  ) {}

  /** The factory call that made the policy, e.g. `ScalingPolicy.pods(4, 15 seconds)`, for error messages. */
  public toString(): string {
    const factory = this.type === 'Percent' ? 'percent' : 'pods';
    return `ScalingPolicy.${factory}(${this.value}, ${this.period.toHumanString()})`;
  }
}

/**
 * Which policy wins when several allow different changes (`selectPolicy`).
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-policies
 */
export enum ScalingSelectPolicy {
  /** The policy that allows the largest change. */
  MAX = 'Max',
  /** The policy that allows the smallest change. */
  MIN = 'Min',
  /** No scaling in this direction. */
  DISABLED = 'Disabled',
}

/**
 * How the autoscaler moves in one direction. Every field left out takes the default of that direction
 * (see {@link ScalingBehavior}).
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/#HorizontalPodAutoscalerSpec
 */
export interface ScalingRules {
  /**
   * How long past recommendations count: the autoscaler uses the least drastic recommendation of the
   * window (0 to 1 hour, whole seconds).
   * @default - 0 for scale up, 5 minutes for scale down
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#stabilization-window
   */
  readonly stabilizationWindow?: Duration;
  /**
   * The rate limits (at least one).
   * @default - scale up: 100 % and 4 pods per 15 s; scale down: 50 % per 60 s
   */
  readonly policies?: ScalingPolicy[];
  /**
   * Which policy applies when several do.
   * @default - `Max` for scale up; not rendered for scale down (Kubernetes' default, `Max`)
   */
  readonly selectPolicy?: ScalingSelectPolicy;
}

/**
 * Scale-up and scale-down behaviour. The default reacts to a burst at once (no stabilization; double
 * or add 4 pods, whichever is more, every 15 s) and gives capacity back slowly (5 minute window, at
 * most half the pods per minute), because a GPU pod that was removed too early costs a model load to
 * bring back.
 */
export interface ScalingBehavior {
  /** How the replica count grows (`behavior.scaleUp`). @default - no window; 100 % or 4 pods per 15 s, select Max */
  readonly scaleUp?: ScalingRules;
  /** How the replica count shrinks (`behavior.scaleDown`). @default - 300 s window; 50 % per 60 s */
  readonly scaleDown?: ScalingRules;
}

/** Behaviour of one direction with every default applied. */
export interface ResolvedScalingRules {
  /** How long past recommendations count, whole seconds (0 for none). */
  readonly stabilizationWindow: Duration;
  /** The rate limits, at least one. */
  readonly policies: readonly ScalingPolicy[];
  /** Which policy applies; undefined renders no `selectPolicy` (Kubernetes then uses `Max`). */
  readonly selectPolicy?: ScalingSelectPolicy;
}

/** The default behaviour of {@link ScalingBehavior}. */
export const DEFAULT_SCALING_BEHAVIOR: {
  /** No stabilization; 100 % or 4 pods per 15 s, whichever is more (`Max`). */
  readonly scaleUp: ResolvedScalingRules;
  /** 300 s stabilization window; at most 50 % of the pods per 60 s. */
  readonly scaleDown: ResolvedScalingRules;
} = {
  scaleUp: {
    stabilizationWindow: Duration.seconds(0),
    policies: [ScalingPolicy.percent(100, Duration.seconds(15)), ScalingPolicy.pods(4, Duration.seconds(15))],
    selectPolicy: ScalingSelectPolicy.MAX,
  },
  scaleDown: {
    stabilizationWindow: Duration.seconds(300),
    policies: [ScalingPolicy.percent(50, Duration.seconds(60))],
  },
};
