import { Testing } from 'cdk8s';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { fieldProblems } from '../support/field-audit';
import { pattern } from '../support/patterns';

// The second check (test/support/field-audit.ts): the API server's field rules applied to rendered objects. It
// must find what it is for, or the reference platform's clean result would prove nothing.

const objects = () => JSON.parse(JSON.stringify(Testing.synth(buildReferencePlatform(Testing.app())))) as any[];
const find = (all: any[], kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name);

describe('the field audit of rendered objects', () => {
  test('finds nothing in the reference platform', () => {
    expect(fieldProblems(objects())).toEqual([]);
  });

  test.each<[string, (all: any[]) => void, RegExp]>([
    ['a label value', (all) => { find(all, 'Deployment', 'ai-agent').metadata.labels.team = 'a;b'; },
      /^Deployment ai-platform\/ai-agent: metadata.labels.team \("a;b"\) must be a Kubernetes label value/m],
    ['a Service name that is no DNS-1035 label',
      (all) => { find(all, 'Service', 'model-service').metadata.name = '0m'; },
      /^Service ai-platform\/0m: metadata.name \("0m"\) must be a DNS-1035 label/m],
    ['a Namespace name', (all) => { find(all, 'Namespace', 'ai-platform').metadata.name = 'a.b'; },
      /^Namespace a.b: metadata.name \("a.b"\) must be a DNS-1123 label/m],
    ['a Secret reference', (all) => {
      find(all, 'Deployment', 'ai-agent').spec.template.spec.containers[0].env
        .push({ name: 'K', valueFrom: { secretKeyRef: { name: 'a;b', key: '..k' } } });
    }, /env\[\d+\].valueFrom.secretKeyRef.name \("a;b"\)[\s\S]*env\[\d+\].valueFrom.secretKeyRef.key \("..k"\)/],
    ['an env name', (all) => {
      find(all, 'Deployment', 'ai-agent').spec.template.spec.containers[0].env.push({ name: '1A', value: 'x' });
    }, /env\[\d+\].name \("1A"\) must be an environment variable name/],
    ['a node selector', (all) => {
      find(all, 'Deployment', 'ai-agent').spec.template.spec.nodeSelector = { 'gpu type': 'x' };
    }, /spec.template.spec.nodeSelector key \("gpu type"\) must be a Kubernetes label key/],
    ['a toleration', (all) => {
      find(all, 'Deployment', 'ai-agent').spec.template.spec.tolerations[0].value = 'a;b';
    }, /tolerations\[0\] \(.*\) value must be a Kubernetes label value/],
    ['a mount path used twice', (all) => {
      const c = find(all, 'Deployment', 'ai-agent').spec.template.spec.containers[0];
      c.volumeMounts.push({ ...c.volumeMounts[0] });
    }, /volumeMounts\[\d+\].mountPath \("[^"]+"\) must be unique/],
    ['a volume name', (all) => { find(all, 'Deployment', 'ai-agent').spec.template.spec.volumes[0].name = 'Model'; },
      /volumes\[0\].name \("Model"\) must be a DNS-1123 label[\s\S]*must name a volume of the pod/],
    ['a port name', (all) => { find(all, 'Service', 'ai-agent-service').spec.ports[0].name = 'http_api'; },
      /spec.ports\[0\].name \("http_api"\) must be a port name/],
    ['a storage class', (all) => { find(all, 'PersistentVolumeClaim', 'model-pvc').spec.storageClassName = 'Fast'; },
      /spec.storageClassName \("Fast"\) must be a DNS-1123 subdomain/],
    ['an ingress class, host and path', (all) => {
      const ingress = find(all, 'Ingress', 'ai-agent-ingress');
      ingress.spec.ingressClassName = 'Nginx';
      ingress.spec.rules[0].host = '10.0.0.1';
      ingress.spec.rules[0].http.paths[0].path = '/api/v1//';
    }, /ingressClassName \("Nginx"\)[\s\S]*rules\[0\].host \("10.0.0.1"\)[\s\S]*paths\[0\].path \("\/api\/v1\/\/"\)/],
    ['an annotation key', (all) => { find(all, 'Ingress', 'ai-agent-ingress').metadata.annotations['a b'] = 'x'; },
      /metadata.annotations key \("a b"\) must be a Kubernetes annotation key/],
    ['an HPA selector and metric name', (all) => {
      const hpa = find(all, 'HorizontalPodAutoscaler', 'ai-agent-hpa');
      hpa.spec.metrics[2].pods.metric = { name: 'a/b', selector: { matchLabels: { model: 'a;b' } } };
    }, /(?=[\s\S]*metric.name \("a\/b"\) must be a path segment)(?=[\s\S]*matchLabels.model \("a;b"\))/],
    ['a NetworkPolicy namespace selector', (all) => {
      const policy = all.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'ai-gateway');
      policy.spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'Ingress NGINX';
    }, /matchLabels.kubernetes.io\/metadata.name \("Ingress NGINX"\) must be a Kubernetes label value/],
    ['a ConfigMap key', (all) => { find(all, 'ConfigMap', 'agent-config').data['..x'] = 'y'; },
      /^ConfigMap ai-platform\/agent-config: data key \("..x"\) must be a ConfigMap or Secret key/m],
    ['a quantity and a resource name', (all) => {
      const resources = find(all, 'Deployment', 'ai-agent').spec.template.spec.containers[0].resources;
      resources.limits.gpu = '1GB';
    }, pattern(
      /resources.limits key \("gpu"\) must be cpu, memory, ephemeral-storage or an extended resource name/,
      /[\s\S]*limits.gpu \("1GB"\) must be a Kubernetes quantity/,
    )],
    ['a RoleBinding subject without a name', (all) => {
      all.find((o) => o.kind === 'RoleBinding').subjects[0].name = '';
    }, /subjects\[0\].name \(""\) is required/],
  ])('finds %s', (_what, breakIt, problem) => {
    const all = objects();
    breakIt(all);
    expect(fieldProblems(all).join('\n')).toMatch(problem);
  });
});
