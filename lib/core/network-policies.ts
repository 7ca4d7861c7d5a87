import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { METRICS_PORT_NAMES, TENANT_LABEL } from './pod';
import { COMPONENT_LABEL, WorkloadRole } from './workload-role';

const port = (protocol: string, value: number | string) => ({
  protocol,
  port: typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value),
});
const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
const anyTenantNamespace = { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] };
/** Labels of the platform's gateway pods (AgentGateway renders them): what tenant namespaces let in. */
export function gatewayPodLabels(partOf: string): Record<string, string> {
  return { [COMPONENT_LABEL]: WorkloadRole.GATEWAY, 'app.kubernetes.io/part-of': partOf };
}
const gatewayPods = (partOf: string) => ({ matchLabels: gatewayPodLabels(partOf) });

function policy(
  scope: Construct,
  id: string,
  name: string,
  namespace: string,
  spec: k8s.NetworkPolicySpec,
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, id, { metadata: { name, namespace }, spec });
}

/** Default-deny for every pod of a namespace, and DNS to kube-dns: the base of every namespace with pods. */
function denyAllButDns(scope: Construct, namespace: string): void {
  policy(scope, 'DefaultDeny', 'default-deny-all', namespace, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  policy(scope, 'AllowDns', 'allow-dns-egress', namespace, {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{
      to: [{ namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [port('UDP', 53), port('TCP', 53)],
    }],
  });
}

/** Prometheus (in its namespace) may scrape the selected pods. */
function allowScrape(
  scope: Construct,
  namespace: string,
  podSelector: k8s.LabelSelector,
  monitoringNamespace: string,
): void {
  policy(scope, 'AllowMonitoring', 'allow-prometheus-scrape', namespace, {
    podSelector,
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ namespaceSelector: inNamespace(monitoringNamespace) }],
        ports: Object.values(METRICS_PORT_NAMES).map((name) => port('TCP', name)),
      },
    ],
  });
}

/** Options of {@link PlatformNetworkPolicies}. */
export interface PlatformNetworkPoliciesProps {
  readonly namespace: string;
  readonly partOf: string;
  readonly ingressNamespace: string;
  readonly monitoringNamespace: string;
}

/**
 * Default-deny for every pod of the platform namespace, then explicit allows: DNS to kube-dns, traffic
 * between the platform's own pods, the ingress controller and Prometheus to the platform's pods.
 */
export class PlatformNetworkPolicies extends Construct {
  private readonly props: PlatformNetworkPoliciesProps;

  constructor(scope: Construct, id: string, props: PlatformNetworkPoliciesProps) {
    super(scope, id);
    this.props = props;
    const { namespace, partOf } = props;
    const platformPods = { matchLabels: { 'app.kubernetes.io/part-of': partOf } };
    denyAllButDns(this, namespace);
    policy(this, 'AllowPlatform', 'allow-platform-internal', namespace, {
      podSelector: platformPods,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: platformPods }] }],
      egress: [{ to: [{ podSelector: platformPods }] }],
    });
    policy(this, 'AllowIngressController', 'allow-ingress-controller', namespace, {
      podSelector: platformPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: inNamespace(props.ingressNamespace) }], ports: [port('TCP', 'http')] }],
    });
    allowScrape(this, namespace, platformPods, props.monitoringNamespace);
  }

  /**
   * Opens the platform namespace to tenants: tenant pods may reach the shared Redis and model services,
   * and the gateway may reach tenant pods. Idempotent.
   */
  public allowTenants(): void {
    if (this.node.tryFindChild('AllowTenantsToShared')) return;
    const { namespace, partOf } = this.props;
    policy(this, 'AllowTenantsToShared', 'allow-tenants-to-shared-services', namespace, {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/part-of': partOf },
        matchExpressions: [
          { key: COMPONENT_LABEL, operator: 'In', values: [WorkloadRole.CACHE, WorkloadRole.MODEL_SERVICE] },
        ],
      },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: anyTenantNamespace }] }],
    });
    policy(this, 'AllowGatewayToTenants', 'allow-gateway-to-tenants', namespace, {
      podSelector: gatewayPods(partOf),
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: anyTenantNamespace }], ports: [port('TCP', 'http')] }],
    });
  }
}

/** Options of {@link TenantNetworkPolicies}. */
export interface TenantNetworkPoliciesProps {
  readonly namespace: string;
  readonly tenant: string;
  readonly platformNamespace: string;
  readonly partOf: string;
  readonly monitoringNamespace: string;
}

/**
 * A tenant namespace's policies: default-deny; in, only the platform's gateway and Prometheus; out, only
 * DNS and the platform's shared Redis and model services; pods of the same tenant talk freely. Nothing
 * reaches another tenant.
 */
export class TenantNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: TenantNetworkPoliciesProps) {
    super(scope, id);
    const { namespace, platformNamespace, partOf } = props;
    denyAllButDns(this, namespace);
    policy(this, 'AllowTenant', 'allow-tenant-internal', namespace, {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    policy(this, 'AllowGateway', 'allow-gateway-ingress', namespace, {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: inNamespace(platformNamespace), podSelector: gatewayPods(partOf) }],
          ports: [port('TCP', 'http')],
        },
      ],
    });
    policy(this, 'AllowShared', 'allow-shared-services-egress', namespace, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: inNamespace(platformNamespace),
              podSelector: {
                matchLabels: { [COMPONENT_LABEL]: WorkloadRole.CACHE, 'app.kubernetes.io/part-of': partOf },
              },
            },
          ],
          ports: [port('TCP', 6379)],
        },
        {
          to: [
            {
              namespaceSelector: inNamespace(platformNamespace),
              podSelector: {
                matchLabels: { [COMPONENT_LABEL]: WorkloadRole.MODEL_SERVICE, 'app.kubernetes.io/part-of': partOf },
              },
            },
          ],
          ports: [port('TCP', 'http')],
        },
      ],
    });
    allowScrape(this, namespace, {}, props.monitoringNamespace);
  }
}
