import { NginxBuild, NginxDirective, NginxModule } from './model';
import { NginxVersion } from './version';

/**
 * A directive (or a parameter of one) that not every nginx build understands. The serializer checks
 * every directive of a config against this table and fails naming the directive, where it is, what the
 * build lacks and the docs.
 */
export interface NginxFeature {
  /** What the feature is, as it appears in the error (`'http2' directive`). */
  readonly description: string;
  /** True when the directive, in its context (names of the enclosing blocks), uses the feature. */
  readonly matches: (d: NginxDirective, context: readonly string[]) => boolean;
  /** First open-source version that has it. @default - no open-source version has it */
  readonly since?: string;
  /**
   * Deprecation: from `since` on the serializer rejects the feature and names the replacement; older
   * versions accept it.
   * @default - not deprecated
   */
  readonly deprecated?: {
    /** Open-source version that deprecated it (`nginx -t` warns from then on), e.g. `1.25.1`. */
    readonly since: string;
    /** What to write instead, as it appears in the error. */
    readonly use: string;
  };
  /** NGINX Plus has it, whatever the version. @default false */
  readonly plus?: boolean;
  /** A third-party module that provides it. @default - none */
  readonly module?: NginxModule;
  /** URL of the nginx documentation of the directive, quoted in the error. */
  readonly docs: string;
}

const inUpstream = (context: readonly string[]) => context[context.length - 1] === 'upstream';
const named = (...names: string[]) => (d: NginxDirective) => names.includes(d.name);
const hasParam = (d: NginxDirective, param: string) =>
  d.args.slice(1).some((a) => a === param || a.startsWith(`${param}=`));

/** The version table: what each nginx version (and Plus, and third-party modules) adds or deprecates. */
export const NGINX_FEATURES: readonly NginxFeature[] = [
  {
    description: "'http2' directive",
    matches: named('http2'),
    since: '1.25.1',
    docs: 'https://nginx.org/en/docs/http/ngx_http_v2_module.html#http2',
  },
  {
    description: "'listen ... http2' parameter",
    matches: (d) => d.name === 'listen' && d.args.includes('http2'),
    deprecated: { since: '1.25.1', use: "'http2 on;' in the server block" },
    docs: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#listen',
  },
  {
    description: "'http3' directive and 'listen ... quic'",
    matches: (d) => d.name === 'http3' || d.name === 'quic_retry' || (d.name === 'listen' && d.args.includes('quic')),
    since: '1.25.0',
    docs: 'https://nginx.org/en/docs/http/ngx_http_v3_module.html',
  },
  {
    description: "upstream server parameter 'resolve' (dynamic DNS re-resolution)",
    matches: (d, context) => inUpstream(context) && d.name === 'server' && hasParam(d, 'resolve'),
    since: '1.27.3',
    plus: true,
    docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve',
  },
  {
    description: "'resolver' inside an upstream block",
    matches: (d, context) => inUpstream(context) && (d.name === 'resolver' || d.name === 'resolver_timeout'),
    since: '1.27.3',
    plus: true,
    docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolver',
  },
  {
    description: "'keepalive_time' directive",
    matches: named('keepalive_time'),
    since: '1.19.10',
    docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_time',
  },
  {
    description: "'ssl_conf_command' / 'ssl_reject_handshake' directives",
    matches: named('ssl_conf_command', 'ssl_reject_handshake'),
    since: '1.19.4',
    docs: 'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_reject_handshake',
  },
  {
    description: "active health checks ('health_check', NGINX Plus only)",
    matches: named('health_check', 'match'),
    plus: true,
    docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_hc_module.html',
  },
  {
    description: "'sticky', 'queue' and 'least_time' (NGINX Plus only)",
    matches: (d, context) => inUpstream(context) && ['sticky', 'queue', 'least_time', 'ntlm'].includes(d.name),
    plus: true,
    docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#sticky',
  },
  {
    description: "upstream server parameters 'slow_start', 'service', 'route', 'drain' (NGINX Plus only)",
    matches: (d, context) =>
      inUpstream(context) &&
      d.name === 'server' &&
      ['slow_start', 'service', 'route', 'drain'].some((p) => hasParam(d, p)),
    plus: true,
    docs: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server',
  },
  {
    description: "'js_*' directives of the njs module",
    matches: (d) => /^js_/.test(d.name),
    module: NginxModule.NJS,
    docs: 'https://nginx.org/en/docs/http/ngx_http_js_module.html',
  },
  {
    description: "'otel_*' directives of nginx's OpenTelemetry module",
    matches: (d) => /^otel_/.test(d.name),
    module: NginxModule.OTEL,
    docs: 'https://nginx.org/en/docs/ngx_otel_module.html',
  },
  {
    description: "'check' directives of nginx_upstream_check_module (Tengine / third-party, not stock nginx)",
    matches: (d) => /^check(_|$)/.test(d.name),
    module: NginxModule.UPSTREAM_CHECK,
    docs: 'https://github.com/yaoweibin/nginx_upstream_check_module',
  },
];

/** Every problem of one directive with a build: unsupported or deprecated features. */
export function featureProblems(d: NginxDirective, context: readonly string[], build: NginxBuild): string[] {
  const problems: string[] = [];
  const where = `'${[...context, d.name].join(' > ')}'`;
  const version = build.version;
  const target = `nginx ${version}${build.plus ? ' (Plus)' : ''}`;
  for (const feature of NGINX_FEATURES) {
    if (!feature.matches(d, context)) continue;
    if (feature.deprecated && version.atLeast(feature.deprecated.since)) {
      problems.push(
        `${where}: ${feature.description} is deprecated since nginx ${feature.deprecated.since};` +
          ` use ${feature.deprecated.use} (target is ${target}; ${feature.docs})`,
      );
      continue;
    }
    if (feature.deprecated) continue;
    const byVersion = feature.since !== undefined && version.atLeast(feature.since);
    const byPlus = feature.plus === true && build.plus === true;
    const byModule = feature.module !== undefined && (build.modules ?? []).includes(feature.module);
    if (byVersion || byPlus || byModule) continue;
    const needs = [
      feature.since ? `nginx >= ${feature.since}` : undefined,
      feature.plus ? 'NGINX Plus' : undefined,
      feature.module ? `the ${feature.module} module (declare it in the build's modules)` : undefined,
    ].filter(Boolean).join(' or ');
    problems.push(`${where}: ${feature.description} needs ${needs}; target is ${target} (${feature.docs})`);
  }
  return problems;
}

/** Fails unless the version is one the feature table covers. */
export function versionProblems(version: NginxVersion): string[] {
  return version.atLeast(NginxVersion.OLDEST_SUPPORTED)
    ? []
    : [`nginx ${version} is older than ${NginxVersion.OLDEST_SUPPORTED}, the oldest version this library renders for`];
}
