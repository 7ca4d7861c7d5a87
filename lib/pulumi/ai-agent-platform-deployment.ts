import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App, Chart } from 'cdk8s';
import { PropsValidator } from '../core/validation';
import { COMPONENT_LABEL, WorkloadRole } from '../core/workload-role';
import { describe, KubernetesManifest, objectKey, synthesizeObjects, SynthesizedObject } from './_manifests';
import {
  builtInResourceClass,
  CustomResourceClass,
  KubernetesResource,
  KubernetesResourceClass,
} from './_resource-types';

/**
 * What {@link AiAgentPlatformDeployment} does with objects whose kind is served by a
 * CustomResourceDefinition (PrometheusRule, ServiceMonitor, ScaledObject, HTTPRoute, ...).
 */
export type CrdObjects = 'include' | 'skip';

/** Arguments of {@link AiAgentPlatformDeployment}. */
export interface AiAgentPlatformDeploymentArgs {
  /**
   * What to deploy: a cdk8s App (every chart, usually the one `buildReferencePlatform(app)` or your
   * own program filled) or a single Chart (an `AiAgentPlatform`). It is synthesized in memory with
   * cdk8s' own `chart.toJson()`, so Pulumi deploys exactly the objects `cdk8s synth` writes, with the
   * same names; the App is not written to disk.
   */
  readonly source: App | Chart;

  /**
   * Kubernetes provider of the target cluster.
   * @default - the provider the component inherits (its `providers` option), else Pulumi's default
   *   Kubernetes provider: the current context of the kubeconfig
   * @see https://www.pulumi.com/registry/packages/kubernetes/api-docs/provider/
   */
  readonly provider?: k8s.Provider;

  /**
   * Objects whose kind is served by a CustomResourceDefinition: `'include'` registers them, and the
   * cluster must then serve their CRDs (kube-prometheus-stack for PrometheusRule and ServiceMonitor,
   * KEDA for ScaledObject, the Gateway API CRDs for HTTPRoute), else `pulumi up` fails on them with
   * "no matches for kind". `'skip'` leaves them out (they are listed in
   * {@link AiAgentPlatformDeployment.skippedObjects}), for clusters without those operators.
   *
   * CRDs that the source itself synthesizes are always deployed, and their objects wait for them.
   * @default 'include'
   */
  readonly crdObjects?: CrdObjects;

  /**
   * Resources that install the CRDs in the same Pulumi program (a `k8s.helm.v3.Release` of
   * kube-prometheus-stack or KEDA, a `ConfigFile` of the Gateway API CRDs): every object served by a
   * CRD waits for them.
   * @default - none: the CRDs are installed before `pulumi up`
   */
  readonly crdDependsOn?: readonly pulumi.Resource[];

  /**
   * Annotates every object with `pulumi.com/skipAwait: "true"`, so `pulumi up` does not wait for
   * Deployments to become ready. Useful on clusters where the GPU pods cannot be scheduled yet; it
   * also hides failed rollouts.
   * @default false
   * @see https://www.pulumi.com/registry/packages/kubernetes/installation-configuration/#await-logic
   */
  readonly skipAwait?: boolean;
}

/** Identity of a synthesized object that was not registered. */
export interface SkippedObject {
  /** `apiVersion` of the object. */
  readonly apiVersion: string;
  /** `kind` of the object. */
  readonly kind: string;
  /** `metadata.namespace`, absent for cluster-scoped objects. */
  readonly namespace?: string;
  /** `metadata.name`. */
  readonly name: string;
}

/**
 * Deploys an AI agent platform with Pulumi: every Kubernetes object the cdk8s side synthesizes,
 * under its synthesized name, as a child of this component. There is no second description of the
 * resources: the manifests come from the same constructs that `cdk8s synth` renders.
 *
 * Order: Namespaces the source creates come first, and every object in such a namespace depends
 * on its Namespace; CustomResourceDefinitions the source creates come before their objects; every
 * object served by a CRD also waits for {@link AiAgentPlatformDeploymentArgs.crdDependsOn}; and
 * construct dependencies declared in cdk8s (`node.addDependency`, chart dependencies) become
 * `dependsOn` edges. Everything else is created in parallel, which is what Kubernetes expects.
 *
 * Built-in kinds are registered with their typed @pulumi/kubernetes class (`k8s.apps.v1.Deployment`),
 * other kinds with `k8s.apiextensions.CustomResource`, as `k8s.yaml.ConfigGroup` does. Resource
 * options given to the component (`transforms`, `protect`, `providers`, ...) apply to every object.
 *
 * @example
 * const app = new App();
 * buildReferencePlatform(app);
 * const platform = new AiAgentPlatformDeployment('ai-agent-platform', { source: app });
 * export const gateway = platform.gatewayServiceName;
 *
 * @see https://www.pulumi.com/docs/concepts/resources/components/
 */
export class AiAgentPlatformDeployment extends pulumi.ComponentResource {
  /** The Pulumi type token of this component. */
  public static readonly TYPE = 'cdk8s-ai-agent-platform:index:AiAgentPlatformDeployment';

  /** Every registered object, in synthesis order. */
  public readonly resources: readonly KubernetesResource[];
  /** Names of the Namespaces this deployment creates, resolved once they exist. */
  public readonly namespaces: pulumi.Output<string[]>;
  /**
   * Name of the gateway's Service: the first Service, in synthesis order, labelled
   * `app.kubernetes.io/component: gateway`; undefined when the platform has no gateway.
   */
  public readonly gatewayServiceName?: pulumi.Output<string>;
  /** Namespace of the gateway's Service; undefined when the platform has no gateway. */
  public readonly gatewayServiceNamespace?: pulumi.Output<string>;
  /** Synthesized objects that were not registered (objects served by CRDs, with `crdObjects: 'skip'`). */
  public readonly skippedObjects: readonly SkippedObject[];

  private readonly byKey = new Map<string, KubernetesResource>();

  constructor(name: string, args: AiAgentPlatformDeploymentArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(AiAgentPlatformDeployment.TYPE, name, {}, opts);
    const crdObjects = args.crdObjects ?? 'include';
    const source: unknown = args.source;
    new PropsValidator('AiAgentPlatformDeployment', name)
      .check(
        Chart.isChart(source) || source instanceof App || Array.isArray((source as Partial<App> | undefined)?.charts),
        'source',
        source,
        'must be a cdk8s App or Chart',
      )
      .check(crdObjects === 'include' || crdObjects === 'skip', 'crdObjects', crdObjects, "must be 'include' or 'skip'")
      .throwIfAny();

    const planned = synthesizeObjects(args.source).map((object) => ({
      object,
      resourceClass: builtInResourceClass(object.manifest.apiVersion, object.manifest.kind),
    }));
    const skipped = planned.filter((p) => p.resourceClass === undefined && crdObjects === 'skip');
    this.skippedObjects = skipped.map(({ object }) => skippedObject(object.manifest));
    if (skipped.length > 0) {
      const list = skipped.map((s) => describe(s.object.manifest)).join(', ');
      pulumi.log.info(`skipping ${skipped.length} object(s) served by CRDs (crdObjects: 'skip'): ${list}`, this);
    }
    const toRegister = planned.filter((p) => !skipped.includes(p));
    const registered = this.registerInOrder(name, args, toRegister);

    // Keep synthesis order for the public list.
    this.resources = toRegister.map((p) => registered.get(p.object.key)!);
    for (const [key, resource] of registered) this.byKey.set(key, resource);
    const namespaces = toRegister.filter((p) => isNamespace(p.object.manifest));
    this.namespaces = pulumi.all(namespaces.map((p) => registered.get(p.object.key)!.metadata.name));
    const gateway = toRegister.find(
      ({ object: { manifest } }) =>
        manifest.apiVersion === 'v1' &&
        manifest.kind === 'Service' &&
        manifest.metadata.labels?.[COMPONENT_LABEL] === WorkloadRole.GATEWAY,
    );
    if (gateway) {
      const service = registered.get(gateway.object.key)!;
      this.gatewayServiceName = service.metadata.name;
      this.gatewayServiceNamespace = service.metadata.apply((m) => m.namespace ?? 'default');
    }

    this.registerOutputs({
      namespaces: this.namespaces,
      gatewayServiceName: this.gatewayServiceName,
      gatewayServiceNamespace: this.gatewayServiceNamespace,
    });
  }

  /**
   * The resource registered for a synthesized object, or undefined when there is none (or it was
   * skipped): the escape hatch for outputs this component does not expose.
   * @param apiVersion e.g. `apps/v1`
   * @param kind e.g. `Deployment`
   * @param name `metadata.name`
   * @param namespace `metadata.namespace`; omit for cluster-scoped objects
   */
  public resource(apiVersion: string, kind: string, name: string, namespace?: string): KubernetesResource | undefined {
    return this.byKey.get(objectKey({ apiVersion, kind, metadata: { name, namespace } }));
  }

  /**
   * Registers every planned object after what it depends on: the Namespace it lives in, the CRD that
   * serves its kind (and `crdDependsOn`), and its cdk8s dependencies. Fails naming a dependency cycle.
   */
  private registerInOrder(
    name: string,
    args: AiAgentPlatformDeploymentArgs,
    toRegister: readonly PlannedObject[],
  ): Map<string, KubernetesResource> {
    const pending = new Map(toRegister.map((p) => [p.object.key, p]));
    const dependencyKeys = dependencyResolver(toRegister, pending);
    const registered = new Map<string, KubernetesResource>();
    const register = (p: PlannedObject, trail: readonly string[]): KubernetesResource => {
      const done = registered.get(p.object.key);
      if (done) return done;
      if (trail.includes(p.object.key)) {
        const cycle = [...trail.slice(trail.indexOf(p.object.key)), p.object.key].map((k) =>
          describe(pending.get(k)!.object.manifest),
        );
        throw new Error(
          `AiAgentPlatformDeployment '${name}': the objects depend on each other in a cycle: ${cycle.join(' -> ')}`,
        );
      }
      const dependsOn: pulumi.Resource[] = dependencyKeys(p).map((key) =>
        register(pending.get(key)!, [...trail, p.object.key]),
      );
      if (p.resourceClass === undefined) dependsOn.push(...(args.crdDependsOn ?? []));
      const resource = this.registerObject(
        name,
        p.object,
        p.resourceClass ?? CustomResourceClass,
        {
          parent: this,
          ...(args.provider ? { provider: args.provider } : {}),
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
        },
        args.skipAwait ?? false,
      );
      registered.set(p.object.key, resource);
      return resource;
    };
    for (const p of toRegister) register(p, []);
    return registered;
  }

  private registerObject(
    componentName: string,
    object: SynthesizedObject,
    resourceClass: KubernetesResourceClass,
    opts: pulumi.CustomResourceOptions,
    skipAwait: boolean,
  ): KubernetesResource {
    const { metadata } = object.manifest;
    const namespacePrefix = metadata.namespace === undefined ? '' : `${metadata.namespace}/`;
    const logicalName = `${componentName}:${namespacePrefix}${metadata.name}`;
    const manifest: KubernetesManifest = skipAwait
      ? {
          ...object.manifest,
          metadata: { ...metadata, annotations: { ...metadata.annotations, 'pulumi.com/skipAwait': 'true' } },
        }
      : object.manifest;
    return new resourceClass(logicalName, manifest, opts);
  }
}

/** A synthesized object and the Pulumi class that registers it (undefined: an object of a CRD kind). */
interface PlannedObject {
  readonly object: SynthesizedObject;
  readonly resourceClass: KubernetesResourceClass | undefined;
}

/**
 * The keys an object waits for: its Namespace, the CRD serving its kind, and its cdk8s dependencies that
 * are registered here too (dependencies on objects outside the source, or skipped, cannot be ordered).
 */
function dependencyResolver(
  toRegister: readonly PlannedObject[],
  pending: ReadonlyMap<string, PlannedObject>,
): (p: PlannedObject) => string[] {
  const namespaceKeys = new Map<string, string>();
  const crdKeys = new Map<string, string>();
  for (const { object } of toRegister) {
    if (isNamespace(object.manifest)) namespaceKeys.set(object.manifest.metadata.name, object.key);
    if (isCrd(object.manifest)) crdKeys.set(crdGroupKind(object.manifest), object.key);
  }
  return ({ object, resourceClass }) => {
    const ns = object.manifest.metadata.namespace;
    const keys = [
      ...(ns === undefined ? [] : [namespaceKeys.get(ns)]),
      ...(resourceClass === undefined ? [crdKeys.get(groupKind(object.manifest))] : []),
      ...object.dependsOn.filter((key) => pending.has(key)),
    ];
    return [...new Set(keys.filter((k): k is string => k !== undefined && k !== object.key))];
  };
}

/** What {@link AiAgentPlatformDeployment.skippedObjects} lists of an object. */
function skippedObject(manifest: KubernetesManifest): SkippedObject {
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    ...(manifest.metadata.namespace === undefined ? {} : { namespace: manifest.metadata.namespace }),
    name: manifest.metadata.name,
  };
}

function isNamespace(manifest: KubernetesManifest): boolean {
  return manifest.apiVersion === 'v1' && manifest.kind === 'Namespace';
}

function isCrd(manifest: KubernetesManifest): boolean {
  return manifest.apiVersion.startsWith('apiextensions.k8s.io/') && manifest.kind === 'CustomResourceDefinition';
}

/** `group/Kind` of an object: `monitoring.coreos.com/PrometheusRule`. */
function groupKind(manifest: KubernetesManifest): string {
  const slash = manifest.apiVersion.indexOf('/');
  return `${slash < 0 ? '' : manifest.apiVersion.slice(0, slash)}/${manifest.kind}`;
}

/** `group/Kind` of the objects a CustomResourceDefinition serves. */
function crdGroupKind(crd: KubernetesManifest): string {
  const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
  return `${spec?.group ?? ''}/${spec?.names?.kind ?? ''}`;
}
