import { Duration } from 'cdk8s';
import { TENANT_VAR } from './_tenant-routing';
import { escapeRegExp } from '../core/format';
import { METRICS_PORT_NAMES } from '../core/pod';
import { ResolvedGatewayRequestMetrics } from './props';
import { MtailLabel, MtailMetric, MtailProgram, MtailStatement } from '../mtail';
import { block, comment, directive, NginxNode } from '../nginx';
import { COMPLETION_TOKENS_VAR, MODEL_VAR, PROMPT_TOKENS_VAR } from './_token-usage';
import { routeLocations } from './_route-paths';
import { GatewayRoute } from './upstream';

/**
 * The gateway's request metrics. Stock nginx counts requests only in total (`stub_status`), so each request
 * also goes, as one short line, over syslog (UDP on loopback: nothing is written to disk, nothing grows) to
 * mtail, which turns the lines into Prometheus counters and histograms by route, upstream, tenant, method and
 * status. mtail runs beside nginx: a sidecar in Kubernetes (same network namespace), a service sharing the
 * gateway's network in Compose, a process on the VM for the standalone nginx.conf. The JSON access log
 * (`kubectl logs`) is unchanged.
 *
 * Every label value is one of a set known at synth: the route is the route's path (`other` for requests no
 * route matched), the upstream one of the gateway's upstreams (`none` when the gateway answered itself), the
 * tenant one of the platform's tenants (`none` without a known API key), the method one of seven (`other`),
 * the status one of nginx's status codes. So the series are bounded by routes x upstreams x tenants x 8 x the
 * statuses seen.
 * @see https://github.com/google/mtail
 */
export const REQUEST_METRICS = {
  /** mtail's image, pinned (Apache-2.0, built by the mtail project from scratch: one static binary). */
  defaultImage: 'ghcr.io/google/mtail:3.0.8',
  /** UDP port on loopback where nginx sends the lines and mtail listens. */
  syslogPort: 5140,
  /** mtail's HTTP port (`/metrics`). */
  port: 3903,
  metricsPath: '/metrics',
  /** Name of the container port, of the PodMonitor endpoint and of the Compose service. */
  portName: METRICS_PORT_NAMES.requestMetrics,
  /** Where the program is mounted. */
  programDirectory: '/etc/mtail',
  programFile: 'gateway.mtail',
  /** The syslog tag: the program reads only these lines. */
  tag: 'agent_gateway',
} as const;

/** mtail's arguments: the program directory, the syslog lines on loopback, metrics on every address. */
export function mtailArgs(): string[] {
  return [
    `--progs=${REQUEST_METRICS.programDirectory}`,
    `--logs=udp://127.0.0.1:${REQUEST_METRICS.syslogPort}`,
    `--port=${REQUEST_METRICS.port}`,
    '--emit_prog_label=false',
    '--logtostderr',
  ];
}

/** Default upper bounds of the latency histograms: 50 ms (a cached answer) to 300 s (a long generation). */
export const DEFAULT_LATENCY_BUCKETS: readonly Duration[] = [
  Duration.millis(50), Duration.millis(100), Duration.millis(250), Duration.millis(500), Duration.seconds(1),
  Duration.millis(2500), Duration.seconds(5), Duration.seconds(10), Duration.seconds(30), Duration.seconds(60),
  Duration.seconds(120), Duration.seconds(300),
];

/** The metric names, for the alerts and dashboards that read them. */
export const GATEWAY_METRIC_NAMES = {
  requests: 'agent_gateway_http_requests_total',
  requestDuration: 'agent_gateway_http_request_duration_seconds',
  upstreamHeaderDuration: 'agent_gateway_upstream_header_duration_seconds',
  rejected: 'agent_gateway_rejected_requests_total',
  tokens: 'agent_gateway_tokens_total',
} as const;

const ROUTE_LABEL_VAR = '$gateway_metric_route';
/** The route a route location set (its path): the label of every request that reached a route location. */
const LOCATION_ROUTE_VAR = '$gateway_location_route';
/** The route by the URI, for requests refused before their location ran (413 on a declared body size). */
const URI_ROUTE_VAR = '$gateway_uri_route';
/**
 * The upstream a route location proxies to (its name, or the tenant-pool variable), set in the location. The
 * proxy module's own `$proxy_host` is lost when an error page redirects (a cold start's 502), so the label reads
 * this one, and only when nginx did contact an upstream (`$upstream_addr` not empty: an exact key of the map,
 * no regular expression). Only route locations proxy, and each sets this before it does.
 */
const ROUTE_UPSTREAM_VAR = '$gateway_route_upstream';
const METHOD_VAR = '$gateway_metric_method';
const UPSTREAM_VAR = '$gateway_metric_upstream';
const TENANT_METRIC_VAR = '$gateway_metric_tenant';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * One field of the metrics line: how nginx writes it and how mtail reads it back. The line format and the
 * program's regular expression are both made from this list, so they cannot drift apart. nginx writes an
 * empty variable as `-`.
 */
interface LineField {
  readonly name: string;
  readonly nginx: (options: LineOptions) => string;
  readonly pattern: string;
}

/** What the line can carry: tenants, token usage. */
export interface LineOptions {
  /** The platform has tenants (the tenant comes from the key). */
  readonly tenancy: boolean;
  /** Some route counts tokens (the variables exist). */
  readonly tokenUsage: boolean;
}

const TIMES = '(?:\\S+(?:, | : ))*';
const LINE_FIELDS: readonly LineField[] = [
  { name: 'route', nginx: () => ROUTE_LABEL_VAR, pattern: '\\S+' },
  { name: 'upstream', nginx: () => UPSTREAM_VAR, pattern: '\\S+' },
  { name: 'tenant', nginx: (o) => (o.tenancy ? TENANT_METRIC_VAR : 'none'), pattern: '\\S+' },
  { name: 'method', nginx: () => METHOD_VAR, pattern: '\\S+' },
  { name: 'status', nginx: () => '$status', pattern: '\\d{3}' },
  { name: 'limit_req', nginx: () => '$limit_req_status', pattern: '\\S+' },
  { name: 'limit_conn', nginx: () => '$limit_conn_status', pattern: '\\S+' },
  { name: 'request_time', nginx: () => '$request_time', pattern: '\\d+\\.\\d+' },
  // Without token usage the line still has the fields, as `-` and `none`: the program is the same either way.
  { name: 'model', nginx: (o) => (o.tokenUsage ? MODEL_VAR : 'none'), pattern: '\\S+' },
  { name: 'prompt_tokens', nginx: (o) => (o.tokenUsage ? PROMPT_TOKENS_VAR : '-'), pattern: '\\S+' },
  { name: 'completion_tokens', nginx: (o) => (o.tokenUsage ? COMPLETION_TOKENS_VAR : '-'), pattern: '\\S+' },
  // With retries nginx lists every attempt ("0.010, 0.300"; " : " across internal redirects): the last counts.
  {
    name: 'upstream_header_time', nginx: () => '$upstream_header_time',
    pattern: `${TIMES}(?P<upstream_header_time>\\S+)`,
  },
];

/**
 * The nginx `http` nodes: the label maps, the line format and the syslog access log. The route label is the
 * one the route's location set; requests refused before their location ran (413 on a declared body size)
 * take it from the URI by the locations' own rule (the longest matching prefix), so they still count under
 * their route, and every other request skips that map's regular expressions.
 */
export function requestMetricsHttpNodes(options: LineOptions, routes: readonly GatewayRoute[]): NginxNode[] {
  const tenancy = options.tenancy;
  const line = LINE_FIELDS.map((f) => `${f.name}=${f.nginx(options)}`).join(' ');
  return [
    comment('Request metrics: one line per request over syslog (UDP, loopback) to mtail on port'),
    comment(`${REQUEST_METRICS.syslogPort}, which serves them to Prometheus by route, upstream, tenant, method,`),
    comment('status.'),
    comment('Every value is one of a set known here (unknown ones: other / none). The line ends in a newline,'),
    comment('which mtail splits datagrams at.'),
    comment('The route its location set; by the URI only for requests refused before it ran (413).'),
    block('map', [LOCATION_ROUTE_VAR, ROUTE_LABEL_VAR], [
      directive('', URI_ROUTE_VAR),
      directive('default', LOCATION_ROUTE_VAR),
    ]),
    block('map', ['$uri', URI_ROUTE_VAR], [...routeLabelEntries(routes), directive('default', 'other')]),
    block('map', ['$request_method', METHOD_VAR], [
      ...METHODS.map((m) => directive(m, m)),
      directive('default', 'other'),
    ]),
    comment('The upstream a route proxied to; none when nginx answered without one. Locations no route owns'),
    comment('leave it unset, which is expected: no warning for it.'),
    directive('uninitialized_variable_warn', 'off'),
    comment('Only route locations proxy, and each sets the variable first (rewrite phase, before the proxy).'),
    block('map', ['$upstream_addr', UPSTREAM_VAR], [
      directive('', 'none'),
      directive('default', ROUTE_UPSTREAM_VAR),
    ]),
    ...(tenancy
      ? [block('map', [TENANT_VAR, TENANT_METRIC_VAR], [directive('', 'none'), directive('default', TENANT_VAR)])]
      : []),
    directive('log_format', 'gateway_metrics', `${line}\n`),
    directive('access_log',
      `syslog:server=127.0.0.1:${REQUEST_METRICS.syslogPort},tag=${REQUEST_METRICS.tag},nohostname`,
      'gateway_metrics'),
  ];
}

/**
 * What a route location sets: its route's label (the route's path) and the upstream it proxies to (a name, or
 * the tenant-pool variable).
 */
export function routeLocationNodes(routePath: string, proxyTarget: string): NginxNode[] {
  return [directive('set', LOCATION_ROUTE_VAR, routePath), directive('set', ROUTE_UPSTREAM_VAR, proxyTarget)];
}

/**
 * The route label's map entries, in nginx's own order of matching: exact locations first, then prefixes from the
 * longest. A prefix route also owns its path without the slash, exactly.
 */
function routeLabelEntries(routes: readonly GatewayRoute[]): NginxNode[] {
  const exact: Array<[string, string]> = [];
  const prefixes: Array<[string, string]> = [];
  for (const route of routes) {
    for (const location of routeLocations(route.path, route.match)) {
      if (location[0] === '=') exact.push([`~^${escapeRegExp(location[1])}$`, route.path]);
      else prefixes.push([location[0], route.path]);
    }
  }
  prefixes.sort(([a], [b]) => b.length - a.length || (a < b ? -1 : 1));
  return [...exact, ...prefixes.map(([prefix, label]): [string, string] => [`~^${escapeRegExp(prefix)}`, label])]
    .map(([key, label]) => directive(key, label));
}

const capture = (name: string): MtailLabel => ({ capture: name });
const literal = (value: string): MtailLabel => ({ literal: value });

/** The metrics the program declares. */
interface ProgramMetrics {
  readonly requests: MtailMetric;
  readonly duration: MtailMetric;
  readonly headerDuration: MtailMetric;
  readonly rejected: MtailMetric;
  readonly tokens: MtailMetric;
}

function programMetrics(metrics: ResolvedGatewayRequestMetrics): ProgramMetrics {
  // mtail before 3.0.1 counts an observation of exactly 0 in no bucket (google/mtail#675): a first bucket
  // below every possible latency keeps _bucket{le="+Inf"} equal to _count there too.
  const buckets = [-1, ...metrics.latencyBuckets];
  return {
    requests: {
      kind: 'counter', name: GATEWAY_METRIC_NAMES.requests, labels: ['route', 'upstream', 'tenant', 'method', 'status'],
      help: 'Requests the gateway answered, by route, upstream pool (none: answered by the gateway), tenant, method, '
        + 'status.',
    },
    duration: {
      kind: 'histogram', name: GATEWAY_METRIC_NAMES.requestDuration, labels: ['route', 'tenant'], buckets,
      help: 'Seconds from the request\'s first byte to the response\'s last (what the client waited), by route '
        + 'and tenant.',
    },
    headerDuration: {
      kind: 'histogram', name: GATEWAY_METRIC_NAMES.upstreamHeaderDuration, labels: ['route', 'upstream'], buckets,
      help: 'Seconds until the upstream\'s response header (for a stream: its first token), by route and upstream.',
    },
    rejected: {
      kind: 'counter', name: GATEWAY_METRIC_NAMES.rejected, labels: ['route', 'tenant', 'reason'],
      help: 'Requests the gateway refused itself: rate_limit, connection_limit (429), unauthenticated (401), '
        + 'body_too_large (413).',
    },
    tokens: {
      kind: 'counter', name: GATEWAY_METRIC_NAMES.tokens, labels: ['route', 'tenant', 'model', 'kind'],
      help: 'Tokens of the routes that count them (tokenUsage), by route, tenant, model and kind (prompt, '
        + 'completion).',
    },
  };
}

/** What the program does with each line. */
function programStatements(m: ProgramMetrics): MtailStatement[] {
  const addTokens = (field: string, kind: string): MtailStatement => ({
    kind: 'when', capture: field, pattern: '^[0-9]+$',
    body: [{
      kind: 'add', metric: m.tokens, labels: [capture('route'), capture('tenant'), capture('model'), literal(kind)],
      capture: field,
    }],
  });
  const reject = (reason: string): MtailStatement =>
    ({ kind: 'increment', metric: m.rejected, labels: [capture('route'), capture('tenant'), literal(reason)] });
  return [
    { kind: 'increment', metric: m.requests, labels: m.requests.labels.map(capture) },
    { kind: 'observe', metric: m.duration, labels: [capture('route'), capture('tenant')], capture: 'request_time' },
    {
      kind: 'when', capture: 'upstream_header_time', pattern: '^\\d',
      body: [{
        kind: 'observe', metric: m.headerDuration, labels: [capture('route'), capture('upstream')],
        capture: 'upstream_header_time',
      }],
    },
    { kind: 'when', capture: 'limit_req', pattern: '^REJECTED$', body: [reject('rate_limit')] },
    { kind: 'when', capture: 'limit_conn', pattern: '^REJECTED$', body: [reject('connection_limit')] },
    {
      kind: 'when', capture: 'upstream', pattern: '^none$',
      body: [
        { kind: 'when', capture: 'status', pattern: '^401$', body: [reject('unauthenticated')] },
        { kind: 'when', capture: 'status', pattern: '^413$', body: [reject('body_too_large')] },
      ],
    },
    addTokens('prompt_tokens', 'prompt'),
    addTokens('completion_tokens', 'completion'),
  ];
}

/** The mtail program that reads the lines {@link requestMetricsHttpNodes} sends. */
export function requestMetricsProgram(metrics: ResolvedGatewayRequestMetrics): MtailProgram {
  const m = programMetrics(metrics);
  const fields = LINE_FIELDS
    .map((f) => `${f.name}=${f.pattern.includes('(?P<') ? f.pattern : `(?P<${f.name}>${f.pattern})`}`);
  return {
    header: [
      'The AI gateway\'s request metrics, from the lines nginx sends over syslog (log_format gateway_metrics).',
      'Generated by cdk8s-ai-agent-platform from the platform model; edit the model, not this file.',
    ],
    metrics: [m.requests, m.duration, m.headerDuration, m.rejected, m.tokens],
    rules: [{ pattern: `${REQUEST_METRICS.tag}: ${fields.join(' ')}$`, body: programStatements(m) }],
  };
}
