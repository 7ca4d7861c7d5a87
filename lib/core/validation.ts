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
    return this.check(
      Number.isInteger(value) && value >= min && value <= max,
      prop,
      value,
      `must be an integer ${range}`,
    );
  }

  public dnsLabel(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(
      isDnsLabel(value),
      prop,
      value,
      "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', " +
        'starting and ending with a letter or digit',
    );
  }

  public dnsSubdomain(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isDnsSubdomain(value), prop, value,
      'must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, \'-\' and \'.\'');
  }

  /** A container image pinned to a tag other than `latest`, or to a digest (see {@link isPinnedImage}). */
  public pinnedImage(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isPinnedImage(value), prop, value, 'must be pinned to a tag other than "latest" or to a digest');
  }

  /** A TCP or UDP port: an integer between 1 and 65535. */
  public port(prop: string, value: number | undefined): this {
    return this.integer(prop, value, 1, 65535);
  }

  /** An absolute path of letters, digits and `._~-/` (an HTTP path, a mount path). */
  public absolutePath(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isAbsolutePath(value), prop, value, 'must be an absolute path of letters, digits and ._~-/');
  }

  /** A Kubernetes label (or annotation) key: `[prefix/]name`. */
  public labelKey(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isLabelKey(value), prop, value, 'must be a Kubernetes label key ([prefix/]name)');
  }

  /** A Kubernetes label value: at most 63 letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. */
  public labelValue(prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(isLabelValue(value), prop, value,
      'must be a Kubernetes label value (at most 63 letters, digits, \'-\', \'_\', \'.\')');
  }

  /** Runs a table of rules (see {@link PropsRule}) against resolved props. */
  public rules<T>(rules: ReadonlyArray<PropsRule<T>>, props: T): this {
    for (const rule of rules) rule(this, props);
    return this;
  }

  /** Throws one error listing every recorded problem. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const prefix = `${this.constructType} '${this.id}': `;
    throw new Error(this.problems.map((p) => prefix + p).join('\n'));
  }
}

/**
 * One validation rule of a construct's table of rules: records its problems in `v`. A construct keeps
 * its rules as a list in a private `_validate-<construct>-props.ts` beside it and runs them all with
 * {@link PropsValidator.rules}, so the user sees every problem at once.
 */
export type PropsRule<T> = (v: PropsValidator, props: T) => void;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * An image reference as the container runtimes parse it (the grammar of github.com/distribution/reference,
 * `ReferenceRegexp`): `[domain[:port]/]path[:tag][@digest]`, path components lowercase alphanumerics joined
 * by `.`, `_`, `__` or dashes, a tag of at most 128 word characters, `.` and `-` not starting with either.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^((?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)` +
    '(?::([\\w][\\w.-]{0,127}))?(@sha256:[a-f0-9]{64})?$',
);
/** The longest image name (without tag or digest) the reference grammar allows. */
const IMAGE_NAME_MAX = 255;

const PATH_ONLY = new RegExp(`^${PATH_COMPONENT}$`);

/** True when an image reference is valid and names a tag other than `latest`, or a digest. */
export function isPinnedImage(image: string): boolean {
  const m = IMAGE_REFERENCE.exec(image);
  if (!m) return false;
  const [, name, tag, digest] = m;
  // As docker's ParseNormalizedNamed: a first component without `.` or `:` is a path, not a registry, so
  // lowercase (`UPPER/x` is refused; `localhost/x` is a valid path either way).
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  if (slash >= 0 && !/[.:]/.test(first) && !PATH_ONLY.test(first)) return false;
  return name.length <= IMAGE_NAME_MAX && (digest !== undefined || (tag !== undefined && tag !== 'latest'));
}

/** True for an absolute path of letters, digits and `._~-/`. */
export function isAbsolutePath(value: string): boolean {
  return ABSOLUTE_PATH.test(value);
}

/** True for a Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function isLabelKey(value: string): boolean {
  return LABEL_KEY.test(value);
}

/** True for a Kubernetes label value (empty, or at most 63 characters). */
export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((part) => DNS_LABEL.test(part));
}

/** A value as it appears in an error message: strings and data quoted as JSON, long values cut. */
export function show(value: unknown): string {
  const text = value instanceof Raw ? value.text : isData(value) ? JSON.stringify(value) : String(value);
  return text.length > SHOW_MAX ? `${text.slice(0, SHOW_MAX - 3)}...` : text;
}

/** The longest value an error message shows whole. */
const SHOW_MAX = 80;

/** Strings, arrays and plain objects read best as JSON; numbers (NaN too) and objects that name themselves do not. */
function isData(value: unknown): boolean {
  if (typeof value === 'string' || Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const toString = (value as { toString?: unknown }).toString;
  return typeof toString !== 'function' || toString === Object.prototype.toString;
}

/** A value shown unquoted in an error message (a quantity like 16Gi, a duration). */
export class Raw {
  constructor(public readonly text: string) {}
}

/** Shows `text` unquoted in an error message. */
export function raw(text: string): Raw {
  return new Raw(text);
}
