import { Chart, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerSecurityContext, podSecurityContext, selectorLabels, standardLabels } from '../core/pod';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { ResolvedPodSecurity, resolvePodSecurity } from '../core/pod-security';
import { validateRedisProps } from './_validate-redis-props';
import { ResourceRange } from './agent-values';
import { WorkloadRole } from './workload';
import { brand, hasBrand } from '../core/brand';

/** Name of Redis's container and Service port. @internal */
export const REDIS_PORT_NAME = 'redis';

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
   * Memory limit of the container (at least 64Mi); Redis's `maxmemory` is set to 80 % of it, with
   * `allkeys-lru` eviction.
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
  /** What the workload is for: the platform's cache. */
  public readonly role = WorkloadRole.CACHE;
  /** Container image. */
  public readonly image: string;
  /** Port of the container and the Service (named `redis`). */
  public readonly port = 6379;
  /** `redis://<name>:6379`, for the agents' `REDIS_URL`. */
  public readonly url: string;
  /** Size of the persistent volume as a Kubernetes quantity, e.g. `10Gi`. */
  public readonly storage: string;
  /** Storage class of the volume claim; undefined for the cluster's default. */
  public readonly storageClassName?: string;
  /** Labels that select exactly the Redis pod (the Service's selector). */
  public readonly selectorLabels: Record<string, string>;
  /** Labels on every object and pod of Redis. */
  public readonly labels: Record<string, string>;
  /** Redis's `maxmemory`: 80 % of the memory limit, in whole MiB. */
  public readonly maxMemory: Size;
  /** Arguments of `redis-server`: append-only persistence, snapshots, `maxmemory` with `allkeys-lru` eviction. */
  public readonly args: readonly string[];
  /** Requests and limits of the container, as Kubernetes quantities. */
  public readonly resources: {
    /** CPU (`"100m"`, `"1"`). */
    readonly cpu: ResourceRange<string>;
    /** Memory (`"256Mi"`, the memory limit). */
    readonly memory: ResourceRange<string>;
  };
  /** Pod security: the restricted profile as the image's `redis` user (999). */
  public readonly security: ResolvedPodSecurity;
  /** The Service. */
  public readonly service: k8s.KubeService;
  /** The StatefulSet (the `Resource` child). */
  public readonly statefulSet: k8s.KubeStatefulSet;

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    this.name = props.name ?? 'redis';
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    this.image = props.image ?? 'redis:7.2.5-alpine';
    const storage = props.storage ?? Size.gibibytes(10);
    const memoryLimit = props.memoryLimit ?? Size.mebibytes(1024);
    const partOf = props.partOf ?? 'ai-agent-platform';
    validateRedisProps(id, {
      name: this.name, namespace: this.namespace, image: this.image, storage, memoryLimit,
      storageClassName: props.storageClassName, partOf,
    });

    this.url = `redis://${this.name}:${this.port}`;
    this.storage = sizeQuantity(storage);
    this.storageClassName = props.storageClassName;
    this.selectorLabels = selectorLabels(this.name, partOf);
    this.labels = standardLabels(this.name, this.role, partOf);
    this.security = resolvePodSecurity({ runAsUser: 999, runAsGroup: 999 });
    this.maxMemory = Size.mebibytes(Math.floor((sizeKib(memoryLimit) / 1024) * 0.8));
    this.args = [
      '--appendonly', 'yes', '--save', '60', '1000',
      '--maxmemory', `${this.maxMemory.toMebibytes()}mb`, '--maxmemory-policy', 'allkeys-lru',
    ];
    this.resources = {
      cpu: { request: '100m', limit: '1' },
      memory: { request: '256Mi', limit: sizeQuantity(memoryLimit) },
    };

    this.service = this.renderService();
    this.statefulSet = this.renderStatefulSet();
  }

  private renderService(): k8s.KubeService {
    return new k8s.KubeService(this, 'Service', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels },
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        ports: [{
          name: REDIS_PORT_NAME, port: this.port, protocol: 'TCP',
          targetPort: k8s.IntOrString.fromString(REDIS_PORT_NAME),
        }],
      },
    });
  }

  private renderStatefulSet(): k8s.KubeStatefulSet {
    const labels = this.labels;
    return new k8s.KubeStatefulSet(this, 'Resource', {
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
            securityContext: podSecurityContext(this.security),
            containers: [this.container()],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: this.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(this.storage) } },
          },
        }],
      },
    });
  }

  private container(): k8s.Container {
    const q = (value: string) => k8s.Quantity.fromString(value);
    const probe = {
      exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3,
    };
    return {
      name: 'redis',
      image: this.image,
      imagePullPolicy: 'IfNotPresent',
      args: [...this.args],
      ports: [{ name: REDIS_PORT_NAME, containerPort: this.port, protocol: 'TCP' }],
      resources: {
        requests: { cpu: q(this.resources.cpu.request), memory: q(this.resources.memory.request) },
        limits: { cpu: q(this.resources.cpu.limit), memory: q(this.resources.memory.limit) },
      },
      readinessProbe: probe,
      livenessProbe: { ...probe, initialDelaySeconds: 15 },
      securityContext: containerSecurityContext(this.security),
      volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }],
    };
  }
}
