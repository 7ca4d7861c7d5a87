import { WorkloadRole } from '../workloads/workload';

/**
 * A picture of the synthesized platform: a Mermaid flowchart derived from the model (never hand-drawn),
 * written to `dist/architecture.md`. Built by {@link AiAgentPlatform.architecture}; every field is a
 * display string, not a value to compute with.
 */
export interface ArchitectureModel {
  /** Construct id of the platform chart; the document's title. */
  readonly platform: string;
  /** Namespace of the platform; its subgraph is drawn first. */
  readonly namespace: string;
  /** The nginx gateway in front of the workloads; absent when the platform has none. */
  readonly gateway?: {
    /** Name of the gateway (its Deployment and Service). */
    readonly name: string;
    /** `server_name` the gateway answers to; absent when it has none. */
    readonly host?: string;
    /** One entry per routed location, in the gateway's order. */
    readonly routes: ReadonlyArray<{
      /** Location prefix, e.g. `/api/v1/agent/`. */
      readonly path: string;
      /** Name of the nginx upstream the location proxies to. */
      readonly upstream: string;
      /** Service of the workload behind the upstream; empty when the upstream is not a workload. */
      readonly services: readonly string[];
    }>;
  };
  /** The Deployments, the platform's own and the tenants'. */
  readonly workloads: ReadonlyArray<{
    /** Name of the Deployment. */
    readonly name: string;
    /** Name of the Service in front of it. */
    readonly serviceName: string;
    /** Namespace it runs in. */
    readonly namespace: string;
    /** What it is for (its `app.kubernetes.io/component` label), e.g. `agent` or `model`. */
    readonly role: WorkloadRole;
    /** The fixed replica count, or `autoscaled` when an autoscaler owns it. */
    readonly replicas: string;
    /** GPUs per pod, e.g. `1 × NVIDIA A100 80GB`; absent for CPU-only workloads. */
    readonly gpu?: string;
  }>;
  /** The platform's Redis; absent when the platform has none. */
  readonly redis?: {
    /** Name of the StatefulSet and Service. */
    readonly name: string;
    /** Size of its persistent volume as a Kubernetes quantity, e.g. `10Gi`. */
    readonly storage: string;
  };
  /** The autoscalers (HPA or KEDA ScaledObject). */
  readonly autoscalers: ReadonlyArray<{
    /** Name of the autoscaler. */
    readonly name: string;
    /** Name of the Deployment it scales. */
    readonly target: string;
    /** Replica range, e.g. `2-10 replicas`, with ` (KEDA)` appended when KEDA scales. */
    readonly range: string;
  }>;
  /** The PrometheusRules (zero or one). */
  readonly alerts: ReadonlyArray<{
    /** Name of the PrometheusRule. */
    readonly name: string;
    /** Namespace of the PrometheusRule. */
    readonly namespace: string;
    /** Names of its alerts. */
    readonly rules: readonly string[];
  }>;
  /** The tenants, each drawn as its own namespace. */
  readonly tenants: ReadonlyArray<{
    /** Name of the tenant. */
    readonly name: string;
    /** The tenant's namespace. */
    readonly namespace: string;
    /** Name of the tenant's rate plan. */
    readonly plan: string;
    /** Names of the tenant's own agent Deployments; empty when it uses the shared pools. */
    readonly pools: readonly string[];
  }>;
}

/** Renders the model as Markdown with one Mermaid flowchart. Deterministic. */
export function renderArchitecture(model: ArchitectureModel): string {
  const lines: string[] = ['flowchart LR'];
  // Labels are lines of user text, each escaped, joined by Mermaid line breaks.
  const node = (id: string, label: string[], shape: 'box' | 'round' | 'db' | 'hex' = 'box') => {
    const text = `"${label.map(escapeLabel).join('<br/>')}"`;
    const [open, close] = { box: ['[', ']'], round: ['(', ')'], db: ['[(', ')]'], hex: ['{{', '}}'] }[shape];
    lines.push(`  ${id}${open}${text}${close}`);
  };
  const wid = (name: string, namespace: string) => idOf('w', `${namespace}/${name}`);
  const sid = (name: string, namespace: string) => idOf('s', `${namespace}/${name}`);

  node('clients', ['Clients'], 'round');
  if (model.gateway) {
    node('gateway', [model.gateway.name, 'nginx gateway', ...(model.gateway.host ? [model.gateway.host] : [])], 'hex');
    lines.push('  clients -->|HTTPS| gateway');
  }

  const byNamespace = new Map<string, ArchitectureModel['workloads'][number][]>();
  for (const w of model.workloads) byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);
  const tenantOf = new Map(model.tenants.map((t) => [t.namespace, t]));
  for (const t of model.tenants) if (!byNamespace.has(t.namespace)) byNamespace.set(t.namespace, []);
  for (const [namespace, workloads] of [...byNamespace.entries()].sort(([a], [b]) => (a === model.namespace ? -1 : b === model.namespace ? 1 : a.localeCompare(b)))) {
    const tenant = tenantOf.get(namespace);
    lines.push(`  subgraph ${idOf('ns', namespace)}["${escapeLabel(tenant ? `tenant ${tenant.name} (${namespace}, plan ${tenant.plan})` : `namespace ${namespace}`)}"]`);
    for (const w of workloads) {
      node(sid(w.serviceName, namespace), [`Service ${w.serviceName}`], 'round');
      node(wid(w.name, namespace), [`Deployment ${w.name}`, `${w.role}, replicas ${w.replicas}`, ...(w.gpu ? [w.gpu] : [])]);
      lines.push(`  ${sid(w.serviceName, namespace)} --> ${wid(w.name, namespace)}`);
    }
    if (tenant && workloads.length === 0) node(idOf('shared', namespace), [`${tenant.name} uses the shared agent pools`], 'round');
    if (namespace === model.namespace && model.redis) node('redis', [`Redis ${model.redis.name}`, `${model.redis.storage} volume`], 'db');
    lines.push('  end');
  }
  if (!byNamespace.has(model.namespace) && model.redis) node('redis', [`Redis ${model.redis.name}`, `${model.redis.storage} volume`], 'db');

  for (const route of model.gateway?.routes ?? []) {
    for (const service of route.services) {
      const target = model.workloads.find((w) => w.serviceName === service);
      if (target) lines.push(`  gateway -->|"${escapeLabel(`${route.path} → ${route.upstream}`)}"| ${sid(service, target.namespace)}`);
    }
  }
  if (model.redis) {
    for (const w of model.workloads.filter((x) => x.role === WorkloadRole.AGENT)) {
      lines.push(`  ${wid(w.name, w.namespace)} -.-> redis`);
    }
  }
  for (const a of model.autoscalers) {
    const target = model.workloads.find((w) => w.name === a.target);
    node(idOf('hpa', a.name), [`Autoscaler ${a.name}`, a.range], 'round');
    if (target) lines.push(`  ${idOf('hpa', a.name)} -. scales .-> ${wid(target.name, target.namespace)}`);
  }
  for (const rule of model.alerts) {
    node(idOf('alerts', rule.name), [`PrometheusRule ${rule.name} (${rule.namespace})`, rule.rules.join(', ')], 'round');
    lines.push(`  ${idOf('alerts', rule.name)} -. watches .-> ${model.gateway ? 'gateway' : 'clients'}`);
  }

  const header = [
    `# Architecture of ${model.platform}`,
    '',
    'Generated by `npm run synth` from the platform model; do not edit. Rendered by GitHub and any Mermaid viewer.',
    '',
  ];
  return `${header.join('\n')}\n\`\`\`mermaid\n${lines.join('\n')}\n\`\`\`\n`;
}

function idOf(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Mermaid entity codes for the characters that would end or break a quoted label. */
function escapeLabel(text: string): string {
  return text.replace(/[#"<>|\n]/g, (c) => ({ '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '|': '#124;', '\n': ' ' })[c]!);
}
