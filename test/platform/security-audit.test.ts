import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { AiAgentPlatform, EnvValue, GpuType } from '../../lib';
import { synthReference } from '../support/reference';
import { auditSecurity } from '../support/security-audit';

describe('security audit (Pod Security Standards restricted, and the platform\'s own rules)', () => {
  test('the reference platform is clean', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
    try {
      expect(auditSecurity(synthReference(dir))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a platform built with defaults only is clean', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    platform.addAgent('a', {
      image: 'r.example.com/a:1.0',
      replicas: 2,
      gpu: { type: GpuType.L4_24GB },
      env: { API_KEY: EnvValue.fromSecret('s', 'k') },
    });
    platform.addModelService('m', { image: 'r.example.com/m:1.0' });
    expect(auditSecurity(Testing.synth(platform))).toEqual([]);
  });

  test('opt-outs are visible to the audit as deliberate choices', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p', { networkPolicies: false });
    platform.addAgent('a', {
      image: 'r.example.com/a:1.0',
      replicas: 2,
      podDisruptionBudget: false,
      security: { automountServiceAccountToken: true },
    });
    expect(auditSecurity(Testing.synth(platform))).toEqual([
      'Deployment/ai-platform/a: mounts a service-account token (automountServiceAccountToken is not false)',
      'Deployment/ai-platform/a: has more than one replica or an autoscaler but no PodDisruptionBudget',
      'Namespace/ai-platform: has pods but no default-deny NetworkPolicy',
    ]);
  });

  test('the audit catches every rule it states (it can fail)', () => {
    const bad = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad', namespace: 'x' },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: 'bad' } },
          spec: {
            hostNetwork: true,
            volumes: [{ name: 'h', hostPath: { path: '/' } }],
            containers: [{
              name: 'c', image: 'nginx:latest',
              env: [{ name: 'DB_PASSWORD', value: 'hunter22' }],
              securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
            }],
          },
        },
      },
    };
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'x' },
      spec: { selector: { app: 'bad' } },
    };
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'x' },
      data: { 'app.env': 'api_key=abcdefgh12345' },
    };
    const problems = auditSecurity([bad, service, cm]).join('\n');
    for (const expected of [
      'hostNetwork is set',
      'volume h is a hostPath',
      'mounts a service-account token',
      'runAsNonRoot is not true',
      'allowPrivilegeEscalation is not false',
      'is privileged',
      'does not drop ALL capabilities',
      'adds capabilities SYS_ADMIN',
      'seccompProfile is unset',
      'has no cpu/memory requests',
      'has no memory limit',
      'image "nginx:latest" is not pinned',
      'env DB_PASSWORD holds a literal secret',
      'Service/x/s: backing Deployment/x/bad has no readiness probe',
      'no PodDisruptionBudget',
      'Namespace/x: has pods but no default-deny NetworkPolicy',
      'key app.env looks like it holds a literal secret',
    ]) {expect(problems).toContain(expected);}
  });
});
