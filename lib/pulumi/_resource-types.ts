import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { KubernetesManifest } from './_manifests';

/** A Kubernetes object registered with Pulumi: every @pulumi/kubernetes resource has `metadata`. */
export type KubernetesResource = pulumi.CustomResource & {
  /** The object's metadata as the cluster returned it (name, namespace, labels, uid ...). */
  readonly metadata: pulumi.Output<k8s.types.output.meta.v1.ObjectMeta>;
};

/**
 * Constructor of a @pulumi/kubernetes resource class, called with the synthesized manifest as its args
 * (every typed class and `CustomResource` accept a manifest's apiVersion, kind, metadata and fields).
 */
export type KubernetesResourceClass = new (
  name: string,
  args: KubernetesManifest,
  opts?: pulumi.CustomResourceOptions,
) => KubernetesResource;

/**
 * The Pulumi type token @pulumi/kubernetes registers a kind under: `kubernetes:apps/v1:Deployment`,
 * `kubernetes:core/v1:Service` (the core group is called `core`),
 * `kubernetes:monitoring.coreos.com/v1:PrometheusRule`.
 */
export function pulumiTypeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/**
 * The typed @pulumi/kubernetes class of a built-in kind (`k8s.apps.v1.Deployment` for `apps/v1`
 * `Deployment`), or undefined when the provider has no class for it: the kind is served by a
 * CustomResourceDefinition. The class is found by its module path and accepted only when its own
 * type token is the kind's token, so a CRD group that happens to share a module name
 * (`apps.example.com`) is never mistaken for a built-in kind.
 *
 * Typed classes are what `k8s.yaml.ConfigGroup` registers too: they mark Secret data as secret and
 * carry the provider's await logic and aliases.
 */
export function builtInResourceClass(apiVersion: string, kind: string): KubernetesResourceClass | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const moduleName = group === '' ? 'core' : group.split('.')[0];
  const candidate = member(member(member(k8s, moduleName), version), kind);
  if (typeof candidate !== 'function') return undefined;
  const token = (candidate as { __pulumiType?: unknown }).__pulumiType;
  return token === pulumiTypeToken(apiVersion, kind) ? (candidate as KubernetesResourceClass) : undefined;
}

/** The class for objects of kinds served by CRDs. */
export const CustomResourceClass: KubernetesResourceClass = k8s.apiextensions.CustomResource;

function member(container: unknown, name: string): unknown {
  if (container === null || (typeof container !== 'object' && typeof container !== 'function')) return undefined;
  return Object.prototype.hasOwnProperty.call(container, name)
    ? (container as Record<string, unknown>)[name]
    : undefined;
}
