import { checkNginxConfig, expectNginxConfigValid, loopbackHosts } from '../support/nginx-sandbox';

/** A small config of the gateway's shape: named upstreams, TLS at /etc/nginx/ssl, an include file. */
const CONF = `user www-data;
worker_processes 1;
pid /run/nginx.pid;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  include conf.d/limits.conf;
  upstream ai_agent_backend {
    least_conn;
    server agent-service-1:8080 weight=3 max_fails=3 fail_timeout=30s;
    server agent-service-2:8080 weight=2 backup;
    keepalive 32;
  }
  server {
    listen 443 ssl;
    server_name ai-agent.example.com;
    ssl_certificate /etc/nginx/ssl/cert.pem;
    ssl_certificate_key /etc/nginx/ssl/key.pem;
    location /api/v1/agent/ {
      limit_req zone=ai_api burst=20 nodelay;
      proxy_pass http://ai_agent_backend;
    }
  }
}
`;
const LIMITS = 'limit_req_zone $binary_remote_addr zone=ai_api:10m rate=10r/s;\n';
const HOSTS = ['agent-service-1', 'agent-service-2'];

describe('nginx sandbox', () => {
  test('accepts a valid config whose upstream hosts resolve in the sandbox', () => {
    const result = checkNginxConfig(CONF, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS } });
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([]);
    expect(result.hosts).toEqual({ 'agent-service-1': '127.0.0.11', 'agent-service-2': '127.0.0.12' });
    expect(() => expectNginxConfigValid(CONF, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS } })).not.toThrow();
  });

  test('fails with nginx\'s own message when an upstream host does not resolve', () => {
    const result = checkNginxConfig(CONF, { hosts: ['agent-service-1'], files: { 'conf.d/limits.conf': LIMITS } });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/host not found in upstream "agent-service-2:8080"/);
    expect(() => expectNginxConfigValid(CONF, { hosts: ['agent-service-1'], files: { 'conf.d/limits.conf': LIMITS } }))
      .toThrow(/nginx -t rejected the config:[\s\S]*host not found in upstream "agent-service-2:8080"/);
  });

  test('fails when an include file is missing', () => {
    expect(() => expectNginxConfigValid(CONF, { hosts: HOSTS })).toThrow(
      /open\(\) "\/etc\/nginx\/conf.d\/limits.conf" failed/,
    );
  });

  test('fails on a syntax error, naming the line', () => {
    const broken = CONF.replace('least_conn;', 'least_conn');
    expect(() => expectNginxConfigValid(broken, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS } }))
      .toThrow(/nginx\.conf:\d+/);
  });

  test('fails on warnings unless they are allowed', () => {
    // A zone used with a different rate is fine; a duplicate MIME type in a types block is a warning.
    const warned = CONF.replace('include /etc/nginx/mime.types;', 'types { text/html html; text/plain html; }');
    const result = checkNginxConfig(warned, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS } });
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/duplicate extension "html"/);
    expect(() => expectNginxConfigValid(warned, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS } })).toThrow(
      /nginx -t warned/,
    );
    expect(() =>
      expectNginxConfigValid(warned, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS }, allowWarnings: true }),
    ).not.toThrow();
  });

  test('the certificate is really loaded from /etc/nginx/ssl: a wrong path fails', () => {
    const wrongPath = CONF.replace('/etc/nginx/ssl/cert.pem', '/etc/nginx/ssl/missing.pem');
    expect(checkNginxConfig(wrongPath, { hosts: HOSTS, files: { 'conf.d/limits.conf': LIMITS } }).output)
      .toMatch(/cannot load certificate "\/etc\/nginx\/ssl\/missing.pem"/);
  });

  test('explicit host addresses must be loopback', () => {
    expect(loopbackHosts({ 'model-service': '127.0.0.40' })).toEqual({ 'model-service': '127.0.0.40' });
    expect(() => loopbackHosts({ 'model-service': '10.0.0.1' })).toThrow(
      /must map to a loopback address \(127.x.y.z\), got '10.0.0.1'/,
    );
  });

  test('fails when an extra file lies outside /etc/nginx', () => {
    expect(() => checkNginxConfig(CONF, { files: { '/etc/passwd': 'x' } })).toThrow(
      /extra file '\/etc\/passwd' must lie under \/etc\/nginx/,
    );
  });
});
