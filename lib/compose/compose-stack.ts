import { ApiObject, Duration, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { cpuQuantity, memoryQuantity } from '../core/quantity';
import { sortedRecord } from '../core/records';
import { isDnsLabel } from '../core/validation';
import {
  DOCKERIGNORE, SecretVariable, certificateCommand, envExample, secretVariable, sslReadme, stackReadme, tenantKeysReadme,
} from './_stack-files';
import { validateComposeStackProps } from './_validate-compose-stack-props';
import { agentDockerfile, pythonHttpCheck } from './agent-dockerfile';
import { ComposeFile, ComposeHealthcheck, ComposeLogging, ComposeSecret, ComposeService, ComposeVariable, RestartPolicy } from '../docker/compose-file';
import { ComposeGatewayTarget } from '../gateway/compose-gateway-target';
import { ComposeGatewayOptions, ComposePrometheusOptions, ComposeWorkloadOptions } from './compose-stack-options';
import { renderDockerfile } from '../docker/dockerfile';
import { PrometheusScrapeConfig, renderPrometheusConfig } from '../prometheus/config';
import { renderComposeFile } from '../docker/render-compose-file';
import { DEFAULT_EXPORTER_IMAGE, DEFAULT_GATEWAY_IMAGE } from '../gateway/props';
import { TENANT_KEYS_DIRECTORY } from '../gateway/tenancy';
import { GpuAgentDeployment } from '../workloads/gpu-agent-deployment';
import { Artifact } from '../platform/platform-app';
import { Redis } from '../workloads/redis';
import { IAgentWorkload } from '../workloads/workload';
import { brand, hasBrand } from '../core/brand';

/** Props of {@link ComposeStack}. */
export interface ComposeStackProps {
  /**
   * Renders the gateway's nginx.conf for this stack (mounted from `./nginx/nginx.conf`). Called at
   * synth time with what the configuration must agree on.
   */
  readonly nginxConf: (target: ComposeGatewayTarget) => string;
  /**
   * Renders the Prometheus rule file (a plain `groups:` file), mounted from `./prometheus/rules/`.
   * @default - no rule file and no `rule_files`
   */
  readonly alertRules?: () => string;
  /** Folder of the stack in the output directory. @default 'compose' */
  readonly directory?: string;
  /**
   * Name of the Docker network, and prefix of the named volumes (`<name>-redis-data`).
   * @default - the platform's namespace
   */
  readonly name?: string;
  /**
   * How each workload runs, by workload name (`'ai-agent'`).
   * @default - see {@link ComposeWorkloadOptions}
   */
  readonly workloads?: Record<string, ComposeWorkloadOptions>;
  /** @default - see {@link ComposeGatewayOptions} */
  readonly gateway?: ComposeGatewayOptions;
  /** @default - see {@link ComposePrometheusOptions} */
  readonly prometheus?: ComposePrometheusOptions;
  /**
   * Restart policy of every service.
   * @default 'unless-stopped'
   */
  readonly restart?: RestartPolicy;
  /**
   * Log rotation of every service (json-file driver).
   * @default - 10 MiB per file, 5 files
   * @see https://docs.docker.com/engine/logging/drivers/json-file/
   */
  readonly logging?: {
    /** Size at which a log file is rotated (`max-size`). @default Size.mebibytes(10) */
    readonly maxSize?: Size;
    /** Rotated files kept (`max-file`). @default 5 */
    readonly maxFiles?: number;
  };
}

/**
 * The platform as the Compose target reads it. {@link AiAgentPlatform} implements it; the interface keeps
 * the dependency one way (platform → ComposeStack).
 */
export interface IComposePlatform extends IConstruct {
  /** The platform's namespace: the default name of the network and prefix of the volumes. */
  readonly namespaceName: string;
  /** Every workload; each becomes a Compose service. */
  readonly allWorkloads: GpuAgentDeployment[];
  /** The agents: they get a `build:` from the generated Dockerfile by default. */
  readonly agents: GpuAgentDeployment[];
  /** Redis, when the platform has one: it becomes the `redis` service. */
  readonly redis?: Redis;
  /** Tenants: each gets a Compose secret with its API key file, mounted into `nginx`. @default - none */
  readonly tenants?: ReadonlyArray<{
    /** The tenant's name: its secret is `tenant-<name>-api-keys`. */
    readonly name: string;
  }>;
  /** Registers the stack's files, rendered at synth time. */
  addArtifacts(producer: () => Artifact[]): void;
}

/** Service names the stack itself uses. */
const GATEWAY = 'nginx';
const EXPORTER = 'nginx-exporter';
const PROMETHEUS = 'prometheus';
const GATEWAY_HTTP = 8080;
const GATEWAY_HTTPS = 8443;
const GATEWAY_NOFILE = 65535;
const PROMETHEUS_PORT = 9090;
const EXPORTER_PORT = 9113;
const RULES_DIR = '/etc/prometheus/rules';
/** Named volumes of the stack's own services; model volumes are keyed by claim name beside them. */
const STACK_VOLUMES = ['prometheus-data', 'redis-data'];
/** Where the tenants' key files are read from: outside `dist/` in production (`npm run synth` replaces it). */
const TENANT_KEYS_DIR = ComposeVariable.withDefault('TENANT_KEYS_DIR', './secrets/tenants');

/** Header of the generated YAML files. */
const GENERATED = 'Generated by cdk8s-ai-agent-platform from the platform model (npm run synth): change the model, not this file.';

const HARDENED: Pick<ComposeService, 'capDrop' | 'securityOpt'> = { capDrop: ['ALL'], securityOpt: ['no-new-privileges:true'] };

/**
 * The Docker Compose target: renders `dist/compose/` from the platform model, a self-contained
 * single-machine stack for a GPU host (`docker compose -f dist/compose/docker-compose.yml up`).
 *
 * Services: `nginx` (the gateway, from {@link ComposeStackProps.nginxConf}; starts once every workload
 * is healthy), one service per workload (GPUs reserved with `deploy.resources.reservations.devices`,
 * model weights from an external named volume, an image built from the generated Dockerfile when it cannot be
 * pulled), `redis` (named volume), `prometheus` (config and alert rules mounted from `./prometheus/`)
 * and `nginx-exporter`. Every service has pinned images, resource limits, a restart policy, log
 * rotation, a read-only root filesystem, no capabilities and `no-new-privileges`, on one private
 * network; only the gateway (and Prometheus, on 127.0.0.1) publish ports. Secret environment
 * variables (`EnvValue.fromSecret`) become required `.env` variables, listed in `.env.example`.
 *
 * A workload is one Compose service with `deploy.replicas`, not one service per weighted upstream
 * server: its replicas are identical containers on one host, so the weights and backup server that
 * describe heterogeneous machines in the standalone nginx.conf mean nothing here. Docker's DNS answers
 * the service name with every replica's address and nginx balances over them.
 *
 * @see https://github.com/compose-spec/compose-spec/blob/main/spec.md
 */
export class ComposeStack extends Construct {
  /** Returns true when `x` is a ComposeStack, also one made by another copy of this package (symbol brand). */
  public static isComposeStack(x: unknown): x is ComposeStack {
    return hasBrand(x, 'ComposeStack');
  }

  static {
    brand(this, 'ComposeStack');
  }

  /** Folder of the stack in the output directory. */
  public readonly directory: string;
  /** Name of the Docker network and prefix of the named volumes. */
  public readonly name: string;
  /** Image of the `nginx` service. */
  public readonly gatewayImage: string;
  /** Image of the `prometheus` service. */
  public readonly prometheusImage: string;
  /** The exporter's image, unless the exporter is off. */
  public readonly exporterImage?: string;
  /** Restart policy of every service. */
  public readonly restart: RestartPolicy;
  /** Common name of the self-signed certificate the README's command creates. */
  public readonly hostName: string;

  private readonly platform: IComposePlatform;
  private readonly props: ComposeStackProps;

  constructor(scope: Construct & IComposePlatform, id: string, props: ComposeStackProps) {
    super(scope, id);
    this.platform = scope;
    this.props = props;
    this.directory = props.directory ?? 'compose';
    this.name = props.name ?? scope.namespaceName;
    this.gatewayImage = props.gateway?.image ?? DEFAULT_GATEWAY_IMAGE;
    this.prometheusImage = props.prometheus?.image ?? 'prom/prometheus:v2.53.3';
    if (props.gateway?.exporter !== false) this.exporterImage = props.gateway?.exporter?.image ?? DEFAULT_EXPORTER_IMAGE;
    this.restart = props.restart ?? 'unless-stopped';
    this.hostName = props.gateway?.hostName ?? 'localhost';

    validateComposeStackProps(id, props, {
      directory: this.directory, name: this.name, gatewayImage: this.gatewayImage, prometheusImage: this.prometheusImage, exporterImage: this.exporterImage,
    });

    // Workloads are added before or after the stack: what spans constructs is checked at synth.
    this.node.addValidation({ validate: () => this.validateAgainstPlatform() });
    scope.addArtifacts(() => this.artifacts());
  }

  /** The Compose service name of a workload of the platform. */
  public serviceNameOf(workload: IAgentWorkload): string {
    const found = this.platform.allWorkloads.find((w) => w === workload || w.name === workload.name);
    if (!found) throw new Error(`ComposeStack '${this.node.id}': workload '${workload.name}' is not part of the platform`);
    return this.options(found).serviceName ?? found.name;
  }

  /** What the gateway's nginx.conf must agree on (passed to {@link ComposeStackProps.nginxConf}). */
  public get gatewayTarget(): ComposeGatewayTarget {
    const exporter = this.props.gateway?.exporter;
    return {
      serviceNameOf: (w) => this.serviceNameOf(w),
      upstreamServerOf: (w) => `${this.serviceNameOf(w)}:${w.containerPort}`,
      httpPort: GATEWAY_HTTP,
      httpsPort: GATEWAY_HTTPS,
      certificatePath: '/etc/nginx/ssl/cert.pem',
      certificateKeyPath: '/etc/nginx/ssl/key.pem',
      healthPath: this.props.gateway?.healthPath ?? '/health',
      status: exporter === false ? undefined : { port: exporter?.statusPort ?? 8081, path: exporter?.statusPath ?? '/stub_status' },
      pidPath: '/tmp/nginx.pid',
      tempDirectory: '/tmp',
      maxOpenFiles: GATEWAY_NOFILE,
      resolver: '127.0.0.11',
    };
  }

  /** The Compose model of the stack (what `docker-compose.yml` is rendered from). */
  public composeFile(): ComposeFile {
    const services: Record<string, ComposeService> = {};
    const volumes: Record<string, { name: string; external?: boolean }> = {};
    const network = { [this.name]: {} };
    const logging = this.logging();
    const common = { restart: this.restart, logging, ...HARDENED };
    const workloads = this.platform.allWorkloads;
    const redis = this.platform.redis;

    services[GATEWAY] = {
      image: this.gatewayImage,
      ports: [
        { published: this.props.gateway?.httpPort ?? 80, target: GATEWAY_HTTP },
        { published: this.props.gateway?.httpsPort ?? 443, target: GATEWAY_HTTPS },
      ],
      mounts: [
        { type: 'bind', source: './nginx/nginx.conf', target: '/etc/nginx/nginx.conf', readOnly: true },
        { type: 'bind', source: './ssl', target: '/etc/nginx/ssl', readOnly: true },
      ],
      secrets: this.tenantSecrets().map(([source, tenant]) => ({ source, target: `${TENANT_KEYS_DIRECTORY}/${tenant}.map` })),
      tmpfs: ['/tmp'],
      readOnly: true,
      networks: network,
      dependsOn: Object.fromEntries(workloads.map((w) => [this.serviceNameOf(w), 'service_healthy' as const])),
      healthcheck: {
        command: ['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${GATEWAY_HTTP}${this.gatewayTarget.healthPath}`],
        interval: Duration.seconds(10), timeout: Duration.seconds(3), retries: 3, startPeriod: Duration.seconds(5),
      },
      resources: { limits: { cpus: 2, memory: this.props.gateway?.memoryLimit ?? Size.mebibytes(512) }, reservations: { memory: Size.mebibytes(64) } },
      ulimits: { nofile: { soft: GATEWAY_NOFILE, hard: GATEWAY_NOFILE } },
      // nginx stops gracefully (the image's STOPSIGNAL is SIGQUIT): let in-flight generations finish.
      stopGracePeriod: Duration.seconds(Math.max(10, ...workloads.map((w) => w.terminationGracePeriod.toSeconds()))),
      ...common,
    };

    for (const workload of workloads) {
      const service = this.workloadService(workload, common);
      services[this.serviceNameOf(workload)] = service;
      for (const mount of service.mounts ?? []) {
        // Model weights are loaded out of band (README): without them, `up` stops at the missing volume.
        if (mount.type === 'volume') volumes[mount.source] = { name: `${this.name}-${mount.source}`, external: true };
      }
    }

    if (redis) {
      services[redis.name] = this.redisService(redis, common);
      volumes['redis-data'] = { name: `${this.name}-redis-data` };
    }

    const hostPort = this.props.prometheus?.hostPort;
    services[PROMETHEUS] = {
      image: this.prometheusImage,
      command: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        `--storage.tsdb.retention.time=${compactDuration(this.props.prometheus?.retention ?? Duration.days(15))}`,
      ],
      ports: hostPort === false ? undefined : [{ hostIp: '127.0.0.1', published: hostPort ?? PROMETHEUS_PORT, target: PROMETHEUS_PORT }],
      mounts: [
        { type: 'bind', source: './prometheus/prometheus.yml', target: '/etc/prometheus/prometheus.yml', readOnly: true },
        ...(this.props.alertRules ? [{ type: 'bind' as const, source: './prometheus/rules', target: RULES_DIR, readOnly: true }] : []),
        { type: 'volume', source: 'prometheus-data', target: '/prometheus' },
      ],
      readOnly: true,
      networks: network,
      healthcheck: {
        command: ['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${PROMETHEUS_PORT}/-/healthy`],
        interval: Duration.seconds(15), timeout: Duration.seconds(3), retries: 3, startPeriod: Duration.seconds(30),
      },
      resources: { limits: { cpus: 1, memory: this.props.prometheus?.memoryLimit ?? Size.gibibytes(2) }, reservations: { memory: Size.mebibytes(256) } },
      ...common,
    };
    volumes['prometheus-data'] = { name: `${this.name}-prometheus-data` };

    const status = this.gatewayTarget.status;
    if (this.exporterImage && status) {
      // The exporter image has no shell or HTTP client, so it has no health check; Prometheus's `up` covers it.
      services[EXPORTER] = {
        image: this.exporterImage,
        command: [`--nginx.scrape-uri=http://${GATEWAY}:${status.port}${status.path}`],
        readOnly: true,
        networks: network,
        dependsOn: { [GATEWAY]: 'service_healthy' },
        resources: { limits: { cpus: 0.25, memory: Size.mebibytes(64) } },
        ...common,
      };
    }

    const secrets: Record<string, ComposeSecret> = Object.fromEntries(this.tenantSecrets()
      .map(([source, tenant]) => [source, { directory: TENANT_KEYS_DIR, file: `${tenant}.map` }]));
    return { comment: GENERATED, services, networks: { [this.name]: { name: this.name } }, volumes: sortedRecord(volumes), secrets };
  }

  /** Every file of the stack, with paths relative to the output directory. */
  public artifacts(): Artifact[] {
    const files: Array<[string, string]> = [];
    const file = this.composeFile();
    files.push(['docker-compose.yml', renderComposeFile(file)]);
    files.push(['nginx/nginx.conf', this.props.nginxConf(this.gatewayTarget)]);
    files.push(['ssl/README.md', sslReadme(this.hostName)]);
    const tenants = this.tenantSecrets().map(([, tenant]) => tenant);
    if (tenants.length) files.push(['secrets/tenants/README.md', tenantKeysReadme(TENANT_KEYS_DIR.name, tenants)]);
    files.push(['prometheus/prometheus.yml', this.prometheusConfig()]);
    if (this.props.alertRules) files.push(['prometheus/rules/alerts.yml', this.props.alertRules()]);
    for (const workload of this.platform.allWorkloads) {
      const service = this.serviceNameOf(workload);
      const data = configMapData(workload);
      if (data && workload.configMapName) {
        for (const key of Object.keys(data).sort()) files.push([`config/${workload.configMapName}/${key}`, data[key]]);
      }
      const build = this.buildOf(workload);
      if (build) {
        files.push([`${service}/Dockerfile`, renderDockerfile(agentDockerfile({
          baseImage: build.baseImage,
          port: workload.containerPort,
          healthPath: workload.healthPath,
          startPeriod: workload.startupBudget,
          uid: workload.security.runAsUser,
          gid: workload.security.runAsGroup,
        }))]);
        files.push([`${service}/.dockerignore`, DOCKERIGNORE]);
      }
    }
    const variables = this.secretVariables();
    if (variables.length) files.push(['.env.example', envExample(variables)]);
    files.push(['README.md', this.readme(variables.length > 0)]);
    return files.map(([p, content]) => ({ path: `${this.directory}/${p}`, content }));
  }

  /** `[secret name, tenant]` for every tenant, in the platform's order. */
  private tenantSecrets(): Array<[string, string]> {
    return (this.platform.tenants ?? []).map((t) => [`tenant-${t.name}-api-keys`, t.name]);
  }

  private options(workload: GpuAgentDeployment): ComposeWorkloadOptions {
    return this.props.workloads?.[workload.name] ?? {};
  }

  private buildOf(workload: GpuAgentDeployment): { context: string; baseImage?: string } | undefined {
    const build = this.options(workload).build;
    if (build === false || (build === undefined && !this.platform.agents.includes(workload))) return undefined;
    return { context: build?.context ?? `./${this.serviceNameOf(workload)}`, baseImage: build?.baseImage };
  }

  private workloadService(workload: GpuAgentDeployment, common: Partial<ComposeService>): ComposeService {
    const options = this.options(workload);
    const redis = this.platform.redis;
    const deployment = workload.deployment.toJson() as { spec: { template: { spec: { volumes?: Array<{ name: string; emptyDir?: { sizeLimit?: string } }> } } } };
    const shm = deployment.spec.template.spec.volumes?.find((vol) => vol.name === 'dshm')?.emptyDir?.sizeLimit;
    const serviceName = this.serviceNameOf(workload);
    const build = this.buildOf(workload);
    const mounts: NonNullable<ComposeService['mounts']> = [];
    if (workload.modelStorage) mounts.push({ type: 'volume', source: workload.modelStorage.claimName, target: workload.modelStorage.mountPath, readOnly: true });
    if (workload.configMapName && configMapData(workload)) {
      mounts.push({ type: 'bind', source: `./config/${workload.configMapName}`, target: workload.configMountPath, readOnly: true });
    }
    const usesRedis = redis !== undefined && workload.env.some(({ value }) => value.value?.includes(redis.url));
    const gpu = workload.gpu;
    const healthCommand = options.healthCheckCommand
      ?? pythonHttpCheck(`http://127.0.0.1:${workload.containerPort}${workload.readyPath}`);
    const healthcheck: ComposeHealthcheck = {
      command: healthCommand, interval: Duration.seconds(10), timeout: Duration.seconds(5), retries: 3, startPeriod: workload.startupBudget,
    };
    return {
      image: workload.image,
      build: build ? { context: build.context, dockerfile: 'Dockerfile' } : undefined,
      user: `${workload.security.runAsUser}:${workload.security.runAsGroup}`,
      environment: workload.env.map(({ name, value }) => ({ name, value: value.secret ? secretVariable(value.secret.secretName, value.secret.key) : value.value ?? '' })),
      mounts,
      tmpfs: workload.security.readOnlyRootFilesystem ? workload.security.writablePaths : undefined,
      readOnly: workload.security.readOnlyRootFilesystem,
      networks: { [this.name]: workload.serviceName !== serviceName ? { aliases: [workload.serviceName] } : {} },
      dependsOn: usesRedis ? { [redis!.name]: 'service_healthy' } : undefined,
      healthcheck,
      replicas: options.replicas ?? 1,
      resources: {
        limits: { cpus: cpuQuantity(workload.resources.cpu.limit), memory: memoryQuantity(workload.resources.memory.limit) },
        reservations: {
          cpus: cpuQuantity(workload.resources.cpu.request),
          memory: memoryQuantity(workload.resources.memory.request),
          devices: gpu ? [{
            driver: 'nvidia',
            ...(options.gpuDeviceIds ? { deviceIds: options.gpuDeviceIds } : { count: gpu.count }),
            capabilities: ['gpu'],
          }] : undefined,
        },
      },
      stopGracePeriod: workload.terminationGracePeriod,
      shmSize: shm ? memoryQuantity(shm) : undefined,
      ...common,
    };
  }

  private redisService(redis: Redis, common: Partial<ComposeService>): ComposeService {
    const statefulSet = (redis.node.findChild('Resource') as ApiObject).toJson() as {
      spec: { template: { spec: { containers: Array<{ args: string[]; resources: { requests: Record<string, string>; limits: Record<string, string> } }> } } };
    };
    const container = statefulSet.spec.template.spec.containers[0];
    return {
      image: redis.image,
      command: ['redis-server', ...container.args],
      user: '999:999',
      mounts: [{ type: 'volume', source: 'redis-data', target: '/data' }],
      tmpfs: ['/tmp'],
      readOnly: true,
      networks: { [this.name]: {} },
      healthcheck: {
        command: ['redis-cli', 'ping'], interval: Duration.seconds(10), timeout: Duration.seconds(3), retries: 3, startPeriod: Duration.seconds(30),
      },
      resources: {
        limits: { cpus: cpuQuantity(container.resources.limits.cpu), memory: memoryQuantity(container.resources.limits.memory) },
        reservations: { cpus: cpuQuantity(container.resources.requests.cpu), memory: memoryQuantity(container.resources.requests.memory) },
      },
      ...common,
    };
  }

  private prometheusConfig(): string {
    const jobs: PrometheusScrapeConfig[] = [{ jobName: PROMETHEUS, staticTargets: [`localhost:${PROMETHEUS_PORT}`] }];
    if (this.exporterImage && this.gatewayTarget.status) jobs.push({ jobName: GATEWAY, staticTargets: [`${EXPORTER}:${EXPORTER_PORT}`] });
    for (const workload of this.platform.allWorkloads) {
      if (!workload.metrics) continue;
      const service = this.serviceNameOf(workload);
      jobs.push({ jobName: service, metricsPath: workload.metrics.path, dnsTargets: { names: [service], port: workload.metrics.port } });
    }
    return renderPrometheusConfig({
      comment: GENERATED,
      scrapeInterval: this.props.prometheus?.scrapeInterval ?? Duration.seconds(15),
      evaluationInterval: this.props.prometheus?.evaluationInterval ?? Duration.seconds(15),
      ruleFiles: this.props.alertRules ? [`${RULES_DIR}/*.yml`] : undefined,
      scrapeConfigs: jobs,
    });
  }

  private logging(): ComposeLogging {
    return {
      driver: 'json-file',
      options: {
        'max-size': sizeOption(this.props.logging?.maxSize ?? Size.mebibytes(10)),
        'max-file': String(this.props.logging?.maxFiles ?? 5),
      },
    };
  }

  /** Required `.env` variables, one per Secret key, sorted. */
  private secretVariables(): SecretVariable[] {
    const byName = new Map<string, SecretVariable>();
    for (const workload of this.platform.allWorkloads) {
      for (const { name, value } of workload.env) {
        if (!value.secret) continue;
        const variable = secretVariable(value.secret.secretName, value.secret.key);
        const entry = byName.get(variable.name) ?? { variable, secretName: value.secret.secretName, key: value.secret.key, uses: [] };
        entry.uses.push(`${this.serviceNameOf(workload)}: ${name}`);
        byName.set(variable.name, entry);
      }
    }
    return [...byName.values()].sort((a, b) => (a.variable.name < b.variable.name ? -1 : 1));
  }

  private validateAgainstPlatform(): string[] {
    const problems: string[] = [];
    const prefix = `ComposeStack '${this.node.id}': `;
    const workloads = this.platform.allWorkloads;
    for (const name of Object.keys(this.props.workloads ?? {})) {
      if (!workloads.some((w) => w.name === name)) {
        problems.push(`${prefix}workloads.${name} names no workload of the platform (workloads: ${workloads.map((w) => w.name).join(', ') || 'none'})`);
      }
    }
    const taken = new Map<string, string>([[GATEWAY, 'the gateway'], [PROMETHEUS, 'Prometheus']]);
    if (this.exporterImage) taken.set(EXPORTER, 'the nginx exporter');
    if (this.platform.redis) taken.set(this.platform.redis.name, 'Redis');
    for (const w of workloads) {
      const service = this.options(w).serviceName ?? w.name;
      if (!isDnsLabel(service)) problems.push(`${prefix}service name ("${service}") of workload '${w.name}' must be a DNS-1123 label`);
      const owner = taken.get(service);
      if (owner) problems.push(`${prefix}service name ("${service}") of workload '${w.name}' is already used by ${owner}; set workloads.${w.name}.serviceName`);
      taken.set(service, `workload '${w.name}'`);
      if (w.gpu && w.gpu.type.resourceName !== 'nvidia.com/gpu') {
        problems.push(`${prefix}workload '${w.name}' requests GPU resource ("${w.gpu.type.resourceName}"); Compose reserves only NVIDIA GPUs (nvidia.com/gpu)`);
      }
      if (this.options(w).gpuDeviceIds && !w.gpu) problems.push(`${prefix}workloads.${w.name}.gpuDeviceIds is set, but the workload requests no GPU`);
      if (w.modelStorage && STACK_VOLUMES.includes(w.modelStorage.claimName)) {
        problems.push(`${prefix}workload '${w.name}' mounts claim ("${w.modelStorage.claimName}"), the name of a volume of the stack (${STACK_VOLUMES.join(', ')}); rename the claim`);
      }
    }
    return problems;
  }

  /** The one command that creates a self-signed pair in `ssl/`, run from the stack's folder. */
  public certificateCommand(): string {
    return certificateCommand(this.hostName);
  }

  private readme(hasEnv: boolean): string {
    const hostPort = this.props.prometheus?.hostPort;
    return stackReadme({
      hostName: this.hostName,
      hasEnv,
      modelVolumes: [...new Set(this.platform.allWorkloads.flatMap((w) => (w.modelStorage ? [`${this.name}-${w.modelStorage.claimName}`] : [])))],
      httpPort: this.props.gateway?.httpPort ?? 80,
      httpsPort: this.props.gateway?.httpsPort ?? 443,
      prometheusPort: hostPort === false ? undefined : hostPort ?? PROMETHEUS_PORT,
      tenantKeysVariable: this.tenantSecrets().length ? TENANT_KEYS_DIR.name : undefined,
      built: this.platform.allWorkloads.flatMap((w) => {
        const build = this.buildOf(w);
        return build ? [{ service: this.serviceNameOf(w), context: build.context }] : [];
      }),
    });
  }
}

/** The ConfigMap data a workload creates, when it creates one. */
function configMapData(workload: GpuAgentDeployment): Record<string, string> | undefined {
  const child = workload.node.tryFindChild('Config');
  if (!(child instanceof ApiObject)) return undefined;
  return (child.toJson() as { data?: Record<string, string> }).data;
}

/** A Docker log-option size (`10m`). */
function sizeOption(size: Size): string {
  const kib = size.toKibibytes();
  return kib % 1024 === 0 ? `${kib / 1024}m` : `${kib}k`;
}

/** A Prometheus duration (`15d`, `12h`). */
function compactDuration(d: Duration): string {
  const s = d.toSeconds();
  for (const [unit, factor] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s % factor === 0) return `${s / factor}${unit}`;
  }
  return `${s}s`;
}
