import { k8s } from 'cdk8s-plus-28';
import { FIELD_RULES } from './field-rules';
import { ResolvedPodSecurity, SECURITY_OPT_OUTS_ANNOTATION } from './pod-security';
import { PropsValidator } from './validation';
import { COMPONENT_LABEL } from './workload-role';

/** `{ [SECURITY_OPT_OUTS_ANNOTATION]: 'a,b' }` for the opt-outs that apply, or undefined when none does. */
export function optOutAnnotations(optOuts: Record<string, boolean>): Record<string, string> | undefined {
  const list = Object.keys(optOuts).filter((k) => optOuts[k]).sort();
  return list.length ? { [SECURITY_OPT_OUTS_ANNOTATION]: list.join(',') } : undefined;
}

/** The pod-security opt-outs of a workload, for {@link optOutAnnotations}. */
export function podSecurityOptOuts(security: ResolvedPodSecurity): Record<string, boolean> {
  return {
    'service-account-token': security.automountServiceAccountToken,
    'writable-root-filesystem': !security.readOnlyRootFilesystem,
  };
}

/** Pod-level security context of the restricted profile. */
export function podSecurityContext(security: ResolvedPodSecurity): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: security.runAsUser,
    runAsGroup: security.runAsGroup,
    fsGroup: security.runAsGroup,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context of the restricted profile. */
export function containerSecurityContext(security: ResolvedPodSecurity): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  };
}

/** emptyDir volumes and mounts for the writable paths of a read-only root filesystem. */
export function writableVolumes(security: ResolvedPodSecurity): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  if (!security.readOnlyRootFilesystem) return { volumes: [], mounts: [] };
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  security.writablePaths.forEach((path) => {
    const name = writableVolumeName(path);
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath: path });
  });
  return { volumes, mounts };
}

/** The emptyDir volume of a writable path: `/tmp` → `writable-tmp`. */
export function writableVolumeName(path: string): string {
  return `writable${path.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/-+$/, '')}`;
}

/**
 * The API server's rules for a pod's security settings: user and group IDs (`IsValidUserID`, and never root),
 * writable paths that are absolute, whose volume names are DNS-1123 labels (`ValidateVolumes`) and distinct.
 */
export function checkPodSecurity(v: PropsValidator, prop: string, security: ResolvedPodSecurity): void {
  v.runAsId(`${prop}.runAsUser`, security.runAsUser).runAsId(`${prop}.runAsGroup`, security.runAsGroup);
  if (!security.readOnlyRootFilesystem) return;
  const names = new Map<string, string>();
  security.writablePaths.forEach((path, i) => {
    const p = `${prop}.writablePaths[${i}]`;
    v.absolutePath(p, path);
    const name = writableVolumeName(path);
    v.check(FIELD_RULES.volumeName.test(name), p, path, `gives its emptyDir volume a name ("${name}") that is `
      + `no ${FIELD_RULES.volumeName.name} (at most 63 characters): use a shorter path`);
    const clash = names.get(name);
    v.check(clash === undefined, p, path, `gives its emptyDir volume the name "${name}", as ${clash} does`);
    names.set(name, JSON.stringify(path));
  });
}

/**
 * Every mount path of a container appears once (`validateVolumeMounts`: "must be unique"): reports each one a
 * later prop mounts again, naming the prop that mounts it first.
 */
export function checkMountPaths(v: PropsValidator, mounts: ReadonlyArray<readonly [string, string]>): void {
  const seen = new Map<string, string>();
  for (const [prop, path] of mounts) {
    const first = seen.get(path);
    v.check(first === undefined, prop, path, `is also mounted by ${first}: mount paths of a container must differ`);
    if (first === undefined) seen.set(path, prop);
  }
}

/** The recommended labels every object of the platform carries. */
export function standardLabels(name: string, component: string, partOf: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    [COMPONENT_LABEL]: component,
    'app.kubernetes.io/part-of': partOf,
    'app.kubernetes.io/managed-by': 'cdk8s-ai-agent-platform',
  };
}

/** The immutable subset of {@link standardLabels} used in selectors. */
export function selectorLabels(name: string, partOf: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': partOf };
}

/** The label that names a tenant on its namespace and pods; alerts and dashboards group by it. */
export const TENANT_LABEL = 'ai-agent-platform/tenant';

/**
 * The label every series scraped from the platform's own workloads carries (its value: the platform's
 * `app.kubernetes.io/part-of`), set by the PodMonitors in Kubernetes and the scrape jobs in Compose. The
 * default alerts select on it, so another team's `http_requests_total` in the same Prometheus does not page us.
 */
export const PART_OF_METRIC_LABEL = 'part_of';

/**
 * Names of the container ports Prometheus scrapes: a workload's own port (`http`), an exporter's (`metrics`)
 * and the gateway's request metrics (`request-metrics`). The network policies let Prometheus reach these.
 */
export const METRICS_PORT_NAMES = { workload: 'http', exporter: 'metrics', requestMetrics: 'request-metrics' } as const;
