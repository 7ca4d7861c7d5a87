import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { platformDashboard, PlatformDashboardInput } from './_platform-dashboard';
import { PART_OF_METRIC_LABEL, standardLabels, TENANT_LABEL } from '../core/pod';
import * as std from './_standard-alerts';
import { FIELD_RULES } from '../core/field-rules';
import { PropsValidator } from '../core/validation';
import { checkDuration, checkObjectName, validateAlertRulesProps } from './_validate-alert-rules-props';
import { renderDashboard } from '../grafana/dashboard';
import { MONITORING_API_VERSION, PodMonitorSpec, PrometheusRuleSpec } from '../prometheus/_operator-crds';
import { LabelMatcher, MetricSelector, promDuration } from '../prometheus/promql';
import { AlertingRule, renderRulesFile, RuleGroup, ruleGroupsToJson, Severity } from '../prometheus/rules';
import { BurnRateWindow, ServiceLevelIndicator, ServiceLevelObjective } from '../prometheus/slo';
import { brand, hasBrand } from '../core/brand';
import {
  AlertMetrics, AlertOptions, LatencyAlertOptions, SloOptions, AlertDashboardOptions, IMetricsTarget, AlertRulesProps,
  GatewayAlertSource, GpuUtilizationMetric, LatencyObjective, SloSource, TenantTokenBudget,
} from './alert-rules-props';

export * from './alert-rules-props';

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
  /** The SLOs (on the gateway's metrics once the platform hands them over, with `slos.source: GATEWAY`). */
  public get slos(): readonly ServiceLevelObjective[] {
    const o = this.props.slos;
    if (o === false) return [];
    if (o?.source !== SloSource.GATEWAY) {
      return this.resolveSlos(o ?? {}, this.metrics.httpRequests,
        this.metrics.httpDurationBuckets, DEFAULT_LATENCY_OBJECTIVES);
    }
    const g = this.gatewaySli;
    return g ? this.resolveSlos(o, g.requests, g.durationBuckets, GATEWAY_LATENCY_OBJECTIVES) : [];
  }
  /** The PrometheusRule object (escape hatch). */
  public readonly resource: ApiObject;
  /** The dashboard ConfigMap, unless disabled. */
  public readonly dashboard?: k8s.KubeConfigMap;

  private readonly partOf: string;
  private readonly extraGroups: RuleGroup[] = [];
  private readonly recordPrefix: string;
  private readonly sloRunbookUrl?: string;
  /** Every GPU's utilization in percent, as PromQL: what the GPU alert and the GPU panel read. */
  private readonly gpuUtilizationPercent: string;
  private readonly monitors = new Map<string, ApiObject>();
  private readonly props: AlertRulesProps;
  private readonly window: Duration;
  private readonly runbookBase?: string;
  private readonly platformScoped: boolean;
  private gatewayAlerts: AlertingRule[] = [];
  /** The gateway's SLIs (requests, duration buckets and their bounds), once the platform handed them over. */
  private gatewaySli?: { requests: MetricSelector; durationBuckets: MetricSelector; bounds: readonly number[] };
  /** The gateway's token counter, scoped, once the platform handed it over. */
  private gatewayTokens?: MetricSelector;
  /** The tenants' daily token budgets, read at synth time. */
  private tokenBudgets: () => readonly TenantTokenBudget[] = () => [];
  /** The gateway's request metrics as the dashboard reads them, once the platform handed them over. */
  private gatewaySelectors?: PlatformDashboardInput['gateway'];

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
    this.props = props;
    this.window = window;
    this.runbookBase = runbookBase;
    this.platformScoped = platformNamespace !== undefined;
    this.sloRunbookUrl = runbookBase ? `${runbookBase}/agenterrorbudgetburn` : undefined;
    const gpuMetric = props.gpuUtilizationMetric ?? GpuUtilizationMetric.DEVICE;
    this.metrics = resolveMetrics(props.metrics ?? {}, platformNamespace, this.partOf, gpuMetric);
    this.gpuUtilizationPercent = gpuPercent(this.metrics.gpuUtilization, gpuMetric);
    this.alerts = this.resolveAlerts(props, window, runbookBase);
    this.node.addValidation({ validate: () => this.sloSourceProblems() });

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
    const gatewayRules = [...this.gatewayAlerts, ...this.tokenBudgetAlerts()];
    if (gatewayRules.length) groups.push({ name: 'ai-gateway.rules', rules: gatewayRules });
    return [...groups, ...this.extraGroups];
  }

  /**
   * The tenants' daily token budgets (read at synth time): `TenantTokenBudgetExhausted` for each, once the gateway
   * counts tokens ({@link addGatewayAlerts}). The platform calls it with its tenants' plans.
   */
  public useTokenBudgets(budgets: () => readonly TenantTokenBudget[]): void {
    this.tokenBudgets = budgets;
  }

  /** One `TenantTokenBudgetExhausted` per tenant with a budget, when the gateway counts tokens. */
  private tokenBudgetAlerts(): AlertingRule[] {
    const options = this.props.gateway === false ? false : this.props.gateway?.tokenBudget;
    const tokens = this.gatewayTokens;
    if (options === false || !tokens) return [];
    const o = options ?? {};
    return this.tokenBudgets().map((b) => std.tenantTokenBudgetExhausted(tokens, {
      ...this.settings('TenantTokenBudgetExhausted', o, Duration.seconds(0), Severity.WARNING, this.runbookBase),
      tenant: b.tenant, tokensPerDay: b.tokensPerDay,
    }));
  }

  /**
   * The gateway's alerts ({@link AlertRulesProps.gateway}) on the metrics it exports, scoped to the platform's
   * series. The platform calls it when it has both a gateway and alerts; calling it again replaces them.
   */
  public addGatewayAlerts(source: GatewayAlertSource): void {
    const own: Record<string, string> = this.platformScoped ? { [PART_OF_METRIC_LABEL]: this.partOf } : {};
    const m = source.requestMetrics;
    this.gatewaySelectors = m ? {
      requests: MetricSelector.of(m.requests, own),
      firstByteBuckets: MetricSelector.of(`${m.firstByte}_bucket`, own),
      rejected: MetricSelector.of(m.rejected, own),
    } : undefined;
    this.gatewayTokens = m ? MetricSelector.of(m.tokens, own) : undefined;
    this.gatewaySli = m ? {
      requests: MetricSelector.of(m.requests, own),
      durationBuckets: MetricSelector.of(`${m.requestDuration}_bucket`, own),
      bounds: m.latencyBuckets,
    } : undefined;
    const options = this.props.gateway;
    if (options === false) return;
    const rules: AlertingRule[] = [];
    const base = (alert: string, o: AlertOptions, pendingFor: Duration, severity: Severity) =>
      this.settings(alert, o, pendingFor, severity, this.runbookBase);
    const o = options ?? {};
    const window = this.window;
    if (source.upMetric && o.down !== false) {
      const d = o.down ?? {};
      rules.push(std.gatewayDown(MetricSelector.of(source.upMetric, own),
        { ...base('GatewayDown', d, Duration.minutes(2), Severity.CRITICAL), gateway: source.name }));
    }
    if (m && o.highErrorRate !== false) {
      const e = o.highErrorRate ?? {};
      rules.push(std.gatewayHighErrorRate(MetricSelector.of(m.requests, own), {
        ...base('GatewayHighErrorRate', e, Duration.minutes(5), Severity.CRITICAL),
        percent: e.thresholdPercent ?? 1, window, gateway: source.name,
      }));
    }
    if (m && o.highLatency !== false) {
      const l = o.highLatency ?? {};
      rules.push(std.highQuantile('GatewayHighLatency', 'gateway time-to-first-byte',
        MetricSelector.of(`${m.firstByte}_bucket`, own), {
          ...base('GatewayHighLatency', l, Duration.minutes(10), Severity.WARNING),
          quantile: l.quantile ?? 0.99, threshold: l.threshold ?? Duration.seconds(3), window,
        }));
    }
    if (m && o.tenantRateLimited !== false) {
      const t = o.tenantRateLimited ?? {};
      rules.push(std.tenantRateLimited(MetricSelector.of(m.requests, own), MetricSelector.of(m.rejected, own), {
        ...base('TenantRateLimited', t, Duration.minutes(15), Severity.INFO),
        percent: t.thresholdPercent ?? 10, window,
      }));
    }
    this.gatewayAlerts = rules;
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
    // A target of this library is valid already; one of the user's own (an IMetricsTarget) is checked here: the
    // PodMonitor takes its name (and its app.kubernetes.io/name label), namespace, labels and port name.
    checkObjectName(v, `monitor(${key}).name`, target.name);
    v.field(FIELD_RULES.namespaceName, `monitor(${key}).namespace`, target.namespace)
      .labels(`monitor(${key}).selectorLabels`, target.selectorLabels)
      .field(FIELD_RULES.portName, `monitor(${key}).metrics.portName`, target.metrics?.portName);
    (target.additionalMetrics ?? []).forEach((m, i) => {
      v.field(FIELD_RULES.portName, `monitor(${key}).additionalMetrics[${i}].portName`, m.portName);
    });
    v.throwIfAny();
    const metrics = target.metrics!;
    const port = metrics.portName ?? (metrics.port === target.containerPort ? 'http' : 'metrics');
    const tenant = target.labels?.[TENANT_LABEL];
    const endpoint = (portName: string, path: string) => ({
      port: portName,
      path,
      ...(options.interval ? { interval: promDuration(options.interval) } : {}),
      relabelings: [
        { action: 'replace' as const, targetLabel: PART_OF_METRIC_LABEL, replacement: this.partOf },
        ...(tenant ? [{ action: 'replace' as const, targetLabel: 'tenant', replacement: tenant }] : []),
      ],
    });
    const spec: PodMonitorSpec = {
      selector: { matchLabels: { ...target.selectorLabels } },
      podMetricsEndpoints: [
        endpoint(port, metrics.path),
        ...(target.additionalMetrics ?? []).map((m) => endpoint(m.portName, m.path)),
      ],
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
    const input = (): PlatformDashboardInput => ({
      uid: this.partOf.slice(0, 40),
      title: dashboard.title ?? 'AI Agent Platform',
      metrics: this.metrics,
      window,
      platformNamespace,
      errorRatePercent: props.highErrorRate === false ? undefined : props.highErrorRate?.thresholdPercent ?? 1,
      gpuPercent: props.gpuUtilizationHigh === false ? undefined : props.gpuUtilizationHigh?.thresholdPercent ?? 90,
      gpuUtilization: this.gpuUtilizationPercent,
      slos: this.slos,
      recordPrefix: this.recordPrefix,
      gateway: this.gatewaySelectors,
    });
    return new k8s.KubeConfigMap(this, 'Dashboard', {
      metadata: {
        name,
        namespace: dashboard.namespace ?? this.namespace,
        labels: { ...this.labels(name), ...(dashboard.sidecarLabels ?? { grafana_dashboard: '1' }) },
      },
      // Rendered at synth time: the gateway's panels appear once the platform hands its metrics over.
      data: {
        [`${input().uid}.json`]: Lazy.any({ produce: () => renderDashboard(platformDashboard(input())) }) as unknown as
          string,
      },
    });
  }

  /** The enabled threshold alerts, with their defaults applied (the props are validated). */
  private resolveAlerts(props: AlertRulesProps, window: Duration, runbookBase?: string): AlertingRule[] {
    const m = this.metrics;
    const base = (alert: string, o: AlertOptions, pendingFor: Duration, severity: Severity) =>
      this.settings(alert, o, pendingFor, severity, runbookBase);
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
    add(props.gpuUtilizationHigh, (o) => std.gpuUtilizationHigh({
      ...base('GPUUtilizationHigh', o, Duration.minutes(15), Severity.WARNING), percent: o.thresholdPercent ?? 90,
      utilization: this.gpuUtilizationPercent,
    }));
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
    add(props.kvCacheNearlyFull, (o) => std.kvCacheNearlyFull(m, {
      ...base('LlmKvCacheNearlyFull', o, Duration.minutes(15), Severity.WARNING), percent: o.thresholdPercent ?? 90,
    }));
    add(props.timeToFirstTokenHigh, (o) => std.highQuantile('LlmTimeToFirstTokenHigh', 'time-to-first-token',
      m.timeToFirstTokenBuckets, {
        ...base('LlmTimeToFirstTokenHigh', o, Duration.minutes(10), Severity.WARNING),
        quantile: o.quantile ?? 0.95, threshold: o.threshold ?? Duration.seconds(2), window,
      }));
    add(props.businessSuccessRateLow, (o) => std.successRateLow(m, {
      ...base('BusinessSuccessRateLow', o, Duration.minutes(10), Severity.CRITICAL),
      percent: o.thresholdPercent ?? 99,
      window,
    }));
    return rules;
  }

  /** An alert's `for`, severity and runbook: as given, else its defaults. */
  private settings(alert: string, o: AlertOptions, pendingFor: Duration, severity: Severity,
    runbookBase: string | undefined): std.AlertSettings {
    return {
      for: o.for ?? pendingFor,
      severity: o.severity ?? severity,
      runbookUrl: o.runbookUrl ?? (runbookBase ? `${runbookBase}/${alert.toLowerCase()}` : undefined),
    };
  }

  /** With the gateway as the SLO source: a gateway with request metrics, thresholds on its bucket bounds. */
  private sloSourceProblems(): string[] {
    const o = this.props.slos;
    if (o === false || o?.source !== SloSource.GATEWAY) return [];
    const prefix = `AlertRules '${this.node.id}': slos.source (gateway)`;
    if (!this.gatewaySli) return [`${prefix} needs a platform gateway with request metrics (none was handed over)`];
    const bounds = this.gatewaySli.bounds;
    return (o.latency ?? GATEWAY_LATENCY_OBJECTIVES)
      .filter((l) => !bounds.includes(l.threshold.toMilliseconds() / 1000))
      .map((l) => `${prefix}: latency threshold ${promDuration(l.threshold)} (P${l.percentile}) must be a bound of `
        + `the gateway's histogram: ${bounds.map((b) => `${b}s`).join(', ')}`);
  }

  /** The SLOs, with their defaults applied (the props are validated), on these requests and buckets. */
  private resolveSlos(o: SloOptions, requests: MetricSelector, durationBuckets: MetricSelector,
    defaultLatency: readonly LatencyObjective[]): ServiceLevelObjective[] {
    const windows = o.windows ?? BurnRateWindow.DEFAULTS;
    const period = o.period ?? Duration.days(30);
    const availability = o.availabilityPercent ?? 99.9;
    const latency = o.latency ?? defaultLatency;
    const m = { ...this.metrics, httpRequests: requests, httpDurationBuckets: durationBuckets };
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

/** The brief's latency objectives. */
const DEFAULT_LATENCY_OBJECTIVES: readonly LatencyObjective[] = [
  { percentile: 50, threshold: Duration.millis(500) },
  { percentile: 95, threshold: Duration.seconds(1) },
  { percentile: 99, threshold: Duration.seconds(2) },
];

/** The same on the gateway's histogram, whose bound next to 2s is 2.5s. */
const GATEWAY_LATENCY_OBJECTIVES: readonly LatencyObjective[] = [
  { percentile: 50, threshold: Duration.millis(500) },
  { percentile: 95, threshold: Duration.seconds(1) },
  { percentile: 99, threshold: Duration.millis(2500) },
];

/** A GPU utilization selector as PromQL in percent: the engine-active share is a fraction. */
function gpuPercent(selector: MetricSelector, metric: GpuUtilizationMetric): string {
  return metric === GpuUtilizationMetric.GRAPHICS_ENGINE_ACTIVE ? `${selector} * 100` : `${selector}`;
}

/**
 * The metrics the alerts read, defaults filled in. Inside a platform, the workloads' own metrics are scoped to
 * the series its monitors scrape ({@link PART_OF_METRIC_LABEL}) and the restarts to its namespace; node and GPU
 * metrics describe the machines and stay unscoped.
 */
function resolveMetrics(
  m: AlertMetrics, platformNamespace: string | undefined, partOf: string, gpuMetric: GpuUtilizationMetric,
): Required<AlertMetrics> {
  const own: Record<string, string> = platformNamespace ? { [PART_OF_METRIC_LABEL]: partOf } : {};
  return {
    httpRequests: m.httpRequests ?? MetricSelector.of('http_requests_total', own),
    httpErrors: m.httpErrors ?? LabelMatcher.regex('status', '5..'),
    httpDurationBuckets: m.httpDurationBuckets ?? MetricSelector.of('http_request_duration_seconds_bucket', own),
    gpuUtilization: m.gpuUtilization ?? MetricSelector.of(gpuMetric),
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
      m.inferenceDurationBuckets ?? MetricSelector.of('agent_inference_duration_seconds_bucket', own),
    tasks: m.tasks ?? MetricSelector.of('agent_tasks_total', own),
    taskSuccess: m.taskSuccess ?? LabelMatcher.eq('status', 'success'),
    timeToFirstTokenBuckets: m.timeToFirstTokenBuckets
      ?? MetricSelector.of('vllm:time_to_first_token_seconds_bucket', own),
    interTokenLatencyBuckets: m.interTokenLatencyBuckets
      ?? MetricSelector.of('vllm:inter_token_latency_seconds_bucket', own),
    requestsWaiting: m.requestsWaiting ?? MetricSelector.of('vllm:num_requests_waiting', own),
    requestsRunning: m.requestsRunning ?? MetricSelector.of('vllm:num_requests_running', own),
    kvCacheUsage: m.kvCacheUsage ?? MetricSelector.of('vllm:kv_cache_usage_perc', own),
    prefixCacheHits: m.prefixCacheHits ?? MetricSelector.of('vllm:prefix_cache_hits_total', own),
    prefixCacheQueries: m.prefixCacheQueries ?? MetricSelector.of('vllm:prefix_cache_queries_total', own),
  };
}
