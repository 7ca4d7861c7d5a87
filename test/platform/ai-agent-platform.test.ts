import { ApiObject, Testing } from 'cdk8s';
import { AiAgentPlatform, GpuType } from '../../lib';
import { expectValidKubernetes, findObject, findObjects } from '../support/kube-schema';
import { pattern } from '../support/patterns';

const IMAGE = 'registry.example.com/ai-agent:v1.2.0';
const TLS = { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem', secretName: 'tls' };

function platformWith(props: ConstructorParameters<typeof AiAgentPlatform>[2] = {}) {
  const app = Testing.app();
  const platform = new AiAgentPlatform(app, 'ai-platform', props);
  return { app, platform };
}

describe('AiAgentPlatform', () => {
  test('owns a namespace that enforces the restricted Pod Security Standard', () => {
    const { platform } = platformWith();
    const objects = Testing.synth(platform);
    const ns = findObject(objects, 'Namespace', 'ai-platform');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(objects[0].kind).toBe('Namespace');
    for (const o of objects.filter((x: any) => x.kind !== 'Namespace')) {
      expect(o.metadata.namespace).toBe('ai-platform');
    }
  });

  test('composes agents, model services and Redis; agents get REDIS_URL', () => {
    const { platform } = platformWith();
    const agent = platform.addAgent('ai-agent', {
      image: IMAGE,
      gpu: { type: GpuType.A100_40GB },
      serviceName: 'ai-agent-service',
    });
    const model = platform.addModelService('model-service', { image: 'registry.example.com/model-service:v1.2.0' });
    const objects = Testing.synth(platform);
    expect(objects).toMatchSnapshot();
    expectValidKubernetes(objects);
    expect(platform.agents).toEqual([agent]);
    expect(platform.modelServices).toEqual([model]);
    expect(platform.allWorkloads).toEqual([agent, model]);
    expect(model.serviceName).toBe('model-service');
    const env = findObject(objects, 'Deployment', 'ai-agent').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'REDIS_URL', value: 'redis://redis:6379' });
    expect(findObject(objects, 'Deployment', 'model-service').spec.template.spec.containers[0].env).toBeUndefined();
    expect(findObject(objects, 'Deployment', 'model-service').metadata.labels['app.kubernetes.io/component']).toBe(
      'model',
    );
  });

  test('Redis is persistent: a StatefulSet with a volume claim template, under restricted security', () => {
    const { platform } = platformWith();
    const objects = Testing.synth(platform);
    const sts = findObject(objects, 'StatefulSet', 'redis');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(sts.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(sts.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(findObject(objects, 'Service', 'redis').spec.ports[0].port).toBe(6379);
    expect(platform.redis?.url).toBe('redis://redis:6379');
  });

  test('Redis can be turned off', () => {
    const { platform } = platformWith({ redis: false });
    platform.addAgent('ai-agent', { image: IMAGE });
    const objects = Testing.synth(platform);
    expect(findObjects(objects, 'StatefulSet')).toHaveLength(0);
    expect(findObject(objects, 'Deployment', 'ai-agent').spec.template.spec.containers[0].env).toBeUndefined();
  });

  test('default-deny network policies with explicit allows, which can be turned off', () => {
    const names = (objects: any[]) => findObjects(objects, 'NetworkPolicy').map((p) => p.metadata.name).sort();
    const on = Testing.synth(platformWith().platform);
    // The namespace's base policies, and one per pod group (here Redis alone) with its declared traffic.
    expect(names(on)).toEqual(['allow-dns-egress', 'allow-prometheus-scrape', 'default-deny-all', 'redis']);
    expect(findObject(on, 'NetworkPolicy', 'default-deny-all').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    // Redis without clients: its own policy names both directions and has no rule, so by itself it lets nothing pass.
    const redis = findObject(on, 'NetworkPolicy', 'redis').spec;
    expect([redis.policyTypes, redis.ingress, redis.egress]).toEqual([['Ingress', 'Egress'], undefined, undefined]);
    const { platform } = platformWith({ networkPolicies: { ingressNamespace: 'gateway-system' } });
    platform.addGateway('Gateway', { serverName: 'api.example.com', tls: TLS })
      .route('/v1/', platform.addAgent('ai-agent', { image: IMAGE }));
    const custom = Testing.synth(platform);
    expect(findObject(custom, 'NetworkPolicy', 'ai-gateway').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway-system' } } }],
      ports: [{ port: 'http', protocol: 'TCP' }],
    }]);
    expect(names(Testing.synth(platformWith({ networkPolicies: false }).platform))).toEqual([]);
  });

  test('collects artifacts lazily', () => {
    const { platform } = platformWith();
    let content = 'first';
    platform.addArtifacts(() => [{ path: 'nginx/nginx.conf', content }]);
    content = 'later';
    expect(platform.renderArtifacts().filter((a) => a.path !== 'architecture.md')).toEqual([
      { path: 'nginx/nginx.conf', content: 'later' },
    ]);
  });

  test('fails when the namespace is not a DNS label', () => {
    expect(() => platformWith({ namespace: 'AI Platform' })).toThrow(
      /AiAgentPlatform 'ai-platform': namespace \("AI Platform"\) must be a DNS-1123 label/,
    );
  });

  test('fails when the chart\'s labels (which cdk8s puts on every object) are no Kubernetes labels', () => {
    expect(() => platformWith({ labels: { 'cost center': 'a;b' } })).toThrow(pattern(
      /^AiAgentPlatform 'ai-platform': labels key \("cost center"\) must be a Kubernetes label key .*\n/,
      /AiAgentPlatform 'ai-platform': labels.cost center \("a;b"\) must be a Kubernetes label value: /,
    ));
    const objects = Testing.synth(platformWith({ labels: { 'example.com/cost-center': 'ai' } }).platform);
    expect(findObject(objects, 'Namespace', 'ai-platform').metadata.labels['example.com/cost-center']).toBe('ai');
  });

  test('fails when a NetworkPolicy namespace is no namespace name', () => {
    expect(() => platformWith({ networkPolicies: { ingressNamespace: 'Ingress NGINX', monitoringNamespace: 'a.b' } }))
      .toThrow(pattern(
        /^AiAgentPlatform 'ai-platform': networkPolicies.ingressNamespace \("Ingress NGINX"\) must be a DNS-1123 /,
        /label: .*\nAiAgentPlatform 'ai-platform': networkPolicies.monitoringNamespace \("a.b"\) must be a DNS-1123 /,
        /label: /,
      ));
  });

  test('fails naming every object defined twice, in the order they are defined, whichever namespace', () => {
    const { platform } = platformWith();
    const configMap = (id: string, name: string, namespace: string) =>
      new ApiObject(platform, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
    configMap('a1', 'a', 'one');
    configMap('b1', 'b', 'two');
    configMap('a-other-namespace', 'a', 'two');
    configMap('b2', 'b', 'two');
    configMap('a2', 'a', 'one');
    expect(() => Testing.synth(platform)).toThrow(
      pattern(
        /ConfigMap "b" is defined twice, by 'ai-platform\/b1' and 'ai-platform\/b2'\n/,
        /.*ConfigMap "a" is defined twice, by 'ai-platform\/a1' and 'ai-platform\/a2'$/,
      ),
    );
  });

  test('fails when two objects of one kind share a name (two agents creating ConfigMap agent-config)', () => {
    const { platform } = platformWith();
    platform.addAgent('a', { image: IMAGE, configMapName: 'agent-config', configData: { x: '1' } });
    platform.addAgent('b', { image: IMAGE, configMapName: 'agent-config', configData: { x: '2' } });
    expect(() => Testing.synth(platform)).toThrow(
      pattern(
        /AiAgentPlatform 'ai-platform': ConfigMap "agent-config" is defined twice,/,
        / by 'ai-platform\/a\/Config' and 'ai-platform\/b\/Config'/,
      ),
    );
  });

  test('fails when two workloads share a name', () => {
    const { platform } = platformWith();
    platform.addAgent('ai-agent', { image: IMAGE });
    expect(() => platform.addModelService('model', { image: IMAGE, name: 'ai-agent' })).toThrow(
      /workload 'model' has name \("ai-agent"\) or serviceName \("ai-agent-service"\) already used by 'ai-agent'/,
    );
  });
});
