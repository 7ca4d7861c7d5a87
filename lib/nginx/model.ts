import { Duration, Size } from 'cdk8s';
import { NginxVersion } from './version';

/**
 * A typed nginx configuration: blocks and directives as data. Build it with {@link directive},
 * {@link block}, {@link comment} and {@link blank}; render it with `renderNginxConfig`, the one
 * serializer. Arguments are values as nginx sees them after parsing: the serializer adds quotes and
 * escapes where nginx needs them.
 *
 * @see https://nginx.org/en/docs/beginners_guide.html#conf_structure
 */
export type NginxNode = NginxDirective | NginxBlock | NginxComment | NginxBlankLine;

/** A simple directive: `name arg1 arg2;`. */
export interface NginxDirective {
  /** Discriminator of {@link NginxNode}. */
  readonly type: 'directive';
  /** Directive name (`proxy_pass`); in `map`-like blocks, the key. */
  readonly name: string;
  /** Argument values, unquoted. */
  readonly args: readonly string[];
}

/** A block directive: `name args { ... }` (`http`, `server`, `location /api/`, `upstream x`). */
export interface NginxBlock {
  /** Discriminator of {@link NginxNode}. */
  readonly type: 'block';
  /** Block name (`server`). */
  readonly name: string;
  /** Arguments before the brace (`location = /health`), unquoted. */
  readonly args: readonly string[];
  /** What the block contains. */
  readonly body: readonly NginxNode[];
}

/** A `# comment` line. */
export interface NginxComment {
  /** Discriminator of {@link NginxNode}. */
  readonly type: 'comment';
  /** Text; several lines become several comment lines. */
  readonly text: string;
}

/** An empty line between groups of directives. */
export interface NginxBlankLine {
  /** Discriminator of {@link NginxNode}. */
  readonly type: 'blank';
}

/** What the configuration is rendered for: the nginx version and the optional parts of the build. */
export interface NginxBuild {
  /** The nginx version the configuration must run on. */
  readonly version: NginxVersion;
  /**
   * The build is NGINX Plus (commercial): `health_check`, `sticky`, `queue` ... are available.
   * @default false
   */
  readonly plus?: boolean;
  /**
   * Optional modules in the build: `upstream_check` (nginx_upstream_check_module, as in Tengine) and `njs`
   * change what is accepted.
   * @default - none
   */
  readonly modules?: readonly NginxModule[];
}

/** An optional module whose directives stock nginx does not have. */
export enum NginxModule {
  /** nginx_upstream_check_module (Tengine, third-party): the `check` family of directives. */
  UPSTREAM_CHECK = 'upstream_check',
  /**
   * njs (`ngx_http_js_module`, dynamic): the `js_*` directives. In the official nginx images; Debian's
   * `libnginx-mod-http-js`. The config loads it with `load_module`.
   */
  NJS = 'njs',
  /**
   * nginx's OpenTelemetry module (`ngx_otel_module`, dynamic): the `otel_*` directives. In the official
   * `nginx:*-otel` images; not in Debian 12.
   */
  OTEL = 'otel',
}

/** A whole nginx.conf: the main context's nodes and the build they target. */
export interface NginxConfig {
  /** The nginx the config targets; the serializer rejects directives it lacks. */
  readonly build: NginxBuild;
  /** Comment lines at the top of the file. @default - none */
  readonly header?: readonly string[];
  /** Directives and blocks of the main context. */
  readonly body: readonly NginxNode[];
}

/** An argument: strings as they are, numbers in decimal. */
export type NginxArg = string | number;

/** `name args;` */
export function directive(name: string, ...args: NginxArg[]): NginxDirective {
  return { type: 'directive', name, args: args.map(String) };
}

/** `name args { body }`; `args` may be empty (`http`, `server`). */
export function block(name: string, args: NginxArg[], body: ReadonlyArray<NginxNode | undefined | false>): NginxBlock {
  return { type: 'block', name, args: args.map(String), body: body.filter((n): n is NginxNode => Boolean(n)) };
}

/** `# text` */
export function comment(text: string): NginxComment {
  return { type: 'comment', text };
}

/** An empty line. */
export function blank(): NginxBlankLine {
  return { type: 'blank' };
}

/** A duration as nginx writes it: whole days or hours (`1d`, `1h`), else seconds (`300s`) or milliseconds (`500ms`). */
export function nginxTime(duration: Duration): string {
  const ms = duration.toMilliseconds();
  if (ms % 1000 !== 0) return `${ms}ms`;
  const s = ms / 1000;
  if (s > 0 && s % 86400 === 0) return `${s / 86400}d`;
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  return `${s}s`;
}

/** A size as nginx writes it: `100m`, `64k` or bytes. */
export function nginxSize(size: Size): string {
  const kib = size.toKibibytes();
  if (kib % 1024 === 0 && kib > 0) return `${kib / 1024}m`;
  return `${kib}k`;
}
