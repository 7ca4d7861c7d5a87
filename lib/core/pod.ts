import { k8s } from 'cdk8s-plus-28';
import { ResolvedPodSecurity, SECURITY_OPT_OUTS_ANNOTATION } from './pod-security';
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
    const name = `writable${path.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/-+$/, '')}`;
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath: path });
  });
  return { volumes, mounts };
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
