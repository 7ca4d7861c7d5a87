/**
 * Every secure default has an opt-out per construct; each opt-out works (the audit sees the weakened
 * default) and is visible in the output as a deliberate choice (the object's
 * `ai-agent-platform.io/security-opt-outs` annotation names it). With the defaults nothing is declared.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { AiAgentPlatform, RatePlan, SECURITY_OPT_OUTS_ANNOTATION } from '../../lib';
import { declaredOptOuts, undeclaredProblems } from '../support/opt-outs';
import { auditSecurity } from '../support/security-audit';

const IMAGE = 'registry.example.com/a:1.0';

function synth(
  build: (platform: AiAgentPlatform) => void,
  props: ConstructorParameters<typeof AiAgentPlatform>[2] = {},
): any[] {
  const app = Testing.app();
  const platform = new AiAgentPlatform(app, 'p', props);
  build(platform);
  app.synth();
  return app.charts.flatMap((chart) => chart.toJson());
}

const withGateway = (
  platform: AiAgentPlatform,
  gateway: Parameters<AiAgentPlatform['addGateway']>[1]['kubernetes'] = {},
) => {
  const agent = platform.addAgent('a', { image: IMAGE, replicas: 2 });
  platform.addGateway('Gateway', { serverName: 'ai.example.com', kubernetes: gateway }).route('/api/', agent);
};

describe('security opt-outs: each works and is declared in the output', () => {
  test('defaults: the audit is clean and nothing is declared', () => {
    const objects = synth((p) => {
      withGateway(p);
      p.addTenant('acme', { plan: p.addRatePlan(RatePlan.perSecond('basic', 5)) }).addAgent('acme-pool', {
        image: IMAGE,
        replicas: 2,
      });
    });
    expect(auditSecurity(objects)).toEqual([]);
    expect(declaredOptOuts(objects)).toEqual({});
  });

  const cases: Array<[string, () => any[], Record<string, string[]>, string[]]> = [
    [
      'agent podDisruptionBudget: false',
      () =>
        synth((p) => {
          p.addAgent('a', { image: IMAGE, replicas: 3, podDisruptionBudget: false });
        }),
      { 'Deployment/ai-platform/a': ['pod-disruption-budget'] },
      ['Deployment/ai-platform/a: has more than one replica or an autoscaler but no PodDisruptionBudget'],
    ],
    [
      'agent security.automountServiceAccountToken: true',
      () =>
        synth((p) => {
          p.addAgent('a', { image: IMAGE, security: { automountServiceAccountToken: true } });
        }),
      { 'Deployment/ai-platform/a': ['service-account-token'] },
      ['Deployment/ai-platform/a: mounts a service-account token (automountServiceAccountToken is not false)'],
    ],
    [
      'agent security.readOnlyRootFilesystem: false',
      () =>
        synth((p) => {
          p.addAgent('a', { image: IMAGE, security: { readOnlyRootFilesystem: false } });
        }),
      { 'Deployment/ai-platform/a': ['writable-root-filesystem'] },
      [],
    ],
    [
      'gateway kubernetes.podDisruptionBudget: false',
      () => synth((p) => withGateway(p, { podDisruptionBudget: false })),
      { 'Deployment/ai-platform/ai-gateway': ['pod-disruption-budget'] },
      ['Deployment/ai-platform/ai-gateway: has more than one replica or an autoscaler but no PodDisruptionBudget'],
    ],
    [
      'gateway kubernetes.security.automountServiceAccountToken: true',
      () => synth((p) => withGateway(p, { security: { automountServiceAccountToken: true } })),
      { 'Deployment/ai-platform/ai-gateway': ['service-account-token'] },
      ['Deployment/ai-platform/ai-gateway: mounts a service-account token (automountServiceAccountToken is not false)'],
    ],
    [
      'platform networkPolicies: false',
      () =>
        synth(
          (p) => {
            p.addAgent('a', { image: IMAGE });
          },
          { networkPolicies: false },
        ),
      { 'Namespace//ai-platform': ['default-deny-network-policy'] },
      ['Namespace/ai-platform: has pods but no default-deny NetworkPolicy'],
    ],
    [
      'tenant networkIsolation: false',
      () =>
        synth((p) => {
          p.addTenant('acme', {
            plan: p.addRatePlan(RatePlan.perSecond('basic', 5)),
            networkIsolation: false,
          }).addAgent('acme-pool', { image: IMAGE });
        }),
      { 'Namespace//tenant-acme': ['default-deny-network-policy'] },
      ['Namespace/tenant-acme: has pods but no default-deny NetworkPolicy'],
    ],
  ];

  test.each(cases)(
    '%s: the audit sees it, the output declares it, nothing else changes',
    (_, build, declared, problems) => {
      const objects = build();
      expect(auditSecurity(objects)).toEqual(problems);
      expect(declaredOptOuts(objects)).toEqual(declared);
      expect(undeclaredProblems(objects)).toEqual([]);
    },
  );

  test('SECURITY.md documents exactly the opt-outs the constructs declare', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'SECURITY.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| opt-out |'), doc.indexOf('## What the tests prove'));
    const documented = new Set([...table.matchAll(/\| `([a-z-]+)`( on the [a-z ]*Namespace)? \|$/gm)].map((m) => m[1]));
    const declared = new Set(cases.flatMap(([, , d]) => Object.values(d).flat()));
    expect([...documented].sort()).toEqual([...declared].sort());
    expect(doc).toContain(SECURITY_OPT_OUTS_ANNOTATION);
  });

  test('writable-root-filesystem really makes the root filesystem writable', () => {
    const objects = synth((p) => { p.addAgent('a', { image: IMAGE, security: { readOnlyRootFilesystem: false } }); });
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'a');
    expect(deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
    expect(deployment.metadata.annotations[SECURITY_OPT_OUTS_ANNOTATION]).toBe('writable-root-filesystem');
  });

  test('several opt-outs on one object are listed sorted; an undeclared weakening is caught', () => {
    const objects = synth((p) => {
      p.addAgent('a', {
        image: IMAGE,
        replicas: 2,
        podDisruptionBudget: false,
        security: { automountServiceAccountToken: true },
      });
    });
    expect(declaredOptOuts(objects)).toEqual({
      'Deployment/ai-platform/a': ['pod-disruption-budget', 'service-account-token'],
    });
    // Remove the declaration (as a hand edit would): the same weakening is now undeclared.
    const stripped = objects.map((o) =>
      o.kind === 'Deployment' ? { ...o, metadata: { ...o.metadata, annotations: undefined } } : o,
    );
    expect(undeclaredProblems(stripped)).toEqual([
      'Deployment/ai-platform/a: mounts a service-account token (automountServiceAccountToken is not false)',
      'Deployment/ai-platform/a: has more than one replica or an autoscaler but no PodDisruptionBudget',
    ]);
  });
});
