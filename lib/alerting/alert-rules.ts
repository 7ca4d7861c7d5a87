import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { platformDashboard } from './_platform-dashboard';
import { standardLabels, TENANT_LABEL } from '../core/pod';
import * as std from './_standard-alerts';
import { PropsValidator } from '../core/validation';
import { checkDuration, validateAlertRulesProps } from './_validate-alert-rules-props';
import { renderDashboard } from '../grafana/dashboard';
import { MONITORING_API_VERSION, PodMonitorSpec, PrometheusRuleSpec } from '../prometheus/_operator-crds';
import { LabelMatcher, MetricSelector, promDuration } from '../prometheus/promql';
import { AlertingRule, renderRulesFile, RuleGroup, ruleGroupsToJson, Severity } from '../prometheus/rules';
import { BurnRateWindow, ServiceLevelIndicator, ServiceLevelObjective } from '../prometheus/slo';
import { brand, hasBrand } from '../core/brand';

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

/** The SLOs, each alerted with multi-window multi-burn-rate rules. */
export interface SloOptions {
  /** Availability objective in percent (non-5xx share of requests); false for none. @default 99.9 */
  readonly availabilityPercent?: number | false;
  /**
   * Latency objectives.
   * @default - the brief's P50 < 500ms, P95 < 1s, P99 < 2s
   */
  readonly latency?: readonly LatencyObjective[];
  /** Budget period. @default Duration.days(30) */
  readonly period?: Duration;
  /** Burn-rate windows. @default BurnRateWindow.DEFAULTS (1h/5m 14.4x, 6h/30m 6x, 1d/2h 3x, 3d/6h 1x) */
  readonly windows?: readonly BurnRateWindow[];
  /** Prefix of the recorded series. @default 'ai_agent_slo' */
  readonly recordPrefix?: string;
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
   * Labels of the pods. A tenant's pool (label `ai-agent-platform/tenant`) gets its tenant as the `tenant`
   * label of every series it exports, so alerts and dashboards can group by tenant.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
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
  /** `BusinessSuccessRateLow`: task success < 99 % for 10m, critical; false to disable. @default {} */
  readonly businessSuccessRateLow?: PercentAlertOptions | false;
  /** SLOs with burn-rate alerts (`AgentErrorBudgetBurn`); false for none. @default {} */
  readonly slos?: SloOptions | false;
  /** The Grafana dashboard ConfigMap; false for none. @default {} */
  readonly dashboard?: AlertDashboardOptions | false;
}

/**
 * The platform's alerting: a PrometheusRule (picked up by kube-prometheus-stack) with the brief's alerts
 * and SLO burn-rate alerts, the same groups as a plain Prometheus rules file ({@link renderRulesFile}),
 * PodMonitors for the workloads ({@link monitor}) and a Grafana dashboard ConfigMap.
 *
 * Every PromQL expression is built from validated metric and label names with escaped label values.
 * @see https://prometheus-operator.dev/docs/developer/alerting/
 */
export class AlertRules extends Construct {
  /** Returns true when `x` is an AlertRules, also one made by another copy of this package (symbol brand). */
  public static isAlertRules(x: unknown): x is AlertRules {
    return hasBrand(x, 'AlertRules');
  }

  static {
    brand(this, 'AlertRules');
  }

  /** Name of the PrometheusRule. */
  public readonly name: string;
  /** Namespace of the PrometheusRule. */
  public readonly namespace: string;
  /** Labels the Prometheus Operator selects the rule and the monitors by. */
  public readonly selectorLabels: Readonly<Record<string, string>>;
  /** The resolved metric selectors. */
  public readonly metrics: Required<AlertMetrics>;
  /** The threshold alerts, in the order they are rendered. */
  public readonly alerts: readonly AlertingRule[];
  /** The SLOs. */
  public readonly slos: readonly ServiceLevelObjective[];
  /** The PrometheusRule object (escape hatch). */
  public readonly resource: ApiObject;
  /** The dashboard ConfigMap, unless disabled. */
  public readonly dashboard?: k8s.KubeConfigMap;

  private readonly partOf: string;
  private readonly extraGroups: RuleGroup[] = [];
  private readonly recordPrefix: string;
  private readonly sloRunbookUrl?: string;
  private readonly monitors = new Map<string, ApiObject>();

  constructor(scope: Construct, id: string, props: AlertRulesProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'ai-agent-alerts';
    this.namespace = props.namespace ?? 'monitoring';
    this.selectorLabels = { ...(props.selectorLabels ?? { release: 'prometheus' }) };
    this.partOf = props.partOf ?? 'ai-agent-platform';
    const platformNamespace = props.platformNamespace ?? Chart.of(this).namespace;
    const window = props.rateWindow ?? Duration.minutes(5);
    this.recordPrefix = (props.slos !== false ? props.slos?.recordPrefix : undefined) ?? 'ai_agent_slo';
    validateAlertRulesProps(id, {
      props, name: this.name, namespace: this.namespace, partOf: this.partOf, platformNamespace,
      selectorLabels: this.selectorLabels, rateWindow: window, recordPrefix: this.recordPrefix,
    });

    const runbookBase = props.runbookBaseUrl?.replace(/\/+$/, '');
    this.sloRunbookUrl = runbookBase ? `${runbookBase}/agenterrorbudgetburn` : undefined;
    this.metrics = resolveMetrics(props.metrics ?? {}, platformNamespace);
    this.alerts = this.resolveAlerts(props, window, runbookBase);
    this.slos = props.slos === false ? [] : this.resolveSlos(props.slos ?? {});

    // Rendered at synth time, so groups added later with addGroup show up.
    const ruleSpec: PrometheusRuleSpec = { groups: Lazy.any({ produce: () => ruleGroupsToJson(this.ruleGroups) }) };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: MONITORING_API_VERSION,
      kind: 'PrometheusRule',
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels(this.name) },
      spec: ruleSpec,
    });
    if (props.dashboard !== false) {
      this.dashboard = this.renderDashboard(props, props.dashboard ?? {}, window, platformNamespace);
    }
  }

  /** Every rule group, as rendered into the PrometheusRule and the rules file. */
  public get ruleGroups(): RuleGroup[] {
    const groups: RuleGroup[] = [];
    if (this.alerts.length) groups.push({ name: 'ai-agent.rules', rules: this.alerts });
    if (this.slos.length) {
      groups.push({
        name: 'ai-agent-slo.rules',
        rules: [
          ...this.slos.flatMap((slo) => slo.recordingRules(this.recordPrefix)),
          ...this.slos.flatMap((slo) =>
            slo.alertingRules({
              recordPrefix: this.recordPrefix,
              alertName: 'AgentErrorBudgetBurn',
              runbookUrl: this.sloRunbookUrl,
            }),
          ),
        ],
      });
    }
    return [...groups, ...this.extraGroups];
  }

  /**
   * Adds a rule group of your own (rendered into both the PrometheusRule and the rules file); fails at
   * once on invalid names or a group name already used.
   */
  public addGroup(group: RuleGroup): void {
    ruleGroupsToJson([...this.ruleGroups, group]);
    this.extraGroups.push(group);
  }

  /**
   * The same groups as a plain Prometheus rules file, for Prometheus without the Operator (the Compose
   * stack mounts it and lists it under `rule_files`).
   */
  public renderRulesFile(): string {
    return renderRulesFile(this.ruleGroups);
  }

  /**
   * Scrapes a workload through the Prometheus Operator: a PodMonitor (in the workload's namespace,
   * carrying {@link selectorLabels}) for its metrics port and path. The workload's `prometheus.io/*`
   * annotations stay for plain Prometheus. Calling it twice for one workload returns the same monitor.
   * @param target an agent, a model service, the gateway: anything with selector labels and metrics
   * @param options scrape interval
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
   */
  public monitor(target: IMetricsTarget, options: {
    /** How often Prometheus scrapes the pods. @default - Prometheus's global `scrape_interval` */
    readonly interval?: Duration;
  } = {}): ApiObject {
    const key = `${target.namespace}/${target.name}`;
    const existing = this.monitors.get(key);
    if (existing) return existing;
    const v = new PropsValidator('AlertRules', this.node.id);
    v.check(
      target.metrics !== undefined,
      `monitor(${key})`,
      target.name,
      'exposes no metrics (its metrics prop is false)',
    );
    v.check(
      Object.keys(target.selectorLabels).length > 0,
      `monitor(${key}).selectorLabels`,
      target.selectorLabels,
      'must not be empty',
    );
    checkDuration(v, `monitor(${key}).interval`, options.interval, true);
    v.throwIfAny();
    const metrics = target.metrics!;
    const port = metrics.portName ?? (metrics.port === target.containerPort ? 'http' : 'metrics');
    const tenant = target.labels?.[TENANT_LABEL];
    const spec: PodMonitorSpec = {
      selector: { matchLabels: { ...target.selectorLabels } },
      podMetricsEndpoints: [{
        port,
        path: metrics.path,
        ...(options.interval ? { interval: promDuration(options.interval) } : {}),
        ...(tenant ? { relabelings: [{ action: 'replace', targetLabel: 'tenant', replacement: tenant }] } : {}),
      }],
    };
    const monitor = new ApiObject(this, `Monitor-${target.namespace}-${target.name}`, {
      apiVersion: MONITORING_API_VERSION,
      kind: 'PodMonitor',
      metadata: { name: target.name, namespace: target.namespace, labels: this.labels(target.name) },
      spec,
    });
    this.monitors.set(key, monitor);
    return monitor;
  }

  /** The PodMonitors created by {@link monitor}, in creation order. */
  public get podMonitors(): ApiObject[] {
    return [...this.monitors.values()];
  }

  private renderDashboard(props: AlertRulesProps, dashboard: AlertDashboardOptions, window: Duration,
    platformNamespace: string | undefined): k8s.KubeConfigMap {
    const name = dashboard.name ?? `${this.partOf}-dashboard`;
    const model = platformDashboard({
      uid: this.partOf.slice(0, 40),
      title: dashboard.title ?? 'AI Agent Platform',
      metrics: this.metrics,
      window,
      platformNamespace,
      errorRatePercent: props.highErrorRate === false ? undefined : props.highErrorRate?.thresholdPercent ?? 1,
      gpuPercent: props.gpuUtilizationHigh === false ? undefined : props.gpuUtilizationHigh?.thresholdPercent ?? 90,
      slos: this.slos,
      recordPrefix: this.recordPrefix,
    });
    return new k8s.KubeConfigMap(this, 'Dashboard', {
      metadata: {
        name,
        namespace: dashboard.namespace ?? this.namespace,
        labels: { ...this.labels(name), ...(dashboard.sidecarLabels ?? { grafana_dashboard: '1' }) },
      },
      data: { [`${model.uid}.json`]: renderDashboard(model) },
    });
  }

  /** The enabled threshold alerts, with their defaults applied (the props are validated). */
  private resolveAlerts(props: AlertRulesProps, window: Duration, runbookBase?: string): AlertingRule[] {
    const m = this.metrics;
    const base = (alert: string, o: AlertOptions, pendingFor: Duration, severity: Severity): std.AlertSettings => ({
      for: o.for ?? pendingFor,
      severity: o.severity ?? severity,
      runbookUrl: o.runbookUrl ?? (runbookBase ? `${runbookBase}/${alert.toLowerCase()}` : undefined),
    });
    const latency = (o: LatencyAlertOptions, fallback: Duration) =>
      ({ quantile: o.quantile ?? 0.99, threshold: o.threshold ?? fallback, window });
    const rules: AlertingRule[] = [];
    const add = <T extends AlertOptions>(option: T | false | undefined, build: (o: T) => AlertingRule) => {
      if (option !== false) rules.push(build(option ?? ({} as T)));
    };
    add(props.highErrorRate, (o) => std.highErrorRate(m, {
      ...base('HighErrorRate', o, Duration.minutes(5), Severity.CRITICAL), percent: o.thresholdPercent ?? 1, window,
    }));
    add(props.highLatency, (o) => std.highQuantile('HighLatency', 'request', m.httpDurationBuckets,
      { ...base('HighLatency', o, Duration.minutes(10), Severity.WARNING), ...latency(o, Duration.seconds(3)) }));
    add(props.gpuUtilizationHigh, (o) => std.gpuUtilizationHigh(m,
      { ...base('GPUUtilizationHigh', o, Duration.minutes(15), Severity.WARNING), percent: o.thresholdPercent ?? 90 }));
    add(props.nodeCpuUsageHigh, (o) => std.nodeCpuHigh(m, {
      ...base('NodeCPUUsageHigh', o, Duration.minutes(10), Severity.WARNING), percent: o.thresholdPercent ?? 80, window,
    }));
    add(props.nodeMemoryUsageHigh, (o) => std.nodeMemoryHigh(m, {
      ...base('NodeMemoryUsageHigh', o, Duration.minutes(10), Severity.WARNING), percent: o.thresholdPercent ?? 85,
    }));
    add(props.podRestartingFrequently, (o) => std.podRestarts(m, {
      ...base('PodRestartingFrequently', o, Duration.seconds(0), Severity.WARNING),
      maxRestarts: o.maxRestarts ?? 3,
      window: o.window ?? Duration.hours(1),
    }));
    add(props.agentInferenceLatencyHigh, (o) => std.highQuantile('AgentInferenceLatencyHigh', 'inference',
      m.inferenceDurationBuckets,
      {
        ...base('AgentInferenceLatencyHigh', o, Duration.minutes(5), Severity.WARNING),
        ...latency(o, Duration.seconds(5)),
      }));
    add(props.businessSuccessRateLow, (o) => std.successRateLow(m, {
      ...base('BusinessSuccessRateLow', o, Duration.minutes(10), Severity.CRITICAL),
      percent: o.thresholdPercent ?? 99,
      window,
    }));
    return rules;
  }

  /** The SLOs, with their defaults applied (the props are validated). */
  private resolveSlos(o: SloOptions): ServiceLevelObjective[] {
    const windows = o.windows ?? BurnRateWindow.DEFAULTS;
    const period = o.period ?? Duration.days(30);
    const availability = o.availabilityPercent ?? 99.9;
    const latency = o.latency ?? [
      { percentile: 50, threshold: Duration.millis(500) },
      { percentile: 95, threshold: Duration.seconds(1) },
      { percentile: 99, threshold: Duration.seconds(2) },
    ];
    const m = this.metrics;
    return [
      ...(availability === false ? [] : [new ServiceLevelObjective({
        name: 'availability',
        description: `${availability} % of requests succeed`,
        sli: ServiceLevelIndicator.errorRatio({ bad: m.httpRequests.with(m.httpErrors), total: m.httpRequests }),
        objective: availability,
        period,
        windows,
      })]),
      ...latency.map((l) => new ServiceLevelObjective({
        name: `latency-p${String(l.percentile).replace('.', '-')}`,
        description: `${l.percentile} % of requests finish within ${promDuration(l.threshold)}`,
        sli: ServiceLevelIndicator.latency({ buckets: m.httpDurationBuckets, threshold: l.threshold }),
        objective: l.percentile,
        period,
        windows,
      })),
    ];
  }

  private labels(name: string): Record<string, string> {
    return { ...standardLabels(name, 'monitoring', this.partOf), ...this.selectorLabels };
  }
}

function resolveMetrics(m: AlertMetrics, platformNamespace: string | undefined): Required<AlertMetrics> {
  return {
    httpRequests: m.httpRequests ?? MetricSelector.of('http_requests_total'),
    httpErrors: m.httpErrors ?? LabelMatcher.regex('status', '5..'),
    httpDurationBuckets: m.httpDurationBuckets ?? MetricSelector.of('http_request_duration_seconds_bucket'),
    gpuUtilization: m.gpuUtilization ?? MetricSelector.of('DCGM_FI_DEV_GPU_UTIL'),
    nodeCpuSeconds: m.nodeCpuSeconds ?? MetricSelector.of('node_cpu_seconds_total'),
    nodeMemoryAvailable: m.nodeMemoryAvailable ?? MetricSelector.of('node_memory_MemAvailable_bytes'),
    nodeMemoryTotal: m.nodeMemoryTotal ?? MetricSelector.of('node_memory_MemTotal_bytes'),
    podRestarts:
      m.podRestarts ??
      MetricSelector.of(
        'kube_pod_container_status_restarts_total',
        platformNamespace ? { namespace: platformNamespace } : {},
      ),
    inferenceDurationBuckets:
      m.inferenceDurationBuckets ?? MetricSelector.of('agent_inference_duration_seconds_bucket'),
    tasks: m.tasks ?? MetricSelector.of('agent_tasks_total'),
    taskSuccess: m.taskSuccess ?? LabelMatcher.eq('status', 'success'),
  };
}
