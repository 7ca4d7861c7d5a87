import {
  block, directive, NginxBuild, NginxDirective, NginxModule, NginxVersion, validateNginxConfig,
} from '../../lib/nginx';
import { NginxNode } from '../../lib/nginx/model';

/** The problems of one node placed in `context` (outer block names, outermost first), for a build. */
function problemsOf(node: NginxNode, context: string[], version: string, extra: Partial<NginxBuild> = {}): string[] {
  const wrapped = context.reduceRight<NginxNode>((inner, name) => block(name, [], [inner]), node);
  return validateNginxConfig({ build: { version: NginxVersion.parse(version), ...extra }, body: [wrapped] });
}

const docs = {
  v2: 'https://nginx.org/en/docs/http/ngx_http_v2_module.html#http2',
  v3: 'https://nginx.org/en/docs/http/ngx_http_v3_module.html',
  resolve: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve',
  resolver: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolver',
  keepaliveTime: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_time',
  ssl: 'https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_reject_handshake',
  hc: 'https://nginx.org/en/docs/http/ngx_http_upstream_hc_module.html',
  sticky: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#sticky',
  server: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server',
  check: 'https://github.com/yaoweibin/nginx_upstream_check_module',
};

/** Features that open-source nginx gained in a version: [directive, context, since, description, docs]. */
const versioned: [NginxDirective, string[], string, string, string][] = [
  [directive('http2', 'on'), ['http', 'server'], '1.25.1', "'http2' directive", docs.v2],
  [directive('http3', 'on'), ['http', 'server'], '1.25.0', "'http3' directive and 'listen ... quic'", docs.v3],
  [directive('quic_retry', 'on'), ['http', 'server'], '1.25.0', "'http3' directive and 'listen ... quic'", docs.v3],
  [directive('listen', 443, 'quic'), ['http', 'server'], '1.25.0', "'http3' directive and 'listen ... quic'", docs.v3],
  [directive('server', 'a:80', 'resolve'), ['http', 'upstream'], '1.27.3',
    "upstream server parameter 'resolve' (dynamic DNS re-resolution)", docs.resolve],
  [directive('server', 'a:80', 'weight=2', 'resolve=on'), ['http', 'upstream'], '1.27.3',
    "upstream server parameter 'resolve' (dynamic DNS re-resolution)", docs.resolve],
  [directive('resolver', '10.0.0.10'), ['http', 'upstream'], '1.27.3', "'resolver' inside an upstream block",
    docs.resolver],
  [directive('resolver_timeout', '5s'), ['http', 'upstream'], '1.27.3', "'resolver' inside an upstream block",
    docs.resolver],
  [directive('keepalive_time', '1h'), ['http', 'upstream'], '1.19.10', "'keepalive_time' directive",
    docs.keepaliveTime],
  [directive('ssl_conf_command', 'Options', 'KTLS'), ['http'], '1.19.4',
    "'ssl_conf_command' / 'ssl_reject_handshake' directives", docs.ssl],
  [directive('ssl_reject_handshake', 'on'), ['http', 'server'], '1.19.4',
    "'ssl_conf_command' / 'ssl_reject_handshake' directives", docs.ssl],
];

describe('the feature table: versions', () => {
  test.each(versioned)('%j in %j needs nginx >= %s', (d, context, since, description, url) => {
    const [major, minor, patch] = since.split('.').map(Number);
    const before = patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${minor - 1}.99`;
    const where = [...context, d.name].join(' > ');
    const plusOnly = context.includes('upstream') && (d.name === 'resolver' || d.name === 'resolver_timeout' ||
      d.args.some((a) => a.startsWith('resolve')));
    const needs = `nginx >= ${since}${plusOnly ? ' or NGINX Plus' : ''}`;
    expect(problemsOf(d, context, before)).toEqual([
      `'${where}': ${description} needs ${needs}; target is nginx ${before} (${url})`,
    ]);
    expect(problemsOf(d, context, since)).toEqual([]);
    expect(problemsOf(d, context, '1.99.0')).toEqual([]);
  });

  test('the target in a message says (Plus) for a Plus build', () => {
    expect(problemsOf(directive('http2', 'on'), ['http', 'server'], '1.25.0', { plus: true })).toEqual([
      `'http > server > http2': 'http2' directive needs nginx >= 1.25.1; target is nginx 1.25.0 (Plus) (${docs.v2})`,
    ]);
  });

  test('resolve and resolver are only features inside an upstream block', () => {
    expect(problemsOf(directive('resolver', '10.0.0.10'), ['http', 'server'], '1.22.1')).toEqual([]);
    expect(problemsOf(directive('server', 'a:80', 'resolve'), ['stream'], '1.22.1')).toEqual([]);
    // A server name that merely contains 'resolve' is not the parameter.
    expect(problemsOf(directive('server', 'resolve:80'), ['http', 'upstream'], '1.22.1')).toEqual([]);
    expect(problemsOf(directive('server', 'a:80', 'resolved'), ['http', 'upstream'], '1.22.1')).toEqual([]);
  });

  test('listen without http2 or quic uses no feature', () => {
    expect(problemsOf(directive('listen', 443, 'ssl'), ['http', 'server'], '1.22.1')).toEqual([]);
  });
});

describe('the feature table: deprecations', () => {
  test("'listen ... http2' is fine before 1.25.1 and refused from it, naming the replacement", () => {
    const d = directive('listen', 443, 'ssl', 'http2');
    expect(problemsOf(d, ['http', 'server'], '1.25.0')).toEqual([]);
    expect(problemsOf(d, ['http', 'server'], '1.25.1')).toEqual([
      "'http > server > listen': 'listen ... http2' parameter is deprecated since nginx 1.25.1; use 'http2 on;' in " +
        'the server block (target is nginx 1.25.1; https://nginx.org/en/docs/http/ngx_http_core_module.html#listen)',
    ]);
  });
});

describe('the feature table: NGINX Plus and third-party modules', () => {
  const plusOnly: [NginxDirective, string[], string, string][] = [
    [directive('health_check'), ['http', 'server', 'location'],
      "active health checks ('health_check', NGINX Plus only)",
      docs.hc],
    [directive('sticky', 'cookie', 'srv'), ['http', 'upstream'], "'sticky', 'queue' and 'least_time' (NGINX Plus only)",
      docs.sticky],
    [directive('queue', 10), ['http', 'upstream'], "'sticky', 'queue' and 'least_time' (NGINX Plus only)", docs.sticky],
    [directive('least_time', 'header'), ['http', 'upstream'], "'sticky', 'queue' and 'least_time' (NGINX Plus only)",
      docs.sticky],
    [directive('ntlm'), ['http', 'upstream'], "'sticky', 'queue' and 'least_time' (NGINX Plus only)", docs.sticky],
    ...['slow_start=30s', 'service=http', 'route=a', 'drain'].map((param): [NginxDirective, string[], string, string] =>
      [directive('server', 'a:80', param), ['http', 'upstream'],
        "upstream server parameters 'slow_start', 'service', 'route', 'drain' (NGINX Plus only)", docs.server]),
  ];

  test.each(plusOnly)('%j in %j needs NGINX Plus, whatever the version', (d, context, description, url) => {
    const where = [...context, d.name].join(' > ');
    expect(problemsOf(d, context, '1.29.0')).toEqual([
      `'${where}': ${description} needs NGINX Plus; target is nginx 1.29.0 (${url})`,
    ]);
    expect(problemsOf(d, context, '1.22.1', { plus: true })).toEqual([]);
  });

  test("a 'match' block (the health check's expectations) needs NGINX Plus", () => {
    const match = block('match', ['ok'], [directive('status', 200)]);
    expect(problemsOf(match, ['http'], '1.27.0')).toEqual([
      '\'http > match\': active health checks (\'health_check\', NGINX Plus only) needs NGINX Plus; target is nginx ' +
        `1.27.0 (${docs.hc})`,
    ]);
    expect(problemsOf(match, ['http'], '1.27.0', { plus: true })).toEqual([]);
  });

  test('upstream-only Plus directives are ordinary names elsewhere', () => {
    expect(problemsOf(directive('queue', 10), ['http', 'server'], '1.22.1')).toEqual([]);
    expect(problemsOf(directive('server', 'a:80', 'drain'), ['stream'], '1.22.1')).toEqual([]);
  });

  test.each(['check', 'check_http_send', 'check_http_expect_alive'])(
    '%s needs the upstream_check module, declared in the build',
    (name) => {
      const d = directive(name, 'x');
      expect(problemsOf(d, ['http', 'upstream'], '1.22.1')).toEqual([
        `'http > upstream > ${name}': 'check' directives of nginx_upstream_check_module (Tengine / third-party, not ` +
          'stock nginx) needs the upstream_check module (declare it in the build\'s modules); target is nginx 1.22.1 ' +
          `(${docs.check})`,
      ]);
      expect(problemsOf(d, ['http', 'upstream'], '1.22.1', { modules: [NginxModule.UPSTREAM_CHECK] })).toEqual([]);
      expect(problemsOf(d, ['http', 'upstream'], '1.22.1', { plus: true, modules: [] })).toHaveLength(1);
    },
  );

  test('names that only start like check are not the module', () => {
    expect(problemsOf(directive('checksum', 'x'), ['http'], '1.22.1')).toEqual([]);
  });
});

describe('versions the table covers', () => {
  test('1.18.0 is the oldest accepted; older is refused with the oldest named', () => {
    expect(validateNginxConfig({ build: { version: NginxVersion.parse('1.18.0') }, body: [] })).toEqual([]);
    expect(validateNginxConfig({ build: { version: NginxVersion.parse('1.17.99') }, body: [] })).toEqual([
      'nginx 1.17.99 is older than 1.18.0, the oldest version this library renders for',
    ]);
    expect(NginxVersion.DEBIAN_12.toString()).toBe('1.22.1');
  });
});
