/**
 * docs/dashboard.svg, the README's picture of the platform dashboard, is generated from the dashboard JSON the
 * reference platform renders: this test fails when they differ (UPDATE_DOCS=1 writes it again).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { renderDashboardPicture } from '../../lib';
import { findObject } from '../support/kube-schema';

const PICTURE = path.join(__dirname, '..', '..', 'docs', 'dashboard.svg');

function referenceDashboard(): string {
  const objects = Testing.synth(buildReferencePlatform(Testing.app()));
  const configMap = findObject(objects, 'ConfigMap', 'ai-agent-platform-dashboard');
  return Object.values(configMap.data as Record<string, string>)[0];
}

test('docs/dashboard.svg is the picture of the dashboard the reference platform renders', () => {
  const json = referenceDashboard();
  const svg = renderDashboardPicture(json);
  if (process.env.UPDATE_DOCS) fs.writeFileSync(PICTURE, svg);
  expect(fs.readFileSync(PICTURE, 'utf8')).toBe(svg);
  const panels = JSON.parse(json).panels as Array<{ title: string }>;
  for (const panel of panels) expect(svg).toContain(`>${panel.title.replace(/&/g, '&amp;')}</text>`);
  expect(svg.match(/<rect /g)).toHaveLength(panels.length + 1);
  // The gateway's and the model servers' metrics are on it, by name.
  for (const metric of ['agent_gateway_http_requests_total', 'agent_gateway_rejected_requests_total',
    'vllm:time_to_first_token_seconds_bucket', 'vllm:kv_cache_usage_perc']) {
    expect(svg).toContain(metric);
  }
});

test('the picture escapes what it draws', () => {
  const svg = renderDashboardPicture(JSON.stringify({
    title: 'A <b> & "c"',
    panels: [
      { title: '<script>', type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 }, targets: [{ expr: 'up{a="<"}' }] },
    ],
  }));
  expect(svg).not.toContain('<script>');
  expect(svg).toContain('A &lt;b&gt; &amp; &quot;c&quot;');
});
