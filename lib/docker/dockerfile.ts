import { Duration } from 'cdk8s';
import { duration } from '../core/format';

/**
 * A typed Dockerfile: stages of instructions. {@link renderDockerfile} is its one renderer, so quoting,
 * line continuations and exec-form JSON are right in one place.
 *
 * @see https://docs.docker.com/reference/dockerfile/
 */
export interface Dockerfile {
  /** The BuildKit frontend (`# syntax=`). @default - the builder's built-in frontend */
  readonly syntax?: string;
  /** Comment lines at the top. @default - none */
  readonly comments?: string[];
  /** Build stages; the last one is the image. */
  readonly stages: DockerfileStage[];
}

/** A `FROM` and the instructions that follow it. */
export interface DockerfileStage {
  /** Base image, pinned (a tag other than `latest`, or a digest), or an earlier stage's name. */
  readonly from: string;
  /** Stage name (`AS builder`). @default - unnamed */
  readonly name?: string;
  /** Comment lines above the `FROM`. @default - none */
  readonly comments?: string[];
  /** The stage's instructions, in order. */
  readonly instructions: DockerInstruction[];
}

/**
 * One instruction, discriminated by `kind`. Values are rendered as written, except ENV/ARG values,
 * which are double-quoted when they need it.
 */
export type DockerInstruction =
  | {
    /** `ARG name[=default]`. @see https://docs.docker.com/reference/dockerfile/#arg */
    readonly kind: 'ARG';
    /** Name of the build argument. */
    readonly name: string;
    /** Value when the build does not pass one. @default - none: the argument is empty unless passed */
    readonly default?: string;
  }
  | {
    /** `ENV name=value ...`, one variable per continuation line. @see https://docs.docker.com/reference/dockerfile/#env */
    readonly kind: 'ENV';
    /** `[name, value]` pairs, in order. */
    readonly vars: ReadonlyArray<readonly [string, string]>;
  }
  | {
    /** `RUN` in shell form; the commands are joined with `&&`. @see https://docs.docker.com/reference/dockerfile/#run */
    readonly kind: 'RUN';
    /** Shell commands, one per line. */
    readonly commands: string[];
    /**
     * BuildKit mounts, each rendered as `--mount=<value>` (e.g. `type=cache,target=/root/.cache/pip`).
     * @default - none
     * @see https://docs.docker.com/reference/dockerfile/#run---mount
     */
    readonly mounts?: string[];
  }
  | {
    /** `COPY [--from=stage] sources... destination`. @see https://docs.docker.com/reference/dockerfile/#copy */
    readonly kind: 'COPY';
    /** Paths in the build context (or in the `from` stage). */
    readonly sources: string[];
    /** Path in the image. */
    readonly destination: string;
    /** Stage or image to copy from. @default - the build context */
    readonly from?: string;
  }
  | {
    /** `WORKDIR path`. @see https://docs.docker.com/reference/dockerfile/#workdir */
    readonly kind: 'WORKDIR';
    /** Working directory for the instructions that follow and for the container. */
    readonly path: string;
  }
  | {
    /** `USER user`. @see https://docs.docker.com/reference/dockerfile/#user */
    readonly kind: 'USER';
    /** User name or `uid[:gid]` the rest of the build and the container run as. */
    readonly user: string;
  }
  | {
    /** `EXPOSE port` (documentation only; publishing is up to Compose). @see https://docs.docker.com/reference/dockerfile/#expose */
    readonly kind: 'EXPOSE';
    /** TCP port the container listens on. */
    readonly port: number;
  }
  | {
    /** `HEALTHCHECK ... CMD [...]` in exec form. @see https://docs.docker.com/reference/dockerfile/#healthcheck */
    readonly kind: 'HEALTHCHECK';
    /** The probe command in exec form (argv); exit code 0 means healthy. */
    readonly command: string[];
    /** Time between probes (`--interval`), whole seconds. */
    readonly interval: Duration;
    /** Time after which one probe counts as failed (`--timeout`), whole seconds. */
    readonly timeout: Duration;
    /** Start-up time during which failures do not count (`--start-period`), whole seconds. */
    readonly startPeriod: Duration;
    /** Consecutive failures before the container is unhealthy (`--retries`). */
    readonly retries: number;
  }
  | {
    /** `CMD [...]` in exec form. @see https://docs.docker.com/reference/dockerfile/#cmd */
    readonly kind: 'CMD';
    /** The container's command (argv), no shell. */
    readonly command: string[];
  }
  | {
    /** Comment lines (`# ...`; an empty line renders as a bare `#`). */
    readonly kind: 'COMMENT';
    /** The lines, without `#`. */
    readonly lines: string[];
  };

/** Renders a Dockerfile. Pure and deterministic. */
export function renderDockerfile(file: Dockerfile): string {
  const blocks: string[] = [];
  const head: string[] = [];
  if (file.syntax) head.push(`# syntax=${file.syntax}`);
  head.push(...(file.comments ?? []).map(comment));
  if (head.length) blocks.push(head.join('\n'));
  if (file.stages.length === 0) throw new Error('renderDockerfile: a Dockerfile needs at least one stage');
  for (const stage of file.stages) {
    const lines = (stage.comments ?? []).map(comment);
    lines.push(`FROM ${stage.from}${stage.name ? ` AS ${stage.name}` : ''}`);
    lines.push(...stage.instructions.map(renderInstruction));
    blocks.push(lines.join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

function renderInstruction(i: DockerInstruction): string {
  switch (i.kind) {
    case 'ARG':
      return `ARG ${i.name}${i.default !== undefined ? `=${envValue(i.default)}` : ''}`;
    case 'ENV':
      return `ENV ${i.vars.map(([name, value]) => `${name}=${envValue(value)}`).join(' \\\n    ')}`;
    case 'RUN':
      return `RUN ${[...(i.mounts ?? []).map((m) => `--mount=${m}`), i.commands.join(' \\\n && ')].join(' \\\n    ')}`;
    case 'COPY':
      return `COPY ${i.from ? `--from=${i.from} ` : ''}${[...i.sources, i.destination].join(' ')}`;
    case 'WORKDIR':
      return `WORKDIR ${i.path}`;
    case 'USER':
      return `USER ${i.user}`;
    case 'EXPOSE':
      return `EXPOSE ${i.port}`;
    case 'HEALTHCHECK':
      return renderHealthcheck(i);
    case 'CMD':
      return `CMD ${JSON.stringify(i.command)}`;
    case 'COMMENT':
      return i.lines.map(comment).join('\n');
  }
}

/** `HEALTHCHECK`: the timing options, then the exec-form command on a continuation line. */
function renderHealthcheck(i: Extract<DockerInstruction, { kind: 'HEALTHCHECK' }>): string {
  const timing = `--interval=${duration(i.interval)} --timeout=${duration(i.timeout)}`
    + ` --start-period=${duration(i.startPeriod)} --retries=${i.retries}`;
  return `HEALTHCHECK ${timing} \\\n  CMD ${JSON.stringify(i.command)}`;
}

function comment(line: string): string {
  return line ? `# ${line}` : '#';
}

/** ENV/ARG values: bare when they need no quoting, double-quoted otherwise. */
function envValue(value: string): string {
  return /^[A-Za-z0-9_./:$@%+,=-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
}
