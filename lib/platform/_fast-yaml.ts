/**
 * A faster stand-in for cdk8s' `Yaml.stringify` that writes byte-identical output.
 *
 * cdk8s serialises every manifest with the `yaml` package (YAML 1.1 schema, `lineWidth: 0`), which builds
 * a document tree per manifest and tests every string against the schema's tags; at scale that is the
 * largest part of a synth. Most manifest values are plain one-line strings, integers and booleans in
 * nested maps and lists, whose block-style rendering is fixed. This emitter writes those directly (and
 * one-line strings that need plain double quotes, and multi-line map values that are literal blocks, such as
 * the gateway's nginx.conf in its ConfigMap) and hands every manifest holding anything else (other multi-line
 * strings, strings needing escapes, floats, non-ASCII, lists of lists, ...) to cdk8s' own
 * `Yaml.stringify` whole. Whether a string may be written
 * plain is decided with the `yaml` package's own rules and its schema's own tag tests, taken from the copy
 * cdk8s loads; test/fast-yaml.test.ts proves byte-identity on generated manifests and on real synth output.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';

type YamlModule = typeof import('yaml');
type Stringify = (...docs: unknown[]) => string;

/** The `yaml` module cdk8s itself uses (its own copy when it bundles one). */
function cdk8sYaml(): YamlModule {
  const cdk8sDir = path.dirname(require.resolve('cdk8s'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('yaml', { paths: [cdk8sDir] })) as YamlModule;
}

interface SchemaTag { readonly default?: unknown; readonly tag: string; readonly test?: RegExp }

let tagTests: { quoted: RegExp[]; unsupported: RegExp[] } | undefined;

/**
 * The YAML 1.1 schema's tests of scalar types other than string (bool, int, float, null, timestamp ...):
 * `quoted` for the default tags that make `yaml` quote a string; `unsupported` for the rest (the merge
 * key `<<`, whose treatment depends on context), left to `yaml`.
 */
function schemaTests(): { quoted: RegExp[]; unsupported: RegExp[] } {
  if (!tagTests) {
    const schema = new (cdk8sYaml().Document)(null, { version: '1.1' }).schema as unknown as {
      tags: SchemaTag[];
      compat?: SchemaTag[] | null;
    };
    const tags = [...schema.tags, ...(schema.compat ?? [])].filter(
      (t) => t.tag !== 'tag:yaml.org,2002:str' && t.test instanceof RegExp,
    );
    tagTests = {
      quoted: tags.filter((t) => t.default === true).map((t) => t.test as RegExp),
      unsupported: tags.filter((t) => t.default !== true).map((t) => t.test as RegExp),
    };
  }
  return tagTests;
}

/** Printable ASCII, no leading or trailing space, no tab or line break. */
const SIMPLE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** The `yaml` package's test for strings that cannot be plain (stringifyString.ts, plainString). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/;
const plainCache = new Map<string, boolean>();

/** True when the `yaml` package writes `s` as a plain scalar, as a key or as a block value alike. */
function isPlain(s: string): boolean {
  let plain = plainCache.get(s);
  if (plain === undefined) {
    plain =
      s.length <= 1000 &&
      SIMPLE.test(s) &&
      !NOT_PLAIN.test(s) &&
      !DOCUMENT_MARKER.test(s) &&
      !schemaTests().quoted.some((t) => t.test(s));
    if (plainCache.size < 200_000) plainCache.set(s, plain);
  }
  return plain;
}

/**
 * `s` as the `yaml` package writes it as a key or a one-line block value: plain when it may be, else
 * double-quoted (its choice for strings without quotes, and for the empty string, as in a Role's core API
 * group `""`); UNSUPPORTED for anything that needs escapes.
 */
function str(s: string): string {
  if (s === '') return '""';
  if (schemaTests().unsupported.some((t) => t.test(s))) throw UNSUPPORTED;
  if (isPlain(s)) return s;
  if (s.length <= 1000 && SIMPLE.test(s) && !/["'\\]/.test(s) && !DOCUMENT_MARKER.test(s)) return `"${s}"`;
  throw UNSUPPORTED;
}

/** Thrown (and caught) when a manifest holds something this emitter leaves to `yaml`. */
const UNSUPPORTED = Symbol('unsupported');

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** A scalar's text, or UNSUPPORTED. */
function scalar(x: unknown): string {
  if (typeof x === 'string') {
    return str(x);
  } else if (typeof x === 'number') {
    if (Number.isSafeInteger(x) && !Object.is(x, -0)) return String(x);
  } else if (typeof x === 'boolean') {
    return x ? 'true' : 'false';
  } else if (x === null) {
    return 'null';
  }
  throw UNSUPPORTED;
}

/** Lines of a non-empty map at `indent`; the first line is written after `first` (`- ` of a list item). */
function writeMap(obj: Record<string, unknown>, indent: string, out: string[], first: string | undefined): void {
  let lead = first;
  for (const key of Object.keys(obj)) {
    const prefix = lead ?? indent;
    lead = undefined;
    writeEntry(`${prefix}${str(key)}:`, obj[key], `${indent}  `, out);
  }
}

/** `head` (a key and colon) followed by the value: inline for scalars and empty collections, else nested. */
function writeEntry(head: string, value: unknown, inner: string, out: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${head} []`);
    else {
      out.push(head);
      writeSeq(value, inner, out);
    }
  } else if (isPlainObject(value)) {
    if (Object.keys(value).length === 0) out.push(`${head} {}`);
    else {
      out.push(head);
      writeMap(value, inner, out, undefined);
    }
  } else if (typeof value === 'string' && value.includes('\n')) {
    out.push(`${head} ${literalBlock(value, inner)}`);
  } else {
    out.push(`${head} ${scalar(value)}`);
  }
}

/**
 * Printable ASCII lines, at least two characters, that neither start nor end with whitespace (one final line
 * break allowed): the multi-line strings {@link literalBlock} writes.
 */
const BLOCK = /^[\x21-\x7e][\x20-\x7e\n]*[\x21-\x7e]\n?$/;

/**
 * A multi-line string as the `yaml` package writes it as a block map value (stringifyString.ts, blockString
 * with `lineWidth: 0`): a literal block, `|` when it ends with a line break and `|-` when not, every line
 * indented by `indent` and empty lines left empty. UNSUPPORTED for anything else (leading or trailing
 * whitespace, several final line breaks, tabs, non-ASCII), which chooses other headers.
 */
function literalBlock(s: string, indent: string): string {
  if (!BLOCK.test(s)) throw UNSUPPORTED;
  const clip = s.endsWith('\n');
  const body = clip ? s.slice(0, -1) : s;
  return `|${clip ? '' : '-'}\n${indent}${body.replace(/\n+/g, `$&${indent}`)}`;
}

/** Items of a non-empty list at `indent`. */
function writeSeq(items: readonly unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    if (Array.isArray(item)) {
      if (item.length > 0) throw UNSUPPORTED;
      out.push(`${indent}- []`);
    } else if (isPlainObject(item)) {
      if (Object.keys(item).length === 0) out.push(`${indent}- {}`);
      else writeMap(item, `${indent}  `, out, `${indent}- `);
    } else {
      out.push(`${indent}- ${scalar(item)}`);
    }
  }
}

/** One manifest as YAML, or undefined when it holds something left to `yaml`. */
export function fastManifestYaml(doc: unknown): string | undefined {
  if (!isPlainObject(doc) || Object.keys(doc).length === 0) return undefined;
  const out: string[] = [];
  try {
    writeMap(doc, '', out, undefined);
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
  out.push('');
  return out.join('\n');
}

/** `Yaml.stringify` with the fast path: same signature, same bytes. */
export function fastStringify(original: Stringify): Stringify {
  return (...docs: unknown[]) => docs
    .map((doc) => (doc === undefined ? '\n' : fastManifestYaml(doc) ?? original.call(Yaml, doc)))
    .join('---\n');
}

/** Characters of YAML {@link writeDocuments} collects before it writes them. */
const WRITE_CHUNK = 1 << 16;

/**
 * Writes `docs` to `filePath` as `Yaml.save` does (each serialised with `stringify`, separated by `---`), a chunk
 * at a time as they are serialised instead of from one string of all of them: at thousands of tenants that
 * string is tens of megabytes, held beside the manifests it was made from.
 */
export function writeDocuments(filePath: string, docs: Iterable<unknown>, stringify: Stringify): void {
  const fd = fs.openSync(filePath, 'w');
  try {
    let chunk = '';
    let separator = '';
    for (const doc of docs) {
      chunk += separator + stringify(doc);
      separator = '---\n';
      if (chunk.length >= WRITE_CHUNK) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs `fn` (a synth) with cdk8s' `Yaml.stringify` replaced by {@link fastStringify} and `Yaml.save` by
 * {@link writeDocuments} with it, and restores both afterwards, also when `fn` throws. The strings'
 * plain-or-not cache lives only as long as one synth.
 */
export function withFastYaml<T>(fn: () => T): T {
  const yaml = Yaml as unknown as { stringify: Stringify; save: (filePath: string, docs: unknown[]) => void };
  const original = { stringify: yaml.stringify, save: yaml.save };
  const stringify = fastStringify(original.stringify);
  yaml.stringify = stringify;
  yaml.save = (filePath, docs) => writeDocuments(filePath, docs, stringify);
  try {
    return fn();
  } finally {
    yaml.stringify = original.stringify;
    yaml.save = original.save;
    plainCache.clear();
  }
}
