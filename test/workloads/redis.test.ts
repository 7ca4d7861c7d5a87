import { Size, Testing } from 'cdk8s';
import { Redis, WorkloadRole } from '../../lib';
import { expectValidKubernetes, findObject } from '../support/kube-schema';

describe('Redis', () => {
  test('is the platform\'s cache: its role, and the component label derived from it', () => {
    const chart = Testing.chart();
    const redis = new Redis(chart, 'redis', { namespace: 'ai-platform' });
    const objects = Testing.synth(chart);
    expectValidKubernetes(objects);
    expect(redis.role).toBe(WorkloadRole.CACHE);
    expect(objects.map((o: any) => o.metadata.labels['app.kubernetes.io/component'])).toEqual(['cache', 'cache']);
  });

  test('renders its resolved fields: args with maxmemory at 80 % of the limit, requests and limits', () => {
    const chart = Testing.chart();
    const redis = new Redis(chart, 'redis', { memoryLimit: Size.gibibytes(2) });
    const container = findObject(Testing.synth(chart), 'StatefulSet', 'redis').spec.template.spec.containers[0];
    expect(redis.maxMemory.toMebibytes()).toBe(1638);
    expect(container.args).toEqual([...redis.args]);
    expect(container.args).toEqual([
      '--appendonly',
      'yes',
      '--save',
      '60',
      '1000',
      '--maxmemory',
      '1638mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    expect(container.resources).toEqual({
      requests: { cpu: redis.resources.cpu.request, memory: redis.resources.memory.request },
      limits: { cpu: redis.resources.cpu.limit, memory: redis.resources.memory.limit },
    });
    expect(redis.resources.memory.limit).toBe('2Gi');
    expect(redis.node.defaultChild).toBe(redis.statefulSet);
  });

  test('an empty storage class (no dynamic provisioning) is the API server\'s own value: rendered as given', () => {
    const chart = Testing.chart();
    new Redis(chart, 'redis', { storageClassName: '' });
    const claim = findObject(Testing.synth(chart), 'StatefulSet', 'redis').spec.volumeClaimTemplates[0];
    expect(claim.spec.storageClassName).toBe('');
  });

  test('fails reporting every problem at once', () => {
    const chart = Testing.chart();
    expect(
      () =>
        new Redis(chart, 'redis', {
          name: 'Redis',
          image: 'redis:latest',
          storage: Size.gibibytes(0),
          memoryLimit: Size.mebibytes(32),
          storageClassName: 'Fast SSD',
          partOf: 'a;b',
        }),
    ).toThrow(
      [
        "Redis 'redis': name (\"Redis\") must be a DNS-1035 label: at most 63 lowercase letters, digits or '-',"
          + ' starting with a letter and ending with a letter or digit',
        "Redis 'redis': partOf (\"a;b\") must be a Kubernetes label value: empty, or at most 63 letters, digits, '-',"
          + " '_' or '.', starting and ending with a letter or digit",
        'Redis \'redis\': image ("redis:latest") must be pinned to a tag other than "latest" or to a digest',
        "Redis 'redis': storage (0Ki) must be larger than zero",
        "Redis 'redis': storageClassName (\"Fast SSD\") must be a DNS-1123 subdomain: at most 253 characters of"
          + " lowercase letters, digits, '-' and '.'",
        "Redis 'redis': memoryLimit (32Mi) must be at least 64Mi",
      ].join('\n'),
    );
  });
});
