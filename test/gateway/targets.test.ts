import { ComposeGatewayTarget, GatewayTarget, IAgentWorkload } from '../../lib';
import { gatewayFixture } from '../support/gateway-fixtures';
import { lines } from '../support/nginx-text';

const TLS = { certificateFile: '/srv/tls/gateway.crt', keyFile: '/srv/tls/gateway.key' };

/** A Compose contract where every member differs from the defaults, so each one must visibly reach nginx.conf. */
const CONTRACT: ComposeGatewayTarget = {
  serviceNameOf: (w: IAgentWorkload) => `svc-${w.name}`,
  upstreamServerOf: (w: IAgentWorkload) => `svc-${w.name}:${w.containerPort + 1}`,
  httpPort: 8180,
  httpsPort: 8543,
  certificatePath: '/run/certs/chain.pem',
  certificateKeyPath: '/run/certs/private.pem',
  healthPath: '/livez',
  status: { port: 8281, path: '/basic_status' },
  pidPath: '/run/nginx/nginx.pid',
  tempDirectory: '/var/cache/nginx',
  maxOpenFiles: 65535,
  resolver: '10.89.0.1',
};

describe('GatewayTarget.forComposeStack', () => {
  test('renders every value of the Compose contract (nginx 1.28: upstreams re-resolved)', () => {
    const { gateway, agent } = gatewayFixture({ tls: TLS });
    gateway.route('/api/v1/agent/', agent);
    const conf = lines(gateway.renderNginxConf(GatewayTarget.forComposeStack(CONTRACT)));
    expect(conf).toEqual(expect.arrayContaining([
      'pid /run/nginx/nginx.pid;',
      'client_body_temp_path /var/cache/nginx/client_temp;',
      'proxy_temp_path /var/cache/nginx/proxy_temp;',
      'listen 8180 default_server;',
      'listen 8543 ssl default_server reuseport;',
      'ssl_certificate /run/certs/chain.pem;',
      'ssl_certificate_key /run/certs/private.pem;',
      'location = /livez {',
      'listen 8281;',
      'location = /basic_status {',
      'server svc-ai-agent:8081 resolve max_fails=3 fail_timeout=30s;',
      'resolver 10.89.0.1 valid=10s ipv6=off;',
    ]));
    for (const stale of [
      '/tmp/',
      '/etc/nginx/ssl/',
      'location = /health {',
      'location = /stub_status {',
      '127.0.0.11',
    ]) {
      expect(conf.join('\n')).not.toContain(stale);
    }
  });

  test('the defaults of the other targets are unchanged: /health, /stub_status, pid and temp paths in /tmp', () => {
    const { gateway, agent } = gatewayFixture({ tls: TLS });
    gateway.route('/api/v1/agent/', agent);
    const kube = lines(gateway.renderNginxConf(GatewayTarget.kubernetes()));
    expect(kube).toEqual(
      expect.arrayContaining([
        'pid /tmp/nginx.pid;',
        'location = /health {',
        'location = /stub_status {',
        'listen 127.0.0.1:8081;',
      ]),
    );
    const standalone = lines(gateway.renderNginxConf(GatewayTarget.standalone()));
    expect(standalone).toEqual(
      expect.arrayContaining([
        'user www-data;',
        'ssl_certificate /srv/tls/gateway.crt;',
        'error_log /var/log/nginx/error.log warn;',
      ]),
    );
    expect(standalone.some((l) => l.startsWith('pid ') || l.includes('_temp_path'))).toBe(false);
  });

  test('fails when worker_rlimit_nofile exceeds the container\'s open-file limit', () => {
    const { gateway, agent } = gatewayFixture({ tuning: { workerRlimitNofile: 100000 } });
    gateway.route('/api/v1/agent/', agent);
    expect(() => gateway.renderNginxConf(GatewayTarget.forComposeStack(CONTRACT))).toThrow(
      "AgentGateway 'Gateway': tuning.workerRlimitNofile (100000) must be <= the compose container's"
        + ' open-file limit (65535)',
    );
    expect(() => gateway.renderNginxConf(GatewayTarget.kubernetes())).not.toThrow();
  });

  test('fails when a target path is not a plain absolute path', () => {
    const { gateway, agent } = gatewayFixture();
    gateway.route('/api/v1/agent/', agent);
    const bad = {
      ...CONTRACT,
      healthPath: '/live z',
      status: { port: 8281, path: '/status/' },
      pidPath: '/run/../nginx.pid',
      resolver: 'dns;evil',
    };
    expect(() => gateway.renderNginxConf(GatewayTarget.forComposeStack(bad))).toThrow(
      [
        "AgentGateway 'Gateway': target.healthPath (\"/live z\") must be an absolute path of letters, digits"
          + " and ._~-/, not ending in '/'",
        "AgentGateway 'Gateway': target.statusPath (\"/status/\") must be an absolute path of letters, digits"
          + " and ._~-/, not ending in '/'",
        "AgentGateway 'Gateway': target.pidFile (\"/run/../nginx.pid\") must be an absolute path of letters, digits"
          + " and ._-/ without '..'",
        'AgentGateway \'Gateway\': target.resolver ("dns;evil") must be a host name or IPv4 address,'
          + ' optionally with :port',
      ].join('\n'),
    );
  });
});
