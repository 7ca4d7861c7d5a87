import { featureProblems, versionProblems } from './features';
import { NginxBuild, NginxConfig, NginxDirective, NginxNode } from './model';

const INDENT = '    ';
/** Directives longer than this with more than two arguments put each further argument on its own line. */
const WRAP_AT = 120;
const NAME = /^[a-z_][a-z0-9_]*$/;
/** Blocks whose entries are `key value;` pairs rather than directives (keys are quoted like arguments). */
const TABLE_BLOCKS = new Set(['map', 'geo', 'types', 'split_clients', 'charset_map', 'match']);

/** Problems with a config: invalid names or arguments, and directives its build does not support. */
export class NginxConfigError extends Error {
  constructor(
    /** Every problem found, one sentence each, naming the directive and where it is. */
    public readonly problems: readonly string[],
  ) {
    super(`nginx config is not valid for its target:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'NginxConfigError';
  }
}

/**
 * The one serializer: renders a typed config to nginx.conf text. Pure and deterministic (the same model
 * gives the same bytes). Before writing anything it checks every directive against the build's version,
 * Plus flag and modules, and throws an {@link NginxConfigError} listing every problem at once.
 */
export function renderNginxConfig(config: NginxConfig): string {
  const problems = validateNginxConfig(config);
  if (problems.length) throw new NginxConfigError(problems);
  const lines: string[] = (config.header ?? []).map((text) => commentLine(text, ''));
  if (lines.length && config.body.length) lines.push('');
  renderNodes(config.body, '', lines);
  return `${lines.join('\n')}\n`;
}

/** Every problem {@link renderNginxConfig} would throw for. */
export function validateNginxConfig(config: NginxConfig): string[] {
  const problems = [...versionProblems(config.build.version)];
  walk(config.body, [], config.build, problems);
  return problems;
}

/** Quotes an argument when nginx needs it; escapes quotes, backslashes and control characters. */
export function quoteArg(value: string): string {
  if (value !== '' && !/[\s;{}"'#\\]/.test(value)) return value;
  const quote = value.includes('"') && !value.includes("'") ? "'" : '"';
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .split(quote).join(`\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

function walk(nodes: readonly NginxNode[], context: string[], build: NginxBuild, problems: string[]): void {
  for (const node of nodes) {
    if (node.type !== 'directive' && node.type !== 'block') continue;
    if (TABLE_BLOCKS.has(context[context.length - 1]) && node.type === 'directive') continue;
    const where = [...context, node.name].join(' > ');
    if (!NAME.test(node.name)) problems.push(`'${where}': directive name ("${node.name}") must match ${NAME}`);
    node.args.forEach((arg, i) => {
      if (typeof arg !== 'string') problems.push(`'${where}': argument ${i + 1} (${String(arg)}) must be a string`);
    });
    problems.push(...featureProblems(node as NginxDirective, context, build));
    if (node.type === 'block') walk(node.body, [...context, node.name], build, problems);
  }
}

function renderNodes(nodes: readonly NginxNode[], indent: string, lines: string[], table = false): void {
  nodes.forEach((node, i) => {
    switch (node.type) {
      case 'blank':
        // Never two blank lines in a row, nor one at the start or end of a block (however many blanks end it).
        if (i > 0 && nodes[i - 1].type !== 'blank' && nodes.slice(i + 1).some((n) => n.type !== 'blank')) {
          lines.push('');
        }
        break;
      case 'comment':
        lines.push(commentLine(node.text, indent));
        break;
      case 'directive':
        lines.push(`${head(table ? quoteArg(node.name) : node.name, node.args, indent)};`);
        break;
      case 'block':
        lines.push(`${head(node.name, node.args, indent)} {`);
        renderNodes(node.body, indent + INDENT, lines, TABLE_BLOCKS.has(node.name));
        lines.push(`${indent}}`);
        break;
    }
  });
}

function head(name: string, args: readonly string[], indent: string): string {
  const quoted = args.map(quoteArg);
  const line = [name, ...quoted].join(' ');
  if (indent.length + line.length <= WRAP_AT || quoted.length <= 2) return `${indent}${line}`;
  // Leading arguments that need no quotes stay on the first line (`log_format name escape=json`).
  let first = 1;
  while (first < quoted.length - 1 && quoted[first] === args[first]) first++;
  const cont = `\n${indent}${INDENT}`;
  return `${indent}${[name, ...quoted.slice(0, first)].join(' ')}${quoted
    .slice(first)
    .map((a) => `${cont}${a}`)
    .join('')}`;
}

function commentLine(text: string, indent: string): string {
  return text.split('\n').map((line) => (line ? `${indent}# ${line}` : `${indent}#`)).join('\n');
}
