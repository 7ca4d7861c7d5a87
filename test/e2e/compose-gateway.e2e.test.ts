/**
 * The Compose contract on the real nginx: a stack whose gateway health path and stub_status port and path
 * are not the defaults. The health check command and the exporter's scrape URI are read from the rendered
 * docker-compose.yml and run, unchanged, against the rendered nginx.conf served by the real nginx (and the
 * real nginx exporter) in a private network namespace.
 */
import { Size } from 'cdk8s';
import * as YAML from 'yaml';
import { AiAgentPlatform, Artifact, GatewayTarget, GpuType, PlatformApp } from '../../lib';
import { createNginxSandbox, installedNginxVersion } from '../support/nginx-sandbox';
import { runTool, withTempDir } from '../support/tools';

const HEALTH = '/healthz';
const STATUS_PORT = 9145;
const STATUS = '/nginx_status';

function file(artifacts: Artifact[], p: string): string {
  const found = artifacts.find((a) => a.path === p);
  if (!found) throw new Error(`no artifact ${p}`);
  return found.content;
}

/** A platform of one agent behind the gateway, with a Compose stack whose gateway paths are its own. */
function customPathsPlatform() {
  const app = new PlatformApp();
  const platform = new AiAgentPlatform(app, 'chat', { namespace: 'chat', redis: false });
  const agent = platform.addAgent('chat-agent', {
    image: 'registry.example.com/chat-agent:3.1.0',
    gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
  });
  const gateway = platform.addGateway('gateway', {
    serverName: 'chat.example.com',
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem' },
  });
  gateway.route('/v1/chat/', agent);
  platform.addComposeStack('compose', {
    gateway: { healthPath: HEALTH, exporter: { statusPort: STATUS_PORT, statusPath: STATUS } },
  });
  return { app, platform };
}

const q = (arg: string) => `'${arg.replace(/'/g, '\'\\\'\'')}'`;

/** Runs `script` after the sandbox prelude, with a private /tmp; returns `key=value` lines as a record. */
function runInSandbox(conf: string, hosts: Record<string, string>, script: string[]): Record<string, string> {
  return withTempDir((dir) => {
    const sandbox = createNginxSandbox(dir, conf, { hosts, certHost: 'chat.example.com' });
    const result = runTool(
      'unshare',
      ['-m', '-n', 'sh', '-c', [sandbox.prelude, 'set +e', 'mount -t tmpfs tmpfs /tmp', ...script].join('\n')],
      { timeout: 60_000 },
    );
    const out = `${result.stdout}${result.stderr}`;
    return Object.fromEntries(
      out
        .split('\n')
        .map((l) => /^(\w[\w-]*)=(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1], m[2]]),
    );
  });
}

describe('Compose stack with custom gateway paths, on the real nginx', () => {
  test('the health check and the exporter use exactly the paths and port nginx serves', () => {
    runTool('prometheus-nginx-exporter', ['--help']); // fails with the install hint when missing
    const { app, platform } = customPathsPlatform();
    const artifacts = app.artifacts();
    const compose = YAML.parse(file(artifacts, 'compose/docker-compose.yml'));
    const healthcheck: string[] = compose.services.nginx.healthcheck.test;
    const exporterArgs: string[] = compose.services['nginx-exporter'].command;
    expect(healthcheck).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:8080${HEALTH}`]);
    expect(exporterArgs).toEqual([`--nginx.scrape-uri=http://nginx:${STATUS_PORT}${STATUS}`]);

    // The stack's nginx.conf is rendered for the image's nginx; the installed one runs the same model.
    const shipped = file(artifacts, 'compose/nginx/nginx.conf');
    expect(shipped).toContain(`location = ${HEALTH} {`);
    expect(shipped).toContain(`location = ${STATUS} {`);
    expect(shipped).toContain(`listen ${STATUS_PORT};`);
    const conf = platform.gateway!.renderNginxConf(
      GatewayTarget.forComposeStack(platform.compose!.gatewayTarget, { nginxVersion: installedNginxVersion() }),
    );

    const wget = (url: string) => `wget -q -T 3 -t 1 -O /dev/null ${q(url)}`;
    const got = runInSandbox(conf, { 'chat-agent': '127.0.0.11', 'nginx': '127.0.0.1' }, [
      'nginx -c /etc/nginx/nginx.conf 2>/tmp/nginx.err || { echo nginx-start=failed; cat /tmp/nginx.err; }',
      `for i in $(seq 1 50); do ${wget(`http://127.0.0.1:8080${HEALTH}`)} && break; sleep 0.1; done`,
      // The Compose health check, argv as rendered.
      `${healthcheck.slice(1).map(q).join(' ')}; echo health-check=$?`,
      `${wget('http://127.0.0.1:8080/health')}; echo default-health=$?`,
      `${wget(`http://127.0.0.1:${STATUS_PORT}/stub_status`)}; echo default-status=$?`,
      // The exporter, with the rendered arguments; its nginx_up says whether the scrape URI is served.
      `prometheus-nginx-exporter ${exporterArgs.map(q).join(' ')} -web.listen-address=127.0.0.1:9113`
        + ' >/tmp/exporter.log 2>&1 &',
      'for i in $(seq 1 50); do wget -q -T 3 -t 1 -O /tmp/metrics http://127.0.0.1:9113/metrics && break; sleep 0.1; done',
      'echo "exporter-up=$(grep \'^nginx_up \' /tmp/metrics)"',
      'echo "exporter-accepted=$(grep -c \'^nginx_connections_accepted \' /tmp/metrics)"',
      'kill %1; nginx -s quit',
    ]);
    expect(got['nginx-start']).toBeUndefined();
    expect(got['health-check']).toBe('0');
    // Neither default is served any more: /health is redirected to HTTPS (a host wget cannot reach here)
    // and the status port answers 404 outside the configured path.
    expect(got['default-health']).not.toBe('0');
    expect(got['default-status']).toBe('8'); // wget: server issued an error response (404)
    expect(got['exporter-up']).toBe('nginx_up 1');
    expect(got['exporter-accepted']).toBe('1');
  });
});
