/**
 * Properties of generated WHOLE platform specs (test/support/platform-arbitraries.ts): for every valid
 * spec, every output passes the real validators (Kubernetes schemas, the security audit, the gateway
 * audit, `nginx -t` on the standalone and, rendered at the installed nginx version, the Kubernetes and
 * Compose nginx.conf, `promtool check rules`, `docker-compose config -q`). For every spec with one field
 * broken, synth fails naming the construct, the prop and the value, and leaves dist/ exactly as it was.
 *
 * Run counts: FC_RUNS (default 200) scales every property; the costly tools see a fraction of the runs.
 * FC_SEED replays a failure (fast-check prints the seed and the counterexample).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import {
  AiAgentPlatform,
  GatewayTarget,
  PlatformApp,
  RateLimit,
  RateLimitZone,
  RatePlan,
  ScalingMetric,
} from '../../lib';
import { FC_PARAMS } from '../support/arbitraries';
import { composeConfig } from '../support/compose';
import { auditGatewayConf } from '../support/gateway-audit';
import { fieldProblems } from '../support/field-audit';
import { schemaProblems } from '../support/kube-schema';
import { checkNginxConfigs } from '../support/nginx-batch';
import { installedNginxVersion } from '../support/nginx-sandbox';
import { readManifests } from '../support/reference';
import { undeclaredProblems } from '../support/opt-outs';
import { auditSecurity } from '../support/security-audit';
import { buildWholePlatform, WholePlatformSpec, wholePlatformSpec } from '../support/platform-arbitraries';
import { runTool, withTempDir } from '../support/tools';
import { hashTree } from '../support/tree-hash';

const RUNS = FC_PARAMS.numRuns ?? 200;
/** nginx -t and promtool see this many specs (batched), docker-compose (about 1 s a call) fewer. */
const TOOL_RUNS = Math.max(10, Math.floor(RUNS / 5));
const COMPOSE_RUNS = Math.max(2, Math.floor(RUNS / 50));

interface Synthesized {
  readonly spec: WholePlatformSpec;
  readonly platform: AiAgentPlatform;
  readonly objects: any[];
  readonly files: Record<string, string>;
}

/** Synthesizes `spec` with PlatformApp (what `npm run synth` runs) into `outdir`, and reads it back. */
function synthesize(spec: WholePlatformSpec, outdir: string): Synthesized {
  const app = new PlatformApp({ outdir });
  const platform = buildWholePlatform(app, spec);
  app.synth();
  const files: Record<string, string> = {};
  const walk = (d: string) => fs.readdirSync(d).forEach((name) => {
    const full = path.join(d, name);
    if (fs.statSync(full).isDirectory()) walk(full);
    else files[path.relative(outdir, full)] = fs.readFileSync(full, 'utf8');
  });
  walk(outdir);
  return { spec, platform, objects: readManifests(outdir), files };
}

describe('properties of generated whole-platform specs', () => {
  test('every valid spec: schemas, field rules, security audit, gateway audit, nginx -t, promtool and docker-compose '
    + 'all pass', () =>
    withTempDir((dir) => {
      const objects: any[] = [];
      const confs: Array<{ run: number; what: string; conf: string }> = [];
      const ruleFiles: string[] = [];
      const composeDirs: string[] = [];
      const installed = installedNginxVersion();
      let run = 0;
      const seen = new Set<string>();
      fc.assert(
        fc.property(wholePlatformSpec, (spec) => {
          const outdir = path.join(dir, `run${run}`);
          const s = synthesize(spec, outdir);
          for (const route of spec.gateway?.routes ?? []) {
            if (route) seen.add(`lb:${route.lb}`).add(route.servers.some((x) => x.backup) ? 'backup' : 'no backup');
          }
          if (spec.gateway?.tls) seen.add('tls');
          if (s.objects.some((o) => o.kind === 'ScaledObject')) seen.add('keda');
          if (s.objects.some((o) => o.kind === 'HorizontalPodAutoscaler')) seen.add('hpa');
          if (spec.alerts?.disabled.length) seen.add('disabled alerts');
          if (spec.tenants.some((t) => t.pool)) seen.add('tenant pool');
          if (spec.compose) seen.add('compose');
          if (spec.redis) seen.add('redis');
          // Clean, except for the spec's deliberate opt-outs, each declared on its object.
          expect(undeclaredProblems(s.objects)).toEqual([]);
          // Every field the API server checks holds (lib/core/field-rules.ts, applied to the output).
          expect(fieldProblems(s.objects)).toEqual([]);
          const optedOut =
            !spec.networkPolicies ||
            spec.optOuts.pdb ||
            spec.optOuts.token ||
            (spec.optOuts.tenantIsolation && spec.tenants.length > 0);
          if (optedOut) seen.add('opt-outs');
          else expect(auditSecurity(s.objects)).toEqual([]);
          objects.push(...s.objects);
          const gateway = s.platform.gateway;
          if (gateway) {
            const configMap = s.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'ai-gateway-nginx');
            expect(auditGatewayConf(s.files['nginx/nginx.conf'], { tls: gateway.tlsEnabled })).toEqual([]);
            expect(auditGatewayConf(configMap.data['nginx.conf'], { tls: false })).toEqual([]);
            if (spec.compose) {
              const published = (
                YAML.parse(s.files['compose/docker-compose.yml']).services.nginx.ports as string[]
              ).map((p) => Number(String(p).split(':').pop()));
              expect(
                auditGatewayConf(s.files['compose/nginx/nginx.conf'], {
                  tls: gateway.tlsEnabled,
                  publishedPorts: published,
                }),
              ).toEqual([]);
            }
            if (run < TOOL_RUNS) {
              confs.push({ run, what: 'standalone', conf: s.files['nginx/nginx.conf'] });
              confs.push({
                run,
                what: `kubernetes@${installed}`,
                conf: gateway.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion: installed })),
              });
              if (spec.compose) {
                confs.push({
                  run,
                  what: `compose@${installed}`,
                  conf: gateway.renderNginxConf(
                    GatewayTarget.compose({ serviceNameOf: (w) => w.name, nginxVersion: installed }),
                  ),
                });
              }
            }
          }
          const rule = s.objects.find((o) => o.kind === 'PrometheusRule');
          if (rule && run < TOOL_RUNS) {
            const file = path.join(dir, `rules-${run}.yml`);
            fs.writeFileSync(file, YAML.stringify({ groups: rule.spec.groups }));
            ruleFiles.push(file);
          }
          if (spec.compose && composeDirs.length < COMPOSE_RUNS) composeDirs.push(path.join(outdir, 'compose'));
          else fs.rmSync(outdir, { recursive: true, force: true });
          run++;
        }),
        { ...FC_PARAMS, numRuns: Math.max(20, Math.floor(RUNS / 4)) },
      );

      // The generator reached every feature (else this test would silently check less); fewer runs may not.
      if (RUNS >= 200) {
        expect([...seen].sort()).toEqual([
          'backup',
          'compose',
          'disabled alerts',
          'hpa',
          'keda',
          'lb:hashCookie',
          'lb:hashHeader',
          'lb:ipHash',
          'lb:leastConnections',
          'lb:roundRobin',
          'lb:weightedRoundRobin',
          'no backup',
          'opt-outs',
          'redis',
          'tenant pool',
          'tls',
        ]);
      }
      // Batched real tools: one schema process, nginx -t in a few sandboxes, one promtool call.
      expect(schemaProblems(objects)).toEqual([]);
      for (let i = 0; i < confs.length; i += 12) {
        const batch = confs.slice(i, i + 12);
        const failed = checkNginxConfigs(batch.map((c) => c.conf))
          .map((r, j) => ({ ...batch[j], ...r }))
          .filter((r) => !r.ok);
        expect(failed.map((f) => `run ${f.run} ${f.what}: ${f.output}`)).toEqual([]);
      }
      expect(confs.length).toBeGreaterThan(0);
      if (ruleFiles.length) {
        // One promtool call, one file per spec (its lint finds duplicates within a file).
        const result = runTool('promtool', ['check', 'rules', ...ruleFiles]);
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
        expect(result.stdout.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
      }
      for (const composeDir of composeDirs) {
        // Secrets come from .env by design (`${NAME:?...}`): give each one a value, as the operator would.
        const file = path.join(composeDir, 'docker-compose.yml');
        const required = [...fs.readFileSync(file, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):\?/g)].map(
          (m) => m[1],
        );
        const result = composeConfig(file, Object.fromEntries(required.map((name) => [name, 'set-by-test'])));
        expect({ dir: composeDir, status: result.status, stderr: result.stderr }).toEqual({
          dir: composeDir,
          status: 0,
          stderr: '',
        });
      }
    }));
});

test('the batched nginx -t really checks each config on its own (it can fail)', () => {
  const good =
    'events {}\nhttp { upstream u { server some-backend:8080; } server { listen 8080; location / { proxy_pass http://u; } } }\n';
  const results = checkNginxConfigs([
    good,
    good.replace('listen 8080;', 'listen 8080 bogus;'),
    good.replace('some-backend', 'other-backend'),
  ]);
  expect(results.map((r) => r.ok)).toEqual([true, false, true]);
  expect(results[1].output).toMatch(/invalid parameter "bogus"/);
});

// ------------------------------------------------------------------------------------- invalid specs

/** One broken field of a whole spec, with the construct, prop and value the error must name. */
interface PlatformBreakage {
  readonly expected: RegExp;
  readonly apply: (platform: AiAgentPlatform) => void;
}

const breakages: fc.Arbitrary<PlatformBreakage> = fc.oneof(
  fc.constantFrom('Bad_Host', 'ai agent.example.com', 'x;y').map((serverName): PlatformBreakage => ({
    expected: new RegExp(
      `AgentGateway '[^']+': serverName \\(${JSON.stringify(serverName).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`,
    ),
    apply: (p) => {
      p.addGateway('Gateway', { serverName });
    },
  })),
  fc.integer({ min: 2, max: 999 }).map((ms): PlatformBreakage => ({
    expected: new RegExp(`AgentGateway '[^']+': route '/api/v1/x/'\\.readTimeout \\("${ms} millis"\\)`),
    apply: (p) => {
      p.addGateway('Gateway', { serverName: 'ai.example.com' }).route('/api/v1/x/', p.allWorkloads[0], {
        readTimeout: Duration.millis(ms),
      });
    },
  })),
  fc.integer({ min: 6, max: 50 }).map((min): PlatformBreakage => ({
    expected: new RegExp(`AgentAutoscaler '[^']+': minReplicas \\(${min}\\) must be <= maxReplicas \\(5\\)`),
    apply: (p) => {
      p.addAutoscaler('broken-hpa', { target: p.allWorkloads[0], minReplicas: min, maxReplicas: 5 });
    },
  })),
  fc.constantFrom(0, 101, 150).map((pct): PlatformBreakage => ({
    expected: new RegExp(`AgentAutoscaler '[^']+': metrics\\[0\\]\\.utilization \\(${pct}\\)`),
    apply: (p) => {
      p.addAutoscaler('broken-hpa', { target: p.allWorkloads[0], maxReplicas: 5, metrics: [ScalingMetric.cpu(pct)] });
    },
  })),
  fc.constantFrom(0, -5, 101, 250).map((pct): PlatformBreakage => ({
    expected: new RegExp(`AlertRules '[^']+': highErrorRate\\.thresholdPercent \\(${pct}\\)`),
    apply: (p) => {
      p.addAlerts('Alerts', { highErrorRate: { thresholdPercent: pct } });
    },
  })),
  fc.constantFrom('Acme', 'a_b', '-x', 'a'.repeat(70)).map((name): PlatformBreakage => ({
    expected: new RegExp(
      `(Tenant|AiAgentPlatform) '[^']*'?: .*${JSON.stringify(name)
        .slice(0, 20)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
    ),
    apply: (p) => {
      p.addTenant(name, { plan: p.addRatePlan(RatePlan.perSecond('brk_basic', 5)) });
    },
  })),
  fc.constantFrom(0, -1, 1.5).map((rate): PlatformBreakage => ({
    expected: new RegExp(`RatePlan '[^']+': rate \\(${rate}\\)`),
    apply: (p) => {
      p.addRatePlan(RatePlan.perSecond('brk_gold', rate));
    },
  })),
  fc.constantFrom(0, 70000).map((port): PlatformBreakage => ({
    expected: new RegExp(`ComposeStack '[^']+': .*httpPort \\(${port}\\)`),
    apply: (p) => {
      p.addGateway('Gateway', { serverName: 'ai.example.com' }).route('/api/v1/x/', p.allWorkloads[0]);
      p.addComposeStack('Compose', { gateway: { httpPort: port }, gpus: 64 });
    },
  })),
  fc.constantFrom('zone-with-dash', '1zone', 'a b').map((zone): PlatformBreakage => ({
    expected: new RegExp(`AgentGateway '[^']+': rateLimits\\[0\\]\\.name \\(${JSON.stringify(zone)}\\)`),
    apply: (p) => {
      p.addGateway('Gateway', {
        serverName: 'ai.example.com',
        rateLimits: [RateLimitZone.perClientIp(zone, RateLimit.perSecond(1))],
      });
    },
  })),
);

describe('invalid whole-platform specs', () => {
  test('one broken field in any construct fails naming construct, prop and value; dist/ stays exactly as it was', () =>
    withTempDir((dir) => {
      const outdir = path.join(dir, 'dist');
      fc.assert(
        fc.property(wholePlatformSpec, breakages, (spec, breakage) => {
          // dist/ holds a good synth of this spec; then the same spec with one field broken.
          fs.rmSync(outdir, { recursive: true, force: true });
          synthesize(spec, outdir);
          const before = hashTree(outdir);
          let message = '';
          try {
            const app = new PlatformApp({ outdir });
            // The spec's own gateway, Compose stack, alerts and autoscalers are left out: the breakage adds its own.
            const platform = buildWholePlatform(app, {
              ...spec,
              gateway: undefined,
              compose: false,
              alerts: undefined,
              autoscalers: [],
            });
            breakage.apply(platform);
            app.synth();
          } catch (error) {
            message = (error as Error).message;
          }
          expect(message).toMatch(breakage.expected);
          expect(hashTree(outdir)).toBe(before);
          expect(fs.readdirSync(dir)).toEqual(['dist']);
        }),
        { ...FC_PARAMS, numRuns: Math.max(20, Math.floor(RUNS / 4)) },
      );
    }));
});
