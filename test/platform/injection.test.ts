/**
 * No config injection: every user string that reaches nginx.conf, the Kubernetes YAML, PromQL, the
 * Compose file or architecture.md is tried with the classics (`;`, braces, newlines, `#`, quotes,
 * `$variables`, `..`, very long and non-ASCII values). Each must be rejected with an error naming the
 * construct and the prop, or rendered so that the output's structure is unchanged and the value reads
 * back exactly: nginx.conf parsed like nginx does (same directive tree, the value as one argument),
 * YAML parsed back, PromQL checked by promtool, Compose by `docker-compose config`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AgentGateway,
  AgentGatewayProps,
  AiAgentPlatform,
  EnvValue,
  GatewayTarget,
  GpuType,
  GpuAgentDeployment,
  GpuAgentDeploymentProps,
  HealthCheck,
  LoadBalancing,
  MetricSelector,
  NginxModule,
  RateLimit,
  RateLimitZone,
  RatePlan,
  RequestKey,
  ScalingMetric,
  UpstreamServer,
} from '../../lib';
import { composeConfig, writeArtifacts } from '../support/compose';
import { expectNginxConfigValid } from '../support/nginx-sandbox';
import { nginxShape, parseNginx, walkNginx } from '../support/nginx-structure';
import { checkRules } from '../support/promtool';
import { runTool, withTempDir } from '../support/tools';

/** The classics, alone and inside an otherwise plausible value. */
const CLASSICS = [
  ';',
  '{',
  '}',
  '\n',
  '\r\n',
  '#',
  '"',
  "'",
  '$host',
  '${HOME}',
  '$(id)',
  '`id`',
  '..',
  '../../etc/passwd',
  '\\',
  ' ',
  '\t',
  '\u0000',
  'a'.repeat(5000),
  '中文',
  'é',
  '\u202e',
  '}; location / { return 200 owned; }',
  '";\nevil on;#',
];
const PAYLOADS = CLASSICS.flatMap((p) => [p, `x${p}y`, `/x${p}/`]);

type Outcome = { rejected: string } | { output: string };

function attempt(build: () => string): Outcome {
  try {
    return { output: build() };
  } catch (error) {
    return { rejected: (error as Error).message };
  }
}

// ---------------------------------------------------------------------------------------------- nginx

interface NginxSink {
  /** The prop the error must name. */
  readonly prop: string;
  /** The construct the error must name. */
  readonly construct: string;
  /** Renders the config with `value` in the prop (throws when the value is rejected). */
  readonly render: (value: string) => string;
  /** The directive whose argument carries the value when accepted. */
  readonly directive?: string;
  /** The directive expands nginx variables: a `$` must be rejected, as it would change the meaning. */
  readonly expandsVariables?: boolean;
}

const TLS = { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' };

function gatewayWith(props: Partial<AgentGatewayProps>, agentProps: Partial<GpuAgentDeploymentProps> = {}) {
  const chart = Testing.chart();
  const agent = new GpuAgentDeployment(chart, 'ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    namespace: 'ai-platform',
    serviceName: 'ai-agent-service',
    ...agentProps,
  });
  const gateway = new AgentGateway(chart, 'Gateway', {
    serverName: 'ai-agent.example.com',
    namespace: 'ai-platform',
    tls: TLS,
    ...props,
  });
  return { gateway, agent };
}

const standalone = (gateway: AgentGateway) => gateway.renderNginxConf(GatewayTarget.standalone());
const kubernetes = (gateway: AgentGateway) =>
  gateway.renderNginxConf(GatewayTarget.kubernetes({ nginxVersion: '1.28.0' }));

const NGINX_SINKS: Record<string, NginxSink> = {
  'serverName': {
    construct: 'AgentGateway',
    prop: 'serverName',
    directive: 'server_name',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ serverName: v });
      gateway.route('/api/', agent);
      return standalone(gateway);
    },
  },
  'route path': {
    construct: 'AgentGateway',
    prop: 'route.path',
    directive: 'location',
    render: (v) => {
      const { gateway, agent } = gatewayWith({});
      gateway.route(v, agent);
      return standalone(gateway);
    },
  },
  'upstream name': {
    construct: 'AgentGateway',
    prop: 'upstream.name',
    directive: 'upstream',
    render: (v) => {
      const { gateway, agent } = gatewayWith({});
      gateway.route('/api/', agent, { upstream: { name: v } });
      return standalone(gateway);
    },
  },
  'upstream server address': {
    construct: 'AgentGateway',
    prop: '.address',
    directive: 'server',
    render: (v) => {
      const { gateway, agent } = gatewayWith({});
      gateway.route('/api/', agent, { upstream: { servers: [UpstreamServer.of(`${v}:8080`)] } });
      return standalone(gateway);
    },
  },
  'rate-limit zone name': {
    construct: 'AgentGateway',
    prop: 'rateLimits[0].name',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ rateLimits: [RateLimitZone.perClientIp(v, RateLimit.perSecond(10))] });
      gateway.route('/api/', agent);
      return standalone(gateway);
    },
  },
  'rate-limit header key': {
    construct: 'AgentGateway',
    prop: 'rateLimits[0].key',
    render: (v) => {
      const { gateway, agent } = gatewayWith({
        rateLimits: [RateLimitZone.perKey('by_header', RequestKey.header(v), RateLimit.perSecond(10))],
      });
      gateway.route('/api/', agent);
      return standalone(gateway);
    },
  },
  'hash header key': {
    construct: 'AgentGateway',
    prop: '.loadBalancing.key',
    render: (v) => {
      const { gateway, agent } = gatewayWith({});
      gateway.route('/api/', agent, {
        upstream: { loadBalancing: LoadBalancing.consistentHash(RequestKey.cookie(v)) },
      });
      return standalone(gateway);
    },
  },
  'tls.certificateFile': {
    construct: 'AgentGateway',
    prop: 'tls.certificateFile',
    directive: 'ssl_certificate',
    expandsVariables: true,
    render: (v) => {
      const { gateway, agent } = gatewayWith({ tls: { ...TLS, certificateFile: v } });
      gateway.route('/api/', agent);
      return standalone(gateway);
    },
  },
  'tls.keyFile': {
    construct: 'AgentGateway',
    prop: 'tls.keyFile',
    directive: 'ssl_certificate_key',
    expandsVariables: true,
    render: (v) => {
      const { gateway, agent } = gatewayWith({ tls: { ...TLS, keyFile: v } });
      gateway.route('/api/', agent);
      return standalone(gateway);
    },
  },
  'tls.ciphers': {
    construct: 'AgentGateway',
    prop: 'tls.ciphers',
    directive: 'ssl_ciphers',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ tls: { ...TLS, ciphers: v } });
      gateway.route('/api/', agent);
      return standalone(gateway);
    },
  },
  'kubernetes.trustedProxies': {
    construct: 'AgentGateway',
    prop: 'kubernetes.trustedProxies[0]',
    directive: 'set_real_ip_from',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ kubernetes: { trustedProxies: [v] } });
      gateway.route('/api/', agent);
      return kubernetes(gateway);
    },
  },
  'kubernetes.clusterDomain': {
    construct: 'AgentGateway',
    prop: 'kubernetes.clusterDomain',
    directive: 'server',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ kubernetes: { clusterDomain: v } });
      gateway.route('/api/', agent);
      return kubernetes(gateway);
    },
  },
  'kubernetes.dnsResolver': {
    construct: 'AgentGateway',
    prop: 'kubernetes.dnsResolver',
    directive: 'resolver',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ kubernetes: { dnsResolver: v } });
      gateway.route('/api/', agent);
      return kubernetes(gateway);
    },
  },
  'active health-check path': {
    construct: 'AgentGateway',
    prop: '.healthCheck.path',
    directive: 'check_http_send',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ nginxModules: [NginxModule.UPSTREAM_CHECK] });
      gateway.route('/api/', agent, { upstream: { healthCheck: HealthCheck.upstreamCheckModule({ path: v }) } });
      return standalone(gateway);
    },
  },
  'NGINX Plus health-check path': {
    construct: 'AgentGateway',
    prop: '.healthCheck.path',
    directive: 'health_check',
    render: (v) => {
      const { gateway, agent } = gatewayWith({ nginxPlus: true });
      gateway.route('/api/', agent, { upstream: { healthCheck: HealthCheck.nginxPlus({ path: v }) } });
      return standalone(gateway);
    },
  },
  'workload serviceName (Kubernetes upstream)': {
    construct: 'GpuAgentDeployment',
    prop: 'serviceName',
    directive: 'server',
    render: (v) => {
      const { gateway, agent } = gatewayWith({}, { serviceName: v });
      gateway.route('/api/', agent);
      return kubernetes(gateway);
    },
  },
  'workload healthPath': {
    construct: 'GpuAgentDeployment',
    prop: 'probes.healthPath',
    render: (v) => {
      const { gateway, agent } = gatewayWith(
        { nginxModules: [NginxModule.UPSTREAM_CHECK] },
        { probes: { healthPath: v } },
      );
      gateway.route('/api/', agent, { upstream: { healthCheck: HealthCheck.upstreamCheckModule() } });
      return standalone(gateway);
    },
  },
};

/** The argument of `directive` nodes in `conf` that differ from the baseline's: where the value landed. */
function changedArgs(conf: string, baseline: string, directive: string): string[] {
  const args = (c: string) =>
    walkNginx(parseNginx(c))
      .filter(({ node }) => node.name === directive)
      .map(({ node }) => node.args);
  const before = new Set(args(baseline).map((a) => JSON.stringify(a)));
  return args(conf).filter((a) => !before.has(JSON.stringify(a))).flat();
}

/** The payloads a sink accepts, with their configs (the rest it rejects). */
function acceptedBy(sink: string): Array<{ sink: string; value: string; conf: string }> {
  return PAYLOADS.flatMap((value) => {
    const outcome = attempt(() => NGINX_SINKS[sink].render(value));
    return 'output' in outcome ? [{ sink, value, conf: outcome.output }] : [];
  });
}

describe('no injection into nginx.conf', () => {
  test.each(Object.keys(NGINX_SINKS))(
    '%s: every classic is rejected naming the prop, or leaves the structure unchanged',
    (name) => {
      const sink = NGINX_SINKS[name];
      const baseline = sink.render(name === 'route path' ? '/api/' : safeValue(name));
      const baseShape = nginxShape(baseline);
      for (const value of PAYLOADS) {
        const outcome = attempt(() => sink.render(value));
        if ('rejected' in outcome) {
          expect(outcome.rejected).toMatch(
            new RegExp(`^${sink.construct} '[^']+': [^\\n]*${escapeRegExp(sink.prop)}[^\\n]* \\(`),
          );
          continue;
        }
        if (sink.expandsVariables) expect({ value, accepted: true }).toEqual({ value, accepted: !value.includes('$') });
        // Same directive tree as the baseline: nothing opened, closed, ended or commented out.
        expect({ value, shape: nginxShape(outcome.output) }).toEqual({ value, shape: baseShape });
        if (sink.directive) {
          expect(changedArgs(outcome.output, baseline, sink.directive).join('\n')).toContain(value.trim());
        }
      }
    },
  );

  test('fails on route paths with dot segments (nginx normalizes request paths: such a location never matches)', () => {
    for (const path of ['/api/../', '/api/./v1/', '/../']) {
      expect(() => NGINX_SINKS['route path'].render(path)).toThrow(
        `AgentGateway 'Gateway': route.path (${JSON.stringify(path)}) must not contain '.' or '..' segments`,
      );
    }
    expect(() => NGINX_SINKS['route path'].render('/api/v1.2/..x/')).not.toThrow();
  });

  test('nginx -t accepts the longest and the oddest accepted value of every sink it can load here', () => {
    // Kubernetes renderings are for nginx 1.28 (resolve), health checks need Plus or a module, and
    // other files or host names do not exist on this machine: the structure check above covers those.
    const runnable = [
      'serverName',
      'route path',
      'upstream name',
      'upstream server address',
      'rate-limit zone name',
      'rate-limit header key',
      'hash header key',
      'tls.ciphers',
    ];
    const odd = (v: string) => v.replace(/[A-Za-z0-9]/g, '').length;
    const picks = runnable.flatMap((sink) => {
      const values = acceptedBy(sink);
      const longest = [...values].sort((a, b) => b.value.length - a.value.length)[0];
      const oddest = [...values].sort((a, b) => odd(b.value) - odd(a.value))[0];
      return [...new Set([longest, oddest].filter(Boolean))];
    });
    expect(picks.length).toBeGreaterThan(0);
    const hosts = [
      ...new Set([
        'ai-agent-service',
        ...picks.filter((p) => p.sink === 'upstream server address').map((p) => p.value),
      ]),
    ];
    for (const { conf } of picks) expectNginxConfigValid(conf, { hosts });
  });
});

function safeValue(sink: string): string {
  const safe: Record<string, string> = {
    'serverName': 'ai-agent.example.com',
    'upstream name': 'agent_backend',
    'upstream server address': 'agent-1',
    'rate-limit zone name': 'ai_api',
    'rate-limit header key': 'X-Tenant',
    'hash header key': 'session',
    'tls.certificateFile': TLS.certificateFile,
    'tls.keyFile': TLS.keyFile,
    'tls.ciphers': 'ECDHE-RSA-AES128-GCM-SHA256',
    'kubernetes.trustedProxies': '10.0.0.0/8',
    'kubernetes.clusterDomain': 'cluster.local',
    'kubernetes.dnsResolver': 'kube-dns.kube-system.svc.cluster.local',
    'active health-check path': '/health',
    'NGINX Plus health-check path': '/health',
    'workload serviceName (Kubernetes upstream)': 'ai-agent-service',
    'workload healthPath': '/health',
  };
  return safe[sink];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------- YAML

describe('no injection into the Kubernetes YAML', () => {
  test('env values, config data, ConfigMap keys and tenant team groups read back exactly or are rejected', () => {
    const platform = new AiAgentPlatform(Testing.app(), 'p');
    const env: Record<string, EnvValue> = {};
    PAYLOADS.forEach((p, i) => { env[`V${i}`] = EnvValue.value(p); });
    const configData: Record<string, string> = {};
    PAYLOADS.forEach((p, i) => { configData[`k${i}.txt`] = p; });
    platform.addAgent('a', {
      image: 'r.example.com/a:1.0',
      env,
      configMapName: 'a-config',
      configData,
      modelPath: '"; rm -rf / #\n- evil: true',
    });
    const yaml = Testing.synth(platform).map((o) => YAML.stringify(o)).join('---\n');
    const objects = YAML.parseAllDocuments(yaml).map((d) => d.toJS());
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'a');
    const seen = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    PAYLOADS.forEach((p, i) => expect(seen[`V${i}`]).toBe(p));
    expect(seen.MODEL_PATH).toBe('"; rm -rf / #\n- evil: true');
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'a-config').data).toEqual(configData);
    // The structure: the same objects and the same env names, nothing added by a value.
    expect(Object.keys(seen).sort()).toEqual(
      [...PAYLOADS.map((_, i) => `V${i}`), 'MODEL_PATH', 'REDIS_URL', 'MAX_TOKENS', 'LOG_LEVEL']
        .filter((n) => n in seen)
        .sort(),
    );
  });

  test('names that become object names, labels or keys are rejected with the construct and the prop', () => {
    const cases: Array<[string, () => unknown]> = [
      ['AiAgentPlatform', () => new AiAgentPlatform(Testing.app(), 'p', { namespace: 'ns\nkind: Secret' })],
      [
        'GpuAgentDeployment',
        () =>
          new AiAgentPlatform(Testing.app(), 'p').addAgent('a', {
            image: 'r.example.com/a:1.0',
            name: 'a\n---\nkind: Secret',
          }),
      ],
      [
        'GpuAgentDeployment',
        () =>
          new AiAgentPlatform(Testing.app(), 'p').addAgent('a', {
            image: 'r.example.com/a:1.0',
            configMapName: 'c: {x}',
          }),
      ],
      [
        'Tenant',
        () => {
          const platform = new AiAgentPlatform(Testing.app(), 'p');
          return platform.addTenant('acme\n  evil: 1', { plan: platform.addRatePlan(RatePlan.perSecond('basic', 5)) });
        },
      ],
      ['RatePlan', () => new AiAgentPlatform(Testing.app(), 'p').addRatePlan(RatePlan.perSecond('gold;}', 5))],
    ];
    for (const [construct, build] of cases) {
      expect(build).toThrow(new RegExp(`${construct} '.*': `, 's'));
    }
  });
});

// ---------------------------------------------------------------------------------------------- PromQL

describe('no injection into PromQL', () => {
  test("series names and selector keys of KEDA's generated queries must be Prometheus names", () => {
    const autoscale = (metric: ScalingMetric) => () => {
      const platform = new AiAgentPlatform(Testing.app(), 'p');
      const agent = platform.addAgent('a', { image: 'r.example.com/a:1.0' });
      platform.addAutoscaler('hpa', {
        target: agent,
        maxReplicas: 3,
        metrics: [metric],
        keda: { prometheusServerAddress: 'http://prometheus.monitoring.svc:9090' },
      });
      return Testing.synth(platform);
    };
    for (const payload of ['a{x="y"}) or vector(1) #', 'rate(x[5m])', 'x\ny', '$var', 'a b', '"', '}', ...CLASSICS]) {
      expect(autoscale(ScalingMetric.queueDepth(5, { prometheusSeries: payload }))).toThrow(
        /AgentAutoscaler 'hpa': metrics\[0\]\.prometheusSeries/,
      );
      expect(autoscale(ScalingMetric.queueDepth(5, { selector: { [payload]: 'v' } }))).toThrow(
        /AgentAutoscaler 'hpa': metrics\[0\]\.selector/,
      );
    }
    // Selector values are data: any string is quoted into a PromQL string literal that promtool accepts.
    const objects = autoscale(ScalingMetric.queueDepth(5, { selector: { model: CLASSICS.join('') } }))();
    const query = objects.find((o) => o.kind === 'ScaledObject').spec.triggers.find((t: any) => t.type === 'prometheus')
      .metadata.query;
    const result = checkRules(YAML.stringify({ groups: [{ name: 'q', rules: [{ record: 'q', expr: query }] }] }));
    expect({ status: result.status, err: result.stderr }).toEqual({ status: 0, err: '' });
  });

  test('alert metric label values are string literals: promtool accepts every rule, expressions keep their shape', () =>
    withTempDir((dir) => {
      const exprs = (job: string) => {
        const platform = new AiAgentPlatform(Testing.app(), 'p');
        platform.addAgent('a', { image: 'r.example.com/a:1.0' });
        platform.addAlerts('Alerts', {
          namespace: 'monitoring',
          metrics: {
            httpRequests: MetricSelector.of('http_requests_total', { job }),
            tasks: MetricSelector.of('agent_tasks_total', { job }),
          },
        });
        const rule = Testing.synth(platform).find((o) => o.kind === 'PrometheusRule');
        return rule.spec.groups as Array<{ rules: Array<{ expr?: string }> }>;
      };
      // Every PromQL string literal replaced by one placeholder: what is left is the expression's structure.
      const shape = (groups: ReturnType<typeof exprs>) =>
        groups.flatMap((g) => g.rules.map((r) => String(r.expr ?? '').replace(/"(?:[^"\\]|\\.)*"/g, '"_"')));
      const base = shape(exprs('x'));
      const files = CLASSICS.map((value, i) => {
        const groups = exprs(value);
        expect({ value, shape: shape(groups) }).toEqual({ value, shape: base });
        const file = path.join(dir, `rules-${i}.yml`);
        fs.writeFileSync(file, YAML.stringify({ groups }));
        return file;
      });
      const result = runTool('promtool', ['check', 'rules', ...files]);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    }));

  test('the runbook URL cannot smuggle a Prometheus template into alert annotations', () => {
    const outcome = attempt(() => {
      const platform = new AiAgentPlatform(Testing.app(), 'p');
      platform.addAgent('a', { image: 'r.example.com/a:1.0' });
      platform.addAlerts('Alerts', {
        namespace: 'monitoring',
        runbookBaseUrl: 'https://runbooks.example.com/{{ $value }}',
      });
      return JSON.stringify(Testing.synth(platform).find((o) => o.kind === 'PrometheusRule').spec);
    });
    if ('rejected' in outcome) expect(outcome.rejected).toMatch(/AlertRules '[^']*': runbookBaseUrl/);
    else expect(outcome.output).not.toContain('{{ $value }}');
  });
});

// ---------------------------------------------------------------------------------------------- Compose

describe('no injection into the Compose file', () => {
  test('env values with $, quotes, newlines and YAML syntax reach the containers exactly (docker-compose config)', () =>
    withTempDir((dir) => {
      const platform = new AiAgentPlatform(Testing.app(), 'p', { redis: false });
      const values = CLASSICS.filter((c) => !c.includes('\u0000') && c.length < 100);
      const env: Record<string, EnvValue> = {};
      values.forEach((p, i) => {
        env[`V${i}`] = EnvValue.value(p);
      });
      const agent = platform.addAgent('a', { image: 'r.example.com/a:1.0', env });
      platform.addGateway('Gateway', { serverName: 'ai.example.com' }).route('/api/', agent);
      platform.addComposeStack('Compose', {});
      const out = path.join(dir, 'compose');
      writeArtifacts(dir, platform.renderArtifacts());
      const result = composeConfig(path.join(out, 'docker-compose.yml'), {}, ['config']);
      expect(result.stderr).toBe('');
      const resolved = YAML.parse(result.stdout);
      // `config` prints a Compose file again, so a literal `$` comes back escaped as `$$`; an interpolated
      // one would have been replaced (and warned about on stderr, which is empty).
      const seen = resolved.services.a.environment;
      values.forEach((p, i) =>
        expect({ i, value: String(seen[`V${i}`]).replace(/\$\$/g, '$') }).toEqual({ i, value: p }),
      );
      expect(Object.keys(resolved.services).sort()).toEqual(
        Object.keys(YAML.parse(fs.readFileSync(path.join(out, 'docker-compose.yml'), 'utf8')).services).sort(),
      );
    }));
});

describe('no injection into the Compose file through the stack\'s own props', () => {
  test('fails when GPU device ids are not indices or UUIDs, naming the prop', () => {
    for (const value of CLASSICS.filter((c) => /[^A-Za-z0-9-]/.test(c))) {
      const platform = new AiAgentPlatform(Testing.app(), 'p', { redis: false });
      const agent = platform.addAgent('a', { image: 'r.example.com/a:1.0', gpu: { type: GpuType.L4_24GB } });
      platform.addGateway('Gateway', { serverName: 'ai.example.com' }).route('/api/', agent);
      expect(() => platform.addComposeStack('Compose', { workloads: { a: { gpuDeviceIds: [value] } } })).toThrow(
        /^ComposeStack '[^']+': workloads\.a\.gpuDeviceIds \(/,
      );
    }
  });

  test('the health-check command is data: exact after docker-compose config, no service or key added', () =>
    withTempDir((dir) => {
      const values = CLASSICS.filter((c) => !c.includes('\u0000') && c.length < 100 && c.trim() !== '');
      const platform = new AiAgentPlatform(Testing.app(), 'p', { redis: false });
      const agent = platform.addAgent('a', { image: 'r.example.com/a:1.0', gpu: { type: GpuType.L4_24GB } });
      platform.addGateway('Gateway', { serverName: 'ai.example.com' }).route('/api/', agent);
      platform.addComposeStack('Compose', { workloads: { a: { healthCheckCommand: ['/bin/check', ...values] } } });
      writeArtifacts(dir, platform.renderArtifacts());
      const file = path.join(dir, 'compose', 'docker-compose.yml');
      const written = YAML.parse(fs.readFileSync(file, 'utf8'));
      const result = composeConfig(file, {}, ['config']);
      expect(result.stderr).toBe('');
      const resolved = YAML.parse(result.stdout);
      const unescape = (v: unknown) => String(v).replace(/\$\$/g, '$');
      const service = resolved.services.a;
      expect(service.healthcheck.test.map(unescape)).toEqual(['CMD', '/bin/check', ...values]);
      expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(written.services).sort());
      expect(Object.keys(service).sort()).toEqual(
        Object.keys(written.services.a)
          .filter((k) => k !== 'build' || service.build)
          .sort(),
      );
    }));
});

// ---------------------------------------------------------------------------------------------- Mermaid

describe('no injection into architecture.md (Mermaid)', () => {
  test('user strings stay inside their labels: the diagram has one node per construct whatever the strings', () => {
    const diagram = (plan: string, group: string) => attempt(() => {
      const platform = new AiAgentPlatform(Testing.app(), 'p');
      platform.addAgent('a', { image: 'r.example.com/a:1.0' });
      const rate = platform.addRatePlan(RatePlan.perSecond(plan, 5));
      platform.addTenant('acme', { plan: rate, team: { groups: [group] } });
      return platform.renderArtifacts().find((a) => a.path === 'architecture.md')!.content;
    });
    const base = diagram('basic', 'team');
    if ('rejected' in base) throw new Error(base.rejected);
    const shape = (md: string) =>
      md.split('\n').filter((l) => /^\s*(subgraph|end$|[\w-]+[[({>]|[\w-]+ -)/.test(l)).length;
    for (const value of PAYLOADS) {
      for (const result of [diagram(value, 'team'), diagram('basic', value)]) {
        if ('rejected' in result) expect(result.rejected).toMatch(/^(RatePlan|Tenant|AiAgentPlatform) '.*': /s);
        else expect({ value, lines: shape(result.output) }).toEqual({ value, lines: shape(base.output) });
      }
    }
  });
});
