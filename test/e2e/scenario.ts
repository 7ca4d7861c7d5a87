/**
 * Runs a gateway scenario: the real nginx on a config, mock backends on loopback and client requests, all
 * inside one nginx sandbox (test/support/nginx-sandbox.ts) driven by test/e2e/scenario-runner.js.
 * Returns what was measured; the test asserts on it.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createNginxSandbox, killSandbox, NginxSandboxOptions, spawnInNginxSandbox } from '../support/nginx-sandbox';
import { withTempDir } from '../support/tools';

/** A mock backend (test/support/mock-backend.js) on `host`'s loopback address. */
export interface BackendSpec {
  readonly name: string;
  readonly port: number;
}

/** One client request, repeated `count` times (see scenario-runner.js). */
export interface RequestStep {
  readonly op: 'request';
  readonly label: string;
  /** `{i}` becomes the request's index. The host name resolves inside the sandbox. */
  readonly url: string;
  readonly count?: number;
  readonly concurrency?: number;
  /** Client addresses (127.x.y.z), used round-robin; each request opens a new connection. */
  readonly from?: readonly string[];
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly bodyBytes?: number;
  /** Content-Length to announce. @default bodyBytes */
  readonly declaredBytes?: number;
  /** Send the body chunked, without Content-Length. @default false */
  readonly chunked?: boolean;
  /** Send the (body-less) request over HTTP/2, negotiated by ALPN. @default false */
  readonly http2?: boolean;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Kill these backends once this many responses of the step arrived (the rest still in flight). */
  readonly killAfter?: { readonly responses: number; readonly backends: readonly string[] };
}

/** A slowloris client: the request header one line every `intervalMs` (see scenario-runner.js). */
export interface SlowHeadersStep {
  readonly op: 'slowHeaders';
  readonly label: string;
  readonly url: string;
  readonly from?: readonly string[];
  readonly intervalMs: number;
  /** Header lines to send before the final blank line. */
  readonly lines: number;
}

/** What the slowloris client saw. Times are ms on the runner's clock. */
export interface SlowHeadersResult {
  readonly startedAt: number;
  readonly closedAt: number;
  readonly linesSent: number;
  /** True when the whole header was sent (the server never cut the client off). */
  readonly completed: boolean;
  /** What the server sent (first 512 bytes). */
  readonly response: string;
  readonly error?: string;
}

export type ScenarioStep =
  | RequestStep
  | { readonly op: 'parallel'; readonly steps: readonly RequestStep[] }
  | { readonly op: 'kill'; readonly backends: readonly string[] }
  | { readonly op: 'stats'; readonly label: string }
  | { readonly op: 'wait'; readonly ms: number }
  | SlowHeadersStep
  | { readonly op: 'addAddress'; readonly address: string }
  | FetchStep;

/** A plain-HTTP GET of a loopback URL, repeated until the body matches `until` (see scenario-runner.js). */
export interface FetchStep {
  readonly op: 'fetch';
  readonly label: string;
  readonly url: string;
  /** A regular expression (multiline) the body must match. @default - any 200 */
  readonly until?: string;
  /** @default 5000 (at most 15000) */
  readonly timeoutMs?: number;
}

/** What the last attempt of a fetch step got. */
export interface FetchResult {
  readonly status: number;
  readonly body: string;
  readonly attempts: number;
  readonly matched: boolean;
}

/** A process started in the sandbox before nginx (mtail, Prometheus), killed at the end. */
export interface HelperSpec {
  readonly name: string;
  readonly command: readonly string[];
  /** A loopback TCP port to wait for before nginx starts. @default - no wait */
  readonly port?: number;
}

/** What a client saw for one request. Times are ms on the runner's clock, shared with the backends. */
export interface ClientResponse {
  readonly index: number;
  readonly localAddress: string;
  readonly status?: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly chunks: ReadonlyArray<{ readonly at: number; readonly text: string }>;
  readonly startedAt: number;
  readonly headersAt?: number;
  readonly endedAt: number;
  readonly error?: string;
  readonly bodyBytesWritten: number;
  /** `http/1.1`, or the ALPN protocol of an HTTP/2 request (`h2`). */
  readonly protocol: string;
}

export interface RequestResult {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly responses: readonly ClientResponse[];
  /** When `killAfter` killed its backends. */
  readonly killedAt?: number;
}

/** What a backend saw. */
export interface BackendRequestRecord {
  readonly id: string;
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly bodyBytes: number;
  readonly receivedAt: number;
  readonly answeredAt?: number;
  readonly abortedAt?: number;
  readonly eventsSentAt: readonly number[];
}

export interface BackendStats {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** TCP connections accepted. */
  readonly connections: number;
  readonly requests: number;
  readonly log: readonly BackendRequestRecord[];
}

export interface ScenarioResult {
  /** Request steps and stats snapshots by label. */
  readonly steps: Readonly<Record<string, unknown>>;
  /** Final counters of every backend by name. */
  readonly backends: Readonly<Record<string, BackendStats>>;
  /** What nginx printed (warnings and errors). */
  readonly nginxLog: string;
  /** nginx's access log (/var/log/nginx/access.log in the sandbox), empty when the config logs elsewhere. */
  readonly accessLog: string;
  /** What each helper printed (the last 20 kB). */
  readonly helperLogs: Readonly<Record<string, string>>;
  readonly error?: string;
  fetch(label: string): FetchResult;
  request(label: string): RequestResult;
  stats(label: string): Readonly<Record<string, BackendStats>>;
  slowHeaders(label: string): SlowHeadersResult;
}

export interface ScenarioOptions {
  /** The nginx.conf under test. */
  readonly conf: string;
  /** Extra files under /etc/nginx. */
  readonly files?: NginxSandboxOptions['files'];
  /** Host name → loopback address; the gateway's own name and every backend's name must be here. */
  readonly hosts: Readonly<Record<string, string>>;
  readonly backends: readonly BackendSpec[];
  readonly steps: readonly ScenarioStep[];
  /** Ports nginx must listen on before the steps start. @default [443] */
  readonly listen?: readonly number[];
  /** Host name of the sandbox's self-signed certificate. @default 'ai-agent.example.com' */
  readonly certHost?: string;
  /** Processes to start in the sandbox first. @default - none */
  readonly helpers?: readonly HelperSpec[];
  /** The runner gives up after this long. @default 20000 */
  readonly deadlineMs?: number;
}

const RUNNER = path.join(__dirname, 'scenario-runner.js');

/** Runners still alive: killed (with nginx and everything they started) if the test process exits first. */
const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach(killSandbox));

/** Runs the scenario; rejects when the runner failed (with nginx's log). */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const deadlineMs = options.deadlineMs ?? 20_000;
  return withTempDir(async (dir) => {
    const sandbox = createNginxSandbox(dir, options.conf,
      { hosts: options.hosts, files: options.files, certHost: options.certHost });
    const resultFile = path.join(dir, 'result.json');
    const specFile = path.join(dir, 'spec.json');
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, sandbox.certPem);
    fs.writeFileSync(specFile, JSON.stringify({
      backends: options.backends.map((b) => {
        const address = options.hosts[b.name];
        if (address === undefined) throw new Error(`scenario: backend '${b.name}' has no address in hosts`);
        return { name: b.name, address, port: b.port };
      }),
      steps: options.steps, listen: options.listen ?? [443], deadlineMs, caFile, resultFile,
      helpers: options.helpers ?? [],
    }));

    const child = spawnInNginxSandbox(sandbox, [process.execPath, RUNNER, specFile]);
    live.add(child);
    let output = '';
    child.stdout?.on('data', (d) => { output += d; });
    child.stderr?.on('data', (d) => { output += d; });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`scenario runner did not finish within ${deadlineMs + 5000} ms\n${output}`)),
          deadlineMs + 5000,
        );
        child.on('error', (error) => { clearTimeout(timer); reject(error); });
        child.on('exit', () => { clearTimeout(timer); resolve(); });
      });
    } finally {
      killSandbox(child);
      live.delete(child);
    }
    if (!fs.existsSync(resultFile)) throw new Error(`scenario runner wrote no result\n${output}`);
    const raw = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    const accessLogFile = path.join(dir, 'log', 'access.log');
    raw.accessLog = fs.existsSync(accessLogFile) ? fs.readFileSync(accessLogFile, 'utf8') : '';
    if (raw.error) {
      const helpers = Object.entries(raw.helperLogs ?? {}).map(([name, log]) => `--- ${name} ---\n${log}`).join('\n');
      throw new Error(
        `scenario failed: ${raw.error}\n--- nginx ---\n${raw.nginxLog}\n${helpers}\n--- runner ---\n${output}`,
      );
    }
    return {
      ...raw,
      request: (label: string) => {
        const step = raw.steps[label];
        if (!step?.responses) throw new Error(`scenario: no request step '${label}'`);
        return step as RequestResult;
      },
      fetch: (label: string) => {
        const step = raw.steps[label];
        if (!step || step.attempts === undefined) throw new Error(`scenario: no fetch step '${label}'`);
        return step as FetchResult;
      },
      slowHeaders: (label: string) => {
        const step = raw.steps[label];
        if (!step || step.linesSent === undefined) throw new Error(`scenario: no slowHeaders step '${label}'`);
        return step as SlowHeadersResult;
      },
      stats: (label: string) => {
        const step = raw.steps[label];
        if (!step || step.responses) throw new Error(`scenario: no stats step '${label}'`);
        return step as Record<string, BackendStats>;
      },
    };
  });
}

/** Parses a JSON body, failing with the body when it is not JSON. */
export function jsonBody(response: ClientResponse): any {
  try {
    return JSON.parse(response.body);
  } catch {
    throw new Error(`expected a JSON body for ${response.status}, got: ${response.body.slice(0, 500)}`);
  }
}

/** How many responses had each status (errors counted under their message). */
export function statusCounts(result: RequestResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of result.responses) {
    const key = r.error ?? String(r.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
