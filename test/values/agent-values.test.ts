import { Size } from 'cdk8s';
import { EnvValue, GpuType, ModelStorage } from '../../lib';
import { ENV_VALUE_ALLOWED } from '../../lib/workloads/agent-values';

describe('GpuType', () => {
  test('the catalog: name, node label value, memory and the NVIDIA device-plugin resource of each GPU', () => {
    expect(GpuType.CATALOG.map((g) => [String(g), g.nodeLabelValue, g.memory.toGibibytes(), g.resourceName])).toEqual([
      ['NVIDIA A100 40GB', 'nvidia-a100', 40, 'nvidia.com/gpu'],
      ['NVIDIA A100 80GB', 'nvidia-a100-80gb', 80, 'nvidia.com/gpu'],
      ['NVIDIA H100 80GB', 'nvidia-h100', 80, 'nvidia.com/gpu'],
      ['NVIDIA A10 24GB', 'nvidia-a10', 24, 'nvidia.com/gpu'],
      ['NVIDIA L4 24GB', 'nvidia-l4', 24, 'nvidia.com/gpu'],
      ['NVIDIA T4 16GB', 'nvidia-t4', 16, 'nvidia.com/gpu'],
      ['NVIDIA V100 16GB', 'nvidia-v100', 16, 'nvidia.com/gpu'],
      ['NVIDIA V100 32GB', 'nvidia-v100-32gb', 32, 'nvidia.com/gpu'],
    ]);
  });

  test('looks a GPU up by its node label; an unknown label names every known one', () => {
    expect(GpuType.fromNodeLabel('nvidia-l4')).toBe(GpuType.L4_24GB);
    expect(GpuType.fromNodeLabel('nvidia-a100-80gb')).toBe(GpuType.A100_80GB);
    expect(() => GpuType.fromNodeLabel('nvidia-b200')).toThrow(
      'GpuType: unknown GPU node label ("nvidia-b200"); known: nvidia-a100, nvidia-a100-80gb, nvidia-h100, ' +
        'nvidia-a10, nvidia-l4, nvidia-t4, nvidia-v100, nvidia-v100-32gb (or use GpuType.custom)',
    );
  });

  test('a custom GPU takes the NVIDIA resource name unless given another', () => {
    const mi = GpuType.custom({ name: 'AMD MI300X', nodeLabelValue: 'amd-mi300x', memory: Size.gibibytes(192),
      resourceName: 'amd.com/gpu' });
    expect([String(mi), mi.nodeLabelValue, mi.memory.toGibibytes(), mi.resourceName])
      .toEqual(['AMD MI300X', 'amd-mi300x', 192, 'amd.com/gpu']);
    expect(GpuType.custom({ name: 'B200', nodeLabelValue: 'nvidia-b200', memory: Size.gibibytes(192) }).resourceName)
      .toBe('nvidia.com/gpu');
    expect(GpuType.isGpuType(mi)).toBe(true);
    expect(GpuType.isGpuType({ name: 'x', nodeLabelValue: 'y' })).toBe(false);
  });
});

describe('ModelStorage', () => {
  test('an existing claim is mounted at /models unless told otherwise, and creates nothing', () => {
    expect(ModelStorage.existingClaim('weights')).toEqual({ claimName: 'weights', mountPath: '/models' });
    expect(ModelStorage.existingClaim('weights', { mountPath: '/data' }).mountPath).toBe('/data');
    expect(ModelStorage.existingClaim('weights').newClaim).toBeUndefined();
  });

  test('a new claim carries its size, class and access mode', () => {
    const s = ModelStorage.newClaim({ claimName: 'w', size: Size.gibibytes(100), storageClassName: 'fast',
      accessMode: 'ReadOnlyMany', mountPath: '/m' });
    expect([s.claimName, s.mountPath, s.newClaim?.size.toGibibytes(), s.newClaim?.storageClassName,
      s.newClaim?.accessMode]).toEqual(['w', '/m', 100, 'fast', 'ReadOnlyMany']);
    const d = ModelStorage.newClaim({ claimName: 'w', size: Size.gibibytes(1) });
    // ReadWriteOnce: what a default (block storage) class provides.
    expect([d.mountPath, d.newClaim?.storageClassName, d.newClaim?.accessMode]).toEqual(['/models', undefined,
      'ReadWriteOnce']);
  });
});

describe('EnvValue', () => {
  test('a literal value, or a Secret key; never both', () => {
    expect(EnvValue.value('info')).toEqual({ value: 'info', secret: undefined });
    expect(EnvValue.fromSecret('api-keys', 'openai')).toEqual({
      value: undefined,
      secret: { secretName: 'api-keys', key: 'openai' },
    });
  });

  test('what an env entry may be, as errors say it', () => {
    expect(ENV_VALUE_ALLOWED).toBe('must be an EnvValue of cdk8s-ai-agent-platform (EnvValue.value(text) or '
      + 'EnvValue.fromSecret(secretName, key)), not a cdk8s-plus EnvValue or another object');
  });

  test('the brand tells ours from look-alikes (a cdk8s-plus EnvValue has the same shape)', () => {
    expect(EnvValue.isEnvValue(EnvValue.value(''))).toBe(true);
    for (const other of [{ value: 'x' }, undefined, null, 'x']) expect(EnvValue.isEnvValue(other)).toBe(false);
  });
});
