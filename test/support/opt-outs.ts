/**
 * Matches security-audit problems (test/support/security-audit.ts) to the opt-outs the objects declare
 * in their `ai-agent-platform.io/security-opt-outs` annotation: a weakened default is fine only when
 * the output says it was chosen.
 */
import { SECURITY_OPT_OUTS_ANNOTATION } from '../../lib';
import { auditSecurity } from './security-audit';

/** `Kind/namespace/name` → the opt-outs its annotation declares. */
export function declaredOptOuts(objects: readonly any[]): Record<string, string[]> {
  const declared: Record<string, string[]> = {};
  for (const o of objects) {
    const value = o.metadata?.annotations?.[SECURITY_OPT_OUTS_ANNOTATION];
    if (value) declared[`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`] = String(value).split(',');
  }
  return declared;
}

/** Which opt-out explains an audit problem. */
const EXPLAINED_BY: ReadonlyArray<[RegExp, string, (where: string) => string]> = [
  [/^(\w+\/[^/]*\/[^:]+): mounts a service-account token/, 'service-account-token', (w) => w],
  [
    /^(\w+\/[^/]*\/[^:]+): has more than one replica or an autoscaler but no PodDisruptionBudget/,
    'pod-disruption-budget',
    (w) => w,
  ],
  [
    /^Namespace\/([^:]+): has pods but no default-deny NetworkPolicy/,
    'default-deny-network-policy',
    (ns) => `Namespace//${ns}`,
  ],
];

/** Audit problems that no declared opt-out explains. */
export function undeclaredProblems(objects: readonly any[]): string[] {
  const declared = declaredOptOuts(objects);
  return auditSecurity(objects).filter((problem) => !EXPLAINED_BY.some(([pattern, optOut, key]) => {
    const m = pattern.exec(problem);
    return m !== null && (declared[key(m[1])] ?? []).includes(optOut);
  }));
}
