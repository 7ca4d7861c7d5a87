import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Options of {@link PlatformNetworkPolicies}. */
export interface PlatformNetworkPoliciesProps {
  readonly namespace: string;
  readonly partOf: string;
  readonly ingressNamespace: string;
  readonly monitoringNamespace: string;
}

/**
 * Default-deny for every pod of the namespace, then explicit allows: DNS to kube-dns, traffic between
 * the platform's own pods, the ingress controller and Prometheus to the platform's pods.
 */
export class PlatformNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: PlatformNetworkPoliciesProps) {
    super(scope, id);
    const { namespace, partOf } = props;
    const platformPods = { matchLabels: { 'app.kubernetes.io/part-of': partOf } };
    const inNamespace = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
    const policy = (cid: string, name: string, spec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, cid, { metadata: { name, namespace }, spec });

    policy('DefaultDeny', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('AllowDns', 'allow-dns-egress', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: inNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
      }],
    });
    policy('AllowPlatform', 'allow-platform-internal', {
      podSelector: platformPods,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: platformPods }] }],
      egress: [{ to: [{ podSelector: platformPods }] }],
    });
    policy('AllowIngressController', 'allow-ingress-controller', {
      podSelector: platformPods,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: inNamespace(props.ingressNamespace) }], ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromString('http') }] }],
    });
    policy('AllowMonitoring', 'allow-prometheus-scrape', {
      podSelector: platformPods,
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: inNamespace(props.monitoringNamespace) }],
        ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromString('http') }, { protocol: 'TCP', port: k8s.IntOrString.fromString('metrics') }],
      }],
    });
  }
}
