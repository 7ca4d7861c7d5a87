import * as fc from 'fast-check';
import {
  ANNOTATIONS_MAX_BYTES, FIELD_RULES, FieldRuleName, tolerationProblems,
} from '../../lib/core/field-rules';
import { FC_PARAMS } from '../support/arbitraries';
import { RULE_VALUES } from '../support/field-values';

// The API server's field rules (lib/core/field-rules.ts), each against the cases of the Kubernetes validation
// function it follows (k8s.io/apimachinery/pkg/util/validation/validation_test.go and friends), at its limits.

const sub253 = [...Array(4).fill('a'.repeat(62)), 'a'].join('.');

const CASES: Record<FieldRuleName, { readonly ok: readonly string[]; readonly bad: readonly string[] }> = {
  dns1123Subdomain: {
    ok: ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '1.a', 'a.b.c', 'a-1.b-2', sub253, 'a'.repeat(100)],
    bad: ['', 'A', 'ABC', 'aBc', 'A1', 'a@b', 'a,b', 'a_b', 'a;b', 'a:b', 'a%b', 'a?b', 'a$b', '-', 'a-', '-a', '1-',
      '-1', '_', 'a.', '.a', 'a..b', 'a-.b', 'a.-b', `${sub253}a`, 'a b'],
  },
  dns1123Label: {
    ok: ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '012', '1a', '1-a', '1--a--b--2', 'a'.repeat(63)],
    bad: ['', 'A', 'ABC', 'aBc', 'A1', 'a@b', 'a,b', 'a_b', 'a;b', 'a:b', 'a%b', 'a?b', 'a$b', '-', 'a-', '-a',
      '1-', '-1', '_', 'a.b', 'a'.repeat(64)],
  },
  dns1035Label: {
    ok: ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', 'a'.repeat(63)],
    bad: ['0', '01', '012', '1a', '1-a', '', 'A', 'ABC', 'aBc', 'a@b', 'a-', '-a', 'a.b', 'a'.repeat(64)],
  },
  objectName: { ok: ['agent-config', 'a.b'], bad: ['Agent', 'a;b', ''] },
  namespaceName: { ok: ['ai-platform', '0ns'], bad: ['a.b', 'Ns', ''] },
  serviceName: { ok: ['ai-agent-service'], bad: ['0svc', 'a.b', ''] },
  storageClassName: { ok: ['fast-ssd', 'ebs.csi.aws.com'], bad: ['Fast', 'a;b', ''] },
  ingressClassName: { ok: ['nginx', 'alb.ingress.k8s.aws'], bad: ['Nginx', 'a/b', ''] },
  volumeName: { ok: ['model-storage', 'dshm'], bad: ['model.storage', 'Model'] },
  labelKey: {
    ok: ['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple',
      'now-with-dashes/now-with-dashes', 'now.with.dots/simple', 'now-with.dashes-and.dots/simple',
      '1-num.2-num/3-num', '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123',
      'requests.storage-foo', `${'a'.repeat(63)}`, `${sub253}/${'b'.repeat(63)}`],
    bad: ['nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc',
      'example_com/abc', 'example.com/', '/simple', `${'a'.repeat(64)}`, `${sub253}a/b`, '', 'a b', 'a;b'],
  },
  labelValue: {
    ok: ['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', 'a'.repeat(63), '', 'A100_80GB',
      'a.b'],
    bad: ['nospecialchars%^=@', 'Tama-nui-te-rā.is.Māori.sun', '\\backslashes\\are\\bad', '-starts-with-dash',
      'ends-with-dash-', '.starts.with.dot', 'contains/slash', 'a'.repeat(64), 'a;b', 'a b'],
  },
  annotationKey: {
    ok: ['simple', 'example.com/x', 'Example.COM/Upper', 'nginx.ingress.kubernetes.io/proxy-body-size'],
    bad: ['a;b', 'a/b/c', '/x', 'x/', '', `p/${'n'.repeat(64)}`, 'a b'],
  },
  configMapKey: {
    ok: ['key', 'KEY', 'dotted.key', 'dashed-key', 'underscored_key', 'dash-and_underscore', '.dot-prefixed',
      'a'.repeat(253), 'keys.map', 'still.good', 'THIS_IS_GOOD'],
    bad: ['', '.', '..', '..dot-prefixed', '..2', 'b*d', 'bad!&bad', 'a;b', 'a b', 'a/b', 'a'.repeat(254), 'äkey'],
  },
  portName: {
    ok: ['telnet', 're-mail-ck', 'pop3', 'a', 'a-1', '1-a', 'a-1-b-2-c-3', 'http', 'metrics', 'abcdefghijklmno'],
    bad: ['', 'abcdefghijklmnop', '12345', '-a', 'a-', 'a--b', 'a_b', 'A', 'a b', 'a.b'],
  },
  envVarName: {
    ok: ['A', 'ABC', 'AbC_123', 'abc', 'a.b', 'a-b', '_a', '.a', '-a', 'MODEL_PATH'],
    bad: ['', '123', '1a', 'a=b', 'a b', 'a;b', 'a$b'],
  },
  pathSegmentName: {
    ok: ['requests_per_second', 'vllm_num_requests_waiting', 'a.b', 'a:b'],
    bad: ['', '.', '..', 'a/b', 'a%b'],
  },
  extendedResourceName: {
    ok: ['nvidia.com/gpu', 'amd.com/gpu', 'example.com/my-resource', 'gpu.intel.com/i915'],
    bad: ['gpu', 'cpu', 'kubernetes.io/gpu', 'foo.kubernetes.io/gpu', 'requests.nvidia.com/gpu', 'nvidia.com/',
      'Nvidia.com/gpu', 'nvidia.com/gpu/x', 'a;b/c'],
  },
  quantity: {
    ok: ['1', '0', '500m', '1.5', '4Gi', '128Mi', '1e3', '1e10', '1e+3', '1E-2', '2k', '1M', '.5', '.55', '+1', '-1',
      '100n'],
    bad: ['', 'Gi', '1gi', '1 Gi', '1GB', '1.2.3', 'NaN', '1e+21m', 'abc'],
  },
  ingressHost: {
    ok: ['ai-agent.example.com', '*.example.com', 'localhost', 'a.10.0.0.1', '10.0.0.1.a', '10.0.0.1a'],
    bad: ['10.0.0.1', '*.10.0.0.1', 'Example.com', '*', 'a..b', 'a_b.com', ''],
  },
  ingressPath: {
    ok: ['/', '/api', '/api/v1', '/api/v1/', '/a.b/..c', '/...'],
    bad: ['api', '', '/api//v1', '/api/v1//', '/a/./b', '/a/../b', '/a/.', '/a/..', '/a%2fb', '/a%2Fb'],
  },
};

describe('the API server field rules', () => {
  test.each(Object.keys(FIELD_RULES) as FieldRuleName[])('%s: accepts and refuses what Kubernetes does', (name) => {
    const rule = FIELD_RULES[name];
    const { ok, bad } = CASES[name];
    expect(ok.filter((v) => !rule.test(v))).toEqual([]);
    expect(bad.filter((v) => rule.test(v))).toEqual([]);
  });

  test('every rule names the Kubernetes validation function it follows and says what is allowed', () => {
    expect([FIELD_RULES.dns1123Subdomain.name, FIELD_RULES.dns1123Label.name, FIELD_RULES.dns1035Label.name])
      .toEqual(['DNS-1123 subdomain', 'DNS-1123 label', 'DNS-1035 label']);
    expect(FIELD_RULES.serviceName.allowed).toBe('must be a DNS-1035 label: at most 63 lowercase letters, digits or '
      + "'-', starting with a letter and ending with a letter or digit");
    for (const [name, rule] of Object.entries(FIELD_RULES)) {
      expect({ name, upstream: rule.upstream }).toEqual({ name, upstream: expect.stringMatching(/^[A-Za-z.]+/) });
      expect({ name, allowed: rule.allowed }).toEqual({ name, allowed: expect.stringMatching(/^must /) });
    }
  });

  test.each(Object.keys(FIELD_RULES) as FieldRuleName[])(
    '%s: generated values that satisfy it pass, generated values that break it fail',
    (name) => {
      const rule = FIELD_RULES[name];
      const { valid, invalid } = RULE_VALUES[name];
      fc.assert(fc.property(valid, (v) => rule.test(v)), FC_PARAMS);
      fc.assert(fc.property(invalid, (v) => !rule.test(v)), FC_PARAMS);
    },
  );

  test('the annotation size limit is 256 KiB, keys and values together', () => {
    expect(ANNOTATIONS_MAX_BYTES).toBe(262144);
  });
});

describe('tolerations (ValidateTolerations)', () => {
  test.each([
    [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    [{ operator: 'Exists' }],
    [{ key: 'gpu', value: 'true' }],
    [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    [{ key: 'gpu', operator: 'Equal', value: '' }],
  ])('accepts %j', (t) => {
    expect(tolerationProblems(t)).toEqual([]);
  });

  test.each([
    [{ key: 'a;b', operator: 'Exists' }, 'key must be a Kubernetes label key'],
    [{ operator: 'Equal', value: 'x' }, "operator must be 'Exists' when the key is empty"],
    [{ key: 'gpu', operator: 'Equal', value: 'a;b' }, 'value must be a Kubernetes label value'],
    [{ key: 'gpu', operator: 'Exists', value: 'true' }, "value must be empty with operator 'Exists'"],
    [{ key: 'gpu', operator: 'In' }, "operator must be 'Equal' or 'Exists'"],
    [{ key: 'gpu', operator: 'Exists', effect: 'NoEffect' }, 'effect must be one of NoSchedule'],
    [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }, 'tolerationSeconds needs'],
  ])('refuses %j: %s', (t, problem) => {
    expect(tolerationProblems(t).join('\n')).toContain(problem);
  });

  test('says each problem once, and names the effects it allows', () => {
    expect(tolerationProblems({ key: 'gpu', operator: 'Exists', value: 'a;b' }))
      .toEqual(["value must be empty with operator 'Exists'"]);
    expect(tolerationProblems({ key: 'gpu', operator: 'Exists', effect: 'Never' }))
      .toEqual(['effect must be one of NoSchedule, PreferNoSchedule, NoExecute (or empty: every effect)']);
    for (const effect of ['NoSchedule', 'PreferNoSchedule', 'NoExecute']) {
      expect(tolerationProblems({ key: 'gpu', operator: 'Exists', effect })).toEqual([]);
    }
  });
});
