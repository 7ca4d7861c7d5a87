import { Size } from 'cdk8s';
import { FIELD_RULES } from '../core/field-rules';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { PropsRule, PropsValidator, raw } from '../core/validation';

/** What Redis resolved from its props, with every default applied: what its rules check. */
export interface RedisFacts {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly storage: Size;
  readonly memoryLimit: Size;
  readonly storageClassName?: string;
  readonly partOf: string;
}

type Rule = PropsRule<RedisFacts>;

const names: Rule = (v, f) => {
  // The name is the Service's too, so a DNS-1035 label (a StatefulSet name would allow more).
  v.field(FIELD_RULES.serviceName, 'name', f.name).field(FIELD_RULES.namespaceName, 'namespace', f.namespace)
    .labelValue('partOf', f.partOf);
};

const image: Rule = (v, f) => {
  v.pinnedImage('image', f.image);
};

const storage: Rule = (v, f) => {
  v.check(sizeKib(f.storage) > 0, 'storage', raw(sizeQuantity(f.storage)), 'must be larger than zero');
};

const storageClassName: Rule = (v, f) => {
  // An empty class asks for no dynamic provisioning: the API server allows it.
  if (f.storageClassName !== '') v.field(FIELD_RULES.storageClassName, 'storageClassName', f.storageClassName);
};

const memoryLimit: Rule = (v, f) => {
  v.check(sizeKib(f.memoryLimit) >= 64 * 1024, 'memoryLimit', raw(sizeQuantity(f.memoryLimit)),
    'must be at least 64Mi');
};

/** The rules of Redis's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [names, image, storage, storageClassName, memoryLimit];

/** Checks Redis's resolved props and throws one error listing every problem. */
export function validateRedisProps(id: string, facts: RedisFacts): void {
  new PropsValidator('Redis', id).rules(RULES, facts).throwIfAny();
}
