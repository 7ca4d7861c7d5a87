import { FIELD_RULES } from '../core/field-rules';
import { PropsRule, PropsValidator, raw } from '../core/validation';

/** What Tenant resolved from its props, with every default applied: what its rules check. */
export interface TenantFacts {
  /** The props as given. */
  readonly props: {
    readonly plan: unknown;
    readonly platformNamespace: string;
    readonly team?: { readonly groups?: readonly string[]; readonly users?: readonly string[] };
  };
  readonly name: string;
  readonly namespace: string;
  readonly partOf: string;
  readonly monitoringNamespace: string;
  /** Whether `props.plan` is a RatePlan (asked by the tenant, which owns the class). */
  readonly planIsRatePlan: boolean;
  readonly apiKeysSecretName: string;
  readonly quota: { readonly gpus: number; readonly cpu: string; readonly memory: string; readonly pods: number };
  readonly cpuMillis: number;
  readonly memoryKib: number;
}

type Rule = PropsRule<TenantFacts>;

const names: Rule = (v, f) => {
  // The name is a label value, the default namespace's suffix, the Secret's prefix and a key file's name.
  v.dnsLabel('name', f.name)
    .field(FIELD_RULES.namespaceName, 'namespace', f.namespace)
    .field(FIELD_RULES.namespaceName, 'platformNamespace', f.props.platformNamespace)
    .field(FIELD_RULES.namespaceName, 'monitoringNamespace', f.monitoringNamespace)
    .labelValue('partOf', f.partOf);
};

const plan: Rule = (v, { props, planIsRatePlan }) => {
  v.check(planIsRatePlan, 'plan', props.plan, 'must be a RatePlan');
};

const quota: Rule = (v, f) => {
  v.integer('quota.gpus', f.quota.gpus, 0).integer('quota.pods', f.quota.pods, 1);
  v.check(f.cpuMillis > 0, 'quota.cpu', raw(f.quota.cpu), 'must be a CPU quantity larger than zero');
  v.check(f.memoryKib > 0, 'quota.memory', raw(f.quota.memory), 'must be larger than zero');
};

const apiKeys: Rule = (v, f) => {
  v.field(FIELD_RULES.objectName, 'apiKeys.secretName', f.apiKeysSecretName);
};

const team: Rule = (v, { props }) => {
  for (const subject of [...(props.team?.groups ?? []), ...(props.team?.users ?? [])]) {
    v.check(subject.length > 0 && subject.length <= 253 && !/[\s"']/.test(subject), 'team', subject,
      'must name groups and users without spaces or quotes');
  }
};

/** The rules of Tenant's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [names, plan, quota, apiKeys, team];

/** Checks a Tenant's resolved props and throws one error listing every problem. */
export function validateTenantProps(id: string, facts: TenantFacts): void {
  new PropsValidator('Tenant', id).rules(RULES, facts).throwIfAny();
}
