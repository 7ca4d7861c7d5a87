/**
 * Parses an nginx.conf into its directive tree the way nginx tokenizes it (ngx_conf_read_token): words
 * split by whitespace, `"..."` and `'...'` quoted with backslash escapes, `#` comments to the end of the
 * line, `;` ends a directive and `{ }` delimit blocks. Tests use it to assert on structure (which
 * directives sit in which block, how many blocks there are) rather than on text.
 */
export interface NginxNodeTree {
  readonly name: string;
  readonly args: readonly string[];
  /** Present for blocks. */
  readonly children?: readonly NginxNodeTree[];
}

export function parseNginx(conf: string): NginxNodeTree[] {
  const tokens = tokenize(conf);
  let i = 0;
  const parseList = (depth: number): NginxNodeTree[] => {
    const nodes: NginxNodeTree[] = [];
    let words: string[] = [];
    while (i < tokens.length) {
      const t = tokens[i++];
      if (t.kind === 'word') { words.push(t.text); continue; }
      if (t.kind === ';') {
        if (words.length === 0) throw new Error('nginx parse: empty directive (stray \';\')');
        nodes.push({ name: words[0], args: words.slice(1) });
        words = [];
      } else if (t.kind === '{') {
        if (words.length === 0) throw new Error('nginx parse: block without a name');
        nodes.push({ name: words[0], args: words.slice(1), children: parseList(depth + 1) });
        words = [];
      } else {
        if (words.length) throw new Error(`nginx parse: directive '${words[0]}' not terminated by ';'`);
        if (depth === 0) throw new Error('nginx parse: unexpected \'}\'');
        return nodes;
      }
    }
    if (words.length) throw new Error(`nginx parse: directive '${words[0]}' not terminated by ';'`);
    if (depth > 0) throw new Error('nginx parse: unexpected end of file, expecting \'}\'');
    return nodes;
  };
  return parseList(0);
}

type Token = { kind: 'word'; text: string } | { kind: ';' | '{' | '}' };

function tokenize(conf: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < conf.length) {
    const c = conf[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#') { while (i < conf.length && conf[i] !== '\n') i++; continue; }
    if (c === ';' || c === '{' || c === '}') { tokens.push({ kind: c }); i++; continue; }
    if (c === '"' || c === '\'') {
      let text = '';
      i++;
      while (i < conf.length && conf[i] !== c) {
        if (conf[i] === '\\' && i + 1 < conf.length) { text += unescape(conf[i + 1]); i += 2; continue; }
        text += conf[i++];
      }
      if (i >= conf.length) throw new Error('nginx parse: unterminated quoted string');
      i++;
      tokens.push({ kind: 'word', text });
      continue;
    }
    let text = '';
    while (i < conf.length && !/[\s;{}]/.test(conf[i])) {
      if (conf[i] === '\\' && i + 1 < conf.length) { text += unescape(conf[i + 1]); i += 2; continue; }
      text += conf[i++];
    }
    tokens.push({ kind: 'word', text });
  }
  return tokens;
}

/** nginx's escapes (`\"`, `\'`, `\\`, `\t`, `\r`, `\n`); any other backslash stays as written. */
function unescape(next: string): string {
  const escapes: Record<string, string> = { '"': '"', '\'': '\'', '\\': '\\', 't': '\t', 'r': '\r', 'n': '\n' };
  return escapes[next] ?? `\\${next}`;
}

/** Every node of the tree with the names of the blocks around it (`['http', 'server']`). */
export function walkNginx(
  nodes: readonly NginxNodeTree[],
  parents: readonly string[] = [],
): Array<{ node: NginxNodeTree; parents: readonly string[] }> {
  return nodes.flatMap((node) => [
    { node, parents },
    ...(node.children ? walkNginx(node.children, [...parents, node.name]) : []),
  ]);
}

/** Counts of each directive and block name: a fingerprint of the config's shape. */
export function nginxShape(conf: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { node, parents } of walkNginx(parseNginx(conf))) {
    // A map's entries are keyed by data (a route path, a method): counted, not named.
    const inMap = parents[parents.length - 1] === 'map' && node.name !== 'default';
    const key = `${parents.join('>')}>${inMap ? '<entry>' : node.name}${node.children ? '{}' : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
