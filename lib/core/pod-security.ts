/**
 * How a workload's pods run. Every default is the Kubernetes Pod Security Standards *restricted*
 * profile; each field is an opt-out that shows up in the rendered manifest.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export interface PodSecurityProps {
  /**
   * User ID the containers run as (`runAsUser`); `runAsNonRoot` is always set.
   * @default 10001
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   */
  readonly runAsUser?: number;
  /**
   * Group ID the containers run as (`runAsGroup`) and that owns mounted volumes (`fsGroup`).
   * @default 10001
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   */
  readonly runAsGroup?: number;
  /**
   * Mount the root filesystem read-only. Writable paths get their own emptyDir volumes.
   * @default true
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Paths that get a writable emptyDir when the root filesystem is read-only.
   * @default ['/tmp']
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   */
  readonly writablePaths?: string[];
  /**
   * Mount the service-account token into the pods. Only workloads that call the Kubernetes API need it.
   * @default false
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
   */
  readonly automountServiceAccountToken?: boolean;
}

/**
 * Annotation on a workload or Namespace that lists the secure defaults it deliberately turns off
 * (comma-separated, sorted): `service-account-token`, `writable-root-filesystem`,
 * `pod-disruption-budget` (workloads), `default-deny-network-policy` (Namespaces). Reviewers and policy
 * engines see the choice in the manifest instead of guessing from a missing field.
 */
export const SECURITY_OPT_OUTS_ANNOTATION = 'ai-agent-platform.io/security-opt-outs';

/** The resolved form of {@link PodSecurityProps}. */
export interface ResolvedPodSecurity {
  /** User ID of the containers (`runAsUser`). */
  readonly runAsUser: number;
  /** Group ID of the containers and of mounted volumes (`runAsGroup`, `fsGroup`). */
  readonly runAsGroup: number;
  /** Whether the root filesystem is mounted read-only. */
  readonly readOnlyRootFilesystem: boolean;
  /** Paths that get a writable emptyDir when the root filesystem is read-only. */
  readonly writablePaths: string[];
  /** Whether the service-account token is mounted into the pods. */
  readonly automountServiceAccountToken: boolean;
}

/** Applies the restricted defaults to {@link PodSecurityProps}. */
export function resolvePodSecurity(
  props: PodSecurityProps = {},
  defaults: Partial<ResolvedPodSecurity> = {},
): ResolvedPodSecurity {
  return {
    runAsUser: props.runAsUser ?? defaults.runAsUser ?? 10001,
    runAsGroup: props.runAsGroup ?? defaults.runAsGroup ?? 10001,
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? defaults.readOnlyRootFilesystem ?? true,
    writablePaths: [...(props.writablePaths ?? defaults.writablePaths ?? ['/tmp'])],
    automountServiceAccountToken: props.automountServiceAccountToken ?? defaults.automountServiceAccountToken ?? false,
  };
}
