import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { AiAgentPlatform, EnvValue, ModelStorage, PlatformApp } from '../../lib';
import { agentBreakage, agentProps, dnsLabel, FC_PARAMS } from '../support/arbitraries';
import { schemaProblems } from '../support/kube-schema';
import { auditSecurity } from '../support/security-audit';
import { withTempDir } from '../support/tools';

const platformSpec = fc.uniqueArray(fc.tuple(dnsLabel, agentProps), {
  minLength: 1,
  maxLength: 4,
  selector: ([name]) => name,
});

function buildPlatform(app: any, agents: ReadonlyArray<readonly [string, any]>): AiAgentPlatform {
  const platform = new AiAgentPlatform(app, 'ai-platform');
  for (const [name, props] of agents) {
    platform.addAgent(name, {
      ...props,
      serviceName: `${name}-svc`,
      configMapName: props.configMapName && `${name}-config`,
      modelStorage: props.modelStorage && (props.modelStorage.newClaim
        ? ModelStorage.newClaim({
            claimName: `${name}-models`,
            size: props.modelStorage.newClaim.size,
            accessMode: props.modelStorage.newClaim.accessMode,
          })
        : props.modelStorage),
    });
  }
  return platform;
}

function hashTree(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => fs.readdirSync(d).sort().forEach((name) => {
    const full = path.join(d, name);
    if (fs.statSync(full).isDirectory()) walk(full);
    else hash.update(path.relative(dir, full)).update(fs.readFileSync(full));
  });
  walk(dir);
  return hash.digest('hex');
}

describe('properties of generated platform specs', () => {
  test('every valid spec synthesizes manifests that pass the Kubernetes schemas and the security audit', () => {
    const batches: any[][] = [];
    fc.assert(fc.property(platformSpec, (agents) => {
      const objects = Testing.synth(buildPlatform(Testing.app(), agents));
      expect(auditSecurity(objects)).toEqual([]);
      batches.push(objects);
    }), FC_PARAMS);
    // One schema-validator process for the whole batch; a problem names the object.
    expect(schemaProblems(batches.flat())).toEqual([]);
  });

  test('every user string reaches the YAML as data: env values and config data round-trip exactly', () =>
    withTempDir((dir) => {
      let run = 0;
      fc.assert(
        fc.property(platformSpec, (agents) => {
          const outdir = path.join(dir, `run${run++}`);
          const app = new PlatformApp({ outdir });
          buildPlatform(app, agents);
          app.synth();
          const objects = parseAllDocuments(fs.readFileSync(path.join(outdir, 'ai-platform.k8s.yaml'), 'utf8')).map(
            (d) => d.toJS(),
          );
          for (const [name, props] of agents) {
            const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
            const env = Object.fromEntries(
              (deployment.spec.template.spec.containers[0].env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]),
            );
            for (const [key, value] of Object.entries<EnvValue>(props.env ?? {})) {
              expect(env[key]).toEqual(
                value.value ?? { secretKeyRef: { name: value.secret!.secretName, key: value.secret!.key } },
              );
            }
            if (props.modelPath !== undefined) expect(env.MODEL_PATH).toBe(props.modelPath);
            if (props.configData) {
              expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${name}-config`).data).toEqual(
                props.configData,
              );
            }
          }
          fs.rmSync(outdir, { recursive: true, force: true });
        }),
        { ...FC_PARAMS, numRuns: Math.max(10, Math.floor((FC_PARAMS.numRuns ?? 100) / 2)) },
      );
    }));

  test('a spec with one broken field fails naming the prop and the value, and leaves dist/ exactly as it was', () =>
    withTempDir((dir) => {
      const outdir = path.join(dir, 'dist');
      const good = new PlatformApp({ outdir });
      buildPlatform(good, [['ai-agent', { image: 'registry.example.com/ai-agent:v1.2.0' }]]);
      good.synth();
      const before = hashTree(outdir);
      fc.assert(
        fc.property(agentProps, agentBreakage, (props, breakage) => {
          const app = new PlatformApp({ outdir });
          let message = '';
          try {
            buildPlatform(app, [['ai-agent', breakage.apply(props)]]);
            app.synth();
          } catch (err) {
            message = (err as Error).message;
          }
          expect(message).toContain(`GpuAgentDeployment 'ai-agent': ${breakage.prop} (${breakage.shown}`);
          expect(hashTree(outdir)).toBe(before);
          expect(fs.readdirSync(dir)).toEqual(['dist']);
        }),
        FC_PARAMS,
      );
    }));
});
