/**
 * Audits a rendered gateway nginx.conf for the secure defaults SECURITY.md promises: TLS 1.2/1.3 only,
 * `server_tokens off`, request size and client timeouts set, upstream timeouts on every proxied
 * location, and `stub_status` only on a loopback listener (or, in Compose, an unpublished port that
 * admits private addresses only). Returns every problem found; empty means clean.
 */
import { NginxNodeTree, parseNginx, walkNginx } from './nginx-structure';

export interface GatewayAuditOptions {
  /** The config must serve HTTPS (standalone and Compose renderings of a TLS gateway). */
  readonly tls: boolean;
  /** Host ports the config's listeners are published on (Compose); a status listener must not be one. */
  readonly publishedPorts?: readonly number[];
}

const PRIVATE = new Set(['127.0.0.1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);

export function auditGatewayConf(conf: string, options: GatewayAuditOptions): string[] {
  const problems: string[] = [];
  const tree = parseNginx(conf);
  const http = tree.find((n) => n.name === 'http');
  if (!http?.children) return ['no http block'];
  const direct = (block: NginxNodeTree, name: string) => (block.children ?? []).filter((n) => n.name === name);
  const one = (block: NginxNodeTree, name: string) => direct(block, name)[0];

  if (one(http, 'server_tokens')?.args.join(' ') !== 'off') problems.push('http: server_tokens is not off');
  for (const name of [
    'client_max_body_size',
    'client_header_timeout',
    'client_body_timeout',
    'send_timeout',
    'keepalive_timeout',
  ]) {
    if (!one(http, name)) problems.push(`http: ${name} is not set`);
  }
  for (const { node } of walkNginx(tree)) {
    if (node.name === 'ssl_protocols' && node.args.join(' ') !== 'TLSv1.2 TLSv1.3') {
      problems.push(`ssl_protocols ${node.args.join(' ')}: only TLSv1.2 TLSv1.3 allowed`);
    }
    if (node.name === 'autoindex' && node.args[0] === 'on') problems.push('autoindex on');
    if (node.name === 'server_tokens' && node.args[0] !== 'off') problems.push(`server_tokens ${node.args[0]}`);
  }

  const servers = direct(http, 'server');
  const listens = (server: NginxNodeTree) => direct(server, 'listen').map((l) => l.args[0]);
  const hasStatus = (server: NginxNodeTree) =>
    walkNginx(server.children ?? []).some(({ node }) => node.name === 'stub_status');
  const tlsServers = servers.filter((s) => direct(s, 'listen').some((l) => l.args.includes('ssl')));
  if (options.tls && tlsServers.length === 0) problems.push('no server listens with ssl');
  for (const server of tlsServers) {
    if (!one(server, 'ssl_protocols') && !one(http, 'ssl_protocols')) {
      problems.push(`server ${listens(server).join(',')}: ssl_protocols not set (nginx would allow its defaults)`);
    }
  }

  for (const server of servers) {
    const where = `server ${listens(server).join(',')}`;
    for (const { node: location } of walkNginx(server.children ?? []).filter(({ node }) => node.name === 'location')) {
      if (!(location.children ?? []).some((n) => n.name === 'proxy_pass')) continue;
      for (const name of ['proxy_connect_timeout', 'proxy_read_timeout', 'proxy_send_timeout']) {
        if (!one(location, name)) problems.push(`${where} location ${location.args.join(' ')}: ${name} is not set`);
      }
    }
    if (!hasStatus(server)) continue;
    const loopbackOnly = listens(server).every((l) => /^127\.0\.0\.1:\d+$/.test(l));
    const ports = listens(server).map((l) => Number(l.split(':').pop()));
    const published = ports.filter((p) => (options.publishedPorts ?? []).includes(p));
    if (published.length) problems.push(`${where}: serves stub_status on published port ${published.join(', ')}`);
    if (servers.some((s) => s !== server && listens(s).some((l) => ports.includes(Number(l.split(':').pop()))))) {
      problems.push(`${where}: stub_status shares its port with a public server`);
    }
    for (const { node: location } of walkNginx(server.children ?? []).filter(({ node }) => node.name === 'location')) {
      if (!(location.children ?? []).some((n) => n.name === 'stub_status')) continue;
      const rules = (location.children ?? []).filter((n) => n.name === 'allow' || n.name === 'deny');
      const last = rules[rules.length - 1];
      if (!last || last.name !== 'deny' || last.args[0] !== 'all') {
        problems.push(`${where}: stub_status does not end with deny all`);
      }
      const allowed = rules.filter((r) => r.name === 'allow').map((r) => r.args[0]);
      const outside = allowed.filter((a) => !(loopbackOnly ? a === '127.0.0.1' : PRIVATE.has(a)));
      if (outside.length) problems.push(`${where}: stub_status allows ${outside.join(', ')}`);
    }
  }
  return problems;
}
