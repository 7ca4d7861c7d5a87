import { Duration, Size } from 'cdk8s';

/**
 * A typed subset of the Compose Specification: what the platform's single-machine stack needs, in the
 * spelling of this library (camelCase, cdk8s `Duration` and `Size`). {@link renderComposeFile} is the one
 * serializer that turns it into `docker-compose.yml`.
 *
 * Every string in the model is literal: the serializer escapes `$` so Compose does not interpolate it.
 * Values that come from the environment (`.env`) are {@link ComposeVariable}s.
 *
 * @see https://github.com/compose-spec/compose-spec/blob/main/spec.md
 */
export interface ComposeFile {
  /** Comment lines at the top of the file. @default - none */
  readonly comment?: string;
  /** Services, rendered in insertion order. */
  readonly services: Record<string, ComposeService>;
  /** Networks, by key (the key services refer to). @default - none: Compose's `default` network only */
  readonly networks?: Record<string, ComposeNetwork>;
  /** Named volumes. @default - none */
  readonly volumes?: Record<string, ComposeVolume>;
  /** Secrets: files on the host, mounted read-only into the services that list them. @default - none */
  readonly secrets?: Record<string, ComposeSecret>;
}

/**
 * A secret read from a file on the host (`file:`). The path is `directory/file`, where `directory` may be
 * a variable with a default, so the real files can live outside the generated folder.
 * @see https://github.com/compose-spec/compose-spec/blob/main/09-secrets.md
 */
export interface ComposeSecret {
  /** File name (or path) below the directory. */
  readonly file: string;
  /** Directory, relative to the Compose file or absolute; a {@link ComposeVariable} to let the environment choose. */
  readonly directory: string | ComposeVariable;
}

/** A value Compose interpolates from the shell environment or the `.env` file beside the Compose file. */
export class ComposeVariable {
  /**
   * A variable that must be set: `${NAME:?message}`. Compose refuses to start (and `config` fails) with
   * `message` when it is unset or empty.
   * @see https://github.com/compose-spec/compose-spec/blob/main/12-interpolation.md
   */
  public static required(name: string, message: string): ComposeVariable {
    checkVariable(name, 'message', message);
    return new ComposeVariable(name, message, ':?');
  }

  /**
   * A variable with a default: `${NAME:-default}` (the default when unset or empty).
   * @see https://github.com/compose-spec/compose-spec/blob/main/12-interpolation.md
   */
  public static withDefault(name: string, defaultValue: string): ComposeVariable {
    checkVariable(name, 'default', defaultValue);
    return new ComposeVariable(name, defaultValue, ':-');
  }

  private constructor(
    /** The variable's name. */
    public readonly name: string,
    /** The error Compose prints when the variable is unset, or the default value. */
    public readonly message: string,
    /** `:?` (required) or `:-` (default). */
    private readonly operator: ':?' | ':-',
  ) {}

  /** The interpolation expression. */
  public toString(): string {
    return `\${${this.name}${this.operator}${this.message}}`;
  }
}

function checkVariable(name: string, what: string, text: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`ComposeVariable: name ("${name}") must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)`);
  }
  if (/[}$\n]/.test(text)) {
    throw new Error(
      `ComposeVariable '${name}': ${what} (${JSON.stringify(text)}) must not contain '}', '$' or a newline`,
    );
  }
}

/** A network. @see https://github.com/compose-spec/compose-spec/blob/main/06-networks.md */
export interface ComposeNetwork {
  /** Name of the Docker network. @default - `<project>_<key>` */
  readonly name?: string;
  /** Network driver. @default 'bridge' (Compose's default) */
  readonly driver?: string;
  /** No route to the outside world. @default false */
  readonly internal?: boolean;
}

/** A named volume. @see https://github.com/compose-spec/compose-spec/blob/main/07-volumes.md */
export interface ComposeVolume {
  /** Name of the Docker volume. @default - `<project>_<key>` */
  readonly name?: string;
  /** Created outside Compose: `up` fails while it does not exist, instead of creating it empty. @default false */
  readonly external?: boolean;
}

/** How a service starts relative to one it depends on. @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#depends_on */
export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

/** Restart policy of a service's containers. @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#restart */
export type RestartPolicy = 'no' | 'always' | 'on-failure' | 'unless-stopped';

/** A service. @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md */
export interface ComposeService {
  /** Image, pinned; with `build`, the tag the build produces (and the image pulled when it exists). */
  readonly image: string;
  /** Build the image from a Dockerfile. @default - pull `image` */
  readonly build?: ComposeBuild;
  /** Arguments to the image's entrypoint (exec form). @default - the image's CMD */
  readonly command?: string[];
  /** `uid:gid` the processes run as. @default - the image's USER */
  readonly user?: string;
  /**
   * Environment variables, in rendering order.
   * @default - none
   * @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#environment
   */
  readonly environment?: ReadonlyArray<{
    /** Variable name. */
    readonly name: string;
    /** A literal value (`$` is escaped), or a variable Compose interpolates from `.env`. */
    readonly value: string | ComposeVariable;
  }>;
  /** Published ports. @default - none @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#ports */
  readonly ports?: ComposePort[];
  /** Bind mounts and volumes. @default - none */
  readonly mounts?: ComposeMount[];
  /** Secrets of the file mounted read-only at `target` (an absolute path). @default - none */
  readonly secrets?: ReadonlyArray<{
    /** Name of a top-level secret. */
    readonly source: string;
    /** Absolute path of the file in the container. */
    readonly target: string;
  }>;
  /** In-memory writable paths (for a read-only root filesystem). @default - none */
  readonly tmpfs?: string[];
  /**
   * Networks (keys of {@link ComposeFile.networks}) and the aliases the service has on them.
   * @default - Compose's `default` network
   * @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#networks
   */
  readonly networks?: Record<string, {
    /** Extra DNS names of the service on this network. @default - none: only the service name */
    readonly aliases?: string[];
  }>;
  /**
   * Join another service's network namespace (`network_mode: service:<name>`): the two share loopback and
   * ports, as containers of one Kubernetes pod do. Excludes {@link networks} and {@link ports}.
   * @default - the service's own network namespace
   * @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#network_mode
   */
  readonly networkOf?: string;
  /** Services that must start (or be healthy) first. @default - none @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#depends_on */
  readonly dependsOn?: Record<string, DependsOnCondition>;
  /** Health check that replaces the image's. @default - the image's HEALTHCHECK */
  readonly healthcheck?: ComposeHealthcheck;
  /** Number of containers (`deploy.replicas`). @default 1 */
  readonly replicas?: number;
  /** CPU, memory and device limits and reservations. @default - none */
  readonly resources?: ComposeResources;
  /** When Docker restarts the containers. @default 'no' (Compose's default) @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#restart */
  readonly restart?: RestartPolicy;
  /** Time between SIGTERM and SIGKILL. @default 10s (Docker's default) */
  readonly stopGracePeriod?: Duration;
  /** Size of `/dev/shm`. @default 64m (Docker's default) */
  readonly shmSize?: Size;
  /**
   * Resource limits of the processes (`nofile`, `nproc`, ...).
   * @default - the daemon's defaults
   * @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#ulimits
   */
  readonly ulimits?: Record<string, {
    /** Soft limit: what the process gets; it may raise it up to `hard`. */
    readonly soft: number;
    /** Hard limit: the ceiling. */
    readonly hard: number;
  }>;
  /** Mount the root filesystem read-only. @default false */
  readonly readOnly?: boolean;
  /** Linux capabilities to drop. @default - none */
  readonly capDrop?: string[];
  /** Security options (`no-new-privileges:true`). @default - none */
  readonly securityOpt?: string[];
  /** Log driver and its options. @default - the daemon's default */
  readonly logging?: ComposeLogging;
}

/** How Compose builds a service's image. @see https://github.com/compose-spec/compose-spec/blob/main/build.md */
export interface ComposeBuild {
  /** Build context, relative to the Compose file's directory. */
  readonly context: string;
  /** Dockerfile, relative to the context. @default 'Dockerfile' */
  readonly dockerfile?: string;
}

/** A published port. @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#ports */
export interface ComposePort {
  /** Port on the host. */
  readonly published: number;
  /** Port in the container. */
  readonly target: number;
  /** Host address to bind. @default - every address */
  readonly hostIp?: string;
}

/** A bind mount (`./nginx/nginx.conf`) or a named volume. @see https://github.com/compose-spec/compose-spec/blob/main/05-services.md#volumes */
export interface ComposeMount {
  /** A host path (`bind`, long syntax: Compose fails instead of creating a missing source) or a named volume. */
  readonly type: 'bind' | 'volume';
  /** Host path relative to the Compose file (bind), or volume key (volume). */
  readonly source: string;
  /** Path in the container. */
  readonly target: string;
  /** Mount read-only. @default false */
  readonly readOnly?: boolean;
}

/** A container health check, run inside the container. @see https://docs.docker.com/reference/dockerfile/#healthcheck */
export interface ComposeHealthcheck {
  /** Command and arguments, run without a shell (`CMD` form). */
  readonly command: string[];
  /** Time between checks (also during the start period). */
  readonly interval: Duration;
  /** A check that takes longer fails. */
  readonly timeout: Duration;
  /** Consecutive failures before the container is unhealthy. */
  readonly retries: number;
  /** Failures during this time do not count. @default - none */
  readonly startPeriod?: Duration;
}

/** `deploy.resources`. @see https://github.com/compose-spec/compose-spec/blob/main/deploy.md#resources */
export interface ComposeResources {
  /** Hard limits. @default - none */
  readonly limits?: {
    /** CPUs, fractional (0.5 is half a core). @default - unlimited */
    readonly cpus?: number;
    /** Memory; the container is OOM-killed above it. @default - unlimited */
    readonly memory?: Size;
  };
  /** What the container is guaranteed. @default - none */
  readonly reservations?: {
    /** CPUs, fractional. @default - none */
    readonly cpus?: number;
    /** Memory. @default - none */
    readonly memory?: Size;
    /** Devices such as GPUs. @default - none */
    readonly devices?: ComposeDeviceRequest[];
  };
}

/** A device reservation (GPUs). @see https://docs.docker.com/compose/how-tos/gpu-support/ */
export interface ComposeDeviceRequest {
  /** Device driver (`nvidia`). @default - any driver */
  readonly driver?: string;
  /** How many devices; excludes `deviceIds`. @default - all when no deviceIds */
  readonly count?: number;
  /** Which devices (`nvidia-smi -L` indices or UUIDs); excludes `count`. @default - none */
  readonly deviceIds?: string[];
  /** What the devices are used for (`gpu`). */
  readonly capabilities: string[];
}

/** Where a service's logs go. @see https://docs.docker.com/engine/logging/configure/ */
export interface ComposeLogging {
  /** Log driver (`json-file`). */
  readonly driver: string;
  /** Driver options (`max-size: 10m`). @default - none */
  readonly options?: Record<string, string>;
}
