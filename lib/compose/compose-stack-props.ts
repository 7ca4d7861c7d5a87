// Props of a ComposeStack and the options of its services: workloads, the gateway and Prometheus.
import { Duration, Size } from 'cdk8s';
import { ComposeGatewayTarget } from '../gateway/compose-gateway-target';
import { RestartPolicy } from '../docker/compose-file';

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
  /**
   * Files the gateway's nginx reads beside nginx.conf (the token-usage script), by name, read at synth time:
   * written to `./nginx/<name>` and mounted read-only at `/etc/nginx/<name>`.
   * @default - none (the platform passes its gateway's)
   */
  readonly nginxFiles?: () => Readonly<Record<string, string>>;
  /**
   * The gateway's request metrics, read at synth time: mtail's image and program. The stack runs it as
   * service `gateway-metrics` in the `nginx` service's network namespace (nginx sends it a line per request
   * over syslog on loopback) and Prometheus scrapes it at `nginx:3903`; the program is mounted from `./mtail/`.
   * @default - none (the platform passes its gateway's)
   */
  readonly requestMetrics?: () => ComposeRequestMetrics | undefined;
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
  /**
   * GPUs of the machine the stack runs on (`nvidia-smi -L` lists them). Docker gives a service that reserves
   * GPUs by count the first ones of the machine, so two such services would share device 0: with `gpus`, the
   * services that reserve by count get distinct devices in service order (`0`, `1`, ...), and synth fails when
   * they need more than the machine has; without it, synth fails when two or more services reserve by count.
   * @default - no devices pinned (allowed for at most one GPU service reserving by count)
   */
  readonly gpus?: number;
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

/** The gateway's request metrics as the stack runs them (service `gateway-metrics`). */
export interface ComposeRequestMetrics {
  /** The mtail image, pinned. */
  readonly image: string;
  /** The mtail program (mounted as `./mtail/gateway.mtail`). */
  readonly program: string;
}

/** How one workload runs in Compose. */
export interface ComposeWorkloadOptions {
  /**
   * Compose service name (a DNS label). The Kubernetes Service name becomes a network alias when it
   * differs, so URLs that name it resolve; Compose has no Service port, so they must use the container port.
   * @default - the workload's name
   */
  readonly serviceName?: string;
  /**
   * Containers of the service (`deploy.replicas`). Docker does not share out GPUs: with `count`, every
   * replica gets the same first devices; use `gpuDeviceIds` or one replica per GPU-sized model.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Reserve these GPUs (`nvidia-smi -L` indices or UUIDs) instead of the first `gpu.count`.
   * @default - `count: <gpu.count>`
   */
  readonly gpuDeviceIds?: string[];
  /**
   * Build the image from the generated Dockerfile when it cannot be pulled (`build:` beside `image:`);
   * false to only pull. `context` is relative to `dist/compose/` and must hold `requirements.txt` and
   * `src/` (and a Dockerfile, when it is not the generated folder).
   * @default - agents: `{ context: './<service>' }`, the folder with the generated Dockerfile; model services: false
   */
  readonly build?: {
    /** Build context relative to the stack folder. @default './<service>' */
    readonly context?: string;
    /** Base image of the generated Dockerfile. @default - the pinned CUDA runtime image */
    readonly baseImage?: string;
  } | false;
  /**
   * Health check command, run in the container without a shell.
   * @default - Python's urllib requests the readiness path (the generated Dockerfile's image has python3)
   */
  readonly healthCheckCommand?: string[];
}

/** The gateway service `nginx`. */
export interface ComposeGatewayOptions {
  /**
   * nginx image, pinned; unprivileged (listens on non-root ports).
   * @default - the gateway's image when the platform has one, else DEFAULT_GATEWAY_IMAGE
   */
  readonly image?: string;
  /** Host port for HTTP. @default 80 */
  readonly httpPort?: number;
  /** Host port for HTTPS. @default 443 */
  readonly httpsPort?: number;
  /** Path of the gateway's own health endpoint. @default '/health' */
  readonly healthPath?: string;
  /** Common name of the self-signed certificate the README's command creates. @default 'localhost' */
  readonly hostName?: string;
  /** @default Size.mebibytes(512) */
  readonly memoryLimit?: Size;
  /**
   * The nginx Prometheus exporter (service `nginx-exporter`, reading `stub_status`); false for none.
   * @default - `nginx/nginx-prometheus-exporter:1.5.1`, status on port 8081 at `/stub_status`
   * @see https://github.com/nginx/nginx-prometheus-exporter
   */
  readonly exporter?: {
    /** Exporter image, pinned. @default 'nginx/nginx-prometheus-exporter:1.5.1' */
    readonly image?: string;
    /** Unpublished port of nginx's `stub_status`. @default 8081 */
    readonly statusPort?: number;
    /** Path of `stub_status`. @default '/stub_status' */
    readonly statusPath?: string;
  } | false;
}

/** The `prometheus` service. */
export interface ComposePrometheusOptions {
  /** @default 'prom/prometheus:v2.53.3' */
  readonly image?: string;
  /** Host port of the UI and API, bound to 127.0.0.1 only; false to publish none. @default 9090 */
  readonly hostPort?: number | false;
  /** @default Duration.seconds(15) */
  readonly scrapeInterval?: Duration;
  /** @default Duration.seconds(15) */
  readonly evaluationInterval?: Duration;
  /** How long samples are kept (`--storage.tsdb.retention.time`). @default Duration.days(15) */
  readonly retention?: Duration;
  /** @default Size.gibibytes(2) */
  readonly memoryLimit?: Size;
}

/** The certificate the stack's nginx reads from `ssl/`: the host name it is for and the two file names. */
export interface StackCertificate {
  /** The host name it is for (its common name and subject alternative name). */
  readonly hostName: string;
  /** File name of the certificate (chain) in `ssl/`. */
  readonly certificateFile: string;
  /** File name of the private key in `ssl/`. */
  readonly keyFile: string;
}
