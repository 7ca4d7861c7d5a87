import * as fs from 'fs';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { k8s as kube } from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { PlatformApp } from '../../lib';
import { AiAgentPlatformDeployment, AiAgentPlatformDeploymentArgs } from '../../lib/pulumi';
import { installRecordingMocks, registered, Registration, valueOf } from '../support/pulumi-mocks';
import { withTempDir } from '../support/tools';

const registrations = installRecordingMocks();

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const identity = (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string =>
  `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`;

/** Pulumi's type token for a kind: the core group is called `core`, every other group is spelled out. */
const expectedType = (o: Manifest): string =>
  `kubernetes:${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;

/** Deploys `args` under mocks; returns the component and the registrations of its children. */
async function deploy(name: string, args: AiAgentPlatformDeploymentArgs, opts: pulumi.ComponentResourceOptions = {}) {
  registrations.length = 0;
  const deployment = new AiAgentPlatformDeployment(name, args, opts);
  const [componentUrn] = await registered(deployment, ...deployment.resources);
  const children = registrations.filter((r) => r.parent === componentUrn);
  const child = (kind: string, name: string, namespace?: string): Registration => {
    const found = children.filter((r) => r.inputs.kind === kind && r.inputs.metadata.name === name
      && (namespace === undefined || r.inputs.metadata.namespace === namespace));
    if (found.length !== 1) throw new Error(`expected one registered ${kind} '${name}', found ${found.length}`);
    return found[0];
  };
  return { deployment, componentUrn, children, child };
}

/** Every object `npm run synth` writes for the reference platform, read back from the YAML files. */
function synthReferencePlatform(): { app: PlatformApp; written: Manifest[] } {
  return withTempDir((dir) => {
    const app = new PlatformApp({ outdir: path.join(dir, 'dist') });
    buildReferencePlatform(app);
    app.synth();
    const files = fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.endsWith('.k8s.yaml')).sort();
    const written = files.flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', f), 'utf8'))
      .map((d) => d.toJS() as Manifest).filter((o) => o !== null));
    return { app, written };
  });
}

/**
 * A platform-shaped chart with what the adapter must order: a Namespace, a gateway Service, a CRD the
 * source installs with an object of it, and objects of CRDs the cluster must provide (one in a
 * namespace the source does not create).
 */
function crdFixture(): { app: App; chart: Chart; objects: Record<string, ApiObject> } {
  const app = new App();
  const chart = new Chart(app, 'platform', { namespace: 'ai-platform' });
  const namespace = new kube.KubeNamespace(chart, 'Namespace', { metadata: { name: 'ai-platform' } });
  namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  const gateway = new kube.KubeService(chart, 'Gateway', {
    metadata: { name: 'ai-gateway', labels: { 'app.kubernetes.io/component': 'gateway' } },
    spec: { selector: { app: 'gateway' }, ports: [{ name: 'https', port: 443 }] },
  });
  const crd = new ApiObject(chart, 'WidgetCrd', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  });
  crd.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  const widget = new ApiObject(chart, 'Widget', {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'gadget' },
    spec: { size: 3 },
  });
  widget.node.addDependency(gateway);
  const scaledObject = new ApiObject(chart, 'ScaledObject', {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'ai-agent' },
    spec: {
      scaleTargetRef: { name: 'ai-agent' },
      triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } }],
    },
  });
  const rule = new ApiObject(chart, 'Rule', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'ai-agent-alerts', namespace: 'monitoring' },
    spec: { groups: [] },
  });
  return { app, chart, objects: { namespace, gateway, crd, widget, scaledObject, rule } };
}

describe('AiAgentPlatformDeployment', () => {
  test('registers every object of the synthesized reference platform, unchanged and under its own name', async () => {
    const { app, written } = synthReferencePlatform();
    expect(written.length).toBeGreaterThan(5);

    const { children, child } = await deploy('reference', { source: app });

    expect(children.map((r) => identity(r.inputs)).sort()).toEqual(written.map(identity).sort());
    for (const manifest of written) {
      const registration = child(manifest.kind, manifest.metadata.name, manifest.metadata.namespace);
      expect(registration.inputs).toEqual(manifest);
      expect(registration.type).toBe(expectedType(manifest));
      expect(registration.custom).toBe(true);
    }
    expect(child('Namespace', 'ai-platform').type).toBe('kubernetes:core/v1:Namespace');
    expect(child('Deployment', 'ai-agent').type).toBe('kubernetes:apps/v1:Deployment');
    expect(child('Service', 'ai-agent-service').name).toBe('reference:ai-platform/ai-agent-service');
  });

  test('creates the Namespace before every object in it, and parents every object to the component', async () => {
    const { app, written } = synthReferencePlatform();
    const { children, child, componentUrn } = await deploy('ordered', { source: app });

    const namespace = child('Namespace', 'ai-platform');
    expect(namespace.dependencies).toEqual([]);
    const namespaced = children.filter((r) => r.inputs.metadata.namespace === 'ai-platform');
    expect(namespaced.length).toBe(written.filter((o) => o.metadata.namespace === 'ai-platform').length);
    for (const registration of namespaced) expect(registration.dependencies).toContain(namespace.urn);
    for (const registration of children) expect(registration.parent).toBe(componentUrn);
  });

  test('resolves its outputs: the namespaces it created and the gateway Service', async () => {
    const { app, written } = synthReferencePlatform();
    const { deployment } = await deploy('outputs', { source: app });

    const created = written.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    expect(created).toContain('ai-platform');
    await expect(valueOf(deployment.namespaces)).resolves.toEqual(created);
    // The reference platform's gateway Service, wherever the gateway construct puts it.
    const gateway = written.find(
      (o) => o.kind === 'Service' && o.metadata.labels?.['app.kubernetes.io/component'] === 'gateway',
    );
    if (gateway) {
      await expect(valueOf(deployment.gatewayServiceName!)).resolves.toBe(gateway.metadata.name);
      await expect(valueOf(deployment.gatewayServiceNamespace!)).resolves.toBe(gateway.metadata.namespace);
    } else {
      expect(deployment.gatewayServiceName).toBeUndefined();
      expect(deployment.gatewayServiceNamespace).toBeUndefined();
    }
  });

  test("orders CRD objects after their Namespace, the source's CRDs, crdDependsOn and cdk8s dependencies", async () => {
    const { app } = crdFixture();
    // What a program that installs the operators itself would pass.
    const crdInstaller = new k8s.helm.v3.Release('kube-prometheus-stack', {
      chart: 'kube-prometheus-stack',
      repositoryOpts: { repo: 'https://prometheus-community.github.io/helm-charts' },
      namespace: 'monitoring',
      createNamespace: true,
    });
    const [installerUrn] = await registered(crdInstaller);
    const { child, children } = await deploy('crds', { source: app, crdDependsOn: [crdInstaller] });

    const namespace = child('Namespace', 'ai-platform').urn;
    const crd = child('CustomResourceDefinition', 'widgets.example.com');
    const gateway = child('Service', 'ai-gateway');
    expect(children).toHaveLength(6);

    const widget = child('Widget', 'gadget');
    expect(widget.type).toBe('kubernetes:example.com/v1:Widget');
    expect([...widget.dependencies].sort()).toEqual([namespace, crd.urn, gateway.urn, installerUrn].sort());

    const scaledObject = child('ScaledObject', 'ai-agent');
    expect(scaledObject.type).toBe('kubernetes:keda.sh/v1alpha1:ScaledObject');
    expect([...scaledObject.dependencies].sort()).toEqual([namespace, installerUrn].sort());

    // `monitoring` belongs to kube-prometheus-stack, not to the platform: no Namespace edge.
    const rule = child('PrometheusRule', 'ai-agent-alerts');
    expect(rule.type).toBe('kubernetes:monitoring.coreos.com/v1:PrometheusRule');
    expect(rule.dependencies).toEqual([installerUrn]);

    // Built-in kinds do not wait for CRD installers.
    expect(crd.type).toBe('kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition');
    expect(crd.dependencies).toEqual([]);
    expect(gateway.dependencies).toEqual([namespace]);
  });

  test("crdObjects: skip leaves out objects served by CRDs, lists them, still installs the source's CRDs", async () => {
    const { app } = crdFixture();
    const { deployment, children } = await deploy('skip', { source: app, crdObjects: 'skip' });

    expect(children.map((r) => r.inputs.kind).sort()).toEqual(['CustomResourceDefinition', 'Namespace', 'Service']);
    expect(deployment.skippedObjects).toEqual([
      { apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'ai-platform', name: 'gadget' },
      { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', namespace: 'ai-platform', name: 'ai-agent' },
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        namespace: 'monitoring',
        name: 'ai-agent-alerts',
      },
    ]);
    expect(deployment.resource('example.com/v1', 'Widget', 'gadget', 'ai-platform')).toBeUndefined();
  });

  test("tells built-in from CRD kinds by the provider's own type token, not by the group's first word", async () => {
    const app = new App();
    const chart = new Chart(app, 'lookalikes', { namespace: 'ai-platform' });
    new ApiObject(chart, 'Fake', {
      apiVersion: 'apps.example.com/v1',
      kind: 'Deployment',
      metadata: { name: 'not-apps' },
      spec: {},
    });
    new ApiObject(chart, 'Route', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'ai-agent' },
      spec: {},
    });
    new kube.KubeIngress(chart, 'Ingress', { metadata: { name: 'ai-agent-ingress' }, spec: {} });
    new kube.KubeHorizontalPodAutoscalerV2(chart, 'Hpa', {
      metadata: { name: 'ai-agent-hpa' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ai-agent' }, maxReplicas: 2 },
    });

    const { deployment, child } = await deploy('lookalikes', { source: app, crdObjects: 'skip' });
    expect(deployment.skippedObjects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      'apps.example.com/v1 Deployment',
      'gateway.networking.k8s.io/v1 HTTPRoute',
    ]);
    expect(child('Ingress', 'ai-agent-ingress').type).toBe('kubernetes:networking.k8s.io/v1:Ingress');
    expect(child('HorizontalPodAutoscaler', 'ai-agent-hpa').type).toBe(
      'kubernetes:autoscaling/v2:HorizontalPodAutoscaler',
    );
    expect(deployment.resource('networking.k8s.io/v1', 'Ingress', 'ai-agent-ingress', 'ai-platform')).toBeInstanceOf(
      k8s.networking.v1.Ingress,
    );
  });

  test('keeps Secret data secret in the Pulumi state', async () => {
    const app = new App();
    const chart = new Chart(app, 'secrets', { namespace: 'ai-platform' });
    new kube.KubeSecret(chart, 'Redis', { metadata: { name: 'redis-auth' }, stringData: { password: 'hunter2' } });
    new kube.KubeConfigMap(chart, 'Plain', { metadata: { name: 'plain' }, data: { a: '1' } });

    const { child } = await deploy('secrets', { source: app });
    const secret = child('Secret', 'redis-auth');
    expect(secret.secretPaths).toEqual(['/stringData']);
    expect(secret.inputs.stringData).toEqual({ password: 'hunter2' });
    expect(child('ConfigMap', 'plain').secretPaths).toEqual([]);
  });

  test('deploys to the given provider and exposes the gateway Service of a platform that has one', async () => {
    const { app } = crdFixture();
    const provider = new k8s.Provider('target-cluster', {
      kubeconfig: 'apiVersion: v1\nkind: Config\n',
      context: 'gpu-cluster',
    });
    const [providerUrn] = await registered(provider);
    const providerId = await valueOf(provider.id);
    const { deployment, children, child } = await deploy('with-provider', { source: app, provider });

    for (const registration of children) expect(registration.provider).toBe(`${providerUrn}::${providerId}`);
    await expect(valueOf(deployment.gatewayServiceName!)).resolves.toBe('ai-gateway');
    await expect(valueOf(deployment.gatewayServiceNamespace!)).resolves.toBe('ai-platform');
    await expect(valueOf(deployment.namespaces)).resolves.toEqual(['ai-platform']);
    const service = deployment.resource('v1', 'Service', 'ai-gateway', 'ai-platform')!;
    await expect(valueOf(service.urn)).resolves.toBe(child('Service', 'ai-gateway').urn);
  });

  test('skipAwait annotates every object and changes nothing else', async () => {
    const { app, chart } = crdFixture();
    const expected = chart.toJson() as Manifest[];
    const { children, child } = await deploy('skip-await', { source: app, skipAwait: true });

    expect(children).toHaveLength(expected.length);
    for (const manifest of expected) {
      expect(child(manifest.kind, manifest.metadata.name).inputs).toEqual({
        ...manifest,
        metadata: {
          ...manifest.metadata,
          annotations: { ...manifest.metadata.annotations, 'pulumi.com/skipAwait': 'true' },
        },
      });
    }
  });

  test('deploys one Chart of an App, chart dependencies as dependsOn, and has no gateway without one', async () => {
    const app = new App();
    const base = new Chart(app, 'base', { namespace: 'shared' });
    new kube.KubeConfigMap(base, 'Settings', { metadata: { name: 'settings' }, data: { a: '1' } });
    const workloads = new Chart(app, 'workloads', { namespace: 'shared' });
    new kube.KubeConfigMap(workloads, 'Flags', { metadata: { name: 'flags' }, data: { b: '2' } });
    workloads.addDependency(base);

    const only = await deploy('one-chart', { source: workloads });
    expect(only.children.map((r) => identity(r.inputs))).toEqual(['v1 ConfigMap shared/flags']);
    expect(only.child('ConfigMap', 'flags').dependencies).toEqual([]);
    expect(only.deployment.gatewayServiceName).toBeUndefined();
    expect(only.deployment.gatewayServiceNamespace).toBeUndefined();
    await expect(valueOf(only.deployment.namespaces)).resolves.toEqual([]);

    const both = await deploy('two-charts', { source: app });
    expect(both.child('ConfigMap', 'flags').dependencies).toEqual([both.child('ConfigMap', 'settings').urn]);
  });

  test('fails when crdObjects is neither include nor skip', () => {
    const { app } = crdFixture();
    expect(() => new AiAgentPlatformDeployment('bad', { source: app, crdObjects: 'maybe' as never }))
      .toThrow("AiAgentPlatformDeployment 'bad': crdObjects (\"maybe\") must be 'include' or 'skip'");
  });

  test('fails when source is not a cdk8s App or Chart, reporting every problem at once', () => {
    expect(() => new AiAgentPlatformDeployment('worse', { source: 'dist/' as never, crdObjects: 'all' as never }))
      .toThrow([
        "AiAgentPlatformDeployment 'worse': source (\"dist/\") must be a cdk8s App or Chart",
        "AiAgentPlatformDeployment 'worse': crdObjects (\"all\") must be 'include' or 'skip'",
      ].join('\n'));
  });

  test('fails when two charts synthesize the same object', () => {
    const app = new App();
    for (const id of ['one', 'two']) {
      new kube.KubeConfigMap(new Chart(app, id, { namespace: 'ai-platform' }), 'Config', {
        metadata: { name: 'agent-config' },
      });
    }
    expect(() => new AiAgentPlatformDeployment('twice', { source: app })).toThrow(
      'AiAgentPlatformDeployment: ConfigMap ai-platform/agent-config is synthesized twice,'
        + " by 'one/Config' and by 'two/Config'",
    );
  });

  test('fails when cdk8s dependencies contradict the Namespace order', () => {
    const { app, objects } = crdFixture();
    objects.namespace.node.addDependency(objects.gateway);
    expect(() => new AiAgentPlatformDeployment('cycle', { source: app })).toThrow(
      "AiAgentPlatformDeployment 'cycle': the objects depend on each other in a cycle:"
        + ' Service ai-platform/ai-gateway -> Namespace ai-platform -> Service ai-platform/ai-gateway',
    );
  });
});
