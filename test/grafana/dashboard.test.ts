import { App, Size, Testing } from 'cdk8s';
import {
  AiAgentPlatform, AlertRules, AlertRulesProps, GpuType, renderDashboard, renderRulesFile,
} from '../../lib';
import { findObject } from '../support/kube-schema';
import { expectRulesValid, expectRuleTestsPass, rising } from '../support/promtool';

/** The label the platform's monitors put on its workloads' series; the default alerts select on it. */
const OWN = 'part_of="ai-agent-platform"';

function dashboardOf(props: AlertRulesProps = {}): { json: any; alerts: AlertRules; configMap: any } {
  const chart = Testing.chart();
  const alerts = new AlertRules(chart, 'alerts', { platformNamespace: 'ai-platform', ...props });
  const configMap = findObject(Testing.synth(chart), 'ConfigMap', 'ai-agent-platform-dashboard');
  return { json: JSON.parse(configMap.data['ai-agent-platform.json']), alerts, configMap };
}

const { json, alerts, configMap } = dashboardOf();
const exprs = (d: any): string[] => d.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));

test('a ConfigMap the Grafana sidecar loads: grafana_dashboard label, one JSON file, stable uid', () => {
  expect(configMap.metadata).toMatchObject({
    namespace: 'monitoring',
    labels: { grafana_dashboard: '1', release: 'prometheus' },
  });
  expect(Object.keys(configMap.data)).toEqual(['ai-agent-platform.json']);
  expect(json).toMatchObject({ uid: 'ai-agent-platform', title: 'AI Agent Platform', schemaVersion: 39 });
  expect(json.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
  expect(dashboardOf().configMap.data).toEqual(configMap.data);
});

test('the LLM panels read vLLM\'s series by default, scoped to the platform', () => {
  const panel = (title: string) => json.panels.find((p: any) => p.title === title).targets.map((t: any) => t.expr);
  expect(panel('Time to first token')[2]).toBe('histogram_quantile(0.99, sum by (le) '
    + `(rate(vllm:time_to_first_token_seconds_bucket{${OWN}}[5m])))`);
  expect(panel('KV cache in use')).toEqual([`max by (pod) (vllm:kv_cache_usage_perc{${OWN}})`]);
  expect(panel('Prefix cache hit rate')).toEqual([`(sum(rate(vllm:prefix_cache_hits_total{${OWN}}[5m])) or vector(0))`
    + ` / (sum(rate(vllm:prefix_cache_queries_total{${OWN}}[5m])) > 0)`]);
});

test('a platform\'s gateway adds its panels, also when added after the alerts (the dashboard renders at synth)', () => {
  const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
  const chat = platform.addAgent('chat', {
    image: 'registry.example.com/chat:1.0.0', gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
  });
  platform.addAlerts('alerts');
  const before = JSON.parse(findObject(Testing.synth(platform), 'ConfigMap', 'ai-agent-platform-dashboard')
    .data['ai-agent-platform.json']);
  expect(before.panels.map((p: any) => p.title)).not.toContain('Gateway time to first byte');
  platform.addGateway('gateway', { serverName: 'ai.example.com' }).route('/v1/chat/', chat);
  const after = JSON.parse(findObject(Testing.synth(platform), 'ConfigMap', 'ai-agent-platform-dashboard')
    .data['ai-agent-platform.json']);
  const titles = after.panels.map((p: any) => p.title);
  expect(titles.slice(3, 6)).toEqual([
    'Gateway answers by route and status class', 'Gateway refusals by tenant and reason', 'Gateway time to first byte',
  ]);
  expect(after.panels[5].targets[2].expr).toBe('histogram_quantile(0.99, sum by (le) '
    + `(rate(agent_gateway_upstream_header_duration_seconds_bucket{${OWN}}[5m])))`);
  expectRulesValid(renderRulesFile([{
    name: 'dashboard',
    rules: exprs(after).map((expr, i) => ({ record: `panel_${i}`, expr })),
  }]));
});

test('the panels the platform needs', () => {
  expect(json.panels.map((p: any) => p.title)).toEqual([
    'Request rate',
    'Error ratio (5xx)',
    'Latency quantiles',
    'Time to first token',
    'Inter-token latency',
    'Requests running and waiting',
    'KV cache in use',
    'Prefix cache hit rate',
    'GPU utilization',
    'Replicas vs autoscaler bounds',
    'Agent task success rate',
    'Requests by tenant',
    'Error budget left: availability',
    'Error budget left: latency-p50',
    'Error budget left: latency-p95',
    'Error budget left: latency-p99',
  ]);
  const replicas = json.panels.find((p: any) => p.title === 'Replicas vs autoscaler bounds');
  expect(replicas.targets.map((t: any) => t.expr)).toEqual([
    'kube_deployment_status_replicas_available{namespace="ai-platform"}',
    'kube_horizontalpodautoscaler_status_desired_replicas{namespace="ai-platform"}',
    'kube_horizontalpodautoscaler_spec_min_replicas{namespace="ai-platform"}',
    'kube_horizontalpodautoscaler_spec_max_replicas{namespace="ai-platform"}',
  ]);
  expect(json.panels.find((p: any) => p.title === 'Requests by tenant').targets.map((t: any) => t.expr))
    .toEqual(['sum by (tenant) (rate(http_requests_total{part_of="ai-agent-platform",tenant!=""}[5m]))']);
  for (const panel of json.panels) expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
});

test('panels tile the 24-column grid without overlapping', () => {
  const cells = new Set<string>();
  for (const { gridPos: g } of json.panels) {
    expect(g.x + g.w).toBeLessThanOrEqual(24);
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  }
});

test('every panel query is valid PromQL (promtool)', () => {
  const rules = renderRulesFile([
    { name: 'dashboard', rules: exprs(json).map((expr, i) => ({ record: `dashboard_query_${i}`, expr })) },
  ]);
  expect(expectRulesValid(rules)).toMatch(new RegExp(`SUCCESS: ${exprs(json).length} rules found`));
});

test('the budget panels read series the rules record', () => {
  const recorded = new Set(alerts.ruleGroups.flatMap((g) => g.rules).map((r) => ('record' in r ? r.record : '')));
  const read = exprs(json).flatMap((e) => e.match(/ai_agent_slo:[a-z_:0-9]+/g) ?? []);
  expect(read.length).toBe(4);
  for (const name of read) expect(recorded.has(name)).toBe(true);
});

test('error budget left is 50 % when half the budget is spent (promtool evaluates the panel query)', () => {
  const budget = json.panels.find((p: any) => p.title === 'Error budget left: availability').targets[0].expr;
  expectRuleTestsPass(alerts.renderRulesFile(), [{
    name: '0.05 % errors against a 0.1 % budget',
    series: [
      { series: `http_requests_total{${OWN},status="200"}`, values: rising(19_990, 60) },
      { series: `http_requests_total{${OWN},status="500"}`, values: rising(10, 60) },
    ],
    exprs: [{ expr: `round(100 * (${budget}))`, at: '60m', samples: [{ labels: '{slo="availability"}', value: 50 }] }],
  }]);
});

test('threshold lines follow the alerts; a disabled alert draws none', () => {
  const line = (d: any, title: string) =>
    d.panels
      .find((p: any) => p.title === title)
      .fieldConfig.defaults.thresholds.steps.slice(1)
      .map((s: any) => s.value);
  expect(line(json, 'Error ratio (5xx)')).toEqual([0.01]);
  expect(line(json, 'GPU utilization')).toEqual([90]);
  const tuned = dashboardOf({ highErrorRate: { thresholdPercent: 2.5 }, gpuUtilizationHigh: false }).json;
  expect(line(tuned, 'Error ratio (5xx)')).toEqual([0.025]);
  expect(line(tuned, 'GPU utilization')).toEqual([]);
});

test('no SLOs, no budget panels; custom sidecar label and namespace', () => {
  const chart = Testing.chart();
  new AlertRules(chart, 'alerts', {
    slos: false,
    dashboard: { namespace: 'grafana', sidecarLabels: { grafana_dashboard: 'ai' }, name: 'ai-dash' },
  });
  const cm = findObject(Testing.synth(chart), 'ConfigMap', 'ai-dash');
  expect(cm.metadata.namespace).toBe('grafana');
  expect(cm.metadata.labels.grafana_dashboard).toBe('ai');
  expect(JSON.parse(cm.data['ai-agent-platform.json']).panels.map((p: any) => p.title)).not.toContainEqual(
    expect.stringMatching(/budget/),
  );
});

test('fails when a panel is wider than the grid', () => {
  expect(() =>
    renderDashboard({
      uid: 'u',
      title: 't',
      tags: [],
      panels: [{ title: 'wide', type: 'stat', unit: 'none', queries: [], width: 25, height: 1 }],
    }),
  ).toThrow("Grafana dashboard: panel 'wide' width (25) must be between 1 and 24");
});
