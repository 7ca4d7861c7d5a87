import { Chart, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerSecurityContext, podSecurityContext, selectorLabels, standardLabels } from '../core/pod';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { PropsValidator, raw } from '../core/validation';
import { isPinnedImage } from './agent-values';
import { resolvePodSecurity } from '../core/pod-security';
import { brand, hasBrand } from '../core/brand';

/** Props of {@link Redis}. */
export interface RedisProps {
  /** Name of the StatefulSet and Service. @default 'redis' */
  readonly name?: string;
  /** Namespace. @default - the chart's namespace, else `default` */
  readonly namespace?: string;
  /** Image, pinned. @default 'redis:7.2.5-alpine' */
  readonly image?: string;
  /**
   * Size of the persistent volume (the StatefulSet's volume claim, mounted at `/data`).
   * @default Size.gibibytes(10)
   * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/
   */
  readonly storage?: Size;
  /**
   * Storage class of the volume claim.
   * @default - the cluster's default class
   * @see https://kubernetes.io/docs/concepts/storage/storage-classes/
   */
  readonly storageClassName?: string;
  /**
   * Memory limit of the container (at least 64Mi); Redis's `maxmemory` is set to 80 % of it, with `allkeys-lru` eviction.
   * @default Size.mebibytes(1024)
   * @see https://redis.io/docs/latest/develop/reference/eviction/
   */
  readonly memoryLimit?: Size;
  /** Value of the `app.kubernetes.io/part-of` label. @default 'ai-agent-platform' */
  readonly partOf?: string;
}

/**
 * Redis with persistent storage (append-only file on a PersistentVolumeClaim): a one-replica
 * StatefulSet and its Service, under the restricted pod security profile (the image's `redis` user, 999).
 *
 * The StatefulSet is the construct's `Resource` child.
 */
export class Redis extends Construct {
  /** Returns true when `x` is a Redis, also one made by another copy of this package (symbol brand). */
  public static isRedis(x: unknown): x is Redis {
    return hasBrand(x, 'Redis');
  }

  static {
    brand(this, 'Redis');
  }

  /** Name of the StatefulSet and Service. */
  public readonly name: string;
  /** Namespace of the StatefulSet and Service. */
  public readonly namespace: string;
  /** Container image. */
  public readonly image: string;
  /** Port of the container and the Service (named `redis`). */
  public readonly port = 6379;
  /** `redis://<name>:6379`, for the agents' `REDIS_URL`. */
  public readonly url: string;
  /** Size of the persistent volume as a Kubernetes quantity, e.g. `10Gi`. */
  public readonly storage: string;
  /** Labels that select exactly the Redis pod (the Service's selector). */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'redis';
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.image = props.image ?? 'redis:7.2.5-alpine';
    const storage = props.storage ?? Size.gibibytes(10);
    const memoryLimit = props.memoryLimit ?? Size.mebibytes(1024);
    const v = new PropsValidator('Redis', id);
    v.dnsLabel('name', this.name).dnsLabel('namespace', this.namespace);
    v.check(isPinnedImage(this.image), 'image', this.image, 'must be pinned to a tag other than "latest" or to a digest');
    v.check(sizeKib(storage) > 0, 'storage', raw(sizeQuantity(storage)), 'must be larger than zero');
    v.check(sizeKib(memoryLimit) >= 64 * 1024, 'memoryLimit', raw(sizeQuantity(memoryLimit)), 'must be at least 64Mi');
    v.throwIfAny();

    this.url = `redis://${this.name}:${this.port}`;
    this.storage = sizeQuantity(storage);
    const partOf = props.partOf ?? 'ai-agent-platform';
    this.selectorLabels = selectorLabels(this.name, partOf);
    const labels = standardLabels(this.name, 'cache', partOf);
    const security = resolvePodSecurity({ runAsUser: 999, runAsGroup: 999 });
    const maxMemoryMb = Math.floor((sizeKib(memoryLimit) / 1024) * 0.8);
    const probe = { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 };

    new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [{ name: 'redis', port: this.port, targetPort: k8s.IntOrString.fromString('redis'), protocol: 'TCP' }],
      },
    });

    new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        serviceName: this.name,
        replicas: 1,
        selector: { matchLabels: this.selectorLabels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(security),
            containers: [{
              name: 'redis',
              image: this.image,
              imagePullPolicy: 'IfNotPresent',
              args: ['--appendonly', 'yes', '--save', '60', '1000', '--maxmemory', `${maxMemoryMb}mb`, '--maxmemory-policy', 'allkeys-lru'],
              ports: [{ name: 'redis', containerPort: this.port, protocol: 'TCP' }],
              resources: {
                requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') },
                limits: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString(sizeQuantity(memoryLimit)) },
              },
              readinessProbe: probe,
              livenessProbe: { ...probe, initialDelaySeconds: 15 },
              securityContext: containerSecurityContext(security),
              volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(this.storage) } },
          },
        }],
      },
    });
  }
}
