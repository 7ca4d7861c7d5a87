import { Duration } from 'cdk8s';
import { LabelMatcher, MetricSelector } from '../prometheus/promql';
import { Severity } from '../prometheus/rules';
import { BurnRateWindow } from '../prometheus/slo';

// The props of AlertRules and their option types (beside the construct, so that the validation table
// can read them without importing the construct).

/**
 * The metrics the alerts, SLOs and dashboard read. Defaults are the design brief's metric names, with
 * no label matchers; add matchers (`MetricSelector.of('http_requests_total', { job: 'ai-agent' })`) to
 * scope them.
 */
export interface AlertMetrics {
  /** HTTP request counter with a status label. @default MetricSelector.of('http_requests_total') */
  readonly httpRequests?: MetricSelector;
  /**
   * Which requests are server errors; the default matches `503` as well as a grouped `5xx`.
   * @default LabelMatcher.regex('status', '5..')
   */
  readonly httpErrors?: LabelMatcher;
  /**
   * Buckets of the HTTP request duration histogram.
   * @default MetricSelector.of('http_request_duration_seconds_bucket')
   */
  readonly httpDurationBuckets?: MetricSelector;
  /** GPU utilization in percent (NVIDIA DCGM exporter). @default MetricSelector.of('DCGM_FI_DEV_GPU_UTIL') */
  readonly gpuUtilization?: MetricSelector;
  /** node-exporter CPU seconds; `mode="idle"` is added. @default MetricSelector.of('node_cpu_seconds_total') */
  readonly nodeCpuSeconds?: MetricSelector;
  /** node-exporter available memory. @default MetricSelector.of('node_memory_MemAvailable_bytes') */
  readonly nodeMemoryAvailable?: MetricSelector;
  /** node-exporter total memory. @default MetricSelector.of('node_memory_MemTotal_bytes') */
  readonly nodeMemoryTotal?: MetricSelector;
  /**
   * kube-state-metrics container restart counter.
   * @default - `kube_pod_container_status_restarts_total{namespace="<platformNamespace>"}`
   */
  readonly podRestarts?: MetricSelector;
  /**
   * Buckets of the agents' inference duration histogram.
   * @default MetricSelector.of('agent_inference_duration_seconds_bucket')
   */
  readonly inferenceDurationBuckets?: MetricSelector;
  /**
   * Counter of agent tasks (business requests), with an outcome label.
   * @default MetricSelector.of('agent_tasks_total')
   */
  readonly tasks?: MetricSelector;
  /** Which tasks succeeded. @default LabelMatcher.eq('status', 'success') */
  readonly taskSuccess?: LabelMatcher;
  /**
   * Buckets of the model servers' time to first token.
   * @default MetricSelector.of('vllm:time_to_first_token_seconds_bucket')
   * @see https://docs.vllm.ai/en/stable/usage/metrics/
   */
  readonly timeToFirstTokenBuckets?: MetricSelector;
  /**
   * Buckets of the time between two generated tokens.
   * @default MetricSelector.of('vllm:inter_token_latency_seconds_bucket')
   */
  readonly interTokenLatencyBuckets?: MetricSelector;
  /** Requests waiting for a slot in the batch. @default MetricSelector.of('vllm:num_requests_waiting') */
  readonly requestsWaiting?: MetricSelector;
  /** Requests being generated. @default MetricSelector.of('vllm:num_requests_running') */
  readonly requestsRunning?: MetricSelector;
  /** Share of the KV cache in use (0 to 1). @default MetricSelector.of('vllm:kv_cache_usage_perc') */
  readonly kvCacheUsage?: MetricSelector;
  /** Prefix-cache hits (tokens). @default MetricSelector.of('vllm:prefix_cache_hits_total') */
  readonly prefixCacheHits?: MetricSelector;
  /** Prefix-cache queries (tokens). @default MetricSelector.of('vllm:prefix_cache_queries_total') */
  readonly prefixCacheQueries?: MetricSelector;
}

/**
 * Options every built-in alert has.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
export interface AlertOptions {
  /** How long the condition must hold before the alert fires. @default - per alert, see {@link AlertRulesProps} */
  readonly for?: Duration;
  /** The `severity` label. @default - per alert, see {@link AlertRulesProps} */
  readonly severity?: Severity;
  /** The `runbook_url` annotation. @default - `<runbookBaseUrl>/<alert name in lowercase>`, or none */
  readonly runbookUrl?: string;
}

/** An alert on a percentage. */
export interface PercentAlertOptions extends AlertOptions {
  /** Threshold in percent (0 to 100 exclusive). @default - per alert, see {@link AlertRulesProps} */
  readonly thresholdPercent?: number;
}

/** An alert on a latency quantile. */
export interface LatencyAlertOptions extends AlertOptions {
  /** Latency threshold. @default - per alert, see {@link AlertRulesProps} */
  readonly threshold?: Duration;
  /** Quantile, between 0 and 1 exclusive. @default 0.99 */
  readonly quantile?: number;
}

/** The pod restart alert. */
export interface RestartAlertOptions extends AlertOptions {
  /** The alert fires on more restarts than this within `window`. @default 3 */
  readonly maxRestarts?: number;
  /** Window the restarts are counted in. @default Duration.hours(1) */
  readonly window?: Duration;
}

/** A latency objective: `percentile` % of requests finish within `threshold`. */
export interface LatencyObjective {
  /** Share of requests, in percent (95 for "P95 < 1s"). */
  readonly percentile: number;
  /** Latency bound; must be a bucket boundary of the duration histogram. */
  readonly threshold: Duration;
}

/** What the SLOs measure. */
export enum SloSource {
  /** The agents' own request metrics (`metrics.httpRequests`, `metrics.httpDurationBuckets`). */
  WORKLOADS = 'workloads',
  /**
   * The gateway's request metrics: what clients see, refusals and the gateway's own errors included (a 429 is
   * not an error). Needs a platform gateway with request metrics; latency thresholds must be bounds of its
   * histogram (`requestMetrics.latencyBuckets`).
   */
  GATEWAY = 'gateway',
}

/** The SLOs, each alerted with multi-window multi-burn-rate rules. */
export interface SloOptions {
  /** What the SLIs are measured on. @default SloSource.WORKLOADS */
  readonly source?: SloSource;
  /** Availability objective in percent (non-5xx share of requests); false for none. @default 99.9 */
  readonly availabilityPercent?: number | false;
  /**
   * Latency objectives.
   * @default - the brief's P50 < 500ms, P95 < 1s, P99 < 2s; with the gateway as the source P99 < 2.5s (a bound of
   *   its histogram)
   */
  readonly latency?: readonly LatencyObjective[];
  /** Budget period. @default Duration.days(30) */
  readonly period?: Duration;
  /** Burn-rate windows. @default BurnRateWindow.DEFAULTS (1h/5m 14.4x, 6h/30m 6x, 1d/2h 3x, 3d/6h 1x) */
  readonly windows?: readonly BurnRateWindow[];
  /** Prefix of the recorded series. @default 'ai_agent_slo' */
  readonly recordPrefix?: string;
}

/**
 * Alerts on the AI gateway's own numbers: what clients see. They are rendered once the platform hands the
 * gateway's metrics over ({@link AlertRules.addGatewayAlerts}); `GatewayDown` needs the nginx exporter, the
 * others the gateway's request metrics.
 */
export interface GatewayAlertOptions {
  /** `GatewayDown`: no gateway pod reports nginx up for 2m, critical; false to disable. @default {} */
  readonly down?: AlertOptions | false;
  /**
   * `GatewayHighErrorRate`: 5xx share of the gateway's answers > 1 % for 5m, critical; false to disable.
   * @default {}
   */
  readonly highErrorRate?: PercentAlertOptions | false;
  /**
   * `GatewayHighLatency`: P99 time until the upstream's response header > 3s for 10m, warning; false to disable.
   * The time to the header (for a stream: to its first token) rather than the whole request, which for a long
   * generation is minutes and says nothing about the service.
   * @default {}
   */
  readonly highLatency?: LatencyAlertOptions | false;
  /**
   * `TenantRateLimited`: more than 10 % of a tenant's requests get 429 from its plan for 15m, severity `info` (a
   * sales signal, not an outage); false to disable.
   * @default {}
   */
  readonly tenantRateLimited?: PercentAlertOptions | false;
  /**
   * `TenantTokenBudgetExhausted`: a tenant used more tokens in the last 24 hours than its plan's `tokensPerDay`,
   * warning (one rule per tenant with a budget); false to disable.
   * @default {}
   */
  readonly tokenBudget?: AlertOptions | false;
}

/** A tenant's daily token budget, as the platform hands it to {@link AlertRules.useTokenBudgets}. */
export interface TenantTokenBudget {
  /** Tenant name (the `tenant` label of the gateway's metrics). */
  readonly tenant: string;
  /** Tokens per day. */
  readonly tokensPerDay: number;
}

/** The gateway's metrics, as the platform hands them to {@link AlertRules.addGatewayAlerts}. */
export interface GatewayAlertSource {
  /** Name of the gateway (in the alerts' texts). */
  readonly name: string;
  /** The nginx exporter's up gauge (`nginx_up`). @default - no exporter: no `GatewayDown` */
  readonly upMetric?: string;
  /** Names of the request metrics. @default - request metrics off: only `GatewayDown` */
  readonly requestMetrics?: {
    /** Request counter (labels route, upstream, tenant, method, status). */
    readonly requests: string;
    /** Histogram (without `_bucket`) of the time until the upstream's response header. */
    readonly firstByte: string;
    /** Counter of refused requests (labels route, tenant, reason). */
    readonly rejected: string;
    /** Counter of tokens (labels route, tenant, model, kind). */
    readonly tokens: string;
    /** Histogram (without `_bucket`) of the whole request's duration (labels route, tenant). */
    readonly requestDuration: string;
    /** Its bucket bounds in seconds. */
    readonly latencyBuckets: readonly number[];
  };
}

/** The Grafana dashboard ConfigMap. */
export interface AlertDashboardOptions {
  /** ConfigMap name. @default '<partOf>-dashboard' */
  readonly name?: string;
  /** ConfigMap namespace (where the Grafana sidecar looks). @default - the rules' namespace */
  readonly namespace?: string;
  /**
   * Labels the Grafana sidecar selects dashboards by (kube-prometheus-stack's `grafana.sidecar.dashboards.label`).
   * @default { grafana_dashboard: '1' }
   * @see https://github.com/grafana/helm-charts/tree/main/charts/grafana#sidecar-for-dashboards
   */
  readonly sidecarLabels?: Readonly<Record<string, string>>;
  /** Dashboard title. @default 'AI Agent Platform' */
  readonly title?: string;
}

/** A workload Prometheus scrapes; {@link IAgentWorkload} (agents, the gateway) fits. */
export interface IMetricsTarget {
  /** Name; the PodMonitor gets the same name. */
  readonly name: string;
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Labels that select exactly the workload's pods. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /**
   * The container's main port; a metrics port equal to it is named `http`.
   * @default - none: without `portName`, the metrics port is named `metrics`
   */
  readonly containerPort?: number;
  /** Where the metrics are; undefined when the workload exposes none (then {@link AlertRules.monitor} fails). */
  readonly metrics?: {
    /** Container port that serves the metrics. */
    readonly port: number;
    /** HTTP path of the metrics, e.g. `/metrics`. */
    readonly path: string;
    /**
     * Name of that container port, which the PodMonitor's endpoint refers to.
     * @default - `http` when `port` is the container port, else `metrics`
     * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMetricsEndpoint
     */
    readonly portName?: string;
  };
  /**
   * More named container ports serving metrics (e.g. the gateway's request metrics beside its nginx
   * exporter): each becomes another endpoint of the same PodMonitor.
   * @default - none
   */
  readonly additionalMetrics?: ReadonlyArray<{
    /** Container port. */
    readonly port: number;
    /** HTTP path of the metrics. */
    readonly path: string;
    /** Name of the container port. */
    readonly portName: string;
  }>;
  /**
   * Labels of the pods. A tenant's pool (label `ai-agent-platform/tenant`) gets its tenant as the `tenant`
   * label of every series it exports, so alerts and dashboards can group by tenant.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The DCGM exporter field that measures a GPU's utilization.
 * @see https://docs.nvidia.com/datacenter/dcgm/latest/user-guide/feature-overview.html#profiling-metrics
 */
export enum GpuUtilizationMetric {
  /** `DCGM_FI_DEV_GPU_UTIL`: percent of time a kernel ran on the whole GPU. Not reported for MIG instances. */
  DEVICE = 'DCGM_FI_DEV_GPU_UTIL',
  /**
   * `DCGM_FI_PROF_GR_ENGINE_ACTIVE`: the share (0 to 1) of time the graphics engine was busy, reported per GPU
   * and per MIG instance (a DCGM profiling metric, in dcgm-exporter's default counters). Rendered times 100.
   */
  GRAPHICS_ENGINE_ACTIVE = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
}

/** Props of {@link AlertRules}. */
export interface AlertRulesProps {
  /** Name of the PrometheusRule. @default 'ai-agent-alerts' */
  readonly name?: string;
  /** Namespace of the PrometheusRule. @default 'monitoring' */
  readonly namespace?: string;
  /**
   * Labels by which the Prometheus Operator selects rules and monitors: kube-prometheus-stack selects
   * its Helm release's `release` label.
   * @default { release: 'prometheus' }
   * @see https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /** `app.kubernetes.io/part-of` label. @default 'ai-agent-platform' */
  readonly partOf?: string;
  /**
   * Namespace of the workloads: scopes the pod restart alert and the dashboard's replica panel.
   * @default - the chart's namespace; all namespaces when the chart has none
   */
  readonly platformNamespace?: string;
  /** Base of the `runbook_url` annotations (`<base>/<alert name in lowercase>`). @default - no runbook_url */
  readonly runbookBaseUrl?: string;
  /** Rate window of the ratio and quantile alerts. @default Duration.minutes(5) */
  readonly rateWindow?: Duration;
  /** Metric names and selectors. @default - see {@link AlertMetrics} */
  readonly metrics?: AlertMetrics;
  /** `HighErrorRate`: 5xx share > 1 % for 5m, critical; false to disable. @default {} */
  readonly highErrorRate?: PercentAlertOptions | false;
  /** `HighLatency`: P99 > 3s for 10m, warning; false to disable. @default {} */
  readonly highLatency?: LatencyAlertOptions | false;
  /** `GPUUtilizationHigh`: a GPU > 90 % for 15m, warning; false to disable. @default {} */
  readonly gpuUtilizationHigh?: PercentAlertOptions | false;
  /**
   * The DCGM field the GPU alert and panel read. On MIG-partitioned GPUs `DCGM_FI_DEV_GPU_UTIL` is not
   * reported: use {@link GpuUtilizationMetric.GRAPHICS_ENGINE_ACTIVE} there.
   * @default GpuUtilizationMetric.DEVICE
   */
  readonly gpuUtilizationMetric?: GpuUtilizationMetric;
  /** `NodeCPUUsageHigh`: a node's CPU > 80 % for 10m, warning; false to disable. @default {} */
  readonly nodeCpuUsageHigh?: PercentAlertOptions | false;
  /** `NodeMemoryUsageHigh`: a node's memory > 85 % for 10m, warning; false to disable. @default {} */
  readonly nodeMemoryUsageHigh?: PercentAlertOptions | false;
  /**
   * `PodRestartingFrequently`: a pod restarted > 3 times in 1h, warning, fires at once; false to disable.
   * @default {}
   */
  readonly podRestartingFrequently?: RestartAlertOptions | false;
  /** `AgentInferenceLatencyHigh`: inference P99 > 5s for 5m, warning; false to disable. @default {} */
  readonly agentInferenceLatencyHigh?: LatencyAlertOptions | false;
  /**
   * `LlmKvCacheNearlyFull`: a model server's KV cache > 90 % in use for 15m, warning (requests get preempted and
   * recomputed); false to disable.
   * @default {}
   */
  readonly kvCacheNearlyFull?: PercentAlertOptions | false;
  /**
   * `LlmTimeToFirstTokenHigh`: P95 time to first token > 2s for 10m, warning (what a chat user waits before
   * anything appears); false to disable.
   * @default {}
   */
  readonly timeToFirstTokenHigh?: LatencyAlertOptions | false;
  /** `BusinessSuccessRateLow`: task success < 99 % for 10m, critical; false to disable. @default {} */
  readonly businessSuccessRateLow?: PercentAlertOptions | false;
  /** The gateway's alerts (see {@link GatewayAlertOptions}); false for none. @default {} */
  readonly gateway?: GatewayAlertOptions | false;
  /** SLOs with burn-rate alerts (`AgentErrorBudgetBurn`); false for none. @default {} */
  readonly slos?: SloOptions | false;
  /** The Grafana dashboard ConfigMap; false for none. @default {} */
  readonly dashboard?: AlertDashboardOptions | false;
}
