import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  AgentGateway,
  AiAgentPlatform,
  directive,
  EdgeBackend,
  GatewayEdge,
  GatewayTarget,
  HealthCheck,
  LoadBalancing,
  NginxModule,
  RateLimit,
  RateLimitZone,
  RatePlan,
  RequestKey,
  RetryPolicy,
  UpstreamServer,
} from '../../lib';
import { INGRESS_NGINX_ANNOTATIONS, INGRESS_NGINX_PREFIX } from '../../lib/gateway/_kubernetes';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { PlatformApp } from '../../lib';
import { configChecksum, gatewayFixture, referencePlatform } from '../support/gateway-fixtures';
import { withTempDir } from '../support/tools';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { blockOf, lines } from '../support/nginx-text';
import { pattern } from '../support/patterns';

const TLS = {
  certificateFile: '/etc/nginx/ssl/cert.pem',
  keyFile: '/etc/nginx/ssl/key.pem',
  secretName: 'ai-tls-secret',
};

describe('reference platform gateway', () => {
  const platform = referencePlatform();
  const gateway = platform.gateway!;
  const objects = Testing.synth(platform);
  const standalone = gateway.renderNginxConf(GatewayTarget.standalone());
  const gatewayObjects = objects.filter((o) =>
    o.metadata.labels?.['app.kubernetes.io/component']?.startsWith('gateway'),
  );

  test('snapshot of the gateway objects and the standalone nginx.conf', () => {
    expect(gatewayObjects).toMatchSnapshot();
    expect(standalone).toMatchSnapshot();
  });

  test('every Kubernetes object is schema-valid', () => {
    expectValidKubernetes(objects);
  });

  test('the platform writes nginx/nginx.conf: the standalone rendering', () => {
    expect(platform.renderArtifacts().filter((a) => a.path.startsWith('nginx/'))).toEqual([
      { path: 'nginx/nginx.conf', content: standalone },
      // mtail's program for the VM (README: run mtail --progs on it, listening where the conf sends lines).
      { path: 'nginx/gateway.mtail', content: platform.gateway!.renderRequestMetricsProgram() },
    ]);
  });

  test('PlatformApp.synth (what npm run synth runs) writes dist/nginx/nginx.conf beside the manifests', () => {
    withTempDir((dir) => {
      const outdir = path.join(dir, 'dist');
      const app = new PlatformApp({ outdir });
      buildReferencePlatform(app);
      app.synth();
      expect(fs.readFileSync(path.join(outdir, 'nginx', 'nginx.conf'), 'utf8')).toBe(standalone);
      const manifests = fs.readFileSync(path.join(outdir, 'ai-platform.k8s.yaml'), 'utf8');
      expect(manifests).toContain('name: ai-agent-ingress');
      expect(manifests).toContain('name: ai-gateway-nginx');
      // kubectl reads YAML 1.1: on/off must be quoted to stay strings.
      expect(manifests).toContain('nginx.ingress.kubernetes.io/proxy-buffering: "off"');
    });
  });

  test("standalone upstreams: the contract's servers with least_conn, a shared zone, passive checks, keepalive", () => {
    expect(blockOf(standalone, 'upstream ai_agent_backend {')).toEqual([
      'zone ai_agent_backend 64k;',
      'least_conn;',
      'server agent-service-1:8080 weight=3 max_fails=3 fail_timeout=30s;',
      'server agent-service-2:8080 weight=3 max_fails=3 fail_timeout=30s;',
      'server agent-service-3:8080 weight=2 max_fails=3 fail_timeout=30s backup;',
      'keepalive 32;',
    ]);
    expect(blockOf(standalone, 'upstream model_backend {')).toContain(
      'server model-service:8080 max_fails=3 fail_timeout=30s;',
    );
    expect(standalone).not.toMatch(/^\s*check /m);
    expect(standalone).not.toMatch(/health_check/);
  });

  test('every API route: limited by both zones, proxied with working keepalive, streamed, headers forwarded', () => {
    const l = lines(standalone);
    // With tenants, the per-IP zone counts requests without a known key; keyed ones count against their plan.
    expect(blockOf(standalone, 'map $gateway_tenant $gateway_anonymous_client {')).toEqual([
      '"" $binary_remote_addr;',
      'default "";',
    ]);
    expect(l).toContain('limit_req_zone $gateway_anonymous_client zone=ai_api:10m rate=10r/s;');
    expect(l).toContain('limit_req_zone $server_name zone=ai_global:1m rate=1000r/s;');
    expect(l).toContain('limit_req_status 429;');
    // The agent route goes to the tenant's own pool when it has one, else to ai_agent_backend (tenancy).
    expect(blockOf(standalone, 'map $gateway_tenant $gateway_upstream_ai_agent_backend {')).toEqual([
      'default ai_agent_backend;',
      'acme acme_agent_backend;',
    ]);
    for (const [path, upstream, tries] of [
      ['/api/v1/agent/', '$gateway_upstream_ai_agent_backend', 3],
      ['/api/v1/models/', 'model_backend', 1],
    ]) {
      const location = blockOf(standalone, `location ${path} {`);
      expect(location).toEqual(
        expect.arrayContaining([
          'limit_req zone=ai_api burst=20 nodelay;',
          'limit_req zone=ai_global burst=1000 nodelay;',
          `proxy_pass http://${upstream};`,
          'proxy_http_version 1.1;',
          'proxy_set_header Connection "";',
          'proxy_set_header Host $host;',
          'proxy_set_header X-Real-IP $remote_addr;',
          'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
          'proxy_set_header X-Forwarded-Proto $scheme;',
          'proxy_set_header X-Request-ID $gateway_request_id;',
          'proxy_read_timeout 300s;',
          'proxy_send_timeout 300s;',
          'proxy_next_upstream error timeout;',
          // Each server once, the backup included: when both primaries refuse, the backup still answers.
          `proxy_next_upstream_tries ${tries};`,
          'proxy_buffering off;',
          'proxy_cache off;',
          'add_header X-Accel-Buffering no always;',
        ]),
      );
    }
  });

  test('TLS 1.2/1.3 on 443 with http2 as nginx 1.22 writes it; port 80 answers /health and redirects the rest', () => {
    const l = lines(standalone);
    expect(l).toEqual(expect.arrayContaining([
      // A socket per worker: with multi_accept one worker took all of a saturating client's connections.
      'listen 443 ssl http2 default_server reuseport;',
      'ssl_certificate /etc/nginx/ssl/cert.pem;',
      'ssl_certificate_key /etc/nginx/ssl/key.pem;',
      'ssl_protocols TLSv1.2 TLSv1.3;',
      'ssl_session_cache shared:SSL:10m;',
      'server_tokens off;',
    ]));
    expect(l).not.toContain('http2 on;');
    expect(standalone).not.toMatch(/Strict-Transport-Security/);
    const plain = standalone.slice(standalone.indexOf('listen 80 default_server;'));
    expect(plain.indexOf('location = /health')).toBeLessThan(
      plain.indexOf('return 308 https://ai-agent.example.com$request_uri;'),
    );
  });

  test('JSON error pages for 413, 429, 502, 503 and 504, and the brief\'s tuning', () => {
    for (const status of [413, 429, 502, 503, 504]) {
      expect(lines(standalone)).toContain(`error_page ${status} @error_${status};`);
      const body = blockOf(standalone, `location @error_${status} {`).find((l) => l.startsWith(`return ${status} `))!;
      const json = body.slice(`return ${status} '`.length, -2).replace('$gateway_request_id', 'abc');
      expect(JSON.parse(json)).toEqual({ error: { status, message: expect.any(String), request_id: 'abc' } });
    }
    expect(lines(standalone)).toEqual(
      expect.arrayContaining([
        'worker_processes auto;',
        'worker_rlimit_nofile 65535;',
        'worker_connections 4096;',
        'multi_accept on;',
        // The regular expressions of the maps run compiled (the counted benchmark: 4.3k instructions per request).
        'pcre_jit on;',
        'sendfile on;',
        'tcp_nopush on;',
        'tcp_nodelay on;',
        'keepalive_timeout 65s;',
        'keepalive_requests 1000;',
        'gzip_min_length 1024;',
        'gzip_comp_level 6;',
        'client_max_body_size 100m;',
        // Standalone the log is a file: 64k per write; in a container it is a pipe, 4k (PIPE_BUF, see Compose).
        'access_log /var/log/nginx/access.log gateway_json buffer=64k flush=1s;',
      ]),
    );
    expect(standalone).toMatch(
      /"upstream":"\$upstream_addr"[\s\S]*"upstream_response_time":"\$upstream_response_time"/,
    );
  });

  test('gateway Deployment: unprivileged nginx on 8080, restricted, read-only root with /tmp, exporter sidecar', () => {
    const deployment = findObject(objects, 'Deployment', 'ai-gateway');
    const pod = deployment.spec.template.spec;
    const [nginx, exporter] = pod.containers;
    expect(nginx.image).toBe('nginxinc/nginx-unprivileged:1.28.0-alpine');
    expect(nginx.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(nginx.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 101,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(nginx.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'tmp', emptyDir: {} },
        { name: 'nginx-conf', configMap: { name: 'ai-gateway-nginx' } },
      ]),
    );
    expect(exporter.args).toEqual(['--nginx.scrape-uri=http://127.0.0.1:8081/stub_status']);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe('9113');
    expect(findObject(objects, 'PodDisruptionBudget', 'ai-gateway-pdb').spec.maxUnavailable).toBe(1);
    expect(findObject(objects, 'Service', 'ai-gateway').spec.ports.map((p: any) => p.name)).toEqual([
      'http',
      'metrics',
    ]);
  });

  test('the ConfigMap holds the Kubernetes rendering, and its checksum is on the pod template', () => {
    const conf = findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data['nginx.conf'];
    expect(conf).toBe(gateway.renderNginxConf(GatewayTarget.kubernetes()));
    const checksum = findObject(objects, 'Deployment', 'ai-gateway').spec.template.metadata.annotations[
      'checksum/config'
    ];
    expect(checksum).toBe(configChecksum(findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data));
    expect(blockOf(conf, 'location /api/v1/agent/ {')).toContain('proxy_next_upstream_tries 0;');
    expect(lines(conf)).toEqual(
      expect.arrayContaining([
        'listen 8080 default_server reuseport;',
        'pid /tmp/nginx.pid;',
        'proxy_temp_path /tmp/proxy_temp;',
        'listen 127.0.0.1:8081;',
        'stub_status;',
      ]),
    );
    expect(conf).not.toMatch(/ssl_certificate|^\s*user /m);
    expect(lines(conf)).toEqual(
      expect.arrayContaining([
        'set_real_ip_from 10.0.0.0/8;',
        'real_ip_header X-Forwarded-For;',
        'real_ip_recursive on;',
      ]),
    );
    expect(gateway.renderNginxConf(GatewayTarget.standalone())).not.toMatch(/real_ip/);
  });

  test('in-cluster upstreams balance across pods: headless Services, re-resolved (nginx 1.28)', () => {
    const conf = gateway.renderNginxConf(GatewayTarget.kubernetes());
    expect(blockOf(conf, 'upstream ai_agent_backend {')).toEqual(expect.arrayContaining([
      'server ai-agent-service-headless.ai-platform.svc.cluster.local:8080 resolve max_fails=3 fail_timeout=30s;',
      'resolver kube-dns.kube-system.svc.cluster.local valid=10s ipv6=off;',
      'least_conn;',
      'keepalive 32;',
    ]));
    const headless = findObject(objects, 'Service', 'ai-agent-service-headless');
    expect(headless.spec).toMatchObject({
      clusterIP: 'None',
      selector: findObject(objects, 'Deployment', 'ai-agent').spec.selector.matchLabels,
    });
    expect(findObjects(objects, 'Service', 'model-service-headless')).toHaveLength(1);
  });

  test('ai-agent-ingress: class nginx, TLS ai-tls-secret, contract paths, only real ingress-nginx annotations', () => {
    const ingress = findObject(objects, 'Ingress', 'ai-agent-ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: ['ai-agent.example.com'], secretName: 'ai-tls-secret' }]);
    // The reference platform has tenants: only the gateway checks their API keys, so the edge never bypasses it
    // (without tenants, EdgeBackend.WORKLOADS sends each path to its workload's Service: tested below).
    expect(ingress.spec.rules[0].http.paths).toEqual([
      { path: '/api/v1/agent', pathType: 'Prefix', backend: { service: { name: 'ai-gateway', port: { number: 80 } } } },
      {
        path: '/api/v1/models',
        pathType: 'Prefix',
        backend: { service: { name: 'ai-gateway', port: { number: 80 } } },
      },
    ]);
    const annotations: Record<string, string> = ingress.metadata.annotations;
    for (const key of Object.keys(annotations)) {
      expect(
        key.startsWith(INGRESS_NGINX_PREFIX) && INGRESS_NGINX_ANNOTATIONS.has(key.slice(INGRESS_NGINX_PREFIX.length)),
      ).toBe(true);
    }
    // In front of the gateway the edge adds no limit of its own: the gateway applies plans and per-IP limits
    // exactly (an edge per-IP limit would count a tenant's server traffic under its plan).
    expect(Object.keys(annotations).filter((k) => /limit-/.test(k))).toEqual([]);
    expect(annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-body-size': '100m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
    });
    expect(Object.keys(annotations).some((k) => /rate-limit/.test(k))).toBe(false);
  });
});

describe('AgentGateway', () => {
  test('resolves its props once, in the constructor: the defaults it chose are readable fields', () => {
    const { gateway } = gatewayFixture();
    expect(gateway.tuning).toEqual({
      workerProcesses: 'auto', workerRlimitNofile: 65535, workerConnections: 4096,
      keepaliveTimeout: Duration.seconds(65), keepaliveRequests: 1000, gzip: { minLength: 1024, level: 6 },
    });
    expect(gateway.clientTimeouts).toEqual({
      header: Duration.seconds(10),
      body: Duration.seconds(60),
      send: Duration.seconds(60),
    });
    expect(gateway.accessLog).toBe(true);
    expect(gateway.tls).toBeUndefined();
    expect(gateway.nginxPlus).toBe(false);
    expect(gateway.edge.kind).toBe('ingress');

    const tuned = gatewayFixture({
      tls: { ...TLS, hsts: {} },
      tuning: { gzip: false, workerProcesses: 2 },
      accessLog: false,
    }).gateway;
    expect(tuned.tuning.gzip).toBeUndefined();
    expect(tuned.tuning.workerProcesses).toBe(2);
    expect(tuned.accessLog).toBe(false);
    expect(tuned.tls).toMatchObject({ secretName: 'ai-tls-secret', sessionTimeout: Duration.days(1) });
    expect(tuned.tls?.hsts).toEqual({ maxAge: Duration.days(365), includeSubDomains: false, preload: false });
  });

  test('renders lazily: a route added after the objects exist shows up everywhere and changes the checksum', () => {
    const { chart, gateway, agent, models } = gatewayFixture();
    gateway.route('/api/v1/agent/', agent);
    const before = Testing.synth(chart);
    gateway.route('/api/v1/models/', models, { upstream: { name: 'model_backend' } });
    const after = Testing.synth(chart);
    expect(findObject(after, 'ConfigMap', 'ai-gateway-nginx').data['nginx.conf']).toContain(
      'location /api/v1/models/ {',
    );
    expect(findObject(after, 'Ingress', 'ai-gateway-ingress').spec.rules[0].http.paths.map((p: any) => p.path)).toEqual(
      ['/api/v1/agent', '/api/v1/models'],
    );
    const checksum = (objs: any[]) =>
      findObject(objs, 'Deployment', 'ai-gateway').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(after)).not.toBe(checksum(before));
    expect(gateway.upstreams.map((u) => u.name)).toEqual(['ai_agent_backend', 'model_backend']);
  });

  test('one Kubernetes nginx.conf per synth: the ConfigMap and its checksum share it until the model changes', () => {
    const { chart, gateway, agent, models } = gatewayFixture();
    gateway.route('/api/v1/agent/', agent);
    const render = jest.spyOn(gateway, 'renderNginxConf');
    const first = Testing.synth(chart);
    expect(render).toHaveBeenCalledTimes(1);
    const conf = findObject(first, 'ConfigMap', 'ai-gateway-nginx').data['nginx.conf'];
    expect(findObject(first, 'Deployment', 'ai-gateway').spec.template.metadata.annotations['checksum/config']).toBe(
      configChecksum(findObject(first, 'ConfigMap', 'ai-gateway-nginx').data),
    );
    expect(conf).toContain('syslog:server=127.0.0.1:5140');
    Testing.synth(chart);
    expect(render).toHaveBeenCalledTimes(1);
    gateway.route('/api/v1/models/', models);
    expect(findObject(Testing.synth(chart), 'ConfigMap', 'ai-gateway-nginx').data['nginx.conf']).toContain(
      'location /api/v1/models/ {',
    );
    expect(render).toHaveBeenCalledTimes(2);
  });

  test('escape hatches: the Deployment is the default child, and extra directives reach the location', () => {
    const { chart, gateway, agent } = gatewayFixture();
    gateway.route('/api/', agent, {
      extraDirectives: [directive('proxy_set_header', 'X-Tenant', '$http_x_tenant_id')],
    });
    (gateway.node.defaultChild as ApiObject).addJsonPatch(
      JsonPatch.add('/spec/template/spec/priorityClassName', 'gateway-critical'),
    );
    expect(findObject(Testing.synth(chart), 'Deployment', 'ai-gateway').spec.template.spec.priorityClassName).toBe(
      'gateway-critical',
    );
    expect(blockOf(gateway.renderNginxConf(GatewayTarget.standalone()), 'location /api/ {')).toContain(
      'proxy_set_header X-Tenant $http_x_tenant_id;',
    );
  });

  test('platform.addGateway sets platform.gateway and fails when added twice', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    expect(platform.gateway).toBeUndefined();
    const gateway = platform.addGateway('Gateway', { serverName: 'ai-agent.example.com' });
    expect(platform.gateway).toBe(gateway);
    expect(gateway.namespace).toBe('ai-platform');
    expect(() => platform.addGateway('Gateway', { serverName: 'x.example.com' })).toThrow(/already has a gateway/);
  });

  test.each([
    ['round robin', LoadBalancing.roundRobin(), []],
    ['weighted round robin', LoadBalancing.weightedRoundRobin(), []],
    ['least connections', LoadBalancing.leastConnections(), ['least_conn;']],
    ['IP hash', LoadBalancing.ipHash(), ['ip_hash;']],
    [
      'consistent hash on a header',
      LoadBalancing.consistentHash(RequestKey.header('X-Session-ID')),
      ['hash $http_x_session_id consistent;'],
    ],
    [
      'plain hash on a cookie',
      LoadBalancing.consistentHash(RequestKey.cookie('tenant'), { consistent: false }),
      ['hash $cookie_tenant;'],
    ],
  ])('load balancing %s renders its directive', (_, loadBalancing, expected) => {
    const { gateway, agent } = gatewayFixture();
    gateway.route('/api/', agent, {
      upstream: { loadBalancing, servers: [UpstreamServer.of('a:1', { weight: 2 }), UpstreamServer.of('b:1')] },
    });
    const upstream = blockOf(gateway.renderNginxConf(GatewayTarget.standalone()), 'upstream ai_agent_backend {');
    const methods = upstream.filter((l) => /^(least_conn|ip_hash|hash|random)\b/.test(l));
    expect(methods).toEqual(expected);
    expect(upstream[0]).toBe('zone ai_agent_backend 64k;');
    expect(upstream).toContain('server a:1 weight=2 max_fails=3 fail_timeout=30s;');
    // The method comes before keepalive, as nginx requires.
    expect(upstream.indexOf('keepalive 32;')).toBe(upstream.length - 1);
  });

  test('version gates: http2 on (>= 1.25.1) or listen ... http2, resolve (>= 1.27.3) or the ClusterIP Service', () => {
    const { gateway, agent } = gatewayFixture({ tls: TLS });
    gateway.route('/api/', agent);
    const compose = (nginxVersion?: string) =>
      gateway.renderNginxConf(GatewayTarget.compose({ serviceNameOf: () => 'agent-service', nginxVersion }));
    expect(lines(compose())).toEqual(
      expect.arrayContaining(['listen 8443 ssl default_server reuseport;', 'http2 on;']),
    );
    expect(lines(compose('1.25.0'))).toContain('listen 8443 ssl http2 default_server reuseport;');
    expect(lines(compose('1.25.0'))).not.toContain('http2 on;');

    const kube = (nginxVersion: string) => gateway.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion }));
    expect(kube('1.27.3')).toContain('server ai-agent-service-headless.ai-platform.svc.cluster.local:8080 resolve');
    const old = blockOf(kube('1.27.2'), 'upstream ai_agent_backend {');
    expect(old).toContain('server ai-agent-service.ai-platform.svc.cluster.local:80 max_fails=3 fail_timeout=30s;');
    expect(old.join('\n')).toMatch(/cannot re-resolve upstream names \(needs 1\.27\.3\)[\s\S]*kube-proxy balances/);
    expect(old.filter((l) => /^(server|resolver)\b/.test(l))).toEqual([
      'server ai-agent-service.ai-platform.svc.cluster.local:80 max_fails=3 fail_timeout=30s;',
    ]);
  });

  test('a gateway on an older image renders no headless Services; NGINX Plus resolves on any version', () => {
    const older = gatewayFixture({ image: 'nginxinc/nginx-unprivileged:1.26.3-alpine' });
    older.gateway.route('/api/', older.agent);
    expect(findObjects(Testing.synth(older.chart), 'Service').map((s) => s.metadata.name)).not.toContain(
      'ai-agent-service-headless',
    );
    const plus = gatewayFixture({
      image: 'private.example.com/nginx-plus:r32',
      nginxVersion: '1.25.5',
      nginxPlus: true,
    });
    plus.gateway.route('/api/', plus.agent);
    expect(plus.gateway.renderNginxConf(GatewayTarget.kubernetes())).toContain(' resolve ');
  });

  test('Compose: service names (re-resolved where nginx can), unprivileged ports, certs in /etc/nginx/ssl', () => {
    const { gateway, agent, models } = gatewayFixture({
      tls: { ...TLS, certificateFile: '/srv/tls/fullchain.pem', keyFile: '/srv/tls/privkey.pem' },
    });
    gateway.route('/api/v1/agent/', agent, { upstream: { servers: [UpstreamServer.of('agent-service-1:8080')] } });
    gateway.route('/api/v1/models/', models);
    const conf = gateway.renderNginxConf(
      GatewayTarget.compose({ serviceNameOf: (w) => (w === agent ? 'agent-service' : w.name) }),
    );
    expect(blockOf(conf, 'upstream ai_agent_backend {')).toEqual(
      expect.arrayContaining([
        'server agent-service:8080 resolve max_fails=3 fail_timeout=30s;',
        'resolver 127.0.0.11 valid=10s ipv6=off;',
      ]),
    );
    expect(blockOf(conf, 'upstream model_service_backend {')).toContain(
      'server model-service:8080 resolve max_fails=3 fail_timeout=30s;',
    );
    const older = gateway.renderNginxConf(
      GatewayTarget.compose({ serviceNameOf: (w) => (w === agent ? 'agent-service' : w.name), nginxVersion: '1.26.3' }),
    );
    expect(blockOf(older, 'upstream ai_agent_backend {')).toContain(
      'server agent-service:8080 max_fails=3 fail_timeout=30s;',
    );
    expect(older).not.toMatch(/127\.0\.0\.11/);
    expect(lines(conf)).toEqual(
      expect.arrayContaining([
        'listen 8080 default_server;',
        'ssl_certificate /etc/nginx/ssl/fullchain.pem;',
        'ssl_certificate_key /etc/nginx/ssl/privkey.pem;',
        'pid /tmp/nginx.pid;',
        'error_log stderr warn;',
        'access_log /var/log/nginx/access.log gateway_json buffer=4k flush=1s;',
      ]),
    );
    expect(conf).not.toMatch(/^\s*user /m);
    expect(lines(conf)).toContain('return 308 https://ai-agent.example.com$request_uri;');
  });

  test('ports of a target: custom standalone ports redirect to the HTTPS port clients see', () => {
    const { gateway, agent } = gatewayFixture({ tls: TLS });
    gateway.route('/api/', agent);
    const conf = gateway.renderNginxConf(
      GatewayTarget.standalone({ httpPort: 8000, httpsPort: 8443, statusPort: 9000 }),
    );
    expect(lines(conf)).toEqual(expect.arrayContaining([
      'listen 8000 default_server;', 'listen 8443 ssl http2 default_server reuseport;', 'listen 127.0.0.1:9000;',
      'return 308 https://ai-agent.example.com:8443$request_uri;',
    ]));
    const behindNat = gateway.renderNginxConf(GatewayTarget.standalone({ httpsPort: 8443, publicHttpsPort: 443 }));
    expect(lines(behindNat)).toContain('return 308 https://ai-agent.example.com$request_uri;');
  });

  test('route options: timeouts, retries, non-idempotent retries, buffering, body size, no rate limits', () => {
    const { gateway, agent, models } = gatewayFixture();
    gateway.route('/api/v1/agent/', agent, {
      readTimeout: Duration.minutes(10),
      sendTimeout: Duration.seconds(120),
      connectTimeout: Duration.seconds(2),
      retries: RetryPolicy.onFailure({
        tries: 3,
        timeout: Duration.seconds(10),
        also: ['http_502', 'http_503'],
        nonIdempotent: true,
      }),
      maxBodySize: Size.mebibytes(512),
    });
    gateway.route('/api/v1/models/', models, { retries: RetryPolicy.none(), streaming: false, rateLimits: false });
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect(blockOf(conf, 'location /api/v1/agent/ {')).toEqual(
      expect.arrayContaining([
        'proxy_read_timeout 600s;',
        'proxy_send_timeout 120s;',
        'proxy_connect_timeout 2s;',
        'proxy_next_upstream error timeout http_502 http_503 non_idempotent;',
        'proxy_next_upstream_tries 3;',
        'proxy_next_upstream_timeout 10s;',
        'client_max_body_size 512m;',
      ]),
    );
    const models_ = blockOf(conf, 'location /api/v1/models/ {');
    expect(models_).toContain('proxy_next_upstream off;');
    expect(models_.join('\n')).not.toMatch(/proxy_buffering|limit_req|X-Accel-Buffering/);
    expect(lines(conf)).toContain('worker_shutdown_timeout 630s;');
  });

  test('no access log, with request metrics: no access_log off (it would silence them), no JSON log', () => {
    const { gateway, agent } = gatewayFixture({ tls: TLS, accessLog: false });
    gateway.route('/api/', agent);
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect(conf).not.toMatch(/gateway_json|access\.log/);
    // At the http level (4 spaces in): only the metrics line; health and status locations still log nothing.
    expect(conf.split('\n').filter((l) => /^ {4}access_log/.test(l))).toEqual([
      '    access_log syslog:server=127.0.0.1:5140,tag=agent_gateway,nohostname gateway_metrics;',
    ]);
  });

  test('opt-ins and -outs: HSTS, limit_conn, custom zones, no access log, no gzip, no Deployment, no exporter', () => {
    const { chart, gateway, agent } = gatewayFixture({
      tls: { ...TLS, hsts: { maxAge: Duration.days(365), includeSubDomains: true } },
      connectionsPerClient: 20,
      rateLimits: [
        RateLimitZone.perKey(
          'per_tenant',
          RequestKey.header('X-Tenant-ID'),
          RateLimit.perMinute(600, { burst: 50, nodelay: false }),
        ),
      ],
      accessLog: false,
      requestMetrics: false,
      tuning: { gzip: false },
      kubernetes: {
        exporterImage: false,
        replicas: 3,
        resources: {
          cpu: { request: Cpu.millis(250), limit: Cpu.units(2) },
          memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
        },
      },
    });
    gateway.route('/api/', agent);
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect(lines(conf)).toEqual(
      expect.arrayContaining([
        'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
        'limit_conn_zone $binary_remote_addr zone=gateway_conn_per_client:10m;',
        'limit_conn gateway_conn_per_client 20;',
        'limit_conn_status 429;',
        'limit_req_zone $http_x_tenant_id zone=per_tenant:10m rate=600r/m;',
        'limit_req zone=per_tenant burst=50;',
        'access_log off;',
      ]),
    );
    expect(conf).not.toMatch(/gzip|log_format|syslog/);
    // HSTS is repeated in every location that sets its own headers.
    expect(blockOf(conf, 'location /api/ {')).toContain(
      'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
    );
    const objects = Testing.synth(chart);
    const deployment = findObject(objects, 'Deployment', 'ai-gateway');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nginx']);
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    // limit_conn is the gateway's (the edge gets it only on the bypass: tested below).
    expect(
      findObject(objects, 'Ingress', 'ai-gateway-ingress').metadata.annotations[
        'nginx.ingress.kubernetes.io/limit-connections'
      ],
    ).toBeUndefined();

    const none = gatewayFixture({ kubernetes: false, edge: GatewayEdge.none() });
    none.gateway.route('/api/', none.agent);
    const left = Testing.synth(none.chart).filter((o) =>
      o.metadata.labels?.['app.kubernetes.io/component']?.startsWith('gateway'),
    );
    expect(left).toEqual([]);
  });

  test('active health checks only if the build has them: NGINX Plus health_check or the upstream check module', () => {
    const plus = gatewayFixture({ nginxPlus: true });
    plus.gateway.route('/api/', plus.agent, {
      upstream: { healthCheck: HealthCheck.nginxPlus({ interval: Duration.seconds(3) }) },
    });
    expect(blockOf(plus.gateway.renderNginxConf(GatewayTarget.standalone()), 'location /api/ {')).toContain(
      'health_check uri=/health interval=3s fails=3 passes=2;',
    );
    const tengine = gatewayFixture({ nginxModules: [NginxModule.UPSTREAM_CHECK] });
    tengine.gateway.route('/api/', tengine.agent, {
      upstream: { healthCheck: HealthCheck.upstreamCheckModule({ path: '/ready' }) },
    });
    const upstream = blockOf(
      tengine.gateway.renderNginxConf(GatewayTarget.standalone()),
      'upstream ai_agent_backend {',
    );
    expect(upstream).toEqual(
      expect.arrayContaining([
        'check interval=5000 rise=2 fall=3 timeout=2000 type=http;',
        'check_http_send "GET /ready HTTP/1.0\\r\\n\\r\\n";',
        'check_http_expect_alive http_2xx http_3xx;',
        'server ai-agent-service:8080 max_fails=3 fail_timeout=30s;',
      ]),
    );
  });

  test('the Gateway API alternative: an HTTPRoute to the workloads (bypass), or through the gateway Service', () => {
    const { chart, gateway, agent, models } = gatewayFixture({
      tls: TLS,
      edge: GatewayEdge.httpRoute({
        parentRefs: [{ name: 'shared-gateway', namespace: 'gateway-system', sectionName: 'https' }],
        backend: EdgeBackend.WORKLOADS,
      }),
    });
    gateway.route('/api/v1/agent/', agent);
    gateway.route('/api/v1/models/', models);
    const objects = Testing.synth(chart);
    expectValidKubernetes(objects);
    expect(findObjects(objects, 'Ingress')).toEqual([]);
    const route = findObject(objects, 'HTTPRoute', 'ai-gateway-route');
    expect(route.spec).toEqual({
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'shared-gateway',
          namespace: 'gateway-system',
          sectionName: 'https',
        },
      ],
      hostnames: ['ai-agent.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api/v1/agent' } }],
          backendRefs: [{ name: 'ai-agent-service', port: 80 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api/v1/models' } }],
          backendRefs: [{ name: 'model-service', port: 80 }],
        },
      ],
    });

    for (const edge of [GatewayEdge.ingress(), GatewayEdge.ingress({ backend: EdgeBackend.GATEWAY })]) {
      const via = gatewayFixture({ edge });
      via.gateway.route('/api/', via.agent);
      const paths = findObject(Testing.synth(via.chart), 'Ingress', 'ai-gateway-ingress').spec.rules[0].http.paths;
      expect(paths).toEqual([
        { path: '/api', pathType: 'Prefix', backend: { service: { name: 'ai-gateway', port: { number: 80 } } } },
      ]);
    }
    const byDefault = gatewayFixture({
      edge: GatewayEdge.httpRoute({ parentRefs: [{ name: 'shared-gateway' }] }),
    });
    byDefault.gateway.route('/api/', byDefault.agent);
    expect(findObject(Testing.synth(byDefault.chart), 'HTTPRoute', 'ai-gateway-route').spec.rules[0].backendRefs)
      .toEqual([{ name: 'ai-gateway', port: 80 }]);
  });

  test('the bypass (EdgeBackend.WORKLOADS) carries per-client limits to ingress-nginx; via the gateway none', () => {
    const limits = (backend?: EdgeBackend) => {
      const f = gatewayFixture({ edge: GatewayEdge.ingress({ backend }), connectionsPerClient: 20 });
      f.gateway.route('/api/', f.agent);
      const annotations = findObject(Testing.synth(f.chart), 'Ingress', 'ai-gateway-ingress').metadata.annotations;
      return Object.fromEntries(Object.entries(annotations).filter(([k]) => /limit-/.test(k)));
    };
    expect(limits(EdgeBackend.WORKLOADS)).toEqual({
      'nginx.ingress.kubernetes.io/limit-rps': '10',
      'nginx.ingress.kubernetes.io/limit-burst-multiplier': '2',
      'nginx.ingress.kubernetes.io/limit-connections': '20',
    });
    expect(limits()).toEqual({});
    expect(limits(EdgeBackend.GATEWAY)).toEqual({});
  });
});

describe('AgentGateway validation', () => {
  const route = (lb: LoadBalancing, servers: UpstreamServer[]) => {
    const { gateway, agent } = gatewayFixture();
    return () => gateway.route('/api/', agent, { upstream: { loadBalancing: lb, servers } });
  };

  test('fails when a backup server is combined with ip_hash', () => {
    expect(
      route(LoadBalancing.ipHash(), [UpstreamServer.of('a:1'), UpstreamServer.of('b:1', { backup: true })]),
    ).toThrow(
      pattern(
        /AgentGateway 'Gateway': upstream 'ai_agent_backend'.servers\[1\].backup \(true\)/,
        / is not allowed with ip_hash load balancing/,
      ),
    );
  });

  test('fails when a backup server is combined with a hash', () => {
    expect(
      route(LoadBalancing.consistentHash(RequestKey.header('X-Session-ID')), [
        UpstreamServer.of('a:1'),
        UpstreamServer.of('b:1', { backup: true }),
      ]),
    ).toThrow(/servers\[1\].backup \(true\) is not allowed with hash load balancing/);
  });

  test('least_conn with a backup server is allowed (backup is only forbidden with hash, ip_hash and random)', () => {
    expect(
      route(LoadBalancing.leastConnections(), [UpstreamServer.of('a:1'), UpstreamServer.of('b:1', { backup: true })]),
    ).not.toThrow();
  });

  test('fails when a server has weight 0, reporting every problem at once', () => {
    expect(
      route(LoadBalancing.weightedRoundRobin(), [
        UpstreamServer.of('a:1', { weight: 0 }),
        UpstreamServer.of('b', { maxFails: -1 }),
      ]),
    ).toThrow(
      pattern(
        /servers\[0\].weight \(0\) must be an integer between 1 and 1000\n/,
        /.*servers\[1\].address \("b"\) must be host:port/,
        /[\s\S]*servers\[1\].maxFails \(-1\)/,
      ),
    );
  });

  test('fails when every server is a backup', () => {
    expect(route(LoadBalancing.roundRobin(), [UpstreamServer.of('a:1', { backup: true })])).toThrow(
      /must include a server that is not backup/,
    );
  });

  test('fails when a rate is 0 or a burst is below 0', () => {
    expect(() =>
      gatewayFixture({
        rateLimits: [
          RateLimitZone.perClientIp('ai_api', RateLimit.perSecond(0)),
          RateLimitZone.global('ai_global', RateLimit.perSecond(10, { burst: -1 })),
        ],
      }),
    ).toThrow(
      pattern(
        /rateLimits\[0\].limit.rate \(0\) must be a positive integer/,
        /[\s\S]*rateLimits\[1\].limit.burst \(-1\) must be an integer >= 0/,
      ),
    );
  });

  test('fails when two rate-limit zones share a name', () => {
    expect(() =>
      gatewayFixture({
        rateLimits: [
          RateLimitZone.perClientIp('z', RateLimit.perSecond(1)),
          RateLimitZone.global('z', RateLimit.perSecond(1)),
        ],
      }),
    ).toThrow(/rateLimits\[1\].name \("z"\) is used by another zone/);
  });

  test('fails when a route targets an upstream of another gateway', () => {
    const a = gatewayFixture();
    const b = gatewayFixture();
    const foreign = b.gateway.addUpstream({ name: 'external', servers: [UpstreamServer.of('api.example.com:443')] });
    expect(() => a.gateway.route('/api/', foreign)).toThrow(
      /route '\/api\/'.target \("external"\) is an upstream of another gateway/,
    );
  });

  test('fails when a route applies a rate-limit zone the gateway does not define', () => {
    const { gateway, agent } = gatewayFixture();
    expect(() =>
      gateway.route('/api/', agent, { rateLimits: [RateLimitZone.perClientIp('other', RateLimit.perSecond(1))] }),
    ).toThrow(/rateLimits \("other"\) must be a zone of the gateway's rateLimits/);
  });

  test('fails when a path is routed twice, is not absolute, or reconfigures an existing upstream', () => {
    const { gateway, agent } = gatewayFixture();
    gateway.route('/api/', agent);
    expect(() => gateway.route('/api/', agent)).toThrow(/route.path \("\/api\/"\) is already routed/);
    expect(() => gateway.route('v2/', agent)).toThrow(/route.path \("v2\/"\) must be an absolute path of at most 1024/);
    expect(() => gateway.route('/v3/', agent, { upstream: { keepalive: 8 } })).toThrow(
      /cannot reconfigure upstream 'ai_agent_backend'/,
    );
  });

  test('fails when retries or timeouts are out of range', () => {
    const { gateway, agent } = gatewayFixture();
    expect(() =>
      gateway.route('/api/', agent, {
        retries: RetryPolicy.onFailure({ tries: 0, timeout: Duration.millis(10) }),
        readTimeout: Duration.millis(500),
      }),
    ).toThrow(
      pattern(
        /route '\/api\/'.readTimeout \("500 millis"\) must be at least 1 second/,
        /[\s\S]*retries.tries \(0\) must be an integer between 1 and 100/,
        /[\s\S]*retries.timeout/,
      ),
    );
  });

  test('fails when TLS has no certificate', () => {
    expect(() => gatewayFixture({ tls: { keyFile: '/etc/nginx/ssl/key.pem' } })).toThrow(
      /tls.certificateFile \(undefined\) is required with tls/,
    );
    expect(() => gatewayFixture({ tls: { certificateFile: 'cert.pem', keyFile: '/k.pem' } })).toThrow(
      /tls.certificateFile \("cert.pem"\) is required with tls and must be an absolute path/,
    );
  });

  test('fails when a directive is not supported by the chosen nginx version, at render and at synth', () => {
    const { chart, gateway, agent } = gatewayFixture({ standaloneNginxVersion: '1.18.0', nginxVersion: '1.19.4' });
    gateway.route('/api/', agent, { extraDirectives: [directive('keepalive_time', '1h')] });
    expect(() => gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
      pattern(
        /'http > server > location > keepalive_time': 'keepalive_time' directive needs nginx >= 1.19.10;/,
        / target is nginx 1.18.0/,
      ),
    );
    expect(() => Testing.synth(chart)).toThrow(/keepalive_time.*target is nginx 1.19.4/);
  });

  test('fails when active health checks are asked of a build without them', () => {
    const { gateway, agent } = gatewayFixture();
    expect(() => gateway.route('/api/', agent, { upstream: { healthCheck: HealthCheck.nginxPlus() } })).toThrow(
      /healthCheck \("HealthCheck.nginxPlus\(\)"\) needs nginxPlus: true \(stock nginx has no active health_check/,
    );
    expect(() => gateway.route('/api/', agent, { upstream: { healthCheck: HealthCheck.upstreamCheckModule() } }))
      .toThrow(/needs nginxModules: \[NginxModule.UPSTREAM_CHECK\] \(stock nginx has no check directive/);
  });

  test('fails when an Ingress annotation is not one ingress-nginx has', () => {
    expect(() =>
      gatewayFixture({
        edge: GatewayEdge.ingress({
          annotations: { 'nginx.ingress.kubernetes.io/rate-limit': '100', 'example.com/owner': 'team-ai' },
        }),
      }),
    ).toThrow(
      pattern(
        /edge.annotations\["nginx.ingress.kubernetes.io\/rate-limit"\] \("rate-limit"\)/,
        / is not an ingress-nginx annotation/,
      ),
    );
  });

  test('fails when the version cannot be known or is too old, or the image is not pinned', () => {
    expect(() => gatewayFixture({ image: 'nginx:latest' })).toThrow(
      /image \("nginx:latest"\) must be pinned[\s\S]*names no nginx version in its tag: set nginxVersion/,
    );
    expect(() => gatewayFixture({ nginxVersion: 'one' })).toThrow(/nginxVersion \("one"\) must be an nginx version/);
    expect(() => gatewayFixture({ standaloneNginxVersion: '1.14.0' })).toThrow(
      /standaloneNginxVersion \("1.14.0"\) must be >= 1.18.0/,
    );
  });

  test('fails when a target\'s ports are out of range or collide', () => {
    const { gateway, agent } = gatewayFixture();
    gateway.route('/api/', agent);
    expect(() => gateway.renderNginxConf(GatewayTarget.standalone({ httpPort: 0, httpsPort: 8081 }))).toThrow(
      pattern(
        /target.httpPort \(0\) must be an integer between 1 and 65535/,
        /[\s\S]*target ports \("0, 8081, 8081"\) must be three different ports/,
      ),
    );
  });

  test('fails when a trusted proxy is not an address or CIDR; an empty list trusts none', () => {
    expect(() => gatewayFixture({ kubernetes: { trustedProxies: ['10.0.0.0/33', 'pods', 'fd00::/8'] } }))
      .toThrow(/trustedProxies\[0\] \("10.0.0.0\/33"\) must be an IPv4 or IPv6 address or CIDR\n.*trustedProxies\[1\]/);
    const { gateway, agent } = gatewayFixture({ kubernetes: { trustedProxies: [] } });
    gateway.route('/api/', agent);
    expect(gateway.renderNginxConf(GatewayTarget.kubernetes())).not.toMatch(/real_ip/);
  });

  test('fails when the gateway has no routes and is rendered', () => {
    const { gateway } = gatewayFixture();
    expect(() => gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(/has no routes/);
  });

  test('fails when an HTTPRoute edge names no Gateway', () => {
    expect(() => gatewayFixture({ edge: GatewayEdge.httpRoute({ parentRefs: [] }) })).toThrow(
      /edge.parentRefs \(0\) must name at least one Gateway/,
    );
  });

  test('fails when the edge\'s class, annotation keys, parent refs or host break the API server\'s rules', () => {
    expect(() => gatewayFixture({
      edge: GatewayEdge.ingress({ className: 'Nginx Public', annotations: { 'example.com/team owner': 'ai' } }),
    })).toThrow(pattern(
      /^AgentGateway 'Gateway': edge.className \("Nginx Public"\) must be a DNS-1123 subdomain: .*\n/,
      /AgentGateway 'Gateway': edge.annotations key \("example.com\/team owner"\) must be a Kubernetes annotation /,
      /key \(\[prefix\/\]name: .*; case does not matter\)$/,
    ));
    expect(() => gatewayFixture({
      edge: GatewayEdge.httpRoute({ parentRefs: [{ name: 'Edge', namespace: 'infra.net', sectionName: 'HTTPS' }] }),
    })).toThrow(pattern(
      /edge.parentRefs\[0\].name \("Edge"\) must be a DNS-1123 subdomain: .*\n/,
      /.*edge.parentRefs\[0\].namespace \("infra.net"\) must be a DNS-1123 label: .*\n/,
      /.*edge.parentRefs\[0\].sectionName \("HTTPS"\) must be a DNS-1123 subdomain: /,
    ));
    expect(() => gatewayFixture({ serverName: '10.0.0.1' })).toThrow(
      /serverName \("10.0.0.1"\) must be a DNS name, not an IP address: the edge \(Ingress or HTTPRoute\) takes/,
    );
    // Without an edge object, nginx alone serves the name: an address is fine there.
    expect(() => gatewayFixture({ serverName: '10.0.0.1', edge: GatewayEdge.none() })).not.toThrow();
    // Keys are compared in lowercase, as the API server does.
    expect(() => gatewayFixture({ edge: GatewayEdge.ingress({ annotations: { 'Example.COM/Owner': 'ai' } }) }))
      .not.toThrow();
  });

  test('fails when the name is no Service name, or partOf, the pod security or CPU break the API server\'s rules',
    () => {
      expect(() => gatewayFixture({
        name: '1-gateway', partOf: 'a;b',
        kubernetes: {
          security: { runAsUser: 0, writablePaths: ['/tmp', '/tmp/'] },
          resources: { cpu: { request: Cpu.millis(0), limit: Cpu.units(1) } },
        },
      })).toThrow(pattern(
        /^AgentGateway 'Gateway': name \("1-gateway"\) must be a DNS-1035 label: .*\n/,
        /.*partOf \("a;b"\) must be a Kubernetes label value: .*\n/,
        /.*kubernetes.security.runAsUser \(0\) must be an integer between 1 and 2147483647\n/,
        /.*kubernetes.security.writablePaths\[1\] \("\/tmp\/"\) gives its emptyDir volume the name "writable-tmp", /,
        /as "\/tmp" does\n/,
        /.*kubernetes.resources.cpu.request \(0m\) must be a CPU quantity larger than zero/,
      ));
    });

  test('fails when a route path has an empty segment: nginx merges slashes, and an Ingress path refuses \'//\'', () => {
    const { gateway, agent } = gatewayFixture();
    expect(() => gateway.route('/api/v1//', agent)).toThrow(pattern(
      /^AgentGateway 'Gateway': route.path \("\/api\/v1\/\/"\) must not contain empty segments \('\/\/'\): nginx /,
      /merges slashes in request paths, so such a location never matches, and the API server refuses it as an /,
      /Ingress path$/,
    ));
  });

  test('fails when a TLS file name is longer than a file system allows (255 bytes)', () => {
    const long = `/etc/nginx/ssl/${'c'.repeat(256)}.pem`;
    expect(() => gatewayFixture({ tls: { ...TLS, certificateFile: long } })).toThrow(pattern(
      /^AgentGateway 'Gateway': tls.certificateFile \("\/etc\/nginx\/ssl\/c+\.\.\.\) has a file or directory name /,
      /of 260 bytes; file systems allow at most 255 \(NAME_MAX\)$/,
    ));
    expect(() => gatewayFixture({ tls: { ...TLS, keyFile: `/etc/${'k'.repeat(255)}` } })).not.toThrow();
    const { gateway, agent } = gatewayFixture();
    gateway.route('/api/', agent);
    expect(() => gateway.renderNginxConf(GatewayTarget.compose({
      serviceNameOf: (w) => w.name, pidFile: `/tmp/${'p'.repeat(300)}`,
    }))).toThrow(/target.pidFile \("\/tmp\/p+\.\.\.\) has a file or directory name of 300 bytes/);
  });

  test('fails when a workload of the user\'s own names no Service, namespace or labels the API server accepts', () => {
    const { gateway, agent } = gatewayFixture();
    const own = Object.assign(Object.create(agent), {
      name: 'own', serviceName: 'Own_Service', namespace: 'a.b', selectorLabels: { app: 'a;b' },
    });
    expect(() => gateway.route('/own/', own)).toThrow(pattern(
      /upstream 'own_backend'.workload.serviceName \("Own_Service"\) must be a DNS-1035 label: .*\n/,
      /.*upstream 'own_backend'.workload.namespace \("a.b"\) must be a DNS-1123 label: .*\n/,
      /.*upstream 'own_backend'.workload.selectorLabels.app \("a;b"\) must be a Kubernetes label value: /,
    ));
  });

  test('fails when a workload\'s serviceName leaves no room for its headless Service\'s name', () => {
    const serviceName = `s${'x'.repeat(54)}`;
    const { gateway, agent } = gatewayFixture({}, { serviceName });
    expect(() => gateway.route('/api/', agent)).toThrow(pattern(
      /^AgentGateway 'Gateway': upstream 'ai_agent_backend'.workload \("sx+"\) gives the headless Service over /,
      /its pods the name "sx+-headless", which is not a DNS-1035 label: .*: shorten its serviceName$/,
    ));
    // A tenant's pool gets one too.
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    platform.addGateway('Gateway', { serverName: 'ai.example.com' });
    const tenant = platform.addTenant('acme', { plan: platform.addRatePlan(RatePlan.perSecond('gold', 5)) });
    expect(() => tenant.addAgent('pool', { image: 'registry.example.com/a:1.0', serviceName })).toThrow(
      /^AgentGateway 'Gateway': tenant pool 'tenant-acme\/pool' \("sx+"\) gives the headless Service over its pods/,
    );
    // Without re-resolving (nginx < 1.27.3) the gateway renders no headless Service: nothing to check.
    const old = gatewayFixture({ nginxVersion: '1.26.0' }, { serviceName });
    expect(() => old.gateway.route('/api/', old.agent)).not.toThrow();
  });

  test('an AgentGateway is constructible outside a platform', () => {
    expect(gatewayFixture().gateway).toBeInstanceOf(AgentGateway);
  });
});
