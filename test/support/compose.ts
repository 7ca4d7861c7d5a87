import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { runTool, runToolOk, ToolResult, withTempDir, writeFiles } from './tools';

/** The official Compose Specification JSON schema, kept in the repository (source and licence: schemas/README.md). */
export const COMPOSE_SPEC_SCHEMA = path.join(__dirname, 'schemas', 'compose-spec.json');

let validator: ValidateFunction | undefined;

/** The problems of a Compose file against the Compose Specification schema (ajv, `strict: false`). */
export function composeSpecProblems(composeYaml: string): string[] {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(COMPOSE_SPEC_SCHEMA, 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    validator = new Ajv({ strict: false, allErrors: true }).compile(schema);
  }
  const ok = validator(YAML.parse(composeYaml));
  return ok ? [] : (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Fails the test with every Compose Specification schema problem. */
export function expectValidComposeSpec(composeYaml: string): void {
  expect(composeSpecProblems(composeYaml)).toEqual([]);
}

/** Writes artifacts (`{ path, content }`, paths relative to the output directory) under `dir`. */
export function writeArtifacts(dir: string, artifacts: ReadonlyArray<{ path: string; content: string }>): void {
  writeFiles(dir, Object.fromEntries(artifacts.map((a) => [a.path, a.content])));
}

/**
 * Runs the real `docker-compose config -q` (docker-compose 1.29) on a Compose file. `env` replaces the
 * environment (plus PATH and HOME), so variables the test does not set are unset.
 */
export function composeConfig(
  composeFile: string,
  env: Record<string, string> = {},
  args: string[] = ['config', '-q'],
): ToolResult {
  return runTool('docker-compose', ['-f', composeFile, ...args], {
    cwd: path.dirname(composeFile),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

/** `docker-compose config -q` must pass. */
export function expectComposeConfigOk(composeFile: string, env: Record<string, string> = {}): void {
  const result = composeConfig(composeFile, env);
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
}

/** Runs `promtool` with arguments and fails with its output unless it exits 0. */
export function promtoolOk(args: string[], cwd?: string): ToolResult {
  return runToolOk('promtool', args, { cwd });
}

/** Every bind-mount source of every service, as written in the Compose file. */
export function bindSources(composeYaml: string): string[] {
  const doc = YAML.parse(composeYaml) as {
    services: Record<string, { volumes?: Array<{ type: string; source: string } | string> }>;
  };
  return Object.values(doc.services).flatMap((s) => (s.volumes ?? []).flatMap((v) => {
    if (typeof v === 'string') return v.startsWith('.') || v.startsWith('/') ? [v.split(':')[0]] : [];
    return v.type === 'bind' ? [v.source] : [];
  }));
}

/**
 * Runs the real `nginx -t` on a Compose nginx.conf as the gateway container would load it: in a private
 * mount namespace (`unshare -m`, as root), the Compose service names resolve through a private
 * /etc/hosts (one loopback address each), `/etc/nginx` holds only the config and in `ssl/` the files of
 * `sslDir` (the stack's `ssl/` folder) or else a fresh self-signed cert.pem/key.pem, and `/tmp` is a private
 * tmpfs. Nothing outside the namespace changes.
 */
export function nginxTestComposeConf(conf: string, serviceNames: readonly string[], sslDir?: string): ToolResult {
  return withTempDir((dir) => {
    const hosts = ['127.0.0.1 localhost', ...serviceNames.map((name, i) => `127.0.0.${i + 2} ${name}`)].join('\n');
    writeFiles(dir, { 'hosts': `${hosts}\n`, 'etc-nginx/nginx.conf': conf });
    fs.mkdirSync(path.join(dir, 'etc-nginx/ssl'));
    if (sslDir) fs.cpSync(sslDir, path.join(dir, 'etc-nginx/ssl'), { recursive: true });
    else {
      runToolOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-keyout', path.join(dir, 'etc-nginx/ssl/key.pem'), '-out', path.join(dir, 'etc-nginx/ssl/cert.pem')]);
    }
    const script = [
      'mount --make-rprivate /',
      `mount --bind ${dir}/hosts /etc/hosts`,
      `mount --bind ${dir}/etc-nginx /etc/nginx`,
      'mount -t tmpfs tmpfs /tmp',
      // Output to files: node's stdio are sockets, which nginx cannot open as /dev/stdout or /dev/stderr.
      'nginx -t -c /etc/nginx/nginx.conf >/tmp/nginx.out 2>/tmp/nginx.err; rc=$?; '
        + 'cat /tmp/nginx.out; cat /tmp/nginx.err >&2; exit $rc',
    ].join(' && ');
    runTool('nginx', ['-v']); // fails with the install hint when nginx is missing
    return runTool('unshare', ['-m', 'sh', '-c', script]);
  });
}
