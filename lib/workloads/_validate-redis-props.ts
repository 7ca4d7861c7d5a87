import { Size } from 'cdk8s';
import { sizeKib, sizeQuantity } from '../core/quantity';
import { PropsRule, PropsValidator, raw } from '../core/validation';

/** What Redis resolved from its props, with every default applied: what its rules check. */
export interface RedisFacts {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly storage: Size;
  readonly memoryLimit: Size;
}

type Rule = PropsRule<RedisFacts>;

const names: Rule = (v, f) => {
  v.dnsLabel('name', f.name).dnsLabel('namespace', f.namespace);
};

const image: Rule = (v, f) => {
  v.pinnedImage('image', f.image);
};

const storage: Rule = (v, f) => {
  v.check(sizeKib(f.storage) > 0, 'storage', raw(sizeQuantity(f.storage)), 'must be larger than zero');
};

const memoryLimit: Rule = (v, f) => {
  v.check(sizeKib(f.memoryLimit) >= 64 * 1024, 'memoryLimit', raw(sizeQuantity(f.memoryLimit)),
    'must be at least 64Mi');
};

/** The rules of Redis's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [names, image, storage, memoryLimit];

/** Checks Redis's resolved props and throws one error listing every problem. */
export function validateRedisProps(id: string, facts: RedisFacts): void {
  new PropsValidator('Redis', id).rules(RULES, facts).throwIfAny();
}
