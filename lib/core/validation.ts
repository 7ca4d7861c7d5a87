import {
  ANNOTATIONS_MAX_BYTES, FIELD_RULES, FieldRule, isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue, MAX_ID,
  tolerationProblems, TolerationFields,
} from './field-rules';

// The API server's field rules have their own table (field-rules.ts); these helpers stay importable from here.
export { isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue };

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

  /** Checks a string against one of the API server's field rules ({@link FIELD_RULES}); skips undefined. */
  public field(rule: FieldRule, prop: string, value: string | undefined): this {
    if (value === undefined) return this;
    return this.check(typeof value === 'string' && rule.test(value), prop, value, rule.allowed);
  }

  /** A DNS-1123 label (`IsDNS1123Label`). */
  public dnsLabel(prop: string, value: string | undefined): this {
    return this.field(FIELD_RULES.dns1123Label, prop, value);
  }

  /** A DNS-1123 subdomain (`IsDNS1123Subdomain`). */
  public dnsSubdomain(prop: string, value: string | undefined): this {
    return this.field(FIELD_RULES.dns1123Subdomain, prop, value);
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

  /** A Kubernetes label key (`IsQualifiedName`). */
  public labelKey(prop: string, value: string | undefined): this {
    return this.field(FIELD_RULES.labelKey, prop, value);
  }

  /** A Kubernetes label value (`IsValidLabelValue`). */
  public labelValue(prop: string, value: string | undefined): this {
    return this.field(FIELD_RULES.labelValue, prop, value);
  }

  /** Labels (or a selector's `matchLabels`): every key a label key, every value a label value. */
  public labels(prop: string, labels: Readonly<Record<string, string>> | undefined): this {
    for (const [key, value] of Object.entries(labels ?? {})) {
      this.field(FIELD_RULES.labelKey, `${prop} key`, key).field(FIELD_RULES.labelValue, `${prop}.${key}`, value);
    }
    return this;
  }

  /**
   * Annotations: every key an annotation key, and keys and values together within the API server's 256 KiB
   * (`ValidateAnnotations`).
   */
  public annotations(prop: string, annotations: Readonly<Record<string, string>> | undefined): this {
    let bytes = 0;
    for (const [key, value] of Object.entries(annotations ?? {})) {
      this.field(FIELD_RULES.annotationKey, `${prop} key`, key);
      bytes += Buffer.byteLength(key) + Buffer.byteLength(String(value));
    }
    return this.check(bytes <= ANNOTATIONS_MAX_BYTES, prop, raw(`${bytes} bytes`),
      `must total at most ${ANNOTATIONS_MAX_BYTES} bytes (keys and values)`);
  }

  /** A user or group ID a container runs as: 1 (never root) to 2147483647 (`IsValidUserID`). */
  public runAsId(prop: string, value: number | undefined): this {
    return this.integer(prop, value, 1, MAX_ID);
  }

  /** Kubernetes tolerations (`ValidateTolerations`). */
  public tolerations(prop: string, tolerations: readonly TolerationFields[] | undefined): this {
    (tolerations ?? []).forEach((t, i) => {
      for (const problem of tolerationProblems(t)) this.fail(`${prop}[${i}] (${show(t)}) ${problem}`);
    });
    return this;
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

const ABSOLUTE_PATH = /^\/[A-Za-z0-9._~\-/]*$/;

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
