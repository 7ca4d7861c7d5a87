/**
 * lib/_fast-yaml.ts writes manifests byte-identical to cdk8s' own `Yaml.stringify` (the `yaml` package,
 * YAML 1.1): on generated manifests full of strings YAML 1.1 reads as something else, and on real synth
 * output (the reference platform, a platform with many agents, tenants and gateway routes).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Size, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { AiAgentPlatform, GpuType, ModelStorage, PlatformApp, RatePlan } from '../../lib';
import { fastManifestYaml, fastStringify, withFastYaml } from '../../lib/platform/_fast-yaml';
import { FC_PARAMS, nastyString } from '../support/arbitraries';
import { withTempDir } from '../support/tools';

const original = (Yaml as unknown as { stringify: (...docs: unknown[]) => string }).stringify;
const cdk8sYaml = (doc: unknown) => original.call(Yaml, doc);

/** Strings YAML 1.1 resolves to other types, or that need quoting, next to harmless ones. */
const trickyString = fc.oneof(
  nastyString,
  fc.constantFrom(
    'y',
    'Y',
    'n',
    'N',
    'Yes',
    'NO',
    'On',
    'OFF',
    'True',
    'FALSE',
    'Null',
    'NULL',
    '',
    '-',
    '?',
    '-g',
    '--x',
    '? a',
    'a: b',
    'a:b',
    'a:',
    'a #b',
    'a#b',
    '1:20',
    '190:20:30.15',
    '0b101',
    '0o17',
    '017',
    '0x1F',
    '1_000',
    '+12',
    '-1.5',
    '.5',
    '1.',
    '.inf',
    '-.Inf',
    '.NaN',
    '1e10',
    '2001-12-14',
    '2001-12-14t21:59:43.10-05:00',
    '<<',
    '=',
    '---',
    '---x',
    '...',
    '%x',
    '@x',
    '`x',
    'a,b',
    'a[0]',
    'x}',
    'é',
    'registry.example.com/agent:v1.2.0',
    'app.kubernetes.io/name',
    'nvidia.com/gpu',
    '500m',
    '4Gi',
    '8080',
    '/models',
    'a b',
    'a  b',
    'a\tb',
    `${'x'.repeat(1100)}`,
    'ai-agent',
    'http://model-service',
    'sha256:abc',
  ),
);
/**
 * Multi-line strings as ConfigMaps hold them (config files, scripts): lines of printable ASCII with indented,
 * empty, comment, document-marker and whitespace-only lines, with or without final line breaks; some start or
 * end with whitespace, which makes `yaml` choose other block headers or quotes.
 */
const line = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[ -~]{0,30}$/) },
  fc.constantFrom(
    '', '  indented', 'trailing  ', '   ', '# comment', '---', '...', '%YAML', 'key: value', '\t tab', 'é',
  ),
);
const multiLineString = fc
  .tuple(fc.array(line, { minLength: 2, maxLength: 6 }), fc.constantFrom('', '\n', '\n\n', ' \n', '\n '))
  .map(([lines, end]) => `${lines.join('\n')}${end}`);
/** Strings as manifests mostly hold them: names, images, paths, quantities (mostly plain). */
const typicalString = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9./:@=+_-]{0,24}$/);
const scalar = fc.oneof(
  { weight: 6, arbitrary: typicalString },
  { weight: 2, arbitrary: trickyString },
  { weight: 2, arbitrary: multiLineString },
  fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, 2 ** 53, -1, 0.5), fc.boolean(), fc.constant(null),
);
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalar },
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof({ weight: 4, arbitrary: typicalString }, { weight: 1, arbitrary: trickyString }),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;
const manifest = fc.dictionary(
  fc.oneof(typicalString, trickyString, fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec')),
  value,
  { minKeys: 0, maxKeys: 6 },
);

describe('fast YAML', () => {
  test('writes every generated manifest exactly as cdk8s does, or leaves it to cdk8s', () => {
    let fast = 0;
    fc.assert(fc.property(manifest, (doc) => {
      const ours = fastManifestYaml(doc);
      if (ours !== undefined) {
        fast += 1;
        expect(ours).toBe(cdk8sYaml(doc));
      }
      expect(fastStringify(original)(doc, undefined, doc)).toBe(original.call(Yaml, doc, undefined, doc));
    }), { ...FC_PARAMS, numRuns: Number(process.env.FC_RUNS ?? 2000) });
    // The fast path is taken often enough for the property to mean something.
    expect(fast).toBeGreaterThan(150);
  });

  test('takes the fast path for typical manifests and literal blocks, else falls back to cdk8s', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ai-agent', labels: { 'app.kubernetes.io/name': 'ai-agent' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [{ name: 'agent', args: ['-g', 'daemon off;'], ports: [{ containerPort: 8080 }], env: [] }],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    };
    expect(fastManifestYaml(deployment)).toBe(cdk8sYaml(deployment));
    const config = { kind: 'ConfigMap', data: { 'nginx.conf': 'events {}\n\nhttp {\n  server {}\n}\n', 'x': 'a\nb' } };
    expect(fastManifestYaml(config)).toBe(cdk8sYaml(config));
    expect(fastManifestYaml(config)).toContain(
      'nginx.conf: |\n    events {}\n\n    http {\n      server {}\n    }\n  x: |-\n',
    );
    for (const other of [' leading space\nx', 'kept line breaks\n\n', 'trailing space\n ', 'tab\tx\ny']) {
      expect(fastManifestYaml({ data: { other } })).toBeUndefined();
    }
    expect(fastManifestYaml({ args: ['in a list\nof strings'] })).toBeUndefined();
    const role = { kind: 'Role', rules: [{ apiGroups: [''], resources: ['pods'] }], '': { '': '' } };
    expect(fastManifestYaml(role)).toBe(cdk8sYaml(role));
    expect(fastManifestYaml(role)).toContain('- apiGroups:\n      - ""\n');
    const quoted = {
      kind: 'ConfigMap',
      metadata: { annotations: { 'prometheus.io/scrape': 'true' } },
      data: { flag: 'yes', port: '8080', all: '*' },
    };
    expect(fastManifestYaml(quoted)).toBe(cdk8sYaml(quoted));
    expect(fastManifestYaml(quoted)).toContain('flag: "yes"');
    expect(fastManifestYaml({ kind: 'ConfigMap', data: { quote: '"hi" there' } })).toBeUndefined();
  });

  test('restores cdk8s\' own Yaml.stringify and Yaml.save after a synth, also when it throws', () => {
    const save = Yaml.save;
    expect(() => withFastYaml(() => { throw new Error('boom'); })).toThrow('boom');
    expect((Yaml as unknown as { stringify: unknown }).stringify).toBe(original);
    expect(Yaml.save).toBe(save);
  });

  /** Synthesizes `build`'s app twice, with PlatformApp (fast path) and cdk8s' App.synth; compares every manifest. */
  function expectIdenticalSynth(build: (app: App) => void): void {
    withTempDir((dir) => {
      const fastApp = new PlatformApp({ outdir: path.join(dir, 'fast') });
      build(fastApp);
      fastApp.synth();
      const plainApp = new App({ outdir: path.join(dir, 'plain') });
      build(plainApp);
      plainApp.synth();
      const manifests = fs.readdirSync(path.join(dir, 'plain')).filter((f) => f.endsWith('.k8s.yaml')).sort();
      expect(manifests.length).toBeGreaterThan(0);
      expect(fs.readdirSync(path.join(dir, 'fast')).filter((f) => f.endsWith('.k8s.yaml')).sort()).toEqual(manifests);
      for (const file of manifests) {
        const fast = fs.readFileSync(path.join(dir, 'fast', file), 'utf8');
        const plain = fs.readFileSync(path.join(dir, 'plain', file), 'utf8');
        if (fast !== plain) expect({ file, fast }).toEqual({ file, fast: plain });
      }
    });
  }

  test('the reference platform synthesizes byte-identical to cdk8s', () => {
    expectIdenticalSynth((app) => { buildReferencePlatform(app); });
  });

  test('a platform with many agents, tenants and gateway routes synthesizes byte-identical to cdk8s', () => {
    expectIdenticalSynth((app) => {
      const platform = new AiAgentPlatform(app, 'ai-platform');
      const gateway = platform.addGateway('Gateway', {
        serverName: 'ai-agent.example.com',
        tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
      });
      for (let i = 0; i < 12; i++) {
        const agent = platform.addAgent(`agent-${i}`, {
          image: `registry.example.com/agent-${i}:v1.0.${i}`, replicas: 1 + (i % 4),
          gpu: { type: GpuType.CATALOG[i % GpuType.CATALOG.length], count: 1 + (i % 2) },
          modelStorage: ModelStorage.newClaim({
            claimName: `models-${i}`, size: Size.gibibytes(50), accessMode: 'ReadWriteMany',
          }),
          configMapName: `agent-${i}-config`, configData: { 'agent.yaml': `id: ${i}\n` },
        });
        gateway.route(`/api/v1/agents/agent-${i}/`, agent);
      }
      const plans = ['bronze', 'silver', 'gold'].map((name, i) =>
        platform.addRatePlan(RatePlan.perSecond(name, 10 ** (i + 1))),
      );
      for (let i = 0; i < 12; i++) {
        platform.addTenant(`tenant-${i}`, {
          plan: plans[i % 3],
          quota: { gpus: 4 },
          team: i % 2 ? { groups: [`team-${i}`] } : undefined,
        });
      }
    });
  });
});
