import {
  isAbsolutePath, isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue, isPinnedImage, PropsRule, PropsValidator, raw,
  show,
} from '../../lib/core/validation';
import { FIELD_RULES } from '../../lib/core/field-rules';

/** The message a validator throws, or null when it does not throw. */
function problems(build: (v: PropsValidator) => void): string | null {
  const v = new PropsValidator('Thing', 'my-thing');
  build(v);
  try {
    v.throwIfAny();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('isPinnedImage follows the image reference grammar (distribution/reference)', () => {
  test.each([
    'nginx:1.25',
    'nginxinc/nginx-unprivileged:1.28.0-alpine',
    'ghcr.io/org/team/agent:v1.2.3',
    'localhost:5000/agent:1',
    'localhost/agent:1',
    'Registry.Example.com:443/agent:1', // a domain may have capitals, a path may not
    'a__b:1',
    'a--b.c_d:1',
    `agent@${digest}`,
    `agent:latest@${digest}`, // the digest pins it, whatever the tag says
    `agent:${'x'.repeat(128)}`,
    `agent:_${'x'.repeat(127)}`,
    `${'a'.repeat(255)}:1`,
  ])('accepts %s', (image) => {
    expect(isPinnedImage(image)).toBe(true);
  });

  test.each([
    ['nginx', 'no tag'],
    ['nginx:latest', 'latest moves'],
    ['localhost:5000/agent', 'a registry port is not a tag'],
    ['nginx:-1', 'a tag cannot start with -'],
    ['nginx:.1', 'a tag cannot start with .'],
    [`agent:${'x'.repeat(129)}`, 'a tag has at most 128 characters'],
    [`${'a'.repeat(256)}:1`, 'a name has at most 255 characters'],
    ['Nginx:1', 'path components are lowercase'],
    ['UPPER/case:1', 'a first component without . or : is a path, not a registry: lowercase'],
    ['LOCALHOST/x:1', 'only localhost itself is a registry without a dot'],
    ['a___b:1', 'three underscores are no separator'],
    ['a-:1', 'a component ends alphanumeric'],
    ['a//b:1', 'empty path component'],
    ['/a:1', 'empty first component'],
    ['a:1:2', 'two tags'],
    [`agent@sha256:${'0'.repeat(63)}`, 'short digest'],
    [`agent@sha256:${'A'.repeat(64)}`, 'digest hex is lowercase'],
    [' nginx:1', 'leading space'],
    ['nginx:1 ', 'trailing space'],
    ['', 'empty'],
  ])('rejects %s (%s)', (image) => {
    expect(isPinnedImage(image)).toBe(false);
  });
});

describe('field rules', () => {
  test('DNS-1123 label: at most 63 lowercase alphanumerics or -, alphanumeric at both ends', () => {
    for (const ok of ['a', '0', 'a-b', 'a'.repeat(63), 'a1-2b']) expect(isDnsLabel(ok)).toBe(true);
    for (const bad of ['', 'a'.repeat(64), '-a', 'a-', 'A', 'a_b', 'a.b', 'a b']) expect(isDnsLabel(bad)).toBe(false);
  });

  test('DNS-1123 subdomain: labels joined by dots, at most 253 characters', () => {
    const at253 = [...Array(4).fill('a'.repeat(62)), 'a'].join('.'); // 4 × 63 (dots included) + 1
    expect(at253).toHaveLength(253);
    for (const ok of ['a', 'a.b', 'ai.example.com', at253]) expect(isDnsSubdomain(ok)).toBe(true);
    for (const bad of [`${at253}a`, 'a..b', '.a', 'a.', 'A.b', 'a_b.c']) expect(isDnsSubdomain(bad)).toBe(false);
  });

  test('absolute path: starts with /, then letters, digits and ._~-/ only', () => {
    for (const ok of ['/', '/v1/chat/', '/a.b_c~d-e']) expect(isAbsolutePath(ok)).toBe(true);
    for (const bad of ['', 'v1/', '/a b', '/a;b', '/a?b', 'x/']) expect(isAbsolutePath(bad)).toBe(false);
  });

  test('label key: optional DNS prefix of at most 253, then a name of at most 63', () => {
    const prefix = 'a'.repeat(253);
    for (const ok of ['app', 'x', 'a/b', 'A_b.c-d', 'nvidia.com/gpu.product', `${prefix}/${'n'.repeat(63)}`]) {
      expect(isLabelKey(ok)).toBe(true);
    }
    const bads = ['', `${prefix}a/n`, `p/${'n'.repeat(64)}`, 'Upper.com/x', '/x', 'p/', '-x', 'x-', 'a/b/c', 'a b'];
    for (const bad of bads) {
      expect(isLabelKey(bad)).toBe(false);
    }
  });

  test('label value: empty, or at most 63 alphanumerics, -, _ and ., alphanumeric at both ends', () => {
    for (const ok of ['', 'a', 'A100_80GB', 'a.b-c', 'x'.repeat(63)]) expect(isLabelValue(ok)).toBe(true);
    for (const bad of ['x'.repeat(64), '-a', 'a-', '_a', 'a;b', 'a/b', 'a b']) expect(isLabelValue(bad)).toBe(false);
  });
});

describe('PropsValidator', () => {
  test('reports nothing when every check passes, and skips undefined (optional) props', () => {
    expect(problems((v) => v
      .integer('replicas', undefined, 1)
      .dnsLabel('name', undefined)
      .dnsSubdomain('host', undefined)
      .pinnedImage('image', undefined)
      .port('port', undefined)
      .absolutePath('path', undefined)
      .labelKey('key', undefined)
      .labelValue('value', undefined)
      .check(true, 'x', 1, 'never shown'))).toBeNull();
  });

  test('reports every problem at once, one line each, prefixed with construct type and id', () => {
    expect(problems((v) => v.integer('replicas', 0, 1).fail('a free-form problem').port('port', 70000))).toBe([
      "Thing 'my-thing': replicas (0) must be an integer >= 1",
      "Thing 'my-thing': a free-form problem",
      "Thing 'my-thing': port (70000) must be an integer between 1 and 65535",
    ].join('\n'));
  });

  test('integers: both bounds are inclusive; fractions and NaN are rejected', () => {
    expect(problems((v) => v.integer('n', 1, 1, 3).integer('n', 3, 1, 3).port('p', 1).port('p', 65535))).toBeNull();
    expect(problems((v) => v.integer('n', 4, 1, 3))).toMatch(/n \(4\) must be an integer between 1 and 3$/);
    expect(problems((v) => v.integer('n', 0, 1, 3))).toMatch(/n \(0\) must be an integer between 1 and 3$/);
    expect(problems((v) => v.integer('n', 1.5, 1))).toMatch(/n \(1\.5\) must be an integer >= 1$/);
    expect(problems((v) => v.integer('n', NaN, 1))).toMatch(/n \(NaN\) must be an integer >= 1$/);
    expect(problems((v) => v.port('p', 0))).toMatch(/p \(0\) must be an integer between 1 and 65535$/);
    expect(problems((v) => v.port('p', 65536))).toMatch(/p \(65536\) must be an integer between 1 and 65535$/);
  });

  test('each string rule names the prop, the value and what is allowed', () => {
    const cases: [(v: PropsValidator) => void, string][] = [
      [(v) => v.dnsLabel('name', 'A'), 'name ("A") must be a DNS-1123 label: at most 63 lowercase letters, digits ' +
        "or '-', starting and ending with a letter or digit"],
      [(v) => v.dnsSubdomain('host', 'a..b'), 'host ("a..b") must be a DNS-1123 subdomain: at most 253 characters ' +
        "of lowercase letters, digits, '-' and '.'"],
      [(v) => v.pinnedImage('image', 'nginx:latest'), 'image ("nginx:latest") must be pinned to a tag other than ' +
        '"latest" or to a digest'],
      [(v) => v.absolutePath('path', 'v1'), 'path ("v1") must be an absolute path of letters, digits and ._~-/'],
      [(v) => v.labelKey('key', 'a b'), 'key ("a b") must be a Kubernetes label key ([prefix/]name: an optional '
        + "DNS-1123 subdomain prefix, then at most 63 letters, digits, '-', '_' or '.', starting and ending with a "
        + 'letter or digit)'],
      [(v) => v.labelValue('value', 'a;b'), 'value ("a;b") must be a Kubernetes label value: empty, or at most 63 '
        + "letters, digits, '-', '_' or '.', starting and ending with a letter or digit"],
    ];
    for (const [build, message] of cases) expect(problems(build)).toBe(`Thing 'my-thing': ${message}`);
  });

  test('valid strings pass each rule', () => {
    expect(problems((v) => v
      .dnsLabel('name', 'a-1')
      .dnsSubdomain('host', 'ai.example.com')
      .pinnedImage('image', 'nginx:1.28.0')
      .absolutePath('path', '/v1/')
      .labelKey('key', 'nvidia.com/gpu.product')
      .labelValue('value', 'NVIDIA-A100'))).toBeNull();
  });

  test('runs a table of rules in order against the props', () => {
    const rules: PropsRule<{ n: number; s: string }>[] = [
      (v, p) => v.integer('n', p.n, 1),
      (v, p) => v.dnsLabel('s', p.s),
    ];
    expect(problems((v) => v.rules(rules, { n: 0, s: 'ok' }))).toBe("Thing 'my-thing': n (0) must be an integer >= 1");
    expect(problems((v) => v.rules(rules, { n: 0, s: 'Bad' }))).toMatch(/n \(0\)[^\n]*\n[^\n]*s \("Bad"\)/);
  });
});

describe('PropsValidator: the API server field rules', () => {
  test('field checks a value against a rule of the table, with its message; undefined is skipped', () => {
    expect(problems((v) => v.field(FIELD_RULES.serviceName, 'serviceName', undefined))).toBeNull();
    expect(problems((v) => v.field(FIELD_RULES.serviceName, 'serviceName', 'svc'))).toBeNull();
    expect(problems((v) => v.field(FIELD_RULES.serviceName, 'serviceName', '0svc')))
      .toBe(`Thing 'my-thing': serviceName ("0svc") ${FIELD_RULES.serviceName.allowed}`);
  });

  test('labels: each key a label key, each value a label value, every problem reported', () => {
    expect(problems((v) => v.labels('labels', { 'a.io/b': 'c', 'x': '' }).labels('more', undefined))).toBeNull();
    expect(problems((v) => v.labels('labels', { 'a;b': 'ok', 'k': 'a;b' }))).toBe([
      `Thing 'my-thing': labels key ("a;b") ${FIELD_RULES.labelKey.allowed}`,
      `Thing 'my-thing': labels.k ("a;b") ${FIELD_RULES.labelValue.allowed}`,
    ].join('\n'));
  });

  test('annotations: keys are qualified names compared in lowercase, values any text, 256 KiB in all', () => {
    expect(problems((v) => v.annotations('annotations', { 'Example.COM/Key': 'any text; {}' }))).toBeNull();
    expect(problems((v) => v.annotations('annotations', { 'a b': 'x' })))
      .toBe(`Thing 'my-thing': annotations key ("a b") ${FIELD_RULES.annotationKey.allowed}`);
    expect(problems((v) => v.annotations('annotations', { a: 'x'.repeat(262143) }))).toBeNull();
    expect(problems((v) => v.annotations('annotations', { a: 'x'.repeat(262144) })))
      .toBe("Thing 'my-thing': annotations (262145 bytes) must total at most 262144 bytes (keys and values)");
  });

  test('runAsId: 1 to 2147483647', () => {
    expect(problems((v) => v.runAsId('id', 1).runAsId('id', 2147483647).runAsId('id', undefined))).toBeNull();
    expect(problems((v) => v.runAsId('id', 2147483648))).toMatch(/id \(2147483648\) must be an integer between 1/);
    expect(problems((v) => v.runAsId('id', 0))).toMatch(/id \(0\) must be an integer between 1 and 2147483647$/);
  });

  test('tolerations: every problem of every toleration, naming its index', () => {
    expect(problems((v) => v.tolerations('tolerations', [{ key: 'gpu', operator: 'Exists' }]))).toBeNull();
    expect(problems((v) => v.tolerations('tolerations', [{ key: 'gpu' }, { key: 'a;b', value: 'a;b' }]))).toBe([
      `Thing 'my-thing': tolerations[1] ({"key":"a;b","value":"a;b"}) key ${FIELD_RULES.labelKey.allowed}`,
      `Thing 'my-thing': tolerations[1] ({"key":"a;b","value":"a;b"}) value ${FIELD_RULES.labelValue.allowed}`,
    ].join('\n'));
  });
});

describe('show: values in error messages', () => {
  test.each([
    ['a string, quoted', 'a"b', '"a\\"b"'],
    ['a number', 1.5, '1.5'],
    ['NaN, not null', NaN, 'NaN'],
    ['Infinity, not null', Infinity, 'Infinity'],
    ['a boolean', false, 'false'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an array as JSON', [1, 'a'], '[1,"a"]'],
    ['a plain object as JSON', { a: 1 }, '{"a":1}'],
    ['an object with no prototype as JSON', Object.assign(Object.create(null), { a: 1 }), '{"a":1}'],
    ['an object that names itself by its toString', { toString: () => 'Size(4Gi)' }, 'Size(4Gi)'],
    ['a raw value unquoted', raw('16Gi'), '16Gi'],
  ])('%s', (_what, value, expected) => {
    expect(show(value)).toBe(expected);
  });

  test('shows up to 80 characters whole and cuts longer values to 77 plus ...', () => {
    expect(show(raw('x'.repeat(80)))).toBe('x'.repeat(80));
    expect(show(raw('x'.repeat(81)))).toBe(`${'x'.repeat(77)}...`);
    expect(show('y'.repeat(100))).toBe(`"${'y'.repeat(76)}...`);
  });
});
