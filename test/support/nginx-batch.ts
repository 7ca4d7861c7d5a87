/**
 * `nginx -t` on many configs in one sandbox (one copy of /etc/nginx, one key pair, one `unshare`), for
 * property tests that check dozens of generated configs. Each config is tested on its own
 * (`nginx -t -c /etc/nginx/batch/<i>.conf`); the upstream host names of all of them resolve to loopback.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseNginx, walkNginx } from './nginx-structure';
import { createNginxSandbox } from './nginx-sandbox';
import { runTool, withTempDir } from './tools';

export interface BatchResult {
  readonly ok: boolean;
  readonly output: string;
}

/** Host names a config resolves at start-up: its upstream servers and resolvers (not IP addresses). */
export function resolvedHosts(conf: string): string[] {
  const hosts = walkNginx(parseNginx(conf))
    .filter(
      ({ node, parents }) =>
        (node.name === 'server' && parents[parents.length - 1] === 'upstream') || node.name === 'resolver',
    )
    .map(({ node }) => node.args[0].replace(/:\d+$/, ''))
    .filter((h) => !/^\d+\.\d+\.\d+\.\d+$/.test(h));
  return [...new Set(hosts)];
}

/** Runs `nginx -t` on each config; at most 200 distinct host names per call. */
export function checkNginxConfigs(confs: readonly string[]): BatchResult[] {
  if (confs.length === 0) return [];
  const hosts = [...new Set(confs.flatMap(resolvedHosts))].sort();
  return withTempDir((dir) => {
    const files = Object.fromEntries(confs.map((conf, i) => [`batch/${i}.conf`, conf]));
    const sandbox = createNginxSandbox(dir, confs[0], { hosts, files });
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const script = confs
      .map((_, i) => `nginx -t -c /etc/nginx/batch/${i}.conf >${out}/${i}.log 2>&1; echo $? >${out}/${i}.rc`)
      .join('\n');
    const result = runTool('unshare', ['-m', '-n', 'sh', '-c', `${sandbox.prelude}\nset +e\n${script}`], {
      timeout: 120_000,
    });
    return confs.map((_, i) => {
      const rc = path.join(out, `${i}.rc`);
      if (!fs.existsSync(rc)) return { ok: false, output: `the batch stopped before config ${i}: ${result.stderr}` };
      const output = fs.readFileSync(path.join(out, `${i}.log`), 'utf8').trim();
      return { ok: fs.readFileSync(rc, 'utf8').trim() === '0' && !output.includes('[warn]'), output };
    });
  });
}
