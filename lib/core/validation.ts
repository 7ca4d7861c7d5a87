/**
 * Collects every problem with a construct's props and reports them at once, each naming the prop,
 * the value received and what is allowed:
 * `GpuAgentDeployment 'ai-agent': gpu.count (1.5) must be a positive integer`.
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  constructor(private readonly constructType: string, private readonly id: string) {}

  /** Records `prop (value) <allowed>` unless `ok`. */
  public check(ok: boolean, prop: string, value: unknown, allowed: string): this {
    if (!ok) this.problems.push(`${prop} (${show(value)}) ${allowed}`);
    return this;
  }

  /** Records a free-form problem. */
  public fail(message: string): this {
    this.problems.push(message);
    return this;
  }

  public integer(prop: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): this {
    if (value === undefined) return this;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    return this.check(Number.isInteger(value) && value >= min && value <= max, prop, value, `must be an integer ${range}`);
  }

  public dnsLabel(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isDnsLabel(value), prop, value,
      'must be a DNS-1123 label: at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit');
  }

  public dnsSubdomain(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isDnsSubdomain(value), prop, value,
      'must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, \'-\' and \'.\'');
  }

  /** Throws one error listing every recorded problem. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const prefix = `${this.constructType} '${this.id}': `;
    throw new Error(this.problems.map((p) => prefix + p).join('\n'));
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((part) => DNS_LABEL.test(part));
}

/** A value as it appears in an error message: strings quoted, long values cut. */
export function show(value: unknown): string {
  let text: string;
  if (value instanceof Raw) text = value.text;
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (Array.isArray(value)) text = JSON.stringify(value);
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'object' && value !== null && typeof (value as { toString(): string }).toString === 'function'
    && (value as { toString(): string }).toString !== Object.prototype.toString) text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A value shown unquoted in an error message (a quantity like 16Gi, a duration). */
export class Raw {
  constructor(public readonly text: string) {}
}

/** Shows `text` unquoted in an error message. */
export function raw(text: string): Raw {
  return new Raw(text);
}
