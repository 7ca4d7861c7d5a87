import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { buildReferencePlatform } from '../../apps/reference-platform';
import {
  AiAgentPlatform,
  Artifact,
  ComposeStack,
  ComposeStackProps,
  EnvValue,
  GatewayTarget,
  GpuType,
  isPinnedImage,
  ModelStorage,
  PlatformApp,
} from '../../lib';
import {
  bindSources,
  composeConfig,
  expectComposeConfigOk,
  expectValidComposeSpec,
  nginxTestComposeConf,
  promtoolOk,
  writeArtifacts,
} from '../support/compose';
import { installedNginxVersion } from '../support/nginx-sandbox';
import { runToolOk, withTempDir } from '../support/tools';

/** A plain `groups:` rule file, as AlertRules renders it for Prometheus outside Kubernetes. */
const ALERT_RULES = [
  'groups:',
  '  - name: ai-agent.rules',
  '    rules:',
  '      - alert: HighErrorRate',
  '        expr: sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
  '        for: 5m',
  '        labels:',
  '          severity: critical',
  '        annotations:',
  '          summary: AI agent error rate above 1 %',
  '',
].join('\n');

const nginxConf = () => '# stand-in: the gateway renders this file\n';

interface Compose {
  services: Record<string, Record<string, any>>;
  networks: Record<string, any>;
  volumes: Record<string, any>;
}

function composeOf(artifacts: Artifact[], directory = 'compose'): Compose {
  return YAML.parse(file(artifacts, `${directory}/docker-compose.yml`));
}

function file(artifacts: Artifact[], p: string): string {
  const found = artifacts.find((a) => a.path === p);
  if (!found) throw new Error(`no artifact ${p}; have ${artifacts.map((a) => a.path).join(', ')}`);
  return found.content;
}

function reference(): { platform: AiAgentPlatform; artifacts: Artifact[] } {
  const app = new PlatformApp();
  const platform = buildReferencePlatform(app);
  return { platform, artifacts: app.artifacts().filter((a) => a.path.startsWith('compose/')) };
}

/** A platform of one agent and one model service, with a Compose stack of `props`. */
function platformWith(
  props: Partial<ComposeStackProps>,
  options: { redis?: false; secrets?: boolean; cpuOnlyAgent?: boolean } = {},
) {
  const app = new PlatformApp();
  const platform = new AiAgentPlatform(app, 'p', { redis: options.redis });
  platform.addAgent('ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    gpu: options.cpuOnlyAgent ? undefined : { type: GpuType.A100_40GB, count: 2 },
    modelStorage: ModelStorage.existingClaim('model-pvc'),
    env: options.secrets
      ? {
          OPENAI_API_KEY: EnvValue.fromSecret('agent-secrets', 'openai-api-key'),
          HF_TOKEN: EnvValue.fromSecret('agent-secrets', 'hf-token'),
        }
      : undefined,
    metrics: options.cpuOnlyAgent ? false : undefined,
  });
  platform.addModelService('model-service', {
    image: 'registry.example.com/model-service:v1.2.0',
    gpu: { type: GpuType.L4_24GB },
    modelStorage: ModelStorage.existingClaim('weights', { mountPath: '/weights' }),
    env: options.secrets ? { HF_TOKEN: EnvValue.fromSecret('agent-secrets', 'hf-token') } : undefined,
  });
  const stack = platform.addComposeStack('Compose', { nginxConf, ...props });
  return { app, platform, stack, artifacts: () => app.artifacts().filter((a) => a.path !== 'architecture.md') };
}

/**
 * Writes the stack and checks it with the real consumers: the Compose Specification schema,
 * `docker-compose config -q`, bind sources and build contexts inside the stack's folder, and promtool on
 * prometheus.yml (with its rule files mapped to where the bind mount puts them) and on every rule file.
 */
function expectRunnableStack(artifacts: Artifact[], directory = 'compose', env: Record<string, string> = {}): void {
  withTempDir((dir) => {
    writeArtifacts(dir, artifacts);
    const root = path.join(dir, directory);
    const composeFile = path.join(root, 'docker-compose.yml');
    const yaml = fs.readFileSync(composeFile, 'utf8');
    expectValidComposeSpec(yaml);
    expectComposeConfigOk(composeFile, env);

    for (const source of bindSources(yaml)) {
      const resolved = path.resolve(root, source);
      expect(resolved.startsWith(`${root}${path.sep}`)).toBe(true);
      expect(fs.existsSync(resolved)).toBe(true);
    }
    const doc = YAML.parse(yaml) as Compose;
    for (const service of Object.values(doc.services)) {
      if (service.build) expect(fs.statSync(path.resolve(root, service.build.context)).isDirectory()).toBe(true);
    }

    // prometheus.yml names container paths; check it with them mapped to the host folders they mount.
    const mounts = (doc.services.prometheus.volumes as Array<{ type: string; source: string; target: string }>).filter(
      (m) => m.type === 'bind',
    );
    let prometheusYml = fs.readFileSync(path.join(root, 'prometheus/prometheus.yml'), 'utf8');
    for (const m of mounts) prometheusYml = prometheusYml.split(m.target).join(path.resolve(root, m.source));
    fs.writeFileSync(path.join(dir, 'prometheus-host.yml'), prometheusYml);
    const ruleFiles = artifacts.filter((a) => a.path.startsWith(`${directory}/prometheus/rules/`));
    const checked = promtoolOk(['check', 'config', path.join(dir, 'prometheus-host.yml')]);
    if (ruleFiles.length) expect(checked.stdout).toContain(`SUCCESS: ${ruleFiles.length} rule files found`);
    for (const rules of ruleFiles) promtoolOk(['check', 'rules', path.join(dir, rules.path)]);
  });
}

describe('ComposeStack on the reference platform', () => {
  const { platform, artifacts } = reference();
  const compose = composeOf(artifacts);

  test('writes dist/compose/ and nothing outside it', () => {
    expect(artifacts.map((a) => a.path)).toEqual([
      'compose/README.md',
      'compose/agent-service/.dockerignore',
      'compose/agent-service/Dockerfile',
      'compose/config/agent-config/agent.yaml',
      'compose/docker-compose.yml',
      'compose/mtail/gateway.mtail',
      'compose/nginx/nginx.conf',
      'compose/prometheus/prometheus.yml',
      'compose/prometheus/rules/alerts.yml',
      'compose/secrets/tenants/README.md',
      'compose/ssl/README.md',
    ]);
    expect(file(artifacts, 'compose/docker-compose.yml')).toMatchSnapshot();
    expect(file(artifacts, 'compose/prometheus/prometheus.yml')).toMatchSnapshot();
  });

  test('is valid for the Compose Spec, docker-compose 1.29 and promtool, and mounts only files it writes', () => {
    expectRunnableStack(artifacts);
  });

  test('the synthesized dist/compose/ passes docker-compose config beside the Kubernetes manifests', () => {
    withTempDir((dir) => {
      const app = new PlatformApp({ outdir: path.join(dir, 'dist') });
      buildReferencePlatform(app);
      app.synth();
      expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(
        expect.arrayContaining(['ai-platform.k8s.yaml', 'compose']),
      );
      expect(fs.readFileSync(path.join(dir, 'dist/compose/docker-compose.yml'), 'utf8')).toBe(
        file(artifacts, 'compose/docker-compose.yml'),
      );
      expectComposeConfigOk(path.join(dir, 'dist/compose/docker-compose.yml'));
    });
  });

  test('has the contract\'s services and no obsolete version key', () => {
    expect(Object.keys(compose.services)).toEqual([
      'nginx',
      'agent-service',
      'model-service',
      'redis',
      'prometheus',
      'nginx-exporter',
      'gateway-metrics',
    ]);
    expect(Object.keys(compose)).toEqual(['services', 'networks', 'volumes', 'secrets']);
  });

  test('reserves one NVIDIA GPU for the agent and another for the model service (gpus: 2 pins them apart)', () => {
    expect(compose.services['agent-service'].deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', device_ids: ['0'], capabilities: ['gpu'] },
    ]);
    expect(compose.services['model-service'].deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', device_ids: ['1'], capabilities: ['gpu'] },
    ]);
  });

  test('maps the agent\'s resources, env, model volume, config and timing from the Kubernetes model', () => {
    const agent = compose.services['agent-service'];
    expect(agent.image).toBe('registry.example.com/ai-agent:v1.2.0');
    expect(agent.build).toEqual({ context: './agent-service', dockerfile: 'Dockerfile' });
    expect(agent.deploy.resources.limits).toEqual({ cpus: '4', memory: '8g' });
    expect(agent.deploy.resources.reservations).toMatchObject({ cpus: '2', memory: '4g' });
    expect(agent.environment).toEqual({
      MODEL_PATH: '/models/llama-7b',
      REDIS_URL: 'redis://redis:6379',
      MAX_TOKENS: '2048',
      LOG_LEVEL: 'INFO',
    });
    expect(agent.volumes).toEqual([
      { type: 'volume', source: 'model-pvc', target: '/models', read_only: true },
      { type: 'bind', source: './config/agent-config', target: '/app/config', read_only: true },
    ]);
    // The weights are loaded out of band: an external volume, so `up` fails clearly when it is missing.
    expect(compose.volumes['model-pvc']).toEqual({ name: 'ai-platform-model-pvc', external: true });
    expect(file(artifacts, 'compose/README.md')).toContain(
      'docker volume create ai-platform-model-pvc && docker run --rm -v ai-platform-model-pvc:/models',
    );
    expect(file(artifacts, 'compose/config/agent-config/agent.yaml')).toBe(
      'max_tokens: 2048\nlog_level: INFO\nmodel_service_url: http://model-service\n',
    );
    expect(agent.healthcheck).toEqual({
      test: [
        'CMD',
        'python3',
        '-c',
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/ready', timeout=4)",
      ],
      interval: '10s',
      timeout: '5s',
      retries: 3,
      start_period: '10m',
    });
    expect(agent.stop_grace_period).toBe('5m10s');
    expect(agent.shm_size).toBe('1g');
    expect(agent.user).toBe('10001:10001');
    expect(agent.networks).toEqual({ 'ai-platform': { aliases: ['ai-agent-service'] } });
    expect(agent.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(agent.ports).toBeUndefined();
  });

  test('nginx starts only after every agent and model service is healthy, and publishes 80 and 443', () => {
    const nginx = compose.services.nginx;
    expect(nginx.depends_on).toEqual({
      'agent-service': { condition: 'service_healthy' },
      'model-service': { condition: 'service_healthy' },
    });
    expect(nginx.ports).toEqual(['80:8080', '443:8443']);
    // The nginx.conf is rendered for the gateway's nginx version, so the stack runs the gateway's image.
    expect(nginx.image).toBe(platform.gateway!.image);
    expect(nginx.image).toBe('nginxinc/nginx-unprivileged:1.28.0-alpine');
    expect(nginx.volumes).toEqual([
      { type: 'bind', source: './nginx/nginx.conf', target: '/etc/nginx/nginx.conf', read_only: true },
      { type: 'bind', source: './ssl', target: '/etc/nginx/ssl', read_only: true },
    ]);
    expect(nginx.healthcheck.test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health']);
    expect(nginx.ulimits).toEqual({ nofile: { soft: 65535, hard: 65535 } });
    expect(nginx.stop_grace_period).toBe(compose.services['agent-service'].stop_grace_period);
  });

  test('redis keeps its data in a named volume and has a health check', () => {
    const redis = compose.services.redis;
    expect(redis.image).toBe('redis:7.2.5-alpine');
    expect(redis.volumes).toEqual([{ type: 'volume', source: 'redis-data', target: '/data' }]);
    expect(compose.volumes['redis-data']).toEqual({ name: 'ai-platform-redis-data' });
    expect(redis.command).toEqual([
      'redis-server',
      '--appendonly',
      'yes',
      '--save',
      '60',
      '1000',
      '--maxmemory',
      '819mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    expect(redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.ports).toBeUndefined();
  });

  test('prometheus mounts its config from the stack, keeps data in a volume and publishes on loopback only', () => {
    const prometheus = compose.services.prometheus;
    expect(prometheus.image).toBe('prom/prometheus:v2.53.3');
    expect(prometheus.volumes).toEqual([
      {
        type: 'bind',
        source: './prometheus/prometheus.yml',
        target: '/etc/prometheus/prometheus.yml',
        read_only: true,
      },
      { type: 'bind', source: './prometheus/rules', target: '/etc/prometheus/rules', read_only: true },
      { type: 'volume', source: 'prometheus-data', target: '/prometheus' },
    ]);
    expect(prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(prometheus.healthcheck.test).toEqual([
      'CMD',
      'wget',
      '-q',
      '-O',
      '/dev/null',
      'http://127.0.0.1:9090/-/healthy',
    ]);
  });

  test('prometheus scrapes itself, the gateway exporter and every replica of the agents and model services', () => {
    const config = YAML.parse(file(artifacts, 'compose/prometheus/prometheus.yml'));
    // The platform's AlertRules, the same groups as the PrometheusRule.
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(file(artifacts, 'compose/prometheus/rules/alerts.yml')).toBe(platform.alerts!.renderRulesFile());
    const relabel_configs = [{ target_label: 'part_of', replacement: 'ai-agent-platform' }];
    expect(config.scrape_configs).toEqual([
      { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
      { job_name: 'nginx', static_configs: [{ targets: ['nginx-exporter:9113'] }], relabel_configs },
      // mtail shares the nginx container's network (network_mode), so it is reached at the nginx service.
      { job_name: 'gateway-metrics', static_configs: [{ targets: ['nginx:3903'] }], relabel_configs },
      // part_of: the label the alerts select the platform's series by, as the PodMonitors set it in Kubernetes.
      {
        job_name: 'agent-service', dns_sd_configs: [{ names: ['agent-service'], type: 'A', port: 8080 }],
        relabel_configs,
      },
      {
        job_name: 'model-service', dns_sd_configs: [{ names: ['model-service'], type: 'A', port: 8080 }],
        relabel_configs,
      },
    ]);
    expect(compose.services['nginx-exporter'].command).toEqual(['--nginx.scrape-uri=http://nginx:8081/stub_status']);
    expect(compose.services['gateway-metrics'].network_mode).toBe('service:nginx');
    expect(compose.services['gateway-metrics'].volumes).toEqual([
      { type: 'bind', source: './mtail', target: '/etc/mtail', read_only: true },
    ]);
    expect(file(artifacts, 'compose/mtail/gateway.mtail')).toBe(platform.gateway!.renderRequestMetricsProgram());
    expect(compose.services['gateway-metrics'].command).toContain('--logs=udp://127.0.0.1:5140');
    expect(file(artifacts, 'compose/nginx/nginx.conf')).toContain('syslog:server=127.0.0.1:5140');
  });

  test('every service: pinned image, restart policy, log rotation, limits, hardening, the private network', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect([name, isPinnedImage(service.image)]).toEqual([name, true]);
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
      expect([name, service.logging]).toEqual([
        name,
        { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } },
      ]);
      expect([name, typeof service.deploy.resources.limits.memory]).toEqual([name, 'string']);
      expect([name, service.read_only, service.cap_drop, service.security_opt]).toEqual([
        name,
        true,
        ['ALL'],
        ['no-new-privileges:true'],
      ]);
      // The request metrics share the gateway's network namespace (its loopback), as a sidecar would.
      if (service.network_mode) {
        expect([name, service.network_mode, service.networks]).toEqual([name, 'service:nginx', undefined]);
        continue;
      }
      expect([
        name,
        Object.keys(
          service.networks instanceof Array
            ? Object.fromEntries(service.networks.map((n: string) => [n, 1]))
            : service.networks,
        ),
      ]).toEqual([name, ['ai-platform']]);
    }
    expect(compose.networks).toEqual({ 'ai-platform': { name: 'ai-platform' } });
  });

  test('every service has a health check except the exporter and mtail, whose images have no client to run one', () => {
    expect(
      Object.entries(compose.services)
        .filter(([, s]) => !s.healthcheck)
        .map(([name]) => name),
    ).toEqual(['nginx-exporter', 'gateway-metrics']);
  });

  test('only the gateway and Prometheus (on 127.0.0.1) publish ports', () => {
    expect(Object.entries(compose.services).filter(([, s]) => s.ports).map(([name, s]) => [name, s.ports])).toEqual([
      ['nginx', ['80:8080', '443:8443']],
      ['prometheus', ['127.0.0.1:9090:9090']],
    ]);
  });

  test('its nginx.conf passes nginx -t with the Compose service names as upstream hosts', () => {
    // The gateway renders for the Compose image's nginx (1.28: upstream `resolve`); the installed nginx
    // checks the same model rendered for its own version (test/agent-gateway.nginx.test.ts shows the two
    // differ only in version-gated lines).
    expect(file(artifacts, 'compose/nginx/nginx.conf')).toBe(
      platform.gateway!.renderNginxConf(GatewayTarget.forComposeStack(platform.compose!.gatewayTarget)),
    );
    expect(file(artifacts, 'compose/nginx/nginx.conf')).toContain('server agent-service:8080 resolve');
    const conf = platform.gateway!.renderNginxConf(
      GatewayTarget.forComposeStack(platform.compose!.gatewayTarget, { nginxVersion: installedNginxVersion() }),
    );
    expect(conf).toContain('server agent-service:8080 max_fails');
    const result = nginxTestComposeConf(conf, Object.keys(compose.services));
    expect(result.stderr).toContain('test is successful');
    expect(result.status).toBe(0);
    // Without the model service's name, nginx cannot resolve its upstream: the check really resolves.
    const missing = nginxTestComposeConf(conf, Object.keys(compose.services).filter((s) => s !== 'model-service'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('host not found in upstream "model-service:8080"');
  });

  test('the platform exposes the stack and its service names for the gateway', () => {
    const stack = platform.compose!;
    expect(stack).toBeInstanceOf(ComposeStack);
    const [agent] = platform.agents;
    const [model] = platform.modelServices;
    expect(stack.serviceNameOf(agent)).toBe('agent-service');
    expect(stack.serviceNameOf(model)).toBe('model-service');
    const target = stack.gatewayTarget;
    expect(target.upstreamServerOf(agent)).toBe('agent-service:8080');
    expect(target).toMatchObject({
      httpPort: 8080,
      httpsPort: 8443,
      certificatePath: '/etc/nginx/ssl/cert.pem',
      certificateKeyPath: '/etc/nginx/ssl/key.pem',
      healthPath: '/health',
      status: { port: 8081, path: '/stub_status' },
      pidPath: '/tmp/nginx.pid',
      tempDirectory: '/tmp',
      maxOpenFiles: 65535,
      resolver: '127.0.0.11',
    });
  });

  test('the README\'s certificate command creates a pair nginx (uid 101) can read', () => {
    withTempDir((dir) => {
      writeArtifacts(dir, artifacts);
      const root = path.join(dir, 'compose');
      const command = platform.compose!.certificateCommand();
      expect(file(artifacts, 'compose/README.md')).toContain(command);
      expect(file(artifacts, 'compose/ssl/README.md')).toContain(command);
      runToolOk('sh', ['-c', command], { cwd: root });
      expect(
        runToolOk('openssl', ['x509', '-in', 'ssl/cert.pem', '-noout', '-subject', '-ext', 'subjectAltName'], {
          cwd: root,
        }).stdout,
      ).toMatch(/CN ?= ?ai-agent\.example\.com[\s\S]*DNS:ai-agent\.example\.com/);
      runToolOk('openssl', ['pkey', '-in', 'ssl/key.pem', '-noout'], { cwd: root });
      expect(fs.statSync(path.join(root, 'ssl/key.pem')).mode & 0o777).toBe(0o644);
    });
  });

  test('certificate files and host name follow the gateway: the README\'s pair is the one nginx loads', () => {
    const app = new PlatformApp();
    const p = new AiAgentPlatform(app, 'p', { namespace: 'p' });
    const chat = p.addAgent('chat', { image: 'registry.example.com/chat:1.0.0', gpu: { type: GpuType.L4_24GB } });
    p.addComposeStack('compose', {}); // before the gateway: read at synth
    p.addGateway('gw', {
      serverName: 'llm.example.com',
      tls: { certificateFile: '/etc/nginx/ssl/llm.crt', keyFile: '/etc/nginx/ssl/llm.key', secretName: 'llm-tls' },
    }).route('/v1/', chat);
    const all = app.artifacts();
    const command = p.compose!.certificateCommand();
    expect(command).toContain('-subj "/CN=llm.example.com"');
    expect(command).toContain('-keyout ssl/llm.key -out ssl/llm.crt');
    expect(file(all, 'compose/README.md')).toContain(command);
    expect(file(all, 'compose/ssl/README.md')).toContain('put `llm.crt` (the chain) and\n`llm.key` here');
    withTempDir((dir) => {
      writeArtifacts(dir, all);
      const root = path.join(dir, 'compose');
      runToolOk('sh', ['-c', command], { cwd: root });
      expect(runToolOk('openssl', ['x509', '-in', 'ssl/llm.crt', '-noout', '-subject'], { cwd: root }).stdout)
        .toMatch(/CN ?= ?llm\.example\.com/);
      const conf = p.gateway!.renderNginxConf(
        GatewayTarget.forComposeStack(p.compose!.gatewayTarget, { nginxVersion: installedNginxVersion() }),
      );
      expect(conf).toContain('ssl_certificate /etc/nginx/ssl/llm.crt;');
      const result = nginxTestComposeConf(conf, Object.keys(composeOf(all).services), path.join(root, 'ssl'));
      expect(result.stderr).toContain('test is successful');
    });
  });

  test('GPU services: one may reserve by count; several need the machine\'s gpus, and get distinct devices', () => {
    const gpuPlatform = (props: Partial<ComposeStackProps>, modelIds?: string[]) => {
      const { app, platform } = platformWith({ ...props, workloads: { 'model-service': { gpuDeviceIds: modelIds } } });
      return { synth: () => Testing.synth(platform), services: () => composeOf(app.artifacts()).services };
    };
    const devices = (s: Record<string, any>) =>
      Object.fromEntries(Object.entries(s).flatMap(([n, x]) => x.deploy?.resources?.reservations?.devices
        ? [[n, x.deploy.resources.reservations.devices[0]]] : []));
    expect(() => gpuPlatform({}).synth()).toThrow(
      'workloads ai-agent (2), model-service (1) reserve GPUs by count, and Docker gives each the first GPUs of the '
        + "machine (they would all share device 0): set gpus (the machine's GPU count) to pin distinct devices, or "
        + 'gpuDeviceIds per workload',
    );
    const three = gpuPlatform({ gpus: 3 });
    expect(() => three.synth()).not.toThrow();
    expect(devices(three.services())).toEqual({
      'ai-agent': { driver: 'nvidia', device_ids: ['0', '1'], capabilities: ['gpu'] },
      'model-service': { driver: 'nvidia', device_ids: ['2'], capabilities: ['gpu'] },
    });
    expect(() => gpuPlatform({ gpus: 2 }).synth()).toThrow(
      'workloads ai-agent (2), model-service (1) need 3 GPUs besides the 0 given by gpuDeviceIds, more than the '
        + "machine's gpus (2)",
    );
    // An explicit device is left aside: the agent gets the two others.
    const explicit = gpuPlatform({ gpus: 3 }, ['0']);
    expect(() => explicit.synth()).not.toThrow();
    expect(devices(explicit.services())['ai-agent'].device_ids).toEqual(['1', '2']);
    expect(() => gpuPlatform({ gpus: 0 }).synth()).toThrow(/gpus \(0\) must be an integer >= 1/);
  });

  test('the repository README gives the same certificate command, run from the repository root', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(`(cd dist/compose && ${platform.compose!.certificateCommand()})`);
    expect(readme).toContain('docker compose -f dist/compose/docker-compose.yml up');
  });

  test('renders byte-identical output twice', () => {
    expect(reference().artifacts).toEqual(artifacts);
  });
});

describe('ComposeStack options', () => {
  test('alert rules: written under prometheus/rules/, mounted, and named in rule_files', () => {
    const { artifacts } = platformWith({ alertRules: () => ALERT_RULES });
    const all = artifacts();
    expect(file(all, 'compose/prometheus/rules/alerts.yml')).toBe(ALERT_RULES);
    expect(YAML.parse(file(all, 'compose/prometheus/prometheus.yml')).rule_files).toEqual([
      '/etc/prometheus/rules/*.yml',
    ]);
    expect(composeOf(all).services.prometheus.volumes).toContainEqual({
      type: 'bind',
      source: './prometheus/rules',
      target: '/etc/prometheus/rules',
      read_only: true,
    });
    expectRunnableStack(all);
  });

  test('without alert rules: no rule file, no rules mount, no rule_files', () => {
    const all = platformWith({}).artifacts();
    expect(all.some((a) => a.path.includes('/rules/'))).toBe(false);
    expect(file(all, 'compose/prometheus/prometheus.yml')).not.toContain('rule_files');
    expect(JSON.stringify(composeOf(all).services.prometheus.volumes)).not.toContain('rules');
  });

  test('GPU count, replicas and pinned devices come from the model and the options', () => {
    const { artifacts } = platformWith({
      workloads: {
        'ai-agent': { serviceName: 'agent-service', replicas: 3 },
        'model-service': { gpuDeviceIds: ['1'] },
      },
    });
    const all = artifacts();
    const compose = composeOf(all);
    expect(compose.services['agent-service'].deploy.replicas).toBe(3);
    expect(compose.services['agent-service'].deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', count: 2, capabilities: ['gpu'] },
    ]);
    expect(compose.services['model-service'].deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', device_ids: ['1'], capabilities: ['gpu'] },
    ]);
    expect(compose.services['model-service'].volumes).toEqual([
      { type: 'volume', source: 'weights', target: '/weights', read_only: true },
    ]);
    expect(compose.volumes).toEqual({
      'model-pvc': { name: 'ai-platform-model-pvc', external: true },
      'prometheus-data': { name: 'ai-platform-prometheus-data' },
      'redis-data': { name: 'ai-platform-redis-data' },
      'weights': { name: 'ai-platform-weights', external: true },
    });
    expectRunnableStack(all);
  });

  test('secrets become required .env variables listed in .env.example, never values in a file', () => {
    const { artifacts } = platformWith({}, { secrets: true });
    const all = artifacts();
    const compose = composeOf(all);
    expect(compose.services['ai-agent'].environment).toMatchObject({
      OPENAI_API_KEY: '${AGENT_SECRETS_OPENAI_API_KEY:?set AGENT_SECRETS_OPENAI_API_KEY in .env'
        + ' (Kubernetes Secret agent-secrets, key openai-api-key)}',
      HF_TOKEN:
        '${AGENT_SECRETS_HF_TOKEN:?set AGENT_SECRETS_HF_TOKEN in .env (Kubernetes Secret agent-secrets, key hf-token)}',
    });
    expect(compose.services['model-service'].environment.HF_TOKEN).toBe(
      compose.services['ai-agent'].environment.HF_TOKEN,
    );
    const example = file(all, 'compose/.env.example');
    expect(example.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'AGENT_SECRETS_HF_TOKEN=',
      'AGENT_SECRETS_OPENAI_API_KEY=',
    ]);
    expect(example).toContain(
      '# Secret agent-secrets, key hf-token; used as ai-agent: HF_TOKEN, model-service: HF_TOKEN',
    );
    expect(file(all, 'compose/README.md')).toContain('cp .env.example .env');

    const env = { AGENT_SECRETS_OPENAI_API_KEY: 'sk-test-7f3a9c', AGENT_SECRETS_HF_TOKEN: 'hf_test_51b2' };
    expectRunnableStack(all, 'compose', env);
    withTempDir((dir) => {
      writeArtifacts(dir, all);
      const composeFile = path.join(dir, 'compose/docker-compose.yml');
      // Unset, Compose refuses with the message naming the variable.
      const missing = composeConfig(composeFile, { AGENT_SECRETS_HF_TOKEN: 'hf_test_51b2' });
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toContain('set AGENT_SECRETS_OPENAI_API_KEY in .env');
      // From a .env beside the file (what the README says), the values reach the containers' environment.
      fs.writeFileSync(path.join(dir, 'compose/.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'));
      const resolved = YAML.parse(composeConfig(composeFile, {}, ['config']).stdout);
      expect(resolved.services['ai-agent'].environment.OPENAI_API_KEY).toBe('sk-test-7f3a9c');
    });
    for (const artifact of all) {
      expect([artifact.path, artifact.content.includes('sk-test') || artifact.content.includes('hf_test')]).toEqual([
        artifact.path,
        false,
      ]);
    }
  });

  test('without Redis, a CPU-only agent without metrics: no redis service, no GPU reservation, no scrape job', () => {
    const { artifacts } = platformWith({}, { redis: false, cpuOnlyAgent: true });
    const all = artifacts();
    const compose = composeOf(all);
    expect(Object.keys(compose.services)).toEqual([
      'nginx',
      'ai-agent',
      'model-service',
      'prometheus',
      'nginx-exporter',
    ]);
    expect(compose.services['ai-agent'].deploy.resources.reservations.devices).toBeUndefined();
    expect(compose.services['ai-agent'].depends_on).toBeUndefined();
    expect(
      YAML.parse(file(all, 'compose/prometheus/prometheus.yml')).scrape_configs.map(
        (j: { job_name: string }) => j.job_name,
      ),
    ).toEqual(['prometheus', 'nginx', 'model-service']);
    expectRunnableStack(all);
  });

  test('exporter off, Prometheus unpublished, other ports, restart policy, log rotation, folder and name', () => {
    const { artifacts, stack } = platformWith({
      directory: 'stacks/gpu-box',
      name: 'gpu-box',
      gateway: {
        httpPort: 8080,
        httpsPort: 8443,
        exporter: false,
        image: 'nginxinc/nginx-unprivileged:1.27.4-alpine',
        memoryLimit: Size.mebibytes(256),
      },
      prometheus: { hostPort: false, retention: Duration.days(30), scrapeInterval: Duration.seconds(30) },
      restart: 'always',
      logging: { maxSize: Size.mebibytes(50), maxFiles: 3 },
    });
    const all = artifacts();
    expect(all.every((a) => a.path.startsWith('stacks/gpu-box/'))).toBe(true);
    const compose = composeOf(all, 'stacks/gpu-box');
    expect(Object.keys(compose.services)).not.toContain('nginx-exporter');
    expect(compose.services.nginx.ports).toEqual(['8080:8080', '8443:8443']);
    expect(compose.services.nginx.deploy.resources.limits.memory).toBe('256m');
    expect(compose.services.prometheus.ports).toBeUndefined();
    expect(compose.services.prometheus.command).toContain('--storage.tsdb.retention.time=30d');
    expect(compose.networks).toEqual({ 'gpu-box': { name: 'gpu-box' } });
    expect(Object.values(compose.services).map((s) => s.restart)).toEqual(
      Object.values(compose.services).map(() => 'always'),
    );
    expect(compose.services.redis.logging.options).toEqual({ 'max-size': '50m', 'max-file': '3' });
    expect(stack.gatewayTarget.status).toBeUndefined();
    const prometheus = YAML.parse(file(all, 'stacks/gpu-box/prometheus/prometheus.yml'));
    expect(prometheus.global.scrape_interval).toBe('30s');
    expect(prometheus.scrape_configs.map((j: { job_name: string }) => j.job_name)).not.toContain('nginx');
    expectRunnableStack(all, 'stacks/gpu-box');
  });

  test('build: off pulls only; a custom context and base image are used as given', () => {
    const off = composeOf(platformWith({ workloads: { 'ai-agent': { build: false } } }).artifacts());
    expect(off.services['ai-agent'].build).toBeUndefined();
    const { artifacts } = platformWith({
      workloads: {
        'ai-agent': { build: { baseImage: 'nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04' } },
        'model-service': { build: {} },
      },
    });
    const all = artifacts();
    expect(file(all, 'compose/ai-agent/Dockerfile')).toContain(
      'FROM nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04 AS runtime',
    );
    expect(composeOf(all).services['model-service'].build).toEqual({
      context: './model-service',
      dockerfile: 'Dockerfile',
    });
    expectRunnableStack(all);
  });

  test('a custom health check command replaces the Python one', () => {
    const compose = composeOf(
      platformWith({
        workloads: { 'model-service': { healthCheckCommand: ['/bin/healthcheck', '--ready'] } },
      }).artifacts(),
    );
    expect(compose.services['model-service'].healthcheck.test).toEqual(['CMD', '/bin/healthcheck', '--ready']);
  });

  test("reads the workloads' model, not their Kubernetes rendering: escape-hatch patches change only manifests", () => {
    const app = new PlatformApp();
    const platform = new AiAgentPlatform(app, 'p', { redis: { memoryLimit: Size.gibibytes(2) } });
    const agent = platform.addAgent('ai-agent', {
      image: 'registry.example.com/ai-agent:v1.2.0',
      sharedMemory: Size.gibibytes(2),
      configMapName: 'agent-config',
      configData: { 'agent.yaml': 'max_tokens: 2048\n' },
    });
    platform.addComposeStack('Compose', { nginxConf });
    // Kubernetes-only patches, through the escape hatches of the Deployment, the ConfigMap and Redis.
    agent.deployment.addJsonPatch(JsonPatch.remove('/spec/template/spec/volumes'));
    agent.configMap!.addJsonPatch(JsonPatch.replace('/data', { 'patched.yaml': 'x' }));
    platform.redis!.statefulSet.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/args', ['--patched']));
    const artifacts = app.artifacts();
    const compose = composeOf(artifacts);

    expect(agent.sharedMemory?.toGibibytes()).toBe(2);
    expect(compose.services['ai-agent'].shm_size).toBe('2g');
    expect(agent.configData).toEqual({ 'agent.yaml': 'max_tokens: 2048\n' });
    expect(file(artifacts, 'compose/config/agent-config/agent.yaml')).toBe('max_tokens: 2048\n');
    expect(platform.redis!.args).toContain('1638mb');
    expect(compose.services.redis.command).toEqual(['redis-server', ...platform.redis!.args]);
    expect(compose.services.redis.deploy.resources.limits).toEqual({ cpus: '1', memory: '2g' });
  });

  test('workloads added after the stack still show up', () => {
    const { platform, artifacts } = platformWith({});
    platform.addAgent('late-agent', { image: 'registry.example.com/late:v1', port: 9000 });
    const compose = composeOf(artifacts());
    expect(compose.services['late-agent'].healthcheck.test.at(-1)).toContain('http://127.0.0.1:9000/ready');
    expect(compose.services.nginx.depends_on['late-agent']).toEqual({ condition: 'service_healthy' });
  });
});

describe('ComposeStack health checks, run for real', () => {
  /** Runs a Compose `test` (["CMD", ...]) on this machine and resolves with its exit code. */
  function run(test: string[]): Promise<number> {
    expect(test[0]).toBe('CMD');
    return new Promise((resolve) => {
      execFile(test[1], test.slice(2), { timeout: 20_000 }, (error) =>
        resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
      );
    });
  }

  test('the agent\'s check passes when the readiness path answers 200, and fails on 503 or another path', async () => {
    const statuses: Record<string, number> = { '/ready': 200 };
    const server = http.createServer((req, res) => { res.statusCode = statuses[req.url ?? ''] ?? 404; res.end(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const app = new PlatformApp();
      const platform = new AiAgentPlatform(app, 'p');
      platform.addAgent('ai-agent', { image: 'registry.example.com/ai-agent:v1.2.0', port });
      platform.addComposeStack('Compose', { nginxConf });
      const test = composeOf(app.artifacts()).services['ai-agent'].healthcheck.test as string[];
      expect(await run(test)).toBe(0);
      statuses['/ready'] = 503;
      expect(await run(test)).not.toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('ComposeStack validation', () => {
  test('fails when props are invalid, naming each prop, value and what is allowed', () => {
    expect(() =>
      platformWith({
        directory: '../out',
        name: 'Bad_Name',
        gateway: { image: 'nginx:latest', httpPort: 0, exporter: { statusPort: 8443 } },
        prometheus: { hostPort: 70000 },
        logging: { maxFiles: 0 },
        workloads: { 'ai-agent': { replicas: 0, serviceName: 'Agent', gpuDeviceIds: [] } },
      }),
    ).toThrow(
      [
        'ComposeStack \'Compose\': directory ("../out") must be a relative path of lowercase letters, digits'
          + ' and ._- segments',
        "ComposeStack 'Compose': name (\"Bad_Name\") must be a DNS-1123 label: at most 63 lowercase letters,"
          + " digits or '-', starting and ending with a letter or digit",
        'ComposeStack \'Compose\': gateway.image ("nginx:latest") must be pinned to a tag other than "latest"'
          + ' or to a digest',
        "ComposeStack 'Compose': gateway.httpPort (0) must be an integer between 1 and 65535",
        "ComposeStack 'Compose': gateway.exporter.statusPort (8443) must differ from the gateway's listen ports"
          + ' (8080, 8443): stub_status must not be reachable from outside',
        "ComposeStack 'Compose': prometheus.hostPort (70000) must be an integer between 1 and 65535",
        "ComposeStack 'Compose': logging.maxFiles (0) must be an integer between 1 and 100",
        "ComposeStack 'Compose': workloads.ai-agent.serviceName (\"Agent\") must be a DNS-1123 label:"
          + " at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        "ComposeStack 'Compose': workloads.ai-agent.replicas (0) must be an integer >= 1",
        "ComposeStack 'Compose': workloads.ai-agent.gpuDeviceIds ([]) must list at least one device index or UUID",
      ].join('\n'),
    );
  });

  function synthErrors(build: (platform: AiAgentPlatform) => void): string {
    return withTempDir((dir) => {
      const app = new PlatformApp({ outdir: path.join(dir, 'dist') });
      const platform = new AiAgentPlatform(app, 'p');
      build(platform);
      try {
        app.synth();
      } catch (err) {
        expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
        return (err as Error).message;
      }
      throw new Error('synth succeeded');
    });
  }

  test('fails when a workloads key names no workload', () => {
    expect(synthErrors((platform) => {
      platform.addAgent('ai-agent', { image: 'registry.example.com/a:v1' });
      platform.addComposeStack('Compose', { nginxConf, workloads: { 'ai-agnet': { serviceName: 'agent-service' } } });
    })).toContain("ComposeStack 'Compose': workloads.ai-agnet names no workload of the platform (workloads: ai-agent)");
  });

  test('fails when a service name is taken by another service', () => {
    expect(
      synthErrors((platform) => {
        platform.addAgent('ai-agent', { image: 'registry.example.com/a:v1' });
        platform.addComposeStack('Compose', { nginxConf, workloads: { 'ai-agent': { serviceName: 'redis' } } });
      }),
    ).toContain(
      "ComposeStack 'Compose': service name (\"redis\") of workload 'ai-agent' is already used by Redis;"
        + ' set workloads.ai-agent.serviceName',
    );
  });

  test('fails when a model claim has the name of a volume of the stack', () => {
    expect(
      synthErrors((platform) => {
        platform.addAgent('ai-agent', {
          image: 'registry.example.com/a:v1',
          modelStorage: ModelStorage.existingClaim('redis-data'),
        });
        platform.addComposeStack('Compose', { nginxConf });
      }),
    ).toContain(
      "ComposeStack 'Compose': workload 'ai-agent' mounts claim (\"redis-data\"), the name of a volume of the stack"
        + ' (prometheus-data, redis-data); rename the claim',
    );
  });

  test('fails when a workload needs a GPU Compose cannot reserve, or pins devices without a GPU', () => {
    const message = synthErrors((platform) => {
      platform.addAgent('ai-agent', {
        image: 'registry.example.com/a:v1',
        gpu: {
          type: GpuType.custom({
            name: 'AMD MI300X',
            nodeLabelValue: 'amd-mi300x',
            memory: Size.gibibytes(192),
            resourceName: 'amd.com/gpu',
          }),
        },
      });
      platform.addModelService('model-service', { image: 'registry.example.com/m:v1' });
      platform.addComposeStack('Compose', { nginxConf, workloads: { 'model-service': { gpuDeviceIds: ['0'] } } });
    });
    expect(message).toContain(
      "ComposeStack 'Compose': workload 'ai-agent' requests GPU resource (\"amd.com/gpu\");"
        + ' Compose reserves only NVIDIA GPUs (nvidia.com/gpu)',
    );
    expect(message).toContain(
      "ComposeStack 'Compose': workloads.model-service.gpuDeviceIds is set, but the workload requests no GPU",
    );
  });
});
