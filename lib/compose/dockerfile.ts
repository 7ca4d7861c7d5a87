import { Duration } from 'cdk8s';
import { duration } from './_format';

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

/** One instruction. */
export type DockerInstruction =
  | { readonly kind: 'ARG'; readonly name: string; readonly default?: string }
  | { readonly kind: 'ENV'; readonly vars: ReadonlyArray<readonly [string, string]> }
  | { readonly kind: 'RUN'; readonly commands: string[]; readonly mounts?: string[] }
  | { readonly kind: 'COPY'; readonly sources: string[]; readonly destination: string; readonly from?: string }
  | { readonly kind: 'WORKDIR'; readonly path: string }
  | { readonly kind: 'USER'; readonly user: string }
  | { readonly kind: 'EXPOSE'; readonly port: number }
  | { readonly kind: 'HEALTHCHECK'; readonly command: string[]; readonly interval: Duration; readonly timeout: Duration; readonly startPeriod: Duration; readonly retries: number }
  | { readonly kind: 'CMD'; readonly command: string[] }
  | { readonly kind: 'COMMENT'; readonly lines: string[] };

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
    case 'ARG': return `ARG ${i.name}${i.default !== undefined ? `=${envValue(i.default)}` : ''}`;
    case 'ENV': return `ENV ${i.vars.map(([name, value]) => `${name}=${envValue(value)}`).join(' \\\n    ')}`;
    case 'RUN': return `RUN ${[...(i.mounts ?? []).map((m) => `--mount=${m}`), i.commands.join(' \\\n && ')].join(' \\\n    ')}`;
    case 'COPY': return `COPY ${i.from ? `--from=${i.from} ` : ''}${[...i.sources, i.destination].join(' ')}`;
    case 'WORKDIR': return `WORKDIR ${i.path}`;
    case 'USER': return `USER ${i.user}`;
    case 'EXPOSE': return `EXPOSE ${i.port}`;
    case 'HEALTHCHECK': return `HEALTHCHECK --interval=${duration(i.interval)} --timeout=${duration(i.timeout)} --start-period=${duration(i.startPeriod)} --retries=${i.retries} \\\n  CMD ${JSON.stringify(i.command)}`;
    case 'CMD': return `CMD ${JSON.stringify(i.command)}`;
    case 'COMMENT': return i.lines.map(comment).join('\n');
  }
}

function comment(line: string): string {
  return line ? `# ${line}` : '#';
}

/** ENV/ARG values: bare when they need no quoting, double-quoted otherwise. */
function envValue(value: string): string {
  return /^[A-Za-z0-9_./:$@%+,=-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
}
