/**
 * The Kubernetes API server's rules for the fields this library renders, as one table. The OpenAPI schemas
 * (and so schema validation) do not carry them: a value that breaks one passes `cdk8s synth` and fails at
 * `kubectl apply` or `pulumi up`. Each rule names the validation function it follows, in
 * k8s.io/apimachinery/pkg/util/validation (`validation.go`) unless it says otherwise, with its limits.
 *
 * The constructs check their props against these rules (through {@link PropsValidator} in `validation.ts`);
 * the tests apply the same table to every rendered object as a second, independent check.
 *
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */

/** One rule of the API server for a string field. */
export interface FieldRule {
  /** What the rule is called: `DNS-1123 label`. */
  readonly name: string;
  /** The Kubernetes validation function it follows: `IsDNS1123Label`. */
  readonly upstream: string;
  /** True when `value` satisfies the rule. */
  readonly test: (value: string) => boolean;
  /** What is allowed, as the end of an error message: `must be a DNS-1123 label: ...`. */
  readonly allowed: string;
}

/** `DNS1123LabelMaxLength`. */
export const DNS1123_LABEL_MAX = 63;
/** `DNS1123SubdomainMaxLength`. */
export const DNS1123_SUBDOMAIN_MAX = 253;
/** `DNS1035LabelMaxLength`. */
export const DNS1035_LABEL_MAX = 63;
/** `qualifiedNameMaxLength`: the name part of a qualified name (label key, annotation key). */
export const QUALIFIED_NAME_MAX = 63;
/** `LabelValueMaxLength`. */
export const LABEL_VALUE_MAX = 63;
/** `TotalAnnotationSizeLimitB` (k8s.io/apimachinery/pkg/api/validation/objectmeta.go): keys and values together. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** The largest ConfigMap or Secret, data keys and values together (`MaxSecretSize`, `ValidateConfigMap`). */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
/** The largest user or group ID, `IsValidUserID` / `IsValidGroupID` (math.MaxInt32). */
export const MAX_ID = 2147483647;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const PORT_NAME = /^[-a-z0-9]+$/;

/** `IsDNS1123Label`: at most 63 lowercase alphanumerics or '-', alphanumeric at both ends. */
export function isDnsLabel(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

/** `IsDNS1123Subdomain`: DNS-1123 labels (of any length) joined by '.', at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && value.split('.').every((part) => DNS1123_LABEL.test(part));
}

/** `IsDNS1035Label`: a DNS-1123 label that starts with a letter. */
export function isDns1035Label(value: string): boolean {
  return value.length <= DNS1035_LABEL_MAX && DNS1035_LABEL.test(value);
}

/**
 * `IsQualifiedName`: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name at most 63 alphanumerics,
 * '-', '_' or '.', alphanumeric at both ends. Label keys and (compared in lowercase) annotation keys.
 */
export function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  const prefixOk = parts.length === 1 || isDnsSubdomain(parts[0]);
  return prefixOk && name.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(name);
}

/** A label key: `IsQualifiedName` (as `ValidateLabelName` checks it). */
export function isLabelKey(value: string): boolean {
  return isQualifiedName(value);
}

/** `IsValidLabelValue`: empty, or at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

/**
 * An annotation key: `ValidateAnnotations` (k8s.io/apimachinery/pkg/api/validation/objectmeta.go) checks
 * `IsQualifiedName` of the key in lowercase, so an uppercase prefix is allowed.
 */
export function isAnnotationKey(value: string): boolean {
  return isQualifiedName(value.toLowerCase());
}

/** `IsConfigMapKey` (Secret keys too): at most 253 of `[-._a-zA-Z0-9]`, not `.`, not starting with `..`. */
export function isConfigMapKey(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && CONFIG_MAP_KEY.test(value) && value !== '.'
    && !value.startsWith('..');
}

/**
 * `IsValidPortName` (an IANA_SVC_NAME, RFC 6335): at most 15 lowercase alphanumerics or '-', at least one
 * letter, no '-' at either end and no '--'.
 */
export function isPortName(value: string): boolean {
  return value.length <= 15 && PORT_NAME.test(value) && /[a-z]/.test(value) && !value.includes('--')
    && !value.startsWith('-') && !value.endsWith('-');
}

/** `IsEnvVarName`: letters, digits, '-', '_' or '.', not starting with a digit. */
export function isEnvVarName(value: string): boolean {
  return ENV_VAR_NAME.test(value);
}

/**
 * `IsValidPathSegmentName` (k8s.io/apimachinery/pkg/api/validation/path): not empty, not `.` or `..`, no
 * '/' or '%'. Names the API server puts into URL paths, such as an HPA's custom or external metric.
 */
export function isPathSegmentName(value: string): boolean {
  return value.length > 0 && value !== '.' && value !== '..' && !/[/%]/.test(value);
}

/**
 * An extended resource a container may request (`IsExtendedResourceName`, k8s.io/kubernetes
 * pkg/apis/core/helper): a qualified name with a domain prefix outside `kubernetes.io`, not starting with
 * `requests.`, and `requests.<name>` a qualified name too (what a ResourceQuota counts).
 */
export function isExtendedResourceName(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const domain = value.slice(0, slash);
  const native = domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io');
  return !native && !value.startsWith('requests.') && isQualifiedName(value)
    && isQualifiedName(`requests.${value}`);
}

/**
 * `resource.ParseQuantity` (k8s.io/apimachinery/pkg/api/resource): a signed decimal number with a binary
 * (Ki..Ei), decimal (n, u, m, k, M..E) or exponent suffix.
 */
export function isQuantity(value: string): boolean {
  return /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)((Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE][+-]?[0-9]+)?$/.test(value);
}

/**
 * An Ingress rule's host (`validateIngressRules`, k8s.io/kubernetes pkg/apis/networking/validation): a
 * DNS-1123 subdomain, optionally behind a `*.` wildcard, and not an IP address.
 */
export function isIngressHost(value: string): boolean {
  const host = value.startsWith('*.') ? value.slice(2) : value;
  return isDnsSubdomain(host) && !/^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A `Prefix` or `Exact` Ingress path (`validateHTTPIngressPath`, k8s.io/kubernetes
 * pkg/apis/networking/validation): absolute, without `//`, `/./`, `/../` or an encoded slash (`%2f`), and
 * not ending in `/.` or `/..`.
 */
export function isIngressPath(value: string): boolean {
  return value.startsWith('/') && !['//', '/./', '/../', '%2f', '%2F'].some((s) => value.includes(s))
    && !value.endsWith('/.') && !value.endsWith('/..');
}

/** The allowed text of DNS-1123 subdomains, shared by the names that follow that rule. */
const SUBDOMAIN_ALLOWED =
  'must be a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, \'-\' and \'.\'';
const LABEL_ALLOWED =
  "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
const DNS1035_ALLOWED = "must be a DNS-1035 label: at most 63 lowercase letters, digits or '-', starting with a "
  + 'letter and ending with a letter or digit';
const QUALIFIED_NAME_ALLOWED = '[prefix/]name: an optional DNS-1123 subdomain prefix, then at most 63 letters, '
  + "digits, '-', '_' or '.', starting and ending with a letter or digit";

function rule(name: string, upstream: string, test: (value: string) => boolean, allowed: string): FieldRule {
  return { name, upstream, test, allowed };
}

const dns1123Subdomain = rule('DNS-1123 subdomain', 'IsDNS1123Subdomain', isDnsSubdomain, SUBDOMAIN_ALLOWED);
const dns1123Label = rule('DNS-1123 label', 'IsDNS1123Label', isDnsLabel, LABEL_ALLOWED);
const dns1035Label = rule('DNS-1035 label', 'IsDNS1035Label', isDns1035Label, DNS1035_ALLOWED);

/**
 * The table: each field kind the library renders a user value into, with its rule. Names of objects
 * follow the rule of their kind (`ValidateXxxName` in k8s.io/kubernetes pkg/apis/core/validation and
 * friends: most kinds `NameIsDNSSubdomain`, Namespaces `NameIsDNSLabel`, Services `NameIsDNS1035Label`).
 */
export const FIELD_RULES = {
  /** `IsDNS1123Subdomain`: at most 253 characters; the names of most kinds. */
  dns1123Subdomain,
  /** `IsDNS1123Label`: at most 63 characters. */
  dns1123Label,
  /** `IsDNS1035Label`: at most 63 characters, starting with a letter. */
  dns1035Label,
  /** Names of Deployments, StatefulSets, ConfigMaps, Secrets, PVCs, HPAs ...: `NameIsDNSSubdomain`. */
  objectName: { ...dns1123Subdomain, upstream: 'NameIsDNSSubdomain (ValidateSecretName, ValidateConfigMapName, ...)' },
  /** Namespace names: `ValidateNamespaceName`, `NameIsDNSLabel`. */
  namespaceName: { ...dns1123Label, upstream: 'ValidateNamespaceName (NameIsDNSLabel)' },
  /** Service names: `ValidateServiceName`, `NameIsDNS1035Label`. */
  serviceName: { ...dns1035Label, upstream: 'ValidateServiceName (NameIsDNS1035Label)' },
  /** A PVC's `storageClassName`: `ValidateClassName` (`NameIsDNSSubdomain`). */
  storageClassName: { ...dns1123Subdomain, upstream: 'ValidateClassName (NameIsDNSSubdomain)' },
  /** An Ingress's `ingressClassName`: `ValidateIngressClassName` (`NameIsDNSSubdomain`). */
  ingressClassName: { ...dns1123Subdomain, upstream: 'ValidateIngressClassName (NameIsDNSSubdomain)' },
  /** Volume names of a pod: `IsDNS1123Label` (`ValidateVolumes`). */
  volumeName: { ...dns1123Label, upstream: 'ValidateVolumes (IsDNS1123Label)' },
  /** Label keys: `IsQualifiedName`. */
  labelKey: rule('label key', 'IsQualifiedName (ValidateLabelName)', isLabelKey,
    `must be a Kubernetes label key (${QUALIFIED_NAME_ALLOWED})`),
  /** Label values: `IsValidLabelValue`. */
  labelValue: rule('label value', 'IsValidLabelValue', isLabelValue,
    "must be a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.', "
    + 'starting and ending with a letter or digit'),
  /** Annotation keys: `IsQualifiedName` of the lowercased key (`ValidateAnnotations`). */
  annotationKey: rule('annotation key', 'IsQualifiedName (ValidateAnnotations, key in lowercase)', isAnnotationKey,
    `must be a Kubernetes annotation key (${QUALIFIED_NAME_ALLOWED}; case does not matter)`),
  /** ConfigMap and Secret data keys (and the keys a Secret reference names): `IsConfigMapKey`. */
  configMapKey: rule('ConfigMap or Secret key', 'IsConfigMapKey', isConfigMapKey,
    "must be a ConfigMap or Secret key: at most 253 letters, digits, '-', '_' or '.', not '.' and not "
    + "starting with '..'"),
  /** Container and Service port names: `IsValidPortName`. */
  portName: rule('port name', 'IsValidPortName', isPortName,
    "must be a port name (IANA_SVC_NAME): at most 15 lowercase letters, digits or '-', with at least one letter, "
    + "no '-' at either end or next to another '-'"),
  /** Environment variable names: `IsEnvVarName`. */
  envVarName: rule('environment variable name', 'IsEnvVarName', isEnvVarName,
    "must be an environment variable name: letters, digits, '-', '_' or '.', not starting with a digit"),
  /** Custom and external metric names of an HPA: `IsValidPathSegmentName`. */
  pathSegmentName: rule('path segment name', 'IsValidPathSegmentName', isPathSegmentName,
    "must be a path segment name: not empty, '.' or '..', without '/' or '%'"),
  /** Resources a container requests beyond cpu and memory: `IsExtendedResourceName`. */
  extendedResourceName: rule('extended resource name', 'IsExtendedResourceName', isExtendedResourceName,
    'must be an extended resource name: <domain>/<name> as a label key, outside kubernetes.io (nvidia.com/gpu)'),
  /** Quantities (requests, limits, quota): `resource.ParseQuantity`. */
  quantity: rule('quantity', 'resource.ParseQuantity', isQuantity,
    'must be a Kubernetes quantity: a number with an optional suffix (500m, 2, 4Gi)'),
  /** Ingress hosts: `validateIngressRules`. */
  ingressHost: rule('Ingress host', 'validateIngressRules', isIngressHost,
    'must be a DNS-1123 subdomain (optionally after \'*.\') and not an IP address'),
  /** Ingress `Prefix` paths: `validateHTTPIngressPath`. */
  ingressPath: rule('Ingress path', 'validateHTTPIngressPath', isIngressPath,
    "must be an absolute path without '//', '/./', '/../' or '%2f', not ending in '/.' or '/..'"),
} as const satisfies Record<string, FieldRule>;

/** The name of a rule of {@link FIELD_RULES}. */
export type FieldRuleName = keyof typeof FIELD_RULES;

/** The operators and effects a toleration may have (`ValidateTolerations`). */
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** A toleration, as far as {@link tolerationProblems} reads it. */
export interface TolerationFields {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

/**
 * What `ValidateTolerations` (k8s.io/kubernetes pkg/apis/core/validation) refuses in a toleration: a key
 * that is no label key, an empty key without `Exists`, a value that is no label value (`Equal`) or any
 * value with `Exists`, an unknown operator or effect, `tolerationSeconds` without `NoExecute`.
 */
export function tolerationProblems(t: TolerationFields): string[] {
  const problems: string[] = [];
  const operator = t.operator ?? 'Equal';
  if (t.key) {
    if (!isLabelKey(t.key)) problems.push(`key ${FIELD_RULES.labelKey.allowed}`);
  } else if (operator !== 'Exists') {
    problems.push("operator must be 'Exists' when the key is empty (tolerate every taint)");
  }
  if (!TOLERATION_OPERATORS.includes(operator)) problems.push("operator must be 'Equal' or 'Exists'");
  if (operator === 'Equal' && !isLabelValue(t.value ?? '')) problems.push(`value ${FIELD_RULES.labelValue.allowed}`);
  if (operator === 'Exists' && t.value) problems.push("value must be empty with operator 'Exists'");
  if (t.effect && !TAINT_EFFECTS.includes(t.effect)) {
    problems.push(`effect must be one of ${TAINT_EFFECTS.join(', ')} (or empty: every effect)`);
  }
  if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
    problems.push("tolerationSeconds needs effect 'NoExecute'");
  }
  return problems;
}
