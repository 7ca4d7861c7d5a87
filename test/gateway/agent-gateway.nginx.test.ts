import { Duration } from 'cdk8s';
import {
  AgentGatewayProps,
  GatewayRouteOptions,
  GatewayTarget,
  LoadBalancing,
  RateLimit,
  RateLimitZone,
  RequestKey,
  RetryPolicy,
  UpstreamServer,
} from '../../lib';
import { gatewayFixture, referencePlatform, STANDALONE_HOSTS } from '../support/gateway-fixtures';
import { checkNginxConfig, expectNginxConfigValid } from '../support/nginx-sandbox';

/** The only nginx the tests can run (Debian 12's); renderings for newer versions are checked as rendered for it. */
const INSTALLED = '1.22.1';
const TLS = {
  certificateFile: '/etc/nginx/ssl/cert.pem',
  keyFile: '/etc/nginx/ssl/key.pem',
  secretName: 'ai-tls-secret',
};
const CLUSTER_HOSTS = ['ai-agent-service.ai-platform.svc.cluster.local', 'model-service.ai-platform.svc.cluster.local',
  'acme-agent-service.tenant-acme.svc.cluster.local'];

describe('nginx -t on the reference platform', () => {
  const gateway = referencePlatform().gateway!;

  test('standalone nginx.conf (dist/nginx/nginx.conf), as rendered', () => {
    expectNginxConfigValid(gateway.renderNginxConf(GatewayTarget.standalone()), { hosts: STANDALONE_HOSTS });
  });

  test('Kubernetes rendering, rendered for the installed nginx (ClusterIP upstreams)', () => {
    expectNginxConfigValid(gateway.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion: INSTALLED })), {
      hosts: CLUSTER_HOSTS,
    });
  });

  test('Compose rendering, rendered for the installed nginx', () => {
    const conf = gateway.renderNginxConf(
      GatewayTarget.compose({ serviceNameOf: (w) => w.serviceName, nginxVersion: INSTALLED }),
    );
    expectNginxConfigValid(conf, { hosts: ['ai-agent-service', 'model-service'] });
  });

  test('the sandbox really checks: an upstream host that does not resolve is rejected', () => {
    const result = checkNginxConfig(gateway.renderNginxConf(GatewayTarget.standalone()), {
      hosts: ['agent-service-1', 'agent-service-2'],
    });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/host not found in upstream "agent-service-3:8080"/);
  });
});

type Case = [string, Partial<AgentGatewayProps>, GatewayRouteOptions];
const servers = (backup: boolean) => [
  UpstreamServer.of('agent-service-1:8080', { weight: 3 }),
  UpstreamServer.of('agent-service-2:8080', { weight: 2, maxConns: 50, failTimeout: Duration.seconds(10) }),
  UpstreamServer.of('agent-service-3:8080', { backup }),
];
const algorithms: Array<[string, LoadBalancing, boolean]> = [
  ['round robin', LoadBalancing.roundRobin(), true],
  ['weighted round robin', LoadBalancing.weightedRoundRobin(), true],
  ['least connections', LoadBalancing.leastConnections(), true],
  ['IP hash', LoadBalancing.ipHash(), false],
  ['consistent hash on a session header', LoadBalancing.consistentHash(RequestKey.header('X-Session-ID')), false],
  ['plain hash on a cookie', LoadBalancing.consistentHash(RequestKey.cookie('session'), { consistent: false }), false],
  [
    'consistent hash on an expression',
    LoadBalancing.consistentHash(RequestKey.expression('$http_x_tenant_id$request_uri')),
    false,
  ],
];
const cases: Case[] = [];
for (const [name, loadBalancing, backupAllowed] of algorithms) {
  for (const tls of [false, true]) {
    cases.push([
      `${name}${backupAllowed ? ' with a backup' : ''}, ${tls ? 'TLS' : 'plain HTTP'}`,
      tls ? { tls: TLS } : {},
      { upstream: { loadBalancing, servers: servers(backupAllowed) } },
    ]);
  }
}
cases.push(
  [
    'HSTS, limit_conn, a per-tenant zone, no keepalive',
    {
      tls: { ...TLS, hsts: { includeSubDomains: true, preload: true } },
      connectionsPerClient: 10,
      rateLimits: [
        RateLimitZone.perKey(
          'per_tenant',
          RequestKey.header('X-Tenant-ID'),
          RateLimit.perMinute(600, { burst: 10, nodelay: false }),
        ),
      ],
    },
    { upstream: { keepalive: 0 } },
  ],
  [
    'no retries, no streaming, no rate limits, no access log, no gzip',
    { accessLog: false, tuning: { gzip: false, workerProcesses: 2 } },
    { retries: RetryPolicy.none(), streaming: false, rateLimits: false },
  ],
  [
    'retries on statuses and non-idempotent requests, long timeouts',
    {},
    {
      retries: RetryPolicy.onFailure({
        tries: 3,
        also: ['http_502', 'http_503', 'http_504', 'http_429'],
        nonIdempotent: true,
      }),
      readTimeout: Duration.minutes(30),
    },
  ],
);

describe('nginx -t on a matrix of options', () => {
  test.each(cases)('%s', (_, props, routeOptions) => {
    const { gateway, agent, models } = gatewayFixture({
      standaloneNginxVersion: INSTALLED,
      nginxVersion: INSTALLED,
      ...props,
    });
    gateway.route('/api/v1/agent/', agent, routeOptions);
    gateway.route('/api/v1/models/', models, { upstream: { name: 'model_backend' } });
    for (const target of [
      GatewayTarget.standalone(),
      GatewayTarget.kubernetes(),
      GatewayTarget.compose({ serviceNameOf: (w) => w.serviceName }),
    ]) {
      expectNginxConfigValid(gateway.renderNginxConf(target), {
        hosts: [...STANDALONE_HOSTS, ...CLUSTER_HOSTS],
      });
    }
  });
});

describe('what the validation forbids, the real nginx forbids too', () => {
  const conf = (method: string) => [
    'events {}',
    'http {',
    '    upstream u {',
    `        ${method}`,
    '        server 127.0.0.1:8080;',
    '        server 127.0.0.1:8081 backup;',
    '    }',
    '    server { listen 127.0.0.1:8000; location / { proxy_pass http://u; } }',
    '}',
  ].join('\n');

  test.each(['ip_hash;', 'hash $http_x_session_id consistent;'])('backup with %s is rejected', (method) => {
    const result = checkNginxConfig(conf(method));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/backup/);
  });

  test.each(['least_conn;', ''])('backup with "%s" (least_conn, round robin) is accepted', (method) => {
    expectNginxConfigValid(conf(method));
  });
});

describe('versions', () => {
  const reference = () => referencePlatform().gateway!;
  const targets = () => [
    GatewayTarget.standalone(),
    GatewayTarget.kubernetes(),
    GatewayTarget.compose({ serviceNameOf: (w) => w.serviceName }),
  ];
  const hosts = [...STANDALONE_HOSTS, ...CLUSTER_HOSTS];

  test.each(['1.18.0', '1.20.2', '1.24.0', '1.25.0'])(
    'renderings for nginx %s pass nginx -t on the installed 1.22',
    (nginxVersion) => {
      const gateway = reference();
      for (const target of targets()) {
        const versioned =
          target.kind === 'compose'
            ? GatewayTarget.compose({ serviceNameOf: (w) => w.serviceName, nginxVersion })
            : target.kind === 'kubernetes'
              ? GatewayTarget.kubernetes({ nginxVersion })
              : GatewayTarget.standalone({ nginxVersion });
        expectNginxConfigValid(gateway.renderNginxConf(versioned), { hosts });
      }
    },
  );

  /** Lines of `a` not in `b` and of `b` not in `a`. */
  const difference = (a: string, b: string) => {
    const la = a.split('\n');
    const lb = b.split('\n');
    return {
      removed: la.filter((l) => !lb.includes(l)).map((l) => l.trim()),
      added: lb.filter((l) => !la.includes(l)).map((l) => l.trim()),
    };
  };

  test('a rendering for a newer nginx differs from the one nginx -t accepted only in version-gated lines', () => {
    const gateway = reference();
    const compose = (nginxVersion: string) =>
      gateway.renderNginxConf(GatewayTarget.compose({ serviceNameOf: (w) => w.serviceName, nginxVersion }));
    const composeDiff = difference(compose(INSTALLED), compose('1.28.0'));
    const significant = (lines: string[]) => lines.filter((l) => !l.startsWith('#'));
    expect(significant(composeDiff.removed)).toEqual([
      'server ai-agent-service:8080 max_fails=3 fail_timeout=30s;',
      'server model-service:8080 max_fails=3 fail_timeout=30s;',
      'listen 8443 ssl http2 default_server reuseport;',
      // Two routes, each a prefix location and its exact twin (no redirect on the path without its slash).
      ...Array(4).fill('proxy_next_upstream_tries 1;'),
    ]);
    expect(significant(composeDiff.added)).toEqual([
      'server ai-agent-service:8080 resolve max_fails=3 fail_timeout=30s;',
      'resolver 127.0.0.11 valid=10s ipv6=off;',
      'resolver_timeout 5s;',
      'server model-service:8080 resolve max_fails=3 fail_timeout=30s;',
      'resolver 127.0.0.11 valid=10s ipv6=off;',
      'resolver_timeout 5s;',
      'listen 8443 ssl default_server reuseport;',
      'http2 on;',
      ...Array(4).fill('proxy_next_upstream_tries 0;'),
    ]);

    const kube = (nginxVersion: string) => gateway.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion }));
    const { removed, added } = difference(kube(INSTALLED), kube('1.28.0'));
    expect(significant(removed)).toEqual([
      'server ai-agent-service.ai-platform.svc.cluster.local:80 max_fails=3 fail_timeout=30s;',
      'server model-service.ai-platform.svc.cluster.local:80 max_fails=3 fail_timeout=30s;',
      // the tenant pool of acme (tenancy), in its namespace
      'server acme-agent-service.tenant-acme.svc.cluster.local:80 max_fails=3 fail_timeout=30s;',
      ...Array(4).fill('proxy_next_upstream_tries 1;'),
    ]);
    expect(significant(added)).toEqual([
      'server ai-agent-service-headless.ai-platform.svc.cluster.local:8080 resolve max_fails=3 fail_timeout=30s;',
      'resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;',
      'resolver_timeout 5s;',
      'server model-service-headless.ai-platform.svc.cluster.local:8080 resolve max_fails=3 fail_timeout=30s;',
      'resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;',
      'resolver_timeout 5s;',
      'server acme-agent-service-headless.tenant-acme.svc.cluster.local:8080 resolve max_fails=3 fail_timeout=30s;',
      'resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;',
      'resolver_timeout 5s;',
      ...Array(4).fill('proxy_next_upstream_tries 0;'),
    ]);
  });
});
