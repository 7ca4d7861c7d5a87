import * as YAML from 'yaml';

/** Strings made only of digits, dots, colons, slashes and dashes: port mappings, `uid:gid`, addresses. */
const NUMERIC_WITH_COLON = /^[0-9.:/[\]-]*:[0-9.:/[\]-]*$/;

/**
 * Serializes plain data to YAML that YAML 1.1 readers (docker-compose 1.x, PyYAML) and YAML 1.2 readers
 * (Go's yaml.v3, Prometheus) read the same way: every string a 1.1 reader would take for a boolean
 * (`yes`, `on`, `off`), a number (`0755`, `1_000`) or a sexagesimal (`12:30`) is quoted, and so is every
 * numeric-looking string with a colon (`"80:8080"`, `"10001:10001"`), the way people write them by hand.
 * Keys keep their insertion order; no anchors or aliases; long lines are never folded. Sequences under
 * `flowKeys` are written inline (`test: ["CMD", "redis-cli", "ping"]`), as people write short lists.
 */
export function toYaml(
  value: unknown,
  options: { readonly flowKeys?: readonly string[]; readonly comment?: string } = {},
): string {
  const doc = new YAML.Document(value, { version: '1.1', aliasDuplicateObjects: false });
  if (options.comment) {
    doc.commentBefore = options.comment
      .split('\n')
      .map((line) => (line ? ` ${line}` : ''))
      .join('\n');
  }
  const flowKeys = new Set(options.flowKeys ?? []);
  YAML.visit(doc, {
    Pair(_key, pair) {
      const flowKey = YAML.isScalar(pair.key) && flowKeys.has(String(pair.key.value));
      if (flowKey && YAML.isSeq(pair.value)) pair.value.flow = true;
    },
    Scalar(_key, node) {
      if (typeof node.value === 'string' && NUMERIC_WITH_COLON.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true, flowCollectionPadding: false });
}
