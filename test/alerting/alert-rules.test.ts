import * as fs from 'fs';
import * as path from 'path';
import { Chart, Duration, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { buildReferencePlatform } from '../../apps/reference-platform';
import {
  AiAgentPlatform,
  AlertRules,
  AlertRulesProps,
  GpuAgentDeployment,
  GpuType,
  LabelMatcher,
  MetricSelector,
  PlatformApp,
  Severity,
} from '../../lib';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { pattern } from '../support/patterns';
import { expectRulesValid, expectRuleTestsPass, rising, withoutAnnotations } from '../support/promtool';
import { withTempDir } from '../support/tools';

function synthAlerts(
  props: AlertRulesProps = {},
  scope: (chart: Chart) => void = () => undefined,
): { objects: any[]; alerts: AlertRules } {
  const chart = Testing.chart();
  scope(chart);
  const alerts = new AlertRules(chart, 'alerts', { platformNamespace: 'ai-platform', ...props });
  return { objects: Testing.synth(chart), alerts };
}

function alertsError(props: AlertRulesProps): string {
  try {
    synthAlerts(props);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected AlertRules to fail');
}

function ruleOf(objects: any[], alert: string): any {
  const rule = findObject(objects, 'PrometheusRule', 'ai-agent-alerts');
  const found = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert === alert);
  if (found.length !== 1) throw new Error(`expected one alert ${alert}, found ${found.length}`);
  return found[0];
}

function agent(
  chart: Chart,
  id: string,
  props: { metrics?: { port?: number; path?: string } | false } = {},
): GpuAgentDeployment {
  return new GpuAgentDeployment(chart, id, {
    image: 'registry.example.com/ai-agent:v1.2.0',
    namespace: 'ai-platform',
    replicas: 2,
    gpu: { type: GpuType.A100_40GB },
    ...props,
  });
}

describe('defaults', () => {
  const { objects, alerts } = synthAlerts();
  const rule = findObject(objects, 'PrometheusRule', 'ai-agent-alerts');

  test('a PrometheusRule kube-prometheus-stack picks up, and a dashboard ConfigMap; all schema-valid', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'PrometheusRule/monitoring/ai-agent-alerts',
      'ConfigMap/monitoring/ai-agent-platform-dashboard',
    ]);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.labels).toMatchObject({
      'release': 'prometheus',
      'app.kubernetes.io/part-of': 'ai-agent-platform',
    });
    expectValidKubernetes(objects);
    expect(rule).toMatchSnapshot();
  });

  test('the brief\'s alerts with its thresholds, durations and severities', () => {
    const summary = (name: string) => {
      const r = ruleOf(objects, name);
      return [r.expr.replace(/^.* ([<>]) (\S+)$/, '$1 $2'), r.for, r.labels.severity];
    };
    expect(summary('HighErrorRate')).toEqual(['> 0.01', '5m', 'critical']);
    expect(summary('HighLatency')).toEqual(['> 3', '10m', 'warning']);
    expect(summary('GPUUtilizationHigh')).toEqual(['> 90', '15m', 'warning']);
    expect(summary('NodeCPUUsageHigh')).toEqual(['> 0.8', '10m', 'warning']);
    expect(summary('NodeMemoryUsageHigh')).toEqual(['> 0.85', '10m', 'warning']);
    expect(summary('PodRestartingFrequently')).toEqual(['> 3', undefined, 'warning']);
    expect(summary('AgentInferenceLatencyHigh')).toEqual(['> 5', '5m', 'warning']);
    expect(summary('BusinessSuccessRateLow')).toEqual(['< 0.99', '10m', 'critical']);
  });

  test('PromQL the way it should be written: quantiles over sum by (le), guarded ratios, brief metric names', () => {
    expect(ruleOf(objects, 'HighLatency').expr).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{part_of="ai-agent-platform"}'
        + '[5m]))) > 3',
    );
    // Scoped to the series the platform's own monitors scrape (part_of), not every http_requests_total.
    expect(ruleOf(objects, 'HighErrorRate').expr).toBe(
      '(sum(rate(http_requests_total{part_of="ai-agent-platform",status=~"5.."}[5m])) or vector(0))'
        + ' / (sum(rate(http_requests_total{part_of="ai-agent-platform"}[5m])) > 0) > 0.01',
    );
    expect(ruleOf(objects, 'GPUUtilizationHigh').expr).toBe('DCGM_FI_DEV_GPU_UTIL > 90');
    expect(ruleOf(objects, 'PodRestartingFrequently').expr).toContain(
      'kube_pod_container_status_restarts_total{namespace="ai-platform"}[1h]',
    );
  });

  test('every alert has summary and description; runbook_url only when a base is given', () => {
    const all = rule.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const r of all) {
      expect(Object.keys(r.annotations).sort()).toEqual(['description', 'summary']);
      expect(r.labels.severity).toMatch(/^(critical|warning)$/);
    }
    const withRunbooks = synthAlerts({ runbookBaseUrl: 'https://runbooks.example.com/ai/' }).objects;
    expect(ruleOf(withRunbooks, 'HighErrorRate').annotations.runbook_url).toBe(
      'https://runbooks.example.com/ai/higherrorrate',
    );
    const burns = findObject(withRunbooks, 'PrometheusRule', 'ai-agent-alerts').spec.groups.flatMap((g: any) => g.rules)
      .filter((r: any) => r.alert === 'AgentErrorBudgetBurn');
    expect(new Set(burns.map((r: any) => r.annotations.runbook_url))).toEqual(
      new Set(['https://runbooks.example.com/ai/agenterrorbudgetburn']),
    );
  });

  test('SLO group: recording rules before the burn-rate alerts, four window pairs for availability', () => {
    const slo = rule.spec.groups.find((g: any) => g.name === 'ai-agent-slo.rules');
    const kinds = slo.rules.map((r: any) => (r.record ? 'record' : 'alert'));
    expect(kinds.indexOf('alert')).toBeGreaterThan(kinds.lastIndexOf('record'));
    const availability = slo.rules.filter((r: any) => r.alert && r.labels.slo === 'availability');
    expect(availability.map((r: any) => [r.labels.long, r.labels.short, r.for, r.labels.severity])).toEqual([
      ['1h', '5m', '2m', 'critical'],
      ['6h', '30m', '15m', 'critical'],
      ['1d', '2h', '1h', 'warning'],
      ['3d', '6h', '3h', 'warning'],
    ]);
    expect(alerts.slos.map((s) => [s.name, s.objective, s.windows.length])).toEqual([
      ['availability', 99.9, 4], ['latency-p50', 50, 1], ['latency-p95', 95, 4], ['latency-p99', 99, 4],
    ]);
  });

  test('one serializer: the PrometheusRule groups are exactly the rules file; promtool accepts every group', () => {
    const file = YAML.parse(alerts.renderRulesFile());
    expect(file.groups).toEqual(rule.spec.groups);
    for (const group of rule.spec.groups) {
      expect(expectRulesValid(YAML.stringify({ groups: [group] }))).toMatch(
        new RegExp(`SUCCESS: ${group.rules.length} rules found`),
      );
    }
  });
});

describe('configuration', () => {
  test('each alert can be disabled; SLOs and the dashboard too', () => {
    const { objects, alerts } = synthAlerts({
      highLatency: false,
      podRestartingFrequently: false,
      slos: false,
      dashboard: false,
    });
    expect(findObjects(objects, 'ConfigMap')).toEqual([]);
    const names = findObject(objects, 'PrometheusRule', 'ai-agent-alerts').spec.groups.map((g: any) => g.name);
    expect(names).toEqual(['ai-agent.rules']);
    expect(alerts.alerts.map((a) => a.alert)).not.toContain('HighLatency');
    expect(alerts.alerts.map((a) => a.alert)).not.toContain('PodRestartingFrequently');
    expect(alerts.alerts).toHaveLength(8);
  });

  test('re-thresholded alerts fire at the new threshold (promtool)', () => {
    const { objects, alerts } = synthAlerts({
      highErrorRate: { thresholdPercent: 2.5, for: Duration.minutes(2), severity: Severity.WARNING },
      highLatency: { threshold: Duration.millis(1500), quantile: 0.95 },
    });
    expect(ruleOf(objects, 'HighErrorRate')).toMatchObject({ for: '2m', labels: { severity: 'warning' } });
    expect(ruleOf(objects, 'HighLatency').expr).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{part_of="ai-agent-platform"}'
        + '[5m]))) > 1.5',
    );
    const errors = (perMinute: number) => [
      { series: 'http_requests_total{part_of="ai-agent-platform",status="200"}', values: rising(100 - perMinute, 20) },
      { series: 'http_requests_total{part_of="ai-agent-platform",status="500"}', values: rising(perMinute, 20) },
    ];
    expectRuleTestsPass(withoutAnnotations(alerts.renderRulesFile()), [
      {
        name: '2 % is now below the threshold',
        series: errors(2),
        alerts: [{ alertname: 'HighErrorRate', at: '15m', firing: [] }],
      },
      {
        name: '3 % fires after the new 2m',
        series: errors(3),
        alerts: [
          { alertname: 'HighErrorRate', at: '2m', firing: [] },
          { alertname: 'HighErrorRate', at: '4m', firing: [{ labels: { severity: 'warning' } }] },
        ],
      },
    ]);
  });

  test('metric names and label selectors are configurable and reach every rule', () => {
    const { alerts } = synthAlerts({
      metrics: {
        httpRequests: MetricSelector.of('nginx_http_requests_total', { job: 'ai-gateway' }),
        httpErrors: LabelMatcher.regex('code', '5\\d\\d'),
        gpuUtilization: MetricSelector.of('DCGM_FI_DEV_GPU_UTIL', [LabelMatcher.eq('namespace', 'ai-platform')]),
      },
    });
    const file = alerts.renderRulesFile();
    expect(ruleOfFile(file, 'HighErrorRate').expr).toBe(
      '(sum(rate(nginx_http_requests_total{job="ai-gateway",code=~"5\\\\d\\\\d"}[5m])) or vector(0))' +
        ' / (sum(rate(nginx_http_requests_total{job="ai-gateway"}[5m])) > 0) > 0.01',
    );
    expect(ruleOfFile(file, 'GPUUtilizationHigh').expr).toBe('DCGM_FI_DEV_GPU_UTIL{namespace="ai-platform"} > 90');
    expect(file).not.toMatch(/[^_]http_requests_total/);
    expectRulesValid(file);
  });

  test('custom rule groups are rendered into both outputs, after the built-in ones', () => {
    const { alerts } = synthAlerts({ slos: false });
    alerts.addGroup({
      name: 'team.rules',
      rules: [{ record: 'team:requests:rate5m', expr: 'sum(rate(http_requests_total[5m]))' }],
    });
    const chartObjects = Testing.synth(Chart.of(alerts));
    expect(findObject(chartObjects, 'PrometheusRule', 'ai-agent-alerts').spec.groups.map((g: any) => g.name)).toEqual([
      'ai-agent.rules',
      'team.rules',
    ]);
    expect(YAML.parse(alerts.renderRulesFile()).groups[1].name).toBe('team.rules');
  });

  test('fails when a custom group reuses a name, at once', () => {
    const { alerts } = synthAlerts({ slos: false });
    expect(() => alerts.addGroup({ name: 'ai-agent.rules', rules: [] })).toThrow(
      'Prometheus rules: rule group name ("ai-agent.rules") is used twice',
    );
    expect(alerts.ruleGroups.map((g) => g.name)).toEqual(['ai-agent.rules']);
  });

  test('outside a namespaced chart the restart alert watches every namespace; output is deterministic', () => {
    const chart = Testing.chart();
    const alerts = new AlertRules(chart, 'alerts');
    expect(alerts.metrics.podRestarts.toString()).toBe('kube_pod_container_status_restarts_total');
    const again = new AlertRules(Testing.chart(), 'alerts');
    expect(again.renderRulesFile()).toBe(alerts.renderRulesFile());
    expect(JSON.stringify(Testing.synth(Chart.of(again)))).toBe(JSON.stringify(Testing.synth(chart)));
  });

  test('name, namespace and the release label are configurable', () => {
    const { objects } = synthAlerts({ name: 'agents', namespace: 'observability', selectorLabels: { release: 'kps' } });
    const rule = findObject(objects, 'PrometheusRule', 'agents');
    expect(rule.metadata.namespace).toBe('observability');
    expect(rule.metadata.labels.release).toBe('kps');
  });

  test('fails when thresholds, durations or names are out of range, naming every problem', () => {
    const message = alertsError({
      name: 'Not_A_Name',
      highErrorRate: { thresholdPercent: 0 },
      gpuUtilizationHigh: { thresholdPercent: 120 },
      highLatency: { quantile: 1, threshold: Duration.seconds(0) },
      podRestartingFrequently: { maxRestarts: -1 },
      nodeCpuUsageHigh: { for: Duration.millis(1.5) },
      runbookBaseUrl: 'runbooks',
    });
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^AlertRules 'alerts': name \("Not_A_Name"\) must be a DNS-1123 subdomain/),
      'AlertRules \'alerts\': runbookBaseUrl ("runbooks") must be an http(s) URL',
      "AlertRules 'alerts': highErrorRate.thresholdPercent (0) must be a percentage between 0 and 100 exclusive",
      "AlertRules 'alerts': highLatency.quantile (1) must be between 0 and 1 exclusive",
      'AlertRules \'alerts\': highLatency.threshold ("0ms") must be a positive whole number of milliseconds',
      "AlertRules 'alerts': gpuUtilizationHigh.thresholdPercent (120) must be a percentage between 0 and 100 exclusive",
      'AlertRules \'alerts\': nodeCpuUsageHigh.for ("1.5ms") must be a whole number of milliseconds',
      "AlertRules 'alerts': podRestartingFrequently.maxRestarts (-1) must be an integer >= 0",
    ]);
  });

  test('fails when an SLO objective is not a percentage', () => {
    expect(
      alertsError({ slos: { availabilityPercent: 100, latency: [{ percentile: 0, threshold: Duration.seconds(1) }] } }),
    ).toBe(
      [
        "AlertRules 'alerts': slos.availabilityPercent (100) must be a percentage between 0 and 100 exclusive",
        "AlertRules 'alerts': slos.latency[0].percentile (0) must be a percentage between 0 and 100 exclusive",
      ].join('\n'),
    );
  });

  test('fails when the selector labels are not Kubernetes labels', () => {
    expect(alertsError({ selectorLabels: { 'release': 'has space' } })).toMatch(
      /selectorLabels.release \("has space"\) must be a Kubernetes label value/,
    );
  });
});

describe('monitor', () => {
  test('a PodMonitor per workload, in its namespace, selecting its pods on the named metrics port', () => {
    const { objects, alerts } = synthAlerts({}, (chart) => {
      const a = agent(chart, 'ai-agent');
      const b = agent(chart, 'model-service', { metrics: { port: 9400, path: '/stats' } });
      const rules = new AlertRules(chart, 'other', { name: 'other', dashboard: false, slos: false });
      rules.monitor(a);
      rules.monitor(b);
      expect(rules.monitor(a)).toBe(rules.podMonitors[0]);
    });
    expect(alerts.podMonitors).toEqual([]);
    const monitors = findObjects(objects, 'PodMonitor');
    // Every scraped series carries part_of, the label the default alerts select on.
    const relabelings = [{ action: 'replace', targetLabel: 'part_of', replacement: 'ai-agent-platform' }];
    expect(monitors.map((m) => [m.metadata.namespace, m.metadata.name, m.spec.podMetricsEndpoints])).toEqual([
      ['ai-platform', 'ai-agent', [{ port: 'http', path: '/metrics', relabelings }]],
      ['ai-platform', 'model-service', [{ port: 'metrics', path: '/stats', relabelings }]],
    ]);
    const deployment = findObject(objects, 'Deployment', 'model-service');
    expect(deployment.spec.template.spec.containers[0].ports.map((p: any) => p.name)).toContain('metrics');
    expect(monitors[0].spec.selector.matchLabels).toEqual(
      findObject(objects, 'Deployment', 'ai-agent').spec.selector.matchLabels,
    );
    expect(monitors[0].metadata.labels.release).toBe('prometheus');
    expect(deployment.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expectValidKubernetes(objects);
  });

  test('anything with selector labels and a metrics port name can be monitored (the gateway exporter)', () => {
    const chart = Testing.chart();
    const alerts = new AlertRules(chart, 'alerts', { dashboard: false });
    alerts.monitor({
      name: 'ai-gateway', namespace: 'ai-platform', selectorLabels: { 'app.kubernetes.io/name': 'ai-gateway' },
      metrics: { port: 9113, path: '/metrics', portName: 'exporter' },
    }, { interval: Duration.seconds(15) });
    const monitor = findObject(Testing.synth(chart), 'PodMonitor', 'ai-gateway');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{
      port: 'exporter', path: '/metrics', interval: '15s',
      relabelings: [{ action: 'replace', targetLabel: 'part_of', replacement: 'ai-agent-platform' }],
    }]);
  });

  test('fails when the workload exposes no metrics', () => {
    const chart = Testing.chart();
    const alerts = new AlertRules(chart, 'alerts', { dashboard: false });
    expect(() => alerts.monitor(agent(chart, 'quiet', { metrics: false }))).toThrow(
      'AlertRules \'alerts\': monitor(ai-platform/quiet) ("quiet") exposes no metrics (its metrics prop is false)',
    );
  });

  test('fails when a name is too long for the app.kubernetes.io/name label it also becomes', () => {
    const chart = Testing.chart();
    expect(() => new AlertRules(chart, 'alerts', { name: `rules.${'x'.repeat(60)}`, partOf: `p${'x'.repeat(54)}` }))
      .toThrow(pattern(
        /^AlertRules 'alerts': name \("rules.x+"\) must be a Kubernetes label value: .*\n/,
        /AlertRules 'alerts': dashboard.name \("px+-dashboard"\) must be a Kubernetes label value: /,
      ));
  });

  test('fails when a target of the user\'s own breaks the API server\'s rules for the PodMonitor\'s fields', () => {
    const chart = Testing.chart();
    const alerts = new AlertRules(chart, 'alerts', { dashboard: false });
    expect(() => alerts.monitor({
      name: 'My Gateway', namespace: 'a.b', selectorLabels: { app: 'a;b' },
      metrics: { port: 9113, path: '/metrics', portName: 'nginx-prometheus-exporter' },
    })).toThrow(pattern(
      /^AlertRules 'alerts': monitor\(a.b\/My Gateway\).name \("My Gateway"\) must be a DNS-1123 subdomain: .*\n/,
      /.*monitor\(a.b\/My Gateway\).namespace \("a.b"\) must be a DNS-1123 label: .*\n/,
      /.*monitor\(a.b\/My Gateway\).selectorLabels.app \("a;b"\) must be a Kubernetes label value: .*\n/,
      /.*monitor\(a.b\/My Gateway\).metrics.portName \("nginx-prometheus-exporter"\) must be a port name /,
      /\(IANA_SVC_NAME\): at most 15 /,
    ));
  });
});

describe('platform', () => {
  function platform(): AiAgentPlatform {
    const p = new AiAgentPlatform(Testing.app(), 'ai-platform');
    p.addAgent('ai-agent', { image: 'registry.example.com/ai-agent:v1.2.0', gpu: { type: GpuType.A100_40GB } });
    return p;
  }

  test('addAlerts monitors every workload with metrics, also ones added later; reachable as platform.alerts', () => {
    const p = platform();
    const alerts = p.addAlerts('Alerts');
    p.addModelService('model-service', {
      image: 'registry.example.com/model-service:v1.2.0',
      gpu: { type: GpuType.A100_40GB },
    });
    p.addModelService('quiet', {
      image: 'registry.example.com/model-service:v1.2.0',
      gpu: { type: GpuType.A100_40GB },
      metrics: false,
    });
    expect(p.alerts).toBe(alerts);
    const objects = Testing.synth(p);
    expect(findObjects(objects, 'PodMonitor').map((m) => m.metadata.name)).toEqual(['ai-agent', 'model-service']);
    expect(ruleOf(objects, 'PodRestartingFrequently').expr).toContain('{namespace="ai-platform"}');
    expectValidKubernetes(objects);
  });

  test('monitorWorkloads: false leaves scraping to the annotations', () => {
    const p = platform();
    p.addAlerts('Alerts', { monitorWorkloads: false });
    expect(findObjects(Testing.synth(p), 'PodMonitor')).toEqual([]);
  });

  test('fails when addAlerts is called twice', () => {
    const p = platform();
    p.addAlerts('Alerts');
    expect(() => p.addAlerts('MoreAlerts'))
      .toThrow('AiAgentPlatform \'ai-platform\': cannot add alerts \'MoreAlerts\': already has alerts (\'Alerts\')');
  });
});

test('the synthesized reference platform has PrometheusRule ai-agent-alerts in monitoring, in dist/*.k8s.yaml', () => {
  withTempDir((dir) => {
    const outdir = path.join(dir, 'dist');
    const app = new PlatformApp({ outdir });
    buildReferencePlatform(app);
    app.synth();
    const objects = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))
      .flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map((d) => d.toJSON()));
    const rule = findObject(objects, 'PrometheusRule', 'ai-agent-alerts');
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.metadata.labels.release).toBe('prometheus');
    const alertNames = rule.spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.alert).filter(Boolean);
    expect(alertNames).toEqual(
      expect.arrayContaining(['HighErrorRate', 'HighLatency', 'GPUUtilizationHigh', 'AgentErrorBudgetBurn']),
    );
    const highErrorRate = rule.spec.groups[0].rules.find((r: any) => r.alert === 'HighErrorRate');
    expect(highErrorRate).toMatchObject({ for: '5m', labels: { severity: 'critical' } });
    expect(highErrorRate.annotations.runbook_url).toBe('https://runbooks.example.com/ai-agent-platform/higherrorrate');
    expect(findObjects(objects, 'PodMonitor').map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'ai-platform/ai-agent',
      'ai-platform/model-service',
      'ai-platform/ai-gateway',
      'tenant-acme/acme-agent',
    ]);
    expect(findObject(objects, 'ConfigMap', 'ai-agent-platform-dashboard').metadata.labels.grafana_dashboard).toBe('1');
    expectValidKubernetes([
      rule,
      ...findObjects(objects, 'PodMonitor'),
      findObject(objects, 'ConfigMap', 'ai-agent-platform-dashboard'),
    ]);
    expectRulesValid(YAML.stringify({ groups: rule.spec.groups }));
  });
});

function ruleOfFile(file: string, alert: string): any {
  return YAML.parse(file).groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === alert);
}
