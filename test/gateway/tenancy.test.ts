import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AgentGateway, AiAgentPlatform, ApiKeyHeader, EdgeBackend, GatewayEdge, GatewayTarget, RateLimit, RateLimitZone,
  RatePlan, TENANT_LABEL,
} from '../../lib';
import { expectComposeConfigOk } from '../support/compose';
import { configChecksum, referencePlatform } from '../support/gateway-fixtures';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { blockOf, lines } from '../support/nginx-text';
import { NetworkPolicyModel } from '../support/network-policy';
import { pattern } from '../support/patterns';
import { checkNginxConfig, expectNginxConfigValid, installedNginxVersion } from '../support/nginx-sandbox';
import { synthReference } from '../support/reference';
import { withTempDir } from '../support/tools';

const IMAGE = 'registry.example.com/ai-agent:v1.2.0';
/** The tenancy part of a config: from the tenants comment to the access log. */
function tenancySection(conf: string): string {
  return conf.slice(conf.indexOf('# Tenants:'), conf.indexOf('# JSON access log'));
}

/** A platform with an agent, a model service and a gateway routing to both. */
function platformWithGateway(backend?: EdgeBackend): AiAgentPlatform {
  const platform = new AiAgentPlatform(Testing.app(), 'ai-platform');
  const agent = platform.addAgent('ai-agent', { image: IMAGE, serviceName: 'ai-agent-service' });
  const models = platform.addModelService('model-service', { image: 'registry.example.com/model-service:v1.2.0' });
  const edge = backend ? GatewayEdge.ingress({ backend }) : undefined;
  const gateway = platform.addGateway('Gateway', { serverName: 'ai-agent.example.com', edge });
  gateway.route('/api/v1/agent/', agent);
  gateway.route('/api/v1/models/', models);
  return platform;
}

describe('gateway tenancy (reference platform)', () => {
  const platform = referencePlatform();
  const gateway = platform.gateway!;
  const standalone = gateway.renderNginxConf(GatewayTarget.standalone());
  const objects = Testing.synth(platform);

  test('snapshot of the tenancy maps and zones; keys only ever included from the key files', () => {
    expect(tenancySection(standalone)).toMatchSnapshot();
    expect(blockOf(standalone, 'map $gateway_api_key $gateway_key_owner {')).toEqual([
      'default "";',
      '"" "";',
      'include /etc/nginx/tenants/*.map;',
    ]);
    expect(blockOf(standalone, 'map $gateway_key_owner $gateway_tenant {')).toEqual([
      'default "";',
      'acme acme;',
      'globex globex;',
    ]);
    expect(blockOf(standalone, 'map $gateway_tenant $gateway_tenant_plan {')).toEqual([
      'default "";',
      'acme gold;',
      'globex basic;',
    ]);
    expect(lines(standalone)).toEqual(expect.arrayContaining([
      'limit_req_zone $gateway_plan_gold_key zone=tenant_gold:10m rate=50r/s;',
      'limit_req_zone $gateway_plan_basic_key zone=tenant_basic:10m rate=5r/s;',
    ]));
    // Every include in the http block is a key-file glob; no rendering of any target names a key file's content.
    for (const target of [
      GatewayTarget.standalone(),
      GatewayTarget.kubernetes(),
      GatewayTarget.forComposeStack(platform.compose!.gatewayTarget),
    ]) {
      const conf = gateway.renderNginxConf(target);
      expect(lines(conf).filter((l) => l.startsWith('include '))).toEqual(['include /etc/nginx/tenants/*.map;']);
      expect(conf).toContain('map $gateway_api_key $gateway_key_owner {');
    }
  });

  test('every API route: per-IP and global limits, plan limits, then the key check; tenant header from the key', () => {
    for (const path of ['/api/v1/agent/', '/api/v1/models/']) {
      const location = blockOf(standalone, `location ${path} {`);
      const at = (line: string) => location.indexOf(line);
      // First the request metrics' labels: the route, and the upstream it proxies to (a tenant's pool, by variable).
      expect(location[0]).toBe(`set $gateway_location_route ${path};`);
      expect(location[1])
        .toMatch(/^set \$gateway_route_upstream (\$gateway_upstream_ai_agent_backend|model_backend);$/);
      expect(location.slice(2, 8)).toEqual([
        'limit_req zone=ai_api burst=20 nodelay;',
        'limit_req zone=ai_global burst=1000 nodelay;',
        'limit_req zone=tenant_gold burst=100 nodelay;',
        'limit_req zone=tenant_basic burst=10 nodelay;',
        '# After the limits above (access phase): 401 for a missing or unknown key.',
        'auth_request /_gateway_tenant_auth;',
      ]);
      expect(at('proxy_set_header X-Tenant-ID $gateway_tenant;')).toBeGreaterThan(0);
      expect(at('proxy_set_header Authorization "";')).toBeGreaterThan(0);
      expect(at('proxy_set_header X-API-Key "";')).toBeGreaterThan(0);
    }
    expect(blockOf(standalone, 'location /api/v1/agent/ {')).toContain(
      'proxy_pass http://$gateway_upstream_ai_agent_backend;',
    );
    expect(blockOf(standalone, 'location /api/v1/models/ {')).toContain('proxy_pass http://model_backend;');
    expect(blockOf(standalone, 'location = /_gateway_tenant_auth {')).toEqual([
      'internal;',
      'if ($gateway_no_tenant) {',
      'return 401;',
      '}',
      'return 204;',
    ]);
    expect(blockOf(standalone, 'location @error_401 {')).toContain(
      'add_header WWW-Authenticate \'Bearer realm="ai-agent.example.com"\' always;',
    );
    expect(blockOf(standalone, 'upstream acme_agent_backend {')).toEqual([
      'zone acme_agent_backend 64k;',
      'least_conn;',
      'server acme-agent-service:8080 max_fails=3 fail_timeout=30s;',
      'keepalive 32;',
    ]);
  });

  test('the access log has the tenant and no header that carries a key', () => {
    const format = standalone.slice(standalone.indexOf('log_format'), standalone.indexOf('access_log'));
    expect(format).toContain('"tenant":"$gateway_tenant"');
    expect(format).not.toMatch(/authorization|api_key|\$http_x_tenant/i);
  });

  test('Kubernetes: every tenant Secret is projected (optional, group-readable) at /etc/nginx/tenants;'
    + ' keys are not in the config checksum', () => {
    const deployment = findObject(objects, 'Deployment', 'ai-gateway');
    const pod = deployment.spec.template.spec;
    expect(pod.volumes.find((v: any) => v.name === 'tenant-keys')).toEqual({
      name: 'tenant-keys',
      projected: {
        defaultMode: 0o440,
        sources: [
          { secret: { name: 'acme-api-keys', optional: true, items: [{ key: 'keys.map', path: 'acme.map' }] } },
          { secret: { name: 'globex-api-keys', optional: true, items: [{ key: 'keys.map', path: 'globex.map' }] } },
        ],
      },
    });
    const nginx = pod.containers.find((c: any) => c.name === 'nginx');
    expect(nginx.volumeMounts).toContainEqual({ name: 'tenant-keys', mountPath: '/etc/nginx/tenants', readOnly: true });
    expect(pod.containers.find((c: any) => c.name === 'nginx-exporter').volumeMounts).toBeUndefined();
    // The gateway group (fsGroup 101) reads the keys; nobody else.
    expect(pod.securityContext.fsGroup).toBe(101);
    const conf = findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data['nginx.conf'];
    expect(deployment.spec.template.metadata.annotations['checksum/config']).toBe(
      configChecksum(findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data),
    );
    expect(conf).toContain('include /etc/nginx/tenants/*.map;');
    // The tenant pool is resolved through a headless Service in the tenant's namespace.
    expect(findObject(objects, 'Service', 'acme-agent-service-headless').metadata.namespace).toBe('tenant-acme');
    expect(blockOf(conf, 'upstream acme_agent_backend {')).toContain(
      'server acme-agent-service-headless.tenant-acme.svc.cluster.local:8080 resolve max_fails=3 fail_timeout=30s;',
    );
    expectValidKubernetes(objects);
  });

  test('the real gateway pods reach the tenant pool via NetworkPolicies; tenant pods cannot call it directly', () => {
    const model = new NetworkPolicyModel(objects);
    const pods = NetworkPolicyModel.pods(objects);
    const pod = (name: string) => pods.find((p) => p.id.endsWith(`/${name}`))!;
    const gatewayPod = pod('ai-gateway');
    expect(gatewayPod.labels).toMatchObject({
      'app.kubernetes.io/component': 'gateway',
      'app.kubernetes.io/part-of': 'ai-agent-platform',
    });
    expect(platform.tenants[0].gatewayAccess).toEqual({
      namespace: 'ai-platform',
      podLabels: { 'app.kubernetes.io/component': 'gateway', 'app.kubernetes.io/part-of': 'ai-agent-platform' },
    });
    expect(model.allows(gatewayPod, pod('acme-agent'), 8080)).toBe(true);
    expect(model.allows(gatewayPod, pod('ai-agent'), 8080)).toBe(true);
    expect(model.allows(gatewayPod, pod('model-service'), 8080)).toBe(true);
    expect(pod('acme-agent').labels[TENANT_LABEL]).toBe('acme');
    expect(model.allows(pod('acme-agent'), gatewayPod, 8080)).toBe(false);
  });

  test('the tenant pool is scraped with a tenant label, so alerts and dashboards can group by tenant', () => {
    const monitor = findObjects(objects, 'PodMonitor').find((m) => m.metadata.name === 'acme-agent');
    expect(monitor.metadata.namespace).toBe('tenant-acme');
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      {
        port: 'http',
        path: '/metrics',
        relabelings: [
          { action: 'replace', targetLabel: 'part_of', replacement: 'ai-agent-platform' },
          { action: 'replace', targetLabel: 'tenant', replacement: 'acme' },
        ],
      },
    ]);
    expect(
      findObjects(objects, 'PodMonitor').find((m) => m.metadata.name === 'ai-agent').spec.podMetricsEndpoints[0]
        .relabelings,
    ).toEqual([{ action: 'replace', targetLabel: 'part_of', replacement: 'ai-agent-platform' }]); // no tenant
    expectValidKubernetes([monitor]);
    const prometheus = {
      id: 'monitoring/prometheus',
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      ports: {},
    };
    const pool = NetworkPolicyModel.pods(objects).find((p) => p.id === 'tenant-acme/acme-agent')!;
    expect(new NetworkPolicyModel(objects).allows(prometheus, pool, 8080)).toBe(true);
  });

  test('Compose: a secret per tenant from $TENANT_KEYS_DIR (default ./secrets/tenants), mounted into nginx;'
    + ' synth writes no key file', () => {
    const artifacts = platform.renderArtifacts();
    const compose = YAML.parse(artifacts.find((a) => a.path === 'compose/docker-compose.yml')!.content);
    expect(compose.secrets).toEqual({
      'tenant-acme-api-keys': { file: '${TENANT_KEYS_DIR:-./secrets/tenants}/acme.map' },
      'tenant-globex-api-keys': { file: '${TENANT_KEYS_DIR:-./secrets/tenants}/globex.map' },
    });
    expect(compose.services.nginx.secrets).toEqual([
      { source: 'tenant-acme-api-keys', target: '/etc/nginx/tenants/acme.map' },
      { source: 'tenant-globex-api-keys', target: '/etc/nginx/tenants/globex.map' },
    ]);
    expect(artifacts.filter((a) => a.path.includes('secrets/')).map((a) => a.path)).toEqual([
      'compose/secrets/tenants/README.md',
    ]);
    const readme = artifacts.find((a) => a.path === 'compose/secrets/tenants/README.md')!.content;
    expect(readme).toContain('"<64 hex characters>" acme;');
    expect(readme).toContain('export TENANT_KEYS_DIR=');
    // Compose has no tenant pools: every tenant shares the stack's agents, with its identity and plan.
    const conf = artifacts.find((a) => a.path === 'compose/nginx/nginx.conf')!.content;
    expect(conf).toContain('# Tenant pools run in Kubernetes only: in this stack every tenant uses the shared pools.');
    expect(conf).not.toContain('acme_agent_backend');
    expect(conf).toContain('limit_req zone=tenant_gold burst=100 nodelay;');
    withTempDir((dir) => {
      for (const a of artifacts.filter((x) => x.path.startsWith('compose/'))) {
        fs.mkdirSync(path.dirname(path.join(dir, a.path)), { recursive: true });
        fs.writeFileSync(path.join(dir, a.path), a.content);
      }
      expectComposeConfigOk(path.join(dir, 'compose/docker-compose.yml'), {
        TENANT_KEYS_DIR: '/etc/ai-gateway/tenants',
      });
    });
  });

  test('nothing synth writes contains an API key: no Secret, no key file, no map line naming a tenant', () => {
    withTempDir((dir) => {
      const manifests = synthReference(dir);
      expect(findObjects(manifests, 'Secret')).toEqual([]);
      const files: string[] = [];
      const walk = (d: string) =>
        fs
          .readdirSync(d, { withFileTypes: true })
          .forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
      walk(dir);
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
      for (const file of files) {
        // A key line: `"<key>" <tenant>;`. The README's example has a placeholder, not a key.
        const keyLines = fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => /^\s*"[^"<]{8,}"\s+(acme|globex)\s*;/.test(l));
        expect([file, keyLines]).toEqual([file, []]);
      }
    });
  });
});

describe('gateway tenancy (model)', () => {
  test('a platform without tenants renders no tenancy at all', () => {
    const platform = platformWithGateway();
    const conf = platform.gateway!.renderNginxConf(GatewayTarget.standalone());
    expect(conf).not.toMatch(/\$gateway_tenant|tenants\/|auth_request|map_hash|X-Tenant-ID/);
    // The request metrics still have a tenant label, always `none`.
    expect(conf).toMatch(/ tenant=none method=/);
    const objects = Testing.synth(platform);
    const pod = findObject(objects, 'Deployment', 'ai-gateway').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['nginx-conf', 'request-metrics', 'tmp']);
    expect(
      findObject(objects, 'Ingress', 'ai-gateway-ingress').spec.rules[0].http.paths.map(
        (p: any) => p.backend.service.name,
      ),
    ).toEqual(['ai-gateway', 'ai-gateway']); // the gateway is in the path by default
  });

  test('with tenants, even the bypass sends every path to the gateway (the only place keys are checked)', () => {
    const platform = platformWithGateway(EdgeBackend.WORKLOADS);
    const before = findObject(Testing.synth(platform), 'Ingress', 'ai-gateway-ingress');
    expect(before.spec.rules[0].http.paths.map((p: any) => p.backend.service.name)).toEqual([
      'ai-agent-service',
      'model-service',
    ]);
    platform.addTenant('acme', { plan: platform.addRatePlan(RatePlan.perSecond('std', 10)) });
    const objects = Testing.synth(platform);
    const paths = findObject(objects, 'Ingress', 'ai-gateway-ingress').spec.rules[0].http.paths;
    expect(paths.map((p: any) => [p.path, p.backend.service])).toEqual([
      ['/api/v1/agent', { name: 'ai-gateway', port: { number: 80 } }],
      ['/api/v1/models', { name: 'ai-gateway', port: { number: 80 } }],
    ]);
    // ingress-nginx (namespace ingress-nginx) may reach the gateway pods.
    const model = new NetworkPolicyModel(objects);
    const controller = {
      id: 'ingress-nginx/controller',
      namespace: 'ingress-nginx',
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      ports: {},
    };
    const gatewayPod = NetworkPolicyModel.pods(objects).find((p) => p.id === 'ai-platform/ai-gateway')!;
    expect(model.allows(controller, gatewayPod, 8080)).toBe(true);
  });

  test('tenants added after the gateway and pools added later still show up (lazy)', () => {
    const platform = platformWithGateway();
    const plan = platform.addRatePlan(RatePlan.perMinute('starter', 600));
    const tenant = platform.addTenant('initech', { plan });
    tenant.addAgent('initech-agent', { image: IMAGE });
    const conf = platform.gateway!.renderNginxConf(GatewayTarget.standalone());
    expect(lines(conf)).toContain('limit_req_zone $gateway_plan_starter_key zone=tenant_starter:10m rate=600r/m;');
    expect(blockOf(conf, 'map $gateway_tenant $gateway_upstream_ai_agent_backend {')).toEqual([
      'default ai_agent_backend;',
      'initech initech_agent_backend;',
    ]);
    const objects = Testing.synth(platform);
    expect(findObject(objects, 'Service', 'initech-agent-service-headless').metadata.namespace).toBe('tenant-initech');
  });

  test('Kubernetes: the ConfigMap and its checksum follow tenants and pools added after a synth', () => {
    const platform = platformWithGateway();
    const kube = (objects: any[]) => ({
      conf: findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data['nginx.conf'] as string,
      data: findObject(objects, 'ConfigMap', 'ai-gateway-nginx').data,
      checksum: findObject(objects, 'Deployment', 'ai-gateway').spec.template.metadata.annotations[
        'checksum/config'
      ] as string,
    });
    const before = kube(Testing.synth(platform));
    const tenant = platform.addTenant('initech', { plan: platform.addRatePlan(RatePlan.perSecond('std', 10)) });
    const withTenant = kube(Testing.synth(platform));
    expect(blockOf(withTenant.conf, 'map $gateway_key_owner $gateway_tenant {')).toEqual([
      'default "";',
      'initech initech;',
    ]);
    expect(withTenant.checksum).not.toBe(before.checksum);
    tenant.addAgent('initech-agent', { image: IMAGE });
    const withPool = kube(Testing.synth(platform));
    expect(blockOf(withPool.conf, 'map $gateway_tenant $gateway_upstream_ai_agent_backend {')).toEqual([
      'default ai_agent_backend;',
      'initech initech_agent_backend;',
    ]);
    expect(withPool.checksum).not.toBe(withTenant.checksum);
    expect(withPool.checksum).toBe(configChecksum(withPool.data));
  });

  test('API key headers are configurable: only X-API-Key', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    const agent = platform.addAgent('ai-agent', { image: IMAGE });
    const gateway = platform.addGateway('Gateway', {
      serverName: 'ai.example.com',
      tenancy: { apiKeyHeaders: [ApiKeyHeader.named('X-API-Key')], tenantHeader: 'X-Org' },
    });
    gateway.route('/api/', agent);
    platform.addTenant('acme', { plan: platform.addRatePlan(RatePlan.perSecond('std', 10)) });
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect(conf).not.toContain('$http_authorization');
    expect(blockOf(conf, 'map $http_x_api_key $gateway_api_key {')).toEqual(['default $http_x_api_key;', '"" "";']);
    expect(lines(conf)).toEqual(
      expect.arrayContaining(['proxy_set_header X-Org $gateway_tenant;', 'proxy_set_header X-API-Key "";']),
    );
    expectNginxConfigValid(conf, { hosts: ['ai-agent-service'] });
  });

  describe('validation', () => {
    test('fails when an API key header or the tenant header is not a valid header name', () => {
      const platform = platformWithGateway();
      expect(
        () =>
          new AgentGateway(platform, 'Other', {
            serverName: 'ai.example.com',
            name: 'other',
            tenancy: {
              apiKeyHeaders: [
                ApiKeyHeader.named('X_API_Key'),
                ApiKeyHeader.named('X API'),
                ApiKeyHeader.named('x-api-key'),
                ApiKeyHeader.named('X-API-KEY'),
              ],
              tenantHeader: 'X-Tenant:ID',
            },
          }),
      ).toThrow(
        new RegExp(
          [
            pattern(
              /tenancy.apiKeyHeaders\[0\] \("X_API_Key"\) must be a header name of letters, digits and '-'/,
              / \(nginx drops headers with '_'\)/,
            ),
            /tenancy.apiKeyHeaders\[1\] \("X API"\) must be a header name/,
            /tenancy.apiKeyHeaders\[3\] \("X-API-KEY"\) is listed twice/,
            /tenancy.tenantHeader \("X-Tenant:ID"\) must be a header name/,
          ]
            .map((r) => r.source)
            .join('[\\s\\S]*'),
        ),
      );
    });

    test('fails when the tenant header is a key header or one the gateway sets', () => {
      const platform = platformWithGateway();
      expect(
        () =>
          new AgentGateway(platform, 'Other', {
            serverName: 'ai.example.com',
            name: 'other',
            tenancy: { tenantHeader: 'X-Forwarded-For' },
          }),
      ).toThrow(
        pattern(
          /tenancy.tenantHeader \("X-Forwarded-For"\) must differ from the API key headers/,
          / and the headers the gateway sets/,
        ),
      );
      expect(
        () =>
          new AgentGateway(platform, 'Other2', {
            serverName: 'ai.example.com',
            name: 'other2',
            tenancy: { apiKeyHeaders: [] },
          }),
      ).toThrow(/tenancy.apiKeyHeaders \(0\) must list at least one header/);
    });

    test('fails when a tenant is routed to a pool the gateway cannot reach (the tenant admits another gateway)', () => {
      const platform = referencePlatform();
      // A second gateway in its own chart and namespace, serving the platform's tenants.
      const chart = new Chart(platform.node.scope!, 'edge', { namespace: 'edge' });
      const agent = platform.agents[0];
      const edge = new AgentGateway(chart, 'Gateway', { serverName: 'edge.example.com', namespace: 'edge' });
      edge.route('/api/v1/agent/', agent);
      edge.useTenants(() => platform.tenants);
      platform.tenants.flatMap((t) => t.agents).forEach((pool) => edge.addTenantPool(pool));
      expect(() => edge.renderNginxConf(GatewayTarget.kubernetes())).toThrow(
        pattern(
          /AgentGateway 'Gateway': tenant 'acme' pool 'acme-agent' \("tenant-acme"\) is unreachable:/,
          / its NetworkPolicies admit only gateway pods in namespace "ai-platform" labelled/,
          / \{"app.kubernetes.io\/component":"gateway","app.kubernetes.io\/part-of":"ai-agent-platform"\};/,
          / this gateway runs in "edge"/,
        ),
      );
    });

    test('fails when a tenant pool is unknown to the gateway, or gets no traffic', () => {
      const platform = referencePlatform();
      const chart = new Chart(platform.node.scope!, 'edge', { namespace: 'ai-platform' });
      const edge = new AgentGateway(chart, 'Gateway', { serverName: 'edge.example.com', namespace: 'ai-platform' });
      edge.route('/api/v1/models/', platform.modelServices[0]);
      edge.useTenants(() => platform.tenants);
      expect(() => edge.renderNginxConf(GatewayTarget.kubernetes())).toThrow(
        new RegExp(
          [
            pattern(
              /tenant 'acme' pool 'acme-agent' \("acme-agent"\) gets no traffic:/,
              / no route of this gateway goes to an agent/,
            ),
            pattern(
              /tenant 'acme' pool 'acme-agent' \("acme-agent"\) is unknown to the gateway:/,
              / call gateway.addTenantPool\(pool\)/,
            ),
          ]
            .map((r) => r.source)
            .join('[\\s\\S]*'),
        ),
      );
    });

    test('fails when a plan\'s zone clashes with a gateway zone, or useTenants is called twice', () => {
      const platform = new AiAgentPlatform(Testing.app(), 'p');
      const agent = platform.addAgent('ai-agent', { image: IMAGE });
      const gateway = platform.addGateway('Gateway', {
        serverName: 'ai.example.com',
        rateLimits: [RateLimitZone.perClientIp('tenant_gold', RateLimit.perSecond(10))],
      });
      gateway.route('/api/', agent);
      platform.addTenant('acme', { plan: platform.addRatePlan(RatePlan.perSecond('gold', 10)) });
      expect(() => gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
        /rate plan 'gold' \("tenant_gold"\) is the name of one of the gateway's rateLimits zones/,
      );
      expect(() => gateway.useTenants(() => [])).toThrow(/already serves tenants/);
    });

    test('fails nginx -t when a key is listed twice or empty (a key file error never lets a request through)', () => {
      const conf = referencePlatform().gateway!.renderNginxConf(GatewayTarget.standalone());
      const hosts = ['agent-service-1', 'agent-service-2', 'agent-service-3', 'model-service', 'acme-agent-service'];
      const twice = checkNginxConfig(conf, {
        hosts,
        files: { 'tenants/acme.map': '"k1" acme;\n', 'tenants/globex.map': '"k1" globex;\n' },
      });
      expect(twice.ok).toBe(false);
      expect(twice.output).toMatch(/conflicting parameter "k1" in \/etc\/nginx\/tenants\/globex.map:1/);
      const empty = checkNginxConfig(conf, { hosts, files: { 'tenants/acme.map': '"" acme;\n' } });
      expect(empty.ok).toBe(false);
      expect(empty.output).toMatch(/conflicting parameter "" in \/etc\/nginx\/tenants\/acme.map:1/);
    });
  });

  test('1,000 tenants on 4 plans (50 with pools) render and pass nginx -t with two keys each', () => {
    const platform = platformWithGateway();
    const plans = ['free', 'basic', 'pro', 'gold'].map((name, i) =>
      platform.addRatePlan(RatePlan.perSecond(name, 5 * 10 ** i)),
    );
    const hosts: Record<string, string> = { 'ai-agent-service': '127.0.0.11', 'model-service': '127.0.0.12' };
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) {
      const name = `tenant-${String(i).padStart(4, '0')}`;
      const tenant = platform.addTenant(name, { plan: plans[i % plans.length] });
      if (i % 20 === 0) {
        tenant.addAgent(`${name}-agent`, { image: IMAGE });
        hosts[`${name}-agent-service`] = `127.0.1.${i / 20 + 1}`;
      }
      const key = (n: number) => createHash('sha256').update(`${name}/${n}`).digest('hex');
      files[`tenants/${name}.map`] = `"${key(1)}" ${name};\n"${key(2)}" ${name};\n`;
    }
    const conf = platform.gateway!.renderNginxConf(GatewayTarget.standalone());
    expect(blockOf(conf, 'map $gateway_key_owner $gateway_tenant {')).toHaveLength(1001);
    expect(blockOf(conf, 'map $gateway_tenant $gateway_upstream_ai_agent_backend {')).toHaveLength(51);
    expect(lines(conf).filter((l) => l.startsWith('limit_req_zone'))).toHaveLength(2 + 4);
    expectNginxConfigValid(conf, { hosts, files });
    const kube = platform.gateway!.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion: installedNginxVersion() }));
    const clusterHosts = Object.fromEntries(
      Object.entries(hosts).map(([h, a]) => [
        h === 'ai-agent-service' || h === 'model-service'
          ? `${h}.ai-platform.svc.cluster.local`
          : `${h}.tenant-${h.slice(0, 'tenant-0000'.length)}.svc.cluster.local`,
        a,
      ]),
    );
    expectNginxConfigValid(kube, { hosts: clusterHosts, files });
  });
});

describe('tenant pools behind several agent routes', () => {
  function platformWithTwoAgents() {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    const chat = platform.addAgent('chat', { image: 'registry.example.com/chat:1.0' });
    const reason = platform.addAgent('reason', { image: 'registry.example.com/reason:1.0' });
    const gateway = platform.addGateway('Gateway', { serverName: 'ai.example.com' });
    gateway.route('/api/v1/chat/', chat, { upstream: { name: 'chat_backend' } });
    gateway.route('/api/v1/reason/', reason, { upstream: { name: 'reason_backend' } });
    const tenant = platform.addTenant('acme', { plan: platform.addRatePlan(RatePlan.perSecond('gold', 10)) });
    return { platform, gateway, chat, reason, tenant };
  }

  test('a pool replaces the shared agent it names: only that agent\'s route maps the tenant to it; nginx -t passes',
    () => {
      const { gateway, chat, tenant } = platformWithTwoAgents();
      tenant.addAgent('acme-chat', { image: 'registry.example.com/chat:1.0', replaces: chat });
      const conf = gateway.renderNginxConf(GatewayTarget.standalone());
      expect(conf.match(/upstream acme_chat_backend \{/g)).toHaveLength(1);
      expect(blockOf(conf, 'map $gateway_tenant $gateway_upstream_chat_backend {')).toEqual([
        'default chat_backend;', 'acme acme_chat_backend;',
      ]);
      // The tenant's reasoning requests (a 70B model on H100s) stay on the shared pool.
      expect(conf).not.toContain('$gateway_upstream_reason_backend');
      expect(blockOf(conf, 'location /api/v1/reason/ {')).toContain('proxy_pass http://reason_backend;');
      expectNginxConfigValid(conf, {
        hosts: ['chat-service', 'reason-service', 'acme-chat-service'],
        files: { 'tenants/acme.map': '"0123456789abcdef0123456789abcdef" acme;\n' },
      });
    });

  test('two pools of a tenant, one per shared agent, each take their own routes', () => {
    const { gateway, chat, reason, tenant } = platformWithTwoAgents();
    tenant.addAgent('acme-chat', { image: 'registry.example.com/chat:1.0', replaces: chat });
    tenant.addAgent('acme-reason', { image: 'registry.example.com/reason:1.0', replaces: reason });
    const conf = gateway.renderNginxConf(GatewayTarget.standalone());
    expect(blockOf(conf, 'map $gateway_tenant $gateway_upstream_chat_backend {')).toContain('acme acme_chat_backend;');
    expect(blockOf(conf, 'map $gateway_tenant $gateway_upstream_reason_backend {'))
      .toContain('acme acme_reason_backend;');
  });

  test('ambiguity fails at synth: a pool that does not say which of several agents it replaces, or two for one',
    () => {
      const ambiguous = platformWithTwoAgents();
      ambiguous.tenant.addAgent('acme-agent', { image: 'registry.example.com/chat:1.0' });
      expect(() => ambiguous.gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
        "tenant 'acme' pool 'acme-agent'.replaces (\"none\") must say which shared agent the pool replaces: the "
          + 'gateway routes to 2 (chat, reason)',
      );
      const twice = platformWithTwoAgents();
      twice.tenant.addAgent('acme-1', { image: 'registry.example.com/chat:1.0', replaces: twice.chat });
      twice.tenant.addAgent('acme-2', { image: 'registry.example.com/chat:1.0', replaces: twice.chat });
      expect(() => twice.gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
        "tenant 'acme' pool 'acme-2' (\"chat_backend\") replaces a shared agent another pool of 'acme' replaces "
          + 'already',
      );
      const nowhere = platformWithTwoAgents();
      const other = nowhere.platform.addAgent('batch', { image: 'registry.example.com/batch:1.0' });
      nowhere.tenant.addAgent('acme-batch', { image: 'registry.example.com/batch:1.0', replaces: other });
      expect(() => nowhere.gateway.renderNginxConf(GatewayTarget.standalone())).toThrow(
        "tenant 'acme' pool 'acme-batch'.replaces (\"batch\") gets no traffic: no route of this gateway goes to "
          + "'batch'",
      );
    });
});

describe('gateway tenancy: planZoneSize', () => {
  function confWithZone(planZoneSize: Size): string {
    const platform = new AiAgentPlatform(Testing.app(), 'ai-platform');
    const agent = platform.addAgent('ai-agent', { image: IMAGE });
    platform.addGateway('Gateway', { serverName: 'ai.example.com', tenancy: { planZoneSize } }).route('/api/', agent);
    platform.addTenant('acme', { plan: platform.addRatePlan(RatePlan.perSecond('gold', 50)) });
    return platform.gateway!.renderNginxConf(GatewayTarget.standalone());
  }

  test('sizes each plan zone from a Size', () => {
    const zone = (size: Size) =>
      lines(confWithZone(size)).find((l) => l.startsWith('limit_req_zone $gateway_plan_gold'));
    expect(zone(Size.mebibytes(2))).toBe('limit_req_zone $gateway_plan_gold_key zone=tenant_gold:2m rate=50r/s;');
    expect(zone(Size.kibibytes(1536))).toBe('limit_req_zone $gateway_plan_gold_key zone=tenant_gold:1536k rate=50r/s;');
  });

  test('fails when planZoneSize is below 1Mi or above 1Gi', () => {
    expect(() => confWithZone(Size.kibibytes(512)))
      .toThrow("AgentGateway 'Gateway': tenancy.planZoneSize (512Ki) must be between 1Mi and 1Gi");
    expect(() => confWithZone(Size.gibibytes(2)))
      .toThrow("AgentGateway 'Gateway': tenancy.planZoneSize (2Gi) must be between 1Mi and 1Gi");
  });
});
