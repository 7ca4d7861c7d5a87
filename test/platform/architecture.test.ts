import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Size, Testing } from 'cdk8s';
import { AiAgentPlatform, GpuType, RatePlan } from '../../lib';
import { synthReference } from '../support/reference';

function mermaid(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)```/.exec(markdown);
  if (!m) throw new Error('no mermaid block');
  return m[1];
}

describe('dist/architecture.md', () => {
  test('the reference platform\'s picture names every workload, Service and tenant of the manifests', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arch-'));
    try {
      const objects = synthReference(dir);
      const chart = mermaid(fs.readFileSync(path.join(dir, 'architecture.md'), 'utf8'));
      expect(chart.startsWith('flowchart LR\n')).toBe(true);
      const names = objects
        .filter((o) =>
          [
            'Deployment',
            'StatefulSet',
            'Service',
            'HorizontalPodAutoscaler',
            'ScaledObject',
            'PrometheusRule',
          ].includes(o.kind),
        )
        .filter(
          (o) => !(o.kind === 'Service' && o.metadata.labels?.['app.kubernetes.io/component'] === 'gateway-discovery'),
        )
        .map((o) => o.metadata.name);
      expect(names).toEqual(expect.arrayContaining(['ai-agent-hpa', 'ai-agent-alerts']));
      // Services the gateway creates for itself (headless discovery) are drawn through the gateway node.
      for (const route of ['/api/v1/agent/ → ai_agent_backend', '/api/v1/models/ → model_backend']) {
        expect(chart).toContain(route);
      }
      for (const rule of objects
        .filter((o) => o.kind === 'PrometheusRule')
        .flatMap((o) => o.spec.groups.flatMap((g: any) => g.rules))) {
        if (rule.alert && rule.alert !== 'AgentErrorBudgetBurn') expect(chart).toContain(rule.alert);
      }
      expect(names.length).toBeGreaterThan(4);
      for (const name of names) expect(chart).toContain(name);
      for (const ns of objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels['ai-agent-platform/tenant'])) {
        expect(chart).toContain(`tenant ${ns.metadata.labels['ai-agent-platform/tenant']} (${ns.metadata.name}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('derived from the model: a workload added later shows up, text cannot break the diagram', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    const before = platform.renderArtifacts().find((a) => a.path === 'architecture.md')!.content;
    platform.addAgent('late-agent', { image: 'r.example.com/a:1.0' });
    platform.addTenant('t1', { plan: platform.addRatePlan(RatePlan.perSecond('p_1', 1)) });
    platform.addModelService('m', {
      image: 'r.example.com/m:1.0',
      gpu: { type: GpuType.custom({ name: 'Odd "GPU" <x> | #1', nodeLabelValue: 'odd', memory: Size.gibibytes(1) }) },
    });
    const after = mermaid(platform.renderArtifacts().find((a) => a.path === 'architecture.md')!.content);
    expect(before).not.toContain('late-agent');
    expect(after).toContain('Deployment late-agent');
    expect(after).toContain('tenant t1 (tenant-t1, plan p_1)');
    expect(after).toContain('1 × Odd #quot;GPU#quot; #lt;x#gt; #124; #35;1');
    // Every label is one quoted string: no raw quote, bracket or pipe inside a label.
    for (const line of after.split('\n').filter((l) => l.includes('"'))) {
      const labels = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      expect(labels.length).toBeGreaterThan(0);
      for (const label of labels) expect(label.split('<br/>').join('\n')).not.toMatch(/[<>|]/);
    }
  });
});
