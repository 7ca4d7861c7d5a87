/**
 * The gateway's secure defaults, on every rendering of the reference platform (standalone, Kubernetes,
 * Compose): TLS 1.2/1.3 only, server_tokens off, request size and client timeouts, upstream timeouts, and
 * stub_status kept off the public listeners (test/support/gateway-audit.ts). The run-time proof that
 * stub_status is unreachable from outside and that slow clients are cut off is in gateway-faults.e2e.test.ts.
 */
import { Duration, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { GatewayTarget } from '../../lib';
import { auditGatewayConf } from '../support/gateway-audit';
import { gatewayFixture, referencePlatform } from '../support/gateway-fixtures';
import { parseNginx, walkNginx } from '../support/nginx-structure';

const TLS = { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' };

function renderings() {
  const platform = referencePlatform();
  const artifacts = platform.renderArtifacts();
  const file = (p: string) => artifacts.find((a) => a.path === p)!.content;
  const configMap = Testing.synth(platform).find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === 'ai-gateway-nginx',
  );
  const compose = YAML.parse(file('compose/docker-compose.yml'));
  const published = (compose.services.nginx.ports as string[]).map((p) => Number(String(p).split(':').pop()));
  return {
    standalone: file('nginx/nginx.conf'),
    kubernetes: configMap.data['nginx.conf'] as string,
    compose: file('compose/nginx/nginx.conf'),
    composePublished: published,
    composeServices: compose.services,
  };
}

/** The directive `name` in the http block of `conf`. */
function httpDirective(conf: string, name: string): string | undefined {
  const http = parseNginx(conf).find((n) => n.name === 'http')!;
  const node = http.children!.find((n) => n.name === name);
  return node && node.args.join(' ');
}

describe('gateway hardening (every rendering of the reference platform)', () => {
  const r = renderings();

  test('the standalone, Kubernetes and Compose nginx.conf pass the gateway audit', () => {
    expect(auditGatewayConf(r.standalone, { tls: true })).toEqual([]);
    expect(auditGatewayConf(r.kubernetes, { tls: false })).toEqual([]);
    expect(auditGatewayConf(r.compose, { tls: true, publishedPorts: r.composePublished })).toEqual([]);
  });

  test('TLS 1.2 and 1.3 only, no server version in headers or error pages, sizes and client timeouts set', () => {
    for (const conf of [r.standalone, r.compose]) {
      const protocols = walkNginx(parseNginx(conf))
        .filter(({ node }) => node.name === 'ssl_protocols')
        .map(({ node }) => node.args);
      expect(protocols).toEqual([['TLSv1.2', 'TLSv1.3']]);
    }
    for (const conf of [r.standalone, r.kubernetes, r.compose]) {
      expect(httpDirective(conf, 'server_tokens')).toBe('off');
      expect(httpDirective(conf, 'client_max_body_size')).toBe('100m');
      expect(httpDirective(conf, 'client_header_timeout')).toBe('10s');
      expect(httpDirective(conf, 'client_body_timeout')).toBe('60s');
      expect(httpDirective(conf, 'send_timeout')).toBe('60s');
    }
  });

  test('stub_status: loopback only (standalone, Kubernetes); Compose: unpublished port, private addresses only', () => {
    const statusServer = (conf: string) =>
      parseNginx(conf)
        .find((n) => n.name === 'http')!
        .children!.find(
        (s) => s.name === 'server' && walkNginx(s.children!).some(({ node }) => node.name === 'stub_status'),
      )!;
    for (const conf of [r.standalone, r.kubernetes]) {
      expect(
        statusServer(conf)
          .children!.filter((n) => n.name === 'listen')
          .map((n) => n.args),
      ).toEqual([['127.0.0.1:8081']]);
    }
    const compose = statusServer(r.compose);
    expect(compose.children!.filter((n) => n.name === 'listen').map((n) => n.args)).toEqual([['8081']]);
    expect(r.composePublished).not.toContain(8081);
    expect(r.composePublished.sort()).toEqual([8080, 8443]);
    // Only the exporter is meant to read it; no other service publishes or proxies it.
    expect(JSON.stringify(r.composeServices)).not.toMatch(/"[0-9.:]*8081"/);
  });

  test('the audit catches what it states (it can fail)', () => {
    const bad = r.standalone
      .replace('ssl_protocols TLSv1.2 TLSv1.3;', 'ssl_protocols TLSv1 TLSv1.2 TLSv1.3;')
      .replace('server_tokens off;', 'server_tokens on;')
      .replace(/ {4}client_header_timeout 10s;\n/, '')
      .replace('listen 127.0.0.1:8081;', 'listen 8081;')
      .replace(/ {12}proxy_read_timeout 300s;\n/, '');
    expect(bad).not.toBe(r.standalone);
    expect(auditGatewayConf(bad, { tls: true, publishedPorts: [8081] })).toEqual(expect.arrayContaining([
      'http: server_tokens is not off',
      'http: client_header_timeout is not set',
      'ssl_protocols TLSv1 TLSv1.2 TLSv1.3: only TLSv1.2 TLSv1.3 allowed',
      'server 8081: serves stub_status on published port 8081',
      expect.stringMatching(/location \/api\/v1\/agent\/: proxy_read_timeout is not set/),
    ]));
    expect(auditGatewayConf(r.standalone.replace(/ssl_protocols[^;]*;/, ''), { tls: true })).toEqual([
      'server 443: ssl_protocols not set (nginx would allow its defaults)',
    ]);
  });
});

describe('client timeouts (slowloris)', () => {
  test('defaults: header 10s, body 60s, send 60s in every rendering', () => {
    const { gateway, agent } = gatewayFixture({ tls: TLS });
    gateway.route('/api/v1/agent/', agent);
    for (const target of [GatewayTarget.standalone(), GatewayTarget.kubernetes()]) {
      const conf = gateway.renderNginxConf(target);
      expect(httpDirective(conf, 'client_header_timeout')).toBe('10s');
      expect(httpDirective(conf, 'client_body_timeout')).toBe('60s');
      expect(httpDirective(conf, 'send_timeout')).toBe('60s');
    }
  });

  test('clientTimeouts sets each', () => {
    const { gateway, agent } = gatewayFixture({
      clientTimeouts: { header: Duration.seconds(5), body: Duration.seconds(30), send: Duration.minutes(2) },
    });
    gateway.route('/api/v1/agent/', agent);
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect([
      httpDirective(conf, 'client_header_timeout'),
      httpDirective(conf, 'client_body_timeout'),
      httpDirective(conf, 'send_timeout'),
    ]).toEqual(['5s', '30s', '120s']);
  });

  test('fails when a client timeout is below one second', () => {
    expect(() =>
      gatewayFixture({ clientTimeouts: { header: Duration.millis(500), send: Duration.millis(10) } }),
    ).toThrow(
      'AgentGateway \'Gateway\': clientTimeouts.header ("500 millis") must be at least 1 second\n' +
        'AgentGateway \'Gateway\': clientTimeouts.send ("10 millis") must be at least 1 second',
    );
  });
});
