import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { EnvValue, GpuType, ModelStorage, PlatformAgentProps } from '../../lib';

/** Property-test settings: FC_RUNS for longer local runs, FC_SEED to replay; the seed is printed on failure. */
export const FC_PARAMS: fc.Parameters<unknown> = {
  numRuns: Number(process.env.FC_RUNS ?? 200),
  seed: Number(process.env.FC_SEED ?? 20261127),
  endOnFailure: true,
};

export const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/);
export const envName = fc
  .stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/)
  .filter((n) => !['MODEL_PATH', 'REDIS_URL', 'MAX_TOKENS', 'LOG_LEVEL'].includes(n));
/** Any string at all, including YAML and shell metacharacters, newlines and non-ASCII. */
export const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    'yes',
    'no',
    'on',
    'off',
    'true',
    '~',
    'null',
    '0x10',
    '1e3',
    '- a',
    ': b',
    '{a: 1}',
    '[1]',
    '#x',
    '&a',
    '*a',
    '!!str',
    '|',
    '>',
    '"quoted"',
    "'single'",
    'line\nbreak',
    '$(rm -rf /)',
    '${VAR}',
    '; drop',
    '}',
    '{',
    '\t',
    ' lead',
    'trail ',
    '中文',
    '✓',
  ),
);

/** A valid agent spec, with most props exercised. */
export const agentProps: fc.Arbitrary<PlatformAgentProps> = fc
  .record({
    image: fc
      .tuple(dnsLabel, fc.stringMatching(/^v?[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/))
      .map(([n, t]) => `registry.example.com/${n}:${t}`),
    replicas: fc.integer({ min: 0, max: 10 }),
    port: fc.integer({ min: 1024, max: 65535 }),
    gpu: fc.option(fc.record({ type: fc.constantFrom(...GpuType.CATALOG), count: fc.integer({ min: 1, max: 8 }) }), {
      nil: undefined,
    }),
    cpu: fc.tuple(fc.integer({ min: 100, max: 4000 }), fc.integer({ min: 0, max: 4000 })),
    memoryMi: fc.tuple(fc.integer({ min: 64, max: 65536 }), fc.integer({ min: 0, max: 65536 })),
    loadMinutes: fc.integer({ min: 1, max: 30 }),
    extraBudget: fc.integer({ min: 0, max: 30 }),
    env: fc.dictionary(envName, nastyString, { maxKeys: 5 }),
    secretEnv: fc.option(fc.tuple(envName, dnsLabel, dnsLabel), { nil: undefined }),
    modelPath: fc.option(nastyString, { nil: undefined }),
    storage: fc.option(fc.tuple(dnsLabel, fc.integer({ min: 1, max: 2000 }), fc.boolean()), { nil: undefined }),
    config: fc.option(
      fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/), nastyString, { minKeys: 1, maxKeys: 3 }),
      { nil: undefined },
    ),
    metrics: fc.boolean(),
  })
  .map((r) => {
    const env: Record<string, EnvValue> = {};
    for (const [k, v] of Object.entries(r.env)) env[k] = EnvValue.value(v);
    if (r.secretEnv && !(r.secretEnv[0] in env)) {
      const [name, secret, key] = r.secretEnv;
      env[name] = EnvValue.fromSecret(secret, key);
    }
    return {
      image: r.image,
      replicas: r.replicas,
      port: r.port,
      gpu: r.gpu,
      resources: {
        cpu: { request: Cpu.millis(r.cpu[0]), limit: Cpu.millis(r.cpu[0] + r.cpu[1]) },
        memory: { request: Size.mebibytes(r.memoryMi[0]), limit: Size.mebibytes(r.memoryMi[0] + r.memoryMi[1]) },
      },
      probes: {
        modelLoadTime: Duration.minutes(r.loadMinutes),
        startupBudget: Duration.minutes(r.loadMinutes + r.extraBudget),
      },
      env,
      modelPath: r.modelPath,
      modelStorage: r.storage
        ? r.storage[2]
          ? ModelStorage.newClaim({
              claimName: r.storage[0], size: Size.gibibytes(r.storage[1]), accessMode: 'ReadWriteMany',
            })
          : ModelStorage.existingClaim(r.storage[0])
        : undefined,
      configMapName: r.config ? `config-${r.image.split('/')[1].split(':')[0]}` : undefined,
      configData: r.config,
      metrics: r.metrics ? undefined : false,
    } satisfies PlatformAgentProps;
  });

/** One broken field, with the prop the error must name and the value it must show. */
export interface Breakage {
  readonly prop: string;
  readonly shown: string;
  readonly apply: (props: PlatformAgentProps) => PlatformAgentProps;
}

export const agentBreakage: fc.Arbitrary<Breakage> = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 2.25).map((count): Breakage => ({
    prop: 'gpu.count',
    shown: String(count),
    apply: (p) => ({ ...p, gpu: { type: GpuType.A10_24GB, count } }),
  })),
  fc
    .integer({ min: -100, max: -1 })
    .map((replicas): Breakage => ({ prop: 'replicas', shown: String(replicas), apply: (p) => ({ ...p, replicas }) })),
  fc
    .constantFrom(0, 65536, 1.5, -80)
    .map((port): Breakage => ({ prop: 'port', shown: String(port), apply: (p) => ({ ...p, port }) })),
  fc.constantFrom('Upper', 'under_score', '-lead', 'trail-', 'a'.repeat(64), 'dot.ted', '').map((name): Breakage => ({
    prop: 'name',
    shown: JSON.stringify(name).slice(0, 20),
    apply: (p) => ({ ...p, name }),
  })),
  fc
    .constantFrom('nginx', 'nginx:latest', 'registry.example.com/a', 'UPPER/case:1', 'a b:1')
    .map((image): Breakage => ({
      prop: 'image',
      shown: JSON.stringify(image),
      apply: (p) => ({ ...p, image }),
    })),
  fc.constantFrom('1BAD', 'BAD-NAME', 'A B', 'x;y', '').map((name): Breakage => ({
    prop: `env.${name}`,
    shown: JSON.stringify(name),
    apply: (p) => ({ ...p, env: { ...p.env, [name]: EnvValue.value('v') } }),
  })),
  fc.integer({ min: 2, max: 30 }).map((minutes): Breakage => ({
    prop: 'probes.startupBudget',
    shown: Duration.minutes(minutes - 1).toHumanString(),
    apply: (p) => ({
      ...p,
      probes: { modelLoadTime: Duration.minutes(minutes), startupBudget: Duration.minutes(minutes - 1) },
    }),
  })),
);
