/**
 * Audits synthesized Kubernetes objects against the Pod Security Standards *restricted* profile and the
 * platform's own safety rules. Returns every violation as `Kind/namespace/name: problem`; empty means clean.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function auditSecurity(objects: readonly any[]): string[] {
  const problems: string[] = [];
  const id = (o: any) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  const workloads = objects.filter((o) => POD_TEMPLATE[o.kind]);
  const namespacesWithPods = new Set<string>();

  for (const workload of workloads) {
    const template = POD_TEMPLATE[workload.kind](workload);
    const pod = template?.spec;
    const where = id(workload);
    const fail = (problem: string) => problems.push(`${where}: ${problem}`);
    if (!pod) { fail('has no pod template'); continue; }
    namespacesWithPods.add(workload.metadata?.namespace ?? 'default');

    for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[host]) fail(`${host} is set`);
    for (const volume of pod.volumes ?? []) if (volume.hostPath) fail(`volume ${volume.name} is a hostPath`);
    if (pod.automountServiceAccountToken !== false) {
      fail('mounts a service-account token (automountServiceAccountToken is not false)');
    }
    const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    for (const c of containers) {
      const sc = c.securityContext ?? {};
      const psc = pod.securityContext ?? {};
      const cfail = (problem: string) => fail(`container ${c.name}: ${problem}`);
      if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) cfail('runAsNonRoot is not true');
      if ((sc.runAsUser ?? psc.runAsUser) === 0) cfail('runs as UID 0');
      if (sc.allowPrivilegeEscalation !== false) cfail('allowPrivilegeEscalation is not false');
      if (sc.privileged) cfail('is privileged');
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) cfail('does not drop ALL capabilities');
      const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
      if (added.length) cfail(`adds capabilities ${added.join(', ')}`);
      const seccomp = (sc.seccompProfile ?? psc.seccompProfile)?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') cfail(`seccompProfile is ${seccomp ?? 'unset'}`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) cfail('has no cpu/memory requests');
      if (!c.resources?.limits?.memory) cfail('has no memory limit');
      if (
        !/^[^@]+(:[^:/@]+)(@sha256:[a-f0-9]{64})?$|@sha256:[a-f0-9]{64}$/.test(c.image ?? '') ||
        /:latest$/.test(c.image)
      ) {
        cfail(`image ${JSON.stringify(c.image)} is not pinned to a tag other than latest or a digest`);
      }
      for (const env of c.env ?? []) {
        if (env.value !== undefined && SECRET_NAME.test(env.name) && env.value !== '') {
          cfail(`env ${env.name} holds a literal secret`);
        }
      }
    }
  }

  // Every Service in front of pods: the pods have readiness probes.
  for (const service of objects.filter((o) => o.kind === 'Service' && o.spec?.selector)) {
    const backing = workloads.filter((w) => w.metadata?.namespace === service.metadata?.namespace
      && matches(service.spec.selector, POD_TEMPLATE[w.kind](w)?.metadata?.labels ?? {}));
    if (backing.length === 0) problems.push(`${id(service)}: selects no pods of this output`);
    for (const w of backing) {
      const containers = POD_TEMPLATE[w.kind](w)?.spec?.containers ?? [];
      if (!containers.some((c: any) => c.readinessProbe)) {
        problems.push(`${id(service)}: backing ${id(w)} has no readiness probe`);
      }
    }
  }

  // A PodDisruptionBudget for every workload with more than one replica or an autoscaler.
  const autoscaled = new Set(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject')
    .map((o) => `${o.metadata?.namespace}/${o.spec?.scaleTargetRef?.name}`));
  for (const w of workloads.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
    const key = `${w.metadata?.namespace}/${w.metadata?.name}`;
    if ((w.spec?.replicas ?? 1) <= 1 && !autoscaled.has(key)) continue;
    const labels = w.spec?.template?.metadata?.labels ?? {};
    const covered = objects.some(
      (o) =>
        o.kind === 'PodDisruptionBudget' &&
        o.metadata?.namespace === w.metadata?.namespace &&
        matches(o.spec?.selector?.matchLabels ?? {}, labels),
    );
    if (!covered) problems.push(`${id(w)}: has more than one replica or an autoscaler but no PodDisruptionBudget`);
  }

  // A default-deny NetworkPolicy in every namespace with pods.
  for (const ns of namespacesWithPods) {
    const denies = objects.some((o) => o.kind === 'NetworkPolicy' && (o.metadata?.namespace ?? 'default') === ns
      && Object.keys(o.spec?.podSelector ?? { x: 1 }).length === 0
      && ['Ingress', 'Egress'].every((t) => (o.spec?.policyTypes ?? []).includes(t))
      && !o.spec?.ingress && !o.spec?.egress);
    if (!denies) problems.push(`Namespace/${ns}: has pods but no default-deny NetworkPolicy`);
  }

  // No secret-looking literals in ConfigMaps.
  for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
    for (const [key, value] of Object.entries<string>(cm.data ?? {})) {
      if (SECRET_LITERAL.test(String(value))) {
        problems.push(`${id(cm)}: key ${key} looks like it holds a literal secret`);
      }
    }
  }
  return problems;
}

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
const SECRET_LITERAL =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(password|passwd|secret|api[_-]?key|token)\s*[:=]\s*["']?[A-Za-z0-9+/_-]{8,}/i;

const POD_TEMPLATE: Record<string, (o: any) => any> = {
  Deployment: (o) => o.spec?.template,
  StatefulSet: (o) => o.spec?.template,
  DaemonSet: (o) => o.spec?.template,
  ReplicaSet: (o) => o.spec?.template,
  Job: (o) => o.spec?.template,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template,
  Pod: (o) => ({ metadata: o.metadata, spec: o.spec }),
};

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
