/**
 * Every string input of the public API against the API server's field rules (lib/core/field-rules.ts):
 *
 * - the inventory: the inputs read from the types (test/support/public-inputs.ts) are exactly those the table
 *   of test/support/field-inputs.ts places: checked against a field rule, checked by a rule of the library, or
 *   reaching no Kubernetes field. A new prop fails here until someone says which;
 * - for every input checked against a field rule, generated values that break the rule are rejected naming the
 *   construct, the prop, the value and the rule, and generated values that satisfy it synthesize into objects
 *   that pass the field rules applied to the output (test/support/field-audit.ts) and the Kubernetes schemas.
 */
import { Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { FIELD_RULES } from '../../lib/core/field-rules';
import { show } from '../../lib/core/validation';
import { FC_PARAMS } from '../support/arbitraries';
import { fieldProblems } from '../support/field-audit';
import {
  elsewhere, ELSEWHERE, ELSEWHERE_OWNERS, KUBERNETES_INPUTS, KubernetesInput, LIBRARY_RULES,
} from '../support/field-inputs';
import { RULE_VALUES } from '../support/field-values';
import { gatewayFixture } from '../support/gateway-fixtures';
import { schemaProblems } from '../support/kube-schema';
import { publicStringInputs } from '../support/public-inputs';

/** Each input builds and synthesizes per run: fewer runs than the pure property tests (FC_RUNS raises them). */
const RUNS: fc.Parameters<unknown> = { ...FC_PARAMS, numRuns: Number(process.env.FC_RUNS ?? 15) };

describe('the public API\'s string inputs', () => {
  let inputs: string[];
  beforeAll(() => {
    inputs = publicStringInputs();
  }, 60_000);

  test('are read from the types: props, factories\' parameters, keys and values of records, ids', () => {
    expect(inputs.length).toBeGreaterThan(200);
    for (const known of [
      'GpuAgentDeploymentProps.serviceName', 'EnvValue.fromSecret(key)', 'GpuType.custom(props).nodeLabelValue',
      'GpuAgentDeploymentProps.labels{key}', 'GpuAgentDeploymentProps.labels{}', 'Toleration.key',
      'AiAgentPlatform.addTenant(id)', 'ChartProps.labels{key}', 'PodSecurityProps.writablePaths[]',
    ]) expect(inputs).toContain(known);
  });

  test('each is placed exactly once: checked against a field rule, by a library rule, or reaching no field', () => {
    const placed = (input: string) => [
      input in KUBERNETES_INPUTS ? 'KUBERNETES_INPUTS' : undefined,
      input in LIBRARY_RULES ? 'LIBRARY_RULES' : undefined,
      elsewhere(input) !== undefined ? 'ELSEWHERE' : undefined,
    ].filter((where) => where !== undefined);
    expect(inputs.filter((input) => placed(input).length === 0)).toEqual([]);
    expect(inputs.filter((input) => placed(input).length > 1)).toEqual([]);
  });

  test('the table names no input the types do not have (it follows renames)', () => {
    const listed = [...Object.keys(KUBERNETES_INPUTS), ...Object.keys(LIBRARY_RULES), ...Object.keys(ELSEWHERE)];
    expect(listed.filter((input) => !inputs.includes(input))).toEqual([]);
    const owners = new Set(inputs.map((input) => input.split(/[.(]/)[0]));
    expect(Object.keys(ELSEWHERE_OWNERS).filter((owner) => !owners.has(owner))).toEqual([]);
  });
});

/** The line a broken value must produce, after `Construct 'id': `. */
function expectedLine(input: KubernetesInput, value: string): string {
  const rule = FIELD_RULES[input.rule];
  const id = typeof input.id === 'function' ? input.id(value) : input.id;
  const prop = typeof input.prop === 'function' ? input.prop(value) : input.prop;
  const body = input.line ? input.line(value) : `${prop} (${show(value)})`;
  return `${input.construct} '${id}': ${body} ${input.allowed ?? rule.allowed}`;
}

function errorOf(build: () => unknown): string | undefined {
  try {
    build();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Objects synthesized from generated valid values, for one schema validation at the end. */
const synthesized = new Map<string, unknown>();

describe.each(Object.entries(KUBERNETES_INPUTS))('%s', (_name, input) => {
  const values = RULE_VALUES[input.rule];

  test(`values that break the rule (${input.rule}) are rejected naming the construct, prop, value and rule`, () => {
    const invalid = input.allowsEmpty ? values.invalid.filter((v) => v !== '') : values.invalid;
    fc.assert(fc.property(invalid, (value) => {
      const message = errorOf(() => input.build(value));
      expect({ value, message }).toEqual({ value, message: expect.stringContaining(expectedLine(input, value)) });
    }), RUNS);
  });

  test('values that satisfy it synthesize, and the output passes the field rules', () => {
    fc.assert(fc.property(input.valid ?? values.valid, (value) => {
      const objects = input.build(value);
      expect({ value, problems: fieldProblems(objects) }).toEqual({ value, problems: [] });
      for (const o of objects) synthesized.set(JSON.stringify(o), o);
    }), RUNS);
  });
});

test('the objects synthesized from the generated valid values pass the Kubernetes schemas', () => {
  expect(synthesized.size).toBeGreaterThan(100);
  expect(schemaProblems([...synthesized.values()])).toEqual([]);
}, 120_000);

describe('rules of the library that stand for the API server\'s', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,12}$/);
  const routePath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}/`);
  const route = (path: string) => {
    const { chart, gateway, agent } = gatewayFixture();
    gateway.route(path, agent);
    return Testing.synth(chart);
  };

  test('route paths: with an empty segment they are rejected, without one their Ingress paths pass', () => {
    fc.assert(fc.property(routePath, fc.nat(), (path, at) => {
      const slashes = [...path.matchAll(/\//g)].map((m) => m.index!);
      const i = slashes[at % slashes.length];
      const broken = `${path.slice(0, i)}/${path.slice(i)}`;
      expect(errorOf(() => route(broken))).toContain(`AgentGateway 'Gateway': route.path (${show(broken)}) must not `
        + "contain empty segments ('//')");
      expect(fieldProblems(route(path))).toEqual([]);
    }), RUNS);
  });

  test('TLS files: a name longer than 255 bytes is rejected, up to 255 it is accepted', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), (length) => {
      const file = `/etc/nginx/ssl/${'c'.repeat(length)}`;
      const message = errorOf(() => gatewayFixture({ tls: { certificateFile: file, keyFile: '/etc/nginx/ssl/k' } }));
      if (length <= 255) expect({ length, message }).toEqual({ length, message: undefined });
      else expect(message).toContain(`has a file or directory name of ${length} bytes; file systems allow at most 255`);
    }), RUNS);
  });
});
