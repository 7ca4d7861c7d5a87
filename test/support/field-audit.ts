/**
 * The API server's field rules (lib/core/field-rules.ts) applied to rendered objects: a second check,
 * independent of the constructs' own validation, over every field a user value can reach. It reads the
 * manifests only, as the API server would: object names by kind, namespaces, labels and selectors,
 * annotations, pod specs (containers, ports, env and its references, volumes and mounts, resources,
 * tolerations), ConfigMap and Secret keys, claims, Ingresses, HPAs, quotas, RBAC, and the CRDs' references.
 */
import {
  ANNOTATIONS_MAX_BYTES, FIELD_RULES, FieldRule, isQualifiedName, tolerationProblems,
} from '../../lib/core/field-rules';

type Json = any;

/** Every problem of `objects`, each `Kind namespace/name: path (value) must ...`. */
export function fieldProblems(objects: readonly Json[]): string[] {
  return objects.flatMap((o) => new ObjectAudit(o).run());
}

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
/** Resource names a container may request besides extended resources (`IsStandardContainerResourceName`). */
const CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

class ObjectAudit {
  private readonly problems: string[] = [];
  private readonly subject: string;

  constructor(private readonly object: Json) {
    const m = object?.metadata ?? {};
    this.subject = `${object?.kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name}`;
  }

  public run(): string[] {
    const o = this.object;
    const nameRule = o.kind === 'Namespace' ? FIELD_RULES.namespaceName
      : o.kind === 'Service' ? FIELD_RULES.serviceName : FIELD_RULES.objectName;
    this.rule(nameRule, 'metadata.name', o.metadata?.name);
    this.optional(FIELD_RULES.namespaceName, 'metadata.namespace', o.metadata?.namespace);
    this.walk(o, '');
    this.byKind(o);
    return this.problems;
  }

  private fail(path: string, value: unknown, allowed: string): void {
    this.problems.push(`${this.subject}: ${path} (${JSON.stringify(value)}) ${allowed}`);
  }

  private rule(rule: FieldRule, path: string, value: unknown): void {
    if (typeof value !== 'string' || !rule.test(value)) this.fail(path, value, rule.allowed);
  }

  /** {@link rule}, unless the field is absent. */
  private optional(rule: FieldRule, path: string, value: unknown): void {
    if (value !== undefined) this.rule(rule, path, value);
  }

  /** {@link rule} for every item of a list (absent: none). */
  private each(rule: FieldRule, path: string, values: unknown[] | undefined): void {
    (values ?? []).forEach((value, i) => this.rule(rule, `${path}[${i}]`, value));
  }

  /** Generic fields, wherever they appear: metadata, selectors, pod specs, port names. */
  private walk(node: Json, path: string): void {
    if (Array.isArray(node)) {
      node.forEach((item, i) => this.walk(item, `${path}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const p = path ? `${path}.${key}` : key;
      if (key === 'labels' && path.endsWith('metadata')) this.labels(p, value);
      else if (key === 'annotations' && path.endsWith('metadata')) this.annotations(p, value);
      else if (key === 'matchLabels' || key === 'nodeSelector') this.labels(p, value);
      else if (key === 'matchExpressions') this.expressions(p, value as Json[]);
      else if (key === 'containers' && Array.isArray(value)) this.pod(path, node);
      if (key === 'ports' && Array.isArray(value)) this.ports(p, value);
      if (key === 'topologyKey') this.rule(FIELD_RULES.labelKey, p, value);
      this.walk(value, p);
    }
  }

  private labels(path: string, labels: Json): void {
    for (const [k, v] of Object.entries(labels ?? {})) {
      this.rule(FIELD_RULES.labelKey, `${path} key`, k);
      this.rule(FIELD_RULES.labelValue, `${path}.${k}`, v);
    }
  }

  private annotations(path: string, annotations: Json): void {
    let bytes = 0;
    for (const [k, v] of Object.entries(annotations ?? {})) {
      this.rule(FIELD_RULES.annotationKey, `${path} key`, k);
      bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
    }
    if (bytes > ANNOTATIONS_MAX_BYTES) this.fail(path, `${bytes} bytes`, `must total at most ${ANNOTATIONS_MAX_BYTES}`);
  }

  private expressions(path: string, expressions: Json[]): void {
    expressions.forEach((e, i) => {
      this.rule(FIELD_RULES.labelKey, `${path}[${i}].key`, e.key);
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) {
        this.fail(`${path}[${i}].operator`, e.operator, 'must be In, NotIn, Exists or DoesNotExist');
      }
      const hasValues = (e.values ?? []).length > 0;
      if (hasValues !== ['In', 'NotIn'].includes(e.operator)) {
        this.fail(`${path}[${i}].values`, e.values, 'must be set for In and NotIn only');
      }
      this.each(FIELD_RULES.labelValue, `${path}[${i}].values`, e.values);
    });
  }

  /** Named ports: container, Service and PodMonitor ports; a Service's or policy's port given by name. */
  private ports(path: string, ports: Json[]): void {
    ports.forEach((port, i) => {
      if (port?.name !== undefined) this.rule(FIELD_RULES.portName, `${path}[${i}].name`, port.name);
      for (const key of ['targetPort', 'port']) {
        if (typeof port?.[key] === 'string') this.rule(FIELD_RULES.portName, `${path}[${i}].${key}`, port[key]);
      }
    });
  }

  private pod(path: string, spec: Json): void {
    const volumes: Json[] = spec.volumes ?? [];
    // A StatefulSet's claim templates are volumes of its pods too.
    const claims: Json[] = this.object.kind === 'StatefulSet' ? this.object.spec?.volumeClaimTemplates ?? [] : [];
    const volumeNames = new Set<string>(claims.map((t) => t.metadata?.name));
    volumes.forEach((v, i) => {
      const p = `${path}.volumes[${i}]`;
      this.rule(FIELD_RULES.volumeName, `${p}.name`, v.name);
      if (volumeNames.has(v.name)) this.fail(`${p}.name`, v.name, 'must be unique');
      volumeNames.add(v.name);
      if (v.configMap) this.rule(FIELD_RULES.objectName, `${p}.configMap.name`, v.configMap.name);
      if (v.secret) this.rule(FIELD_RULES.objectName, `${p}.secret.secretName`, v.secret.secretName);
      if (v.persistentVolumeClaim) {
        this.rule(FIELD_RULES.objectName, `${p}.persistentVolumeClaim.claimName`, v.persistentVolumeClaim.claimName);
      }
      if (v.emptyDir?.sizeLimit !== undefined) this.quantity(`${p}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit);
      (v.projected?.sources ?? []).forEach((source: Json, j: number) => {
        const sp = `${p}.projected.sources[${j}]`;
        const ref = source.secret ?? source.configMap;
        if (!ref) return;
        this.rule(FIELD_RULES.objectName, `${sp}.name`, ref.name);
        (ref.items ?? []).forEach((item: Json, k: number) => {
          this.rule(FIELD_RULES.configMapKey, `${sp}.items[${k}].key`, item.key);
          if (typeof item.path !== 'string' || item.path.startsWith('/') || item.path.split('/').includes('..')) {
            this.fail(`${sp}.items[${k}].path`, item.path, "must be a relative path without '..'");
          }
        });
      });
    });
    (spec.tolerations ?? []).forEach((t: Json, i: number) => {
      for (const problem of tolerationProblems(t)) this.fail(`${path}.tolerations[${i}]`, t, problem);
    });
    [...(spec.initContainers ?? []), ...spec.containers].forEach((c: Json, i: number) => {
      this.container(`${path}.containers[${i}]`, c, volumeNames);
    });
  }

  private container(path: string, c: Json, volumes: ReadonlySet<string>): void {
    this.rule(FIELD_RULES.dns1123Label, `${path}.name`, c.name);
    (c.env ?? []).forEach((e: Json, i: number) => {
      const p = `${path}.env[${i}]`;
      this.rule(FIELD_RULES.envVarName, `${p}.name`, e.name);
      for (const kind of ['secretKeyRef', 'configMapKeyRef']) {
        const ref = e.valueFrom?.[kind];
        if (!ref) continue;
        this.rule(FIELD_RULES.objectName, `${p}.valueFrom.${kind}.name`, ref.name);
        this.rule(FIELD_RULES.configMapKey, `${p}.valueFrom.${kind}.key`, ref.key);
      }
    });
    const mountPaths = new Set<string>();
    (c.volumeMounts ?? []).forEach((m: Json, i: number) => {
      const p = `${path}.volumeMounts[${i}]`;
      if (!volumes.has(m.name)) this.fail(`${p}.name`, m.name, 'must name a volume of the pod');
      if (typeof m.mountPath !== 'string' || !m.mountPath) this.fail(`${p}.mountPath`, m.mountPath, 'is required');
      if (mountPaths.has(m.mountPath)) this.fail(`${p}.mountPath`, m.mountPath, 'must be unique');
      mountPaths.add(m.mountPath);
    });
    for (const which of ['requests', 'limits']) {
      for (const [name, q] of Object.entries(c.resources?.[which] ?? {})) {
        const p = `${path}.resources.${which}`;
        if (!CONTAINER_RESOURCES.includes(name) && !FIELD_RULES.extendedResourceName.test(name)) {
          this.fail(`${p} key`, name, `must be ${CONTAINER_RESOURCES.join(', ')} or an extended resource name`);
        }
        this.quantity(`${p}.${name}`, q);
      }
    }
  }

  private quantity(path: string, value: unknown): void {
    this.rule(FIELD_RULES.quantity, path, typeof value === 'number' ? String(value) : value);
  }

  private byKind(o: Json): void {
    const spec = o.spec ?? {};
    switch (o.kind) {
      case 'ConfigMap':
      case 'Secret':
        for (const key of [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})]) {
          this.rule(FIELD_RULES.configMapKey, 'data key', key);
        }
        break;
      case 'Service':
        this.labels('spec.selector', spec.selector);
        break;
      case 'PersistentVolumeClaim':
        this.claim('spec', spec);
        break;
      case 'StatefulSet':
        this.rule(FIELD_RULES.serviceName, 'spec.serviceName', spec.serviceName);
        (spec.volumeClaimTemplates ?? []).forEach((t: Json, i: number) => {
          this.rule(FIELD_RULES.objectName, `spec.volumeClaimTemplates[${i}].metadata.name`, t.metadata?.name);
          this.claim(`spec.volumeClaimTemplates[${i}].spec`, t.spec);
        });
        break;
      case 'Ingress':
        this.ingress(spec);
        break;
      case 'HorizontalPodAutoscaler':
        this.rule(FIELD_RULES.objectName, 'spec.scaleTargetRef.name', spec.scaleTargetRef?.name);
        (spec.metrics ?? []).forEach((m: Json, i: number) => {
          const metric = m.pods?.metric ?? m.external?.metric;
          if (metric) this.rule(FIELD_RULES.pathSegmentName, `spec.metrics[${i}].metric.name`, metric.name);
        });
        break;
      case 'ResourceQuota':
        for (const [name, q] of Object.entries(spec.hard ?? {})) {
          if (!isQualifiedName(name)) this.fail('spec.hard key', name, FIELD_RULES.labelKey.allowed);
          this.quantity(`spec.hard.${name}`, q);
        }
        break;
      case 'LimitRange':
        (spec.limits ?? []).forEach((l: Json, i: number) => {
          for (const which of ['default', 'defaultRequest', 'max', 'min']) {
            for (const [name, q] of Object.entries(l[which] ?? {})) {
              this.quantity(`spec.limits[${i}].${which}.${name}`, q);
            }
          }
        });
        break;
      case 'RoleBinding':
        this.rule(FIELD_RULES.pathSegmentName, 'roleRef.name', o.roleRef?.name);
        (o.subjects ?? []).forEach((s: Json, i: number) => {
          if (typeof s.name !== 'string' || s.name === '') this.fail(`subjects[${i}].name`, s.name, 'is required');
        });
        break;
      case 'HTTPRoute':
        this.httpRoute(spec);
        break;
      case 'ScaledObject':
        this.rule(FIELD_RULES.objectName, 'spec.scaleTargetRef.name', spec.scaleTargetRef?.name);
        this.rule(FIELD_RULES.objectName, 'spec.advanced.horizontalPodAutoscalerConfig.name',
          spec.advanced?.horizontalPodAutoscalerConfig?.name);
        break;
      case 'PodMonitor':
        (spec.podMetricsEndpoints ?? []).forEach((e: Json, i: number) => {
          this.rule(FIELD_RULES.portName, `spec.podMetricsEndpoints[${i}].port`, e.port);
        });
        break;
    }
  }

  private claim(path: string, spec: Json): void {
    if (spec?.storageClassName !== undefined && spec.storageClassName !== '') {
      this.rule(FIELD_RULES.storageClassName, `${path}.storageClassName`, spec.storageClassName);
    }
    (spec?.accessModes ?? []).forEach((mode: string, i: number) => {
      if (!ACCESS_MODES.includes(mode)) this.fail(`${path}.accessModes[${i}]`, mode, `must be one of ${ACCESS_MODES}`);
    });
    this.quantity(`${path}.resources.requests.storage`, spec?.resources?.requests?.storage);
  }

  private ingress(spec: Json): void {
    if (spec.ingressClassName !== undefined) {
      this.rule(FIELD_RULES.ingressClassName, 'spec.ingressClassName', spec.ingressClassName);
    }
    (spec.tls ?? []).forEach((t: Json, i: number) => {
      this.rule(FIELD_RULES.objectName, `spec.tls[${i}].secretName`, t.secretName);
      this.each(FIELD_RULES.ingressHost, `spec.tls[${i}].hosts`, t.hosts);
    });
    (spec.rules ?? []).forEach((r: Json, i: number) => {
      if (r.host !== undefined) this.rule(FIELD_RULES.ingressHost, `spec.rules[${i}].host`, r.host);
      (r.http?.paths ?? []).forEach((p: Json, j: number) => {
        const path = `spec.rules[${i}].http.paths[${j}]`;
        if (p.pathType !== 'ImplementationSpecific') this.rule(FIELD_RULES.ingressPath, `${path}.path`, p.path);
        this.rule(FIELD_RULES.serviceName, `${path}.backend.service.name`, p.backend?.service?.name);
      });
    });
  }

  private httpRoute(spec: Json): void {
    (spec.parentRefs ?? []).forEach((ref: Json, i: number) => {
      this.rule(FIELD_RULES.objectName, `spec.parentRefs[${i}].name`, ref.name);
      this.optional(FIELD_RULES.namespaceName, `spec.parentRefs[${i}].namespace`, ref.namespace);
      this.optional(FIELD_RULES.dns1123Subdomain, `spec.parentRefs[${i}].sectionName`, ref.sectionName);
    });
    this.each(FIELD_RULES.ingressHost, 'spec.hostnames', spec.hostnames);
    (spec.rules ?? []).forEach((r: Json, i: number) => {
      (r.backendRefs ?? []).forEach((b: Json, j: number) => {
        this.rule(FIELD_RULES.serviceName, `spec.rules[${i}].backendRefs[${j}].name`, b.name);
      });
    });
  }
}
