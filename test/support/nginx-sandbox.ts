/**
 * Runs the real nginx on a generated config, isolated in its own mount and network namespace.
 *
 * API (for every test that checks an nginx config):
 *
 *   checkNginxConfig(conf, { hosts?, files?, certHost? })   → { ok, output, warnings, hosts }
 *     `nginx -t` on `conf` as /etc/nginx/nginx.conf. `hosts` lists the host names the config resolves
 *     (upstream servers); each resolves to its own loopback address (127.0.0.11, .12, ... in order, or
 *     give a record name → address). `files` adds files under /etc/nginx (keys relative to /etc/nginx,
 *     e.g. 'conf.d/api.conf'). A self-signed pair for `certHost` sits at /etc/nginx/ssl/cert.pem and
 *     key.pem. The rest of /etc/nginx is the installed Debian layout (mime.types, proxy_params ...).
 *   expectNginxConfigValid(conf, options)                 → fails the test with nginx's own output when
 *     `nginx -t` fails, or when it prints a warning (pass `allowWarnings: true` to accept them).
 *   createNginxSandbox(dir, conf, options)                → the sandbox files in `dir` and the shell prelude
 *     that enters them; `spawnInNginxSandbox` runs a command inside (the e2e scenario runner uses it).
 *
 * How: `unshare -m -n` (we are root) gives a private mount table and an empty network namespace whose
 * loopback we bring up, so the whole of 127.0.0.0/8 (and ports 80/443) belongs to one test and parallel
 * test files never collide. Inside it a temporary copy of /etc/nginx, a temporary /etc/hosts, and
 * temporary /var/log/nginx, /var/lib/nginx and /run are bind-mounted over the real ones; nothing on the
 * machine changes and nothing outside can reach the servers inside.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runTool, runToolOk, withTempDir, writeFiles } from './tools';

/** How to place a config in the sandbox. */
export interface NginxSandboxOptions {
  /**
   * Host names the config resolves at start-up (upstream servers). A list gets 127.0.0.11, 127.0.0.12, ...
   * in order; a record maps each name to the loopback address you choose.
   * @default - only localhost resolves
   */
  readonly hosts?: readonly string[] | Readonly<Record<string, string>>;
  /**
   * Extra files under /etc/nginx, keyed by path relative to /etc/nginx (or absolute below /etc/nginx).
   * @default - none
   */
  readonly files?: Readonly<Record<string, string>>;
  /**
   * Host name of the self-signed certificate at /etc/nginx/ssl/cert.pem (key at key.pem).
   * @default 'ai-agent.example.com'
   */
  readonly certHost?: string;
}

/** What `nginx -t` said. */
export interface NginxCheckResult {
  /** Whether `nginx -t` exited 0. */
  readonly ok: boolean;
  /** Everything nginx printed. */
  readonly output: string;
  /** The `[warn]` lines of the output. */
  readonly warnings: readonly string[];
  /** Host name → loopback address used. */
  readonly hosts: Readonly<Record<string, string>>;
}

/** A prepared sandbox directory. */
export interface NginxSandbox {
  /** The temporary directory holding everything. */
  readonly dir: string;
  /** Host name → loopback address written to the sandbox's /etc/hosts. */
  readonly hosts: Readonly<Record<string, string>>;
  /** The self-signed certificate (PEM) at /etc/nginx/ssl/cert.pem, for clients to trust. */
  readonly certPem: string;
  /** Shell lines (sh) that bring up loopback and mount the sandbox; run them inside `unshare -m -n`. */
  readonly prelude: string;
}

const ETC_NGINX = '/etc/nginx';

/** The loopback addresses for `hosts`. */
export function loopbackHosts(hosts: NginxSandboxOptions['hosts']): Record<string, string> {
  if (hosts === undefined) return {};
  if (Array.isArray(hosts)) {
    if (hosts.length > 200) throw new Error(`nginx sandbox: at most 200 host names, got ${hosts.length}`);
    return Object.fromEntries(hosts.map((name, i) => [name, `127.0.0.${11 + i}`]));
  }
  const record = hosts as Readonly<Record<string, string>>;
  for (const [name, address] of Object.entries(record)) {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) {
      throw new Error(`nginx sandbox: host '${name}' must map to a loopback address (127.x.y.z), got '${address}'`);
    }
  }
  return { ...record };
}

let toolsChecked = false;

/** Fails with the install hint when one of the tools the sandbox needs is missing. */
function ensureTools(): void {
  if (toolsChecked) return;
  runTool('nginx', ['-v']);
  runTool('unshare', ['--version']);
  runTool('ip', ['-V']);
  runTool('openssl', ['version']);
  toolsChecked = true;
}

/**
 * Writes the sandbox for `conf` into `dir` (which must exist): a copy of the installed /etc/nginx with
 * `conf` as nginx.conf, the extra files and a self-signed pair in ssl/, an /etc/hosts, and empty log,
 * temp and run directories. Returns the shell prelude that mounts them.
 */
export function createNginxSandbox(dir: string, conf: string, options: NginxSandboxOptions = {}): NginxSandbox {
  ensureTools();
  const hosts = loopbackHosts(options.hosts);
  const etc = path.join(dir, 'etc-nginx');
  fs.cpSync(ETC_NGINX, etc, { recursive: true, verbatimSymlinks: true });

  const files: Record<string, string> = { 'nginx.conf': conf };
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const rel = path.isAbsolute(name) ? path.relative(ETC_NGINX, name) : path.normalize(name);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new Error(`nginx sandbox: extra file '${name}' must lie under ${ETC_NGINX}`);
    }
    files[rel] = content;
  }
  writeFiles(etc, files);

  const ssl = path.join(etc, 'ssl');
  fs.mkdirSync(ssl, { recursive: true });
  const certHost = options.certHost ?? 'ai-agent.example.com';
  runToolOk('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${certHost}`, '-addext', `subjectAltName=DNS:${certHost}`,
    '-keyout', path.join(ssl, 'key.pem'), '-out', path.join(ssl, 'cert.pem'),
  ]);

  const hostLines = [
    '127.0.0.1 localhost',
    '::1 localhost',
    ...Object.entries(hosts).map(([name, address]) => `${address} ${name}`),
  ];
  fs.writeFileSync(path.join(dir, 'hosts'), hostLines.join('\n') + '\n');
  for (const sub of ['log', 'lib', 'run']) fs.mkdirSync(path.join(dir, sub), { recursive: true });

  const q = (p: string) => `'${p.replace(/'/g, '\'\\\'\'')}'`;
  const prelude = [
    'set -e',
    'ip link set lo up',
    `mount --bind ${q(path.join(dir, 'hosts'))} /etc/hosts`,
    `mount --bind ${q(etc)} ${ETC_NGINX}`,
    `mount --bind ${q(path.join(dir, 'log'))} /var/log/nginx`,
    `mount --bind ${q(path.join(dir, 'lib'))} /var/lib/nginx`,
    `mount --bind ${q(path.join(dir, 'run'))} /run`,
  ].join('\n');
  return { dir, hosts, certPem: fs.readFileSync(path.join(ssl, 'cert.pem'), 'utf8'), prelude };
}

/** Runs `nginx -t` on `conf` in a fresh sandbox. */
export function checkNginxConfig(conf: string, options: NginxSandboxOptions = {}): NginxCheckResult {
  return withTempDir((dir) => {
    const sandbox = createNginxSandbox(dir, conf, options);
    const result = runTool(
      'unshare',
      ['-m', '-n', 'sh', '-c', `${sandbox.prelude}\nexec nginx -t -c ${ETC_NGINX}/nginx.conf`],
      { timeout: 30_000 },
    );
    const output = `${result.stdout}${result.stderr}`.trim();
    return {
      ok: result.status === 0,
      output,
      warnings: output.split('\n').filter((line) => line.includes('[warn]')),
      hosts: sandbox.hosts,
    };
  });
}

/** Fails the test with nginx's own output unless `nginx -t` accepts `conf` without warnings. */
export function expectNginxConfigValid(
  conf: string,
  options: NginxSandboxOptions & { readonly allowWarnings?: boolean } = {},
): void {
  const result = checkNginxConfig(conf, options);
  if (!result.ok) {
    throw new Error(`nginx -t rejected the config:\n${result.output}\n--- nginx.conf ---\n${numbered(conf)}`);
  }
  if (result.warnings.length > 0 && !options.allowWarnings) {
    throw new Error(
      `nginx -t warned about the config:\n${result.warnings.join('\n')}\n--- nginx.conf ---\n${numbered(conf)}`,
    );
  }
}

/**
 * Starts `command` inside `unshare -m -n` after the sandbox prelude, in its own process group so that
 * `killSandbox` ends everything it started (nginx master and workers included).
 */
export function spawnInNginxSandbox(sandbox: NginxSandbox, command: readonly string[]): ChildProcess {
  ensureTools();
  const quoted = command.map((arg) => `'${arg.replace(/'/g, '\'\\\'\'')}'`).join(' ');
  return spawn('unshare', ['-m', '-n', '--kill-child', 'sh', '-c', `${sandbox.prelude}\nexec ${quoted}`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Kills the process group of a sandboxed command (no-op when it is gone already). */
export function killSandbox(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function numbered(text: string): string {
  return text.split('\n').map((line, i) => `${String(i + 1).padStart(4)}  ${line}`).join('\n');
}

/** Version of the installed nginx (`nginx -v`), e.g. `1.22.1`. */
export function installedNginxVersion(): string {
  const out = runTool('nginx', ['-v']);
  const m = /nginx\/(\d+\.\d+\.\d+)/.exec(out.stderr + out.stdout);
  if (!m) throw new Error(`cannot read the nginx version from: ${out.stderr}`);
  return m[1];
}
