/**
 * fast-check generators for the API server's field rules (lib/core/field-rules.ts): for every rule, values
 * built from its grammar (valid) and values built to break it in one of the ways Kubernetes refuses (invalid:
 * a forbidden character, one character too many, a bad first or last character, a missing part). They are
 * built, not filtered through the rule under test, so they check the rule rather than repeat it.
 */
import * as fc from 'fast-check';
import type { FieldRuleName } from '../../lib/core/field-rules';

export interface RuleValues {
  /** Values that satisfy the rule. */
  readonly valid: fc.Arbitrary<string>;
  /** Values that break it. */
  readonly invalid: fc.Arbitrary<string>;
}

/** Characters no name rule allows. */
const FORBIDDEN = fc.constantFrom(';', ' ', '@', '%', '$', '"', '\n', 'é', '中', '{', '*', ',', '=');

/** `s` with `c` inserted at a position chosen by `at` (0..1). */
function insert(s: string, c: string, at: number): string {
  const i = Math.floor(at * (s.length + 1));
  return `${s.slice(0, i)}${c}${s.slice(i)}`;
}

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** `valid` with one forbidden character inserted somewhere. */
function withForbidden(valid: fc.Arbitrary<string>, chars: fc.Arbitrary<string> = FORBIDDEN): fc.Arbitrary<string> {
  return fc.tuple(valid, chars, position).map(([v, c, at]) => insert(v, c, at));
}

const label = (max = 63) => fc.stringMatching(new RegExp(`^[a-z0-9]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
const label1035 = fc.stringMatching(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
const subdomain = fc.array(label(40), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
const longLabel = fc.stringMatching(/^[a-z][a-z0-9]{63,80}$/);
const longSubdomain = fc.array(label(63), { minLength: 5, maxLength: 6 })
  .map((parts) => parts.map((p) => p.padEnd(60, 'x')).join('.'));
const qualifiedPart = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);

const dnsLabel: RuleValues = {
  valid: label(),
  invalid: fc.oneof(
    label().map((v) => `-${v}`), label().map((v) => `${v}-`), longLabel, fc.constant(''),
    withForbidden(label(), fc.constantFrom('A', 'Z', '_', '.', ';', ' ', '/', 'é')),
  ),
};

const dnsSubdomain: RuleValues = {
  valid: subdomain,
  invalid: fc.oneof(
    longSubdomain, subdomain.map((v) => `${v}.`), subdomain.map((v) => `.${v}`),
    fc.tuple(label(), label()).map(([a, b]) => `${a}..${b}`), subdomain.map((v) => `-${v}`),
    withForbidden(subdomain, fc.constantFrom('A', '_', ';', ' ', '/', ':', 'é')), fc.constant(''),
  ),
};

const dns1035Label: RuleValues = {
  valid: label1035,
  invalid: fc.oneof(dnsLabel.invalid, fc.tuple(fc.integer({ min: 0, max: 9 }), label(62)).map(([d, v]) => `${d}${v}`)),
};

const labelKey: RuleValues = {
  valid: fc.tuple(fc.option(subdomain, { nil: undefined }), qualifiedPart)
    .map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name)),
  invalid: fc.oneof(
    withForbidden(qualifiedPart, fc.constantFrom(';', ' ', '@', '%', '$', ':', 'é', '*')),
    fc.stringMatching(/^[A-Za-z0-9]{64,70}$/),
    qualifiedPart.map((n) => `-${n}`), qualifiedPart.map((n) => `${n}_`), qualifiedPart.map((n) => `.${n}`),
    subdomain.map((p) => `${p}/`), qualifiedPart.map((n) => `/${n}`),
    fc.tuple(subdomain, qualifiedPart).map(([p, n]) => `${p.toUpperCase()}X/${n}`),
    fc.tuple(subdomain, qualifiedPart, qualifiedPart).map(([p, a, b]) => `${p}/${a}/${b}`),
    fc.tuple(longSubdomain, qualifiedPart).map(([p, n]) => `${p}/${n}`), fc.constant(''),
  ),
};

const labelValue: RuleValues = {
  valid: fc.oneof(qualifiedPart, fc.constant('')),
  invalid: fc.oneof(
    withForbidden(qualifiedPart, fc.constantFrom(';', ' ', '/', '@', '%', ':', 'é', '\n')),
    fc.stringMatching(/^[A-Za-z0-9]{64,70}$/),
    qualifiedPart.map((n) => `-${n}`), qualifiedPart.map((n) => `${n}.`), qualifiedPart.map((n) => `_${n}`),
  ),
};

const annotationKey: RuleValues = {
  valid: fc.oneof(labelKey.valid, labelKey.valid.map((k) => k.toUpperCase())),
  invalid: fc.oneof(
    withForbidden(qualifiedPart, fc.constantFrom(';', ' ', '@', '%', '$', ':', 'é', '*')),
    fc.stringMatching(/^[A-Za-z0-9]{64,70}$/), qualifiedPart.map((n) => `-${n}`), subdomain.map((p) => `${p}/`),
    fc.tuple(subdomain, qualifiedPart, qualifiedPart).map(([p, a, b]) => `${p}/${a}/${b}`), fc.constant(''),
  ),
};

const configMapKey: RuleValues = {
  valid: fc.oneof(
    fc.stringMatching(/^[-_a-zA-Z0-9][-._a-zA-Z0-9]{0,60}$/),
    fc.stringMatching(/^\.[-_a-zA-Z0-9][-._a-zA-Z0-9]{0,20}$/),
  ),
  invalid: fc.oneof(
    fc.constantFrom('', '.', '..'), fc.stringMatching(/^\.\.[-._a-zA-Z0-9]{1,10}$/),
    fc.stringMatching(/^[a-z]{254,260}$/),
    withForbidden(fc.stringMatching(/^[a-z][-._a-z0-9]{0,20}$/), fc.constantFrom(';', ' ', '/', ':', 'é', '\n')),
  ),
};

const portName: RuleValues = {
  valid: fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6})?$/),
  invalid: fc.oneof(
    fc.stringMatching(/^[a-z]{16,20}$/), fc.stringMatching(/^[0-9]{1,15}$/), fc.constant(''),
    fc.stringMatching(/^[a-z]{1,5}$/).map((v) => `-${v}`), fc.stringMatching(/^[a-z]{1,5}$/).map((v) => `${v}-`),
    fc.stringMatching(/^[a-z]{1,5}$/).map((v) => `${v}--a`),
    withForbidden(fc.stringMatching(/^[a-z]{1,8}$/), fc.constantFrom('A', '_', '.', ';', ' ')),
  ),
};

const envVarName: RuleValues = {
  valid: fc.stringMatching(/^[-._a-zA-Z][-._a-zA-Z0-9]{0,30}$/),
  invalid: fc.oneof(
    fc.constant(''), fc.stringMatching(/^[0-9][A-Z0-9_]{0,10}$/),
    withForbidden(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/), fc.constantFrom('=', ' ', ';', '$', ':', '/', 'é')),
  ),
};

const pathSegmentName: RuleValues = {
  valid: fc.stringMatching(/^[a-zA-Z0-9_:-][a-zA-Z0-9_:.-]{0,30}$/),
  invalid: fc.oneof(
    fc.constantFrom('', '.', '..'),
    withForbidden(fc.stringMatching(/^[a-z_]{1,20}$/), fc.constantFrom('/', '%')),
  ),
};

const domain = fc.tuple(fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/), fc.constantFrom('com', 'io', 'ai'))
  .map(([d, tld]) => `${d}.${tld}`).filter((d) => !d.startsWith('requests.'));
const resourcePart = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,40}[A-Za-z0-9])?$/);

const extendedResourceName: RuleValues = {
  valid: fc.tuple(domain, resourcePart).map(([d, n]) => `${d}/${n}`),
  invalid: fc.oneof(
    resourcePart, fc.tuple(fc.constantFrom('kubernetes.io', 'node.kubernetes.io'), resourcePart)
      .map(([d, n]) => `${d}/${n}`),
    fc.tuple(domain, resourcePart).map(([d, n]) => `requests.${d}/${n}`),
    fc.tuple(domain, resourcePart, FORBIDDEN).map(([d, n, c]) => `${d}/${n}${c}x`),
  ),
};

const quantity: RuleValues = {
  valid: fc.tuple(
    fc.integer({ min: 0, max: 100000 }), fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    fc.constantFrom('', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti', 'e3'),
  ).map(([n, fraction, suffix]) => `${n}${fraction === undefined ? '' : `.${fraction}`}${suffix}`),
  invalid: fc.oneof(
    fc.constantFrom('', 'NaN', 'Infinity', 'Gi', '1 Gi', '1.2.3', '1e+21m'),
    fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('GB', 'gi', 'mb', 'KiB', 'x', ' ', 'mm'))
      .map(([n, suffix]) => `${n}${suffix}`),
  ),
};

const host = fc.array(fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('.'));
const ingressHost: RuleValues = {
  valid: fc.oneof(host, host.map((h) => `*.${h}`)),
  invalid: fc.oneof(
    fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.')),
    host.map((h) => h.toUpperCase()), withForbidden(host, fc.constantFrom('_', ';', ' ', '/', ':')),
    fc.constantFrom('', '*', '*.'), host.map((h) => `${h}.`),
  ),
};

const segment = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,10}$/);
const ingressPathValue = fc.tuple(fc.array(segment, { maxLength: 4 }), fc.boolean())
  .map(([segments, slash]) => `/${segments.join('/')}${slash && segments.length ? '/' : ''}`);
const ingressPath: RuleValues = {
  valid: ingressPathValue,
  invalid: fc.oneof(
    fc.tuple(ingressPathValue, fc.constantFrom('//', '/./', '/../', '%2f', '%2F')).map(([p, s]) => `${p}${s}x`),
    ingressPathValue.map((p) => `${p.replace(/\/$/, '')}/.`), ingressPathValue.map((p) => `${p.replace(/\/$/, '')}/..`),
    segment, fc.constant(''),
  ),
};

/** Valid and invalid values of every rule. */
export const RULE_VALUES: Record<FieldRuleName, RuleValues> = {
  dns1123Subdomain: dnsSubdomain,
  dns1123Label: dnsLabel,
  dns1035Label,
  objectName: dnsSubdomain,
  namespaceName: dnsLabel,
  serviceName: dns1035Label,
  storageClassName: dnsSubdomain,
  ingressClassName: dnsSubdomain,
  volumeName: dnsLabel,
  labelKey,
  labelValue,
  annotationKey,
  configMapKey,
  portName,
  envVarName,
  pathSegmentName,
  extendedResourceName,
  quantity,
  ingressHost,
  ingressPath,
};
