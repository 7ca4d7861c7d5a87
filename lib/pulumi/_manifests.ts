import { ApiObject, App, Chart } from 'cdk8s';

/** A synthesized Kubernetes object, exactly as `cdk8s synth` writes it. */
export interface KubernetesManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly [field: string]: unknown;
  };
  readonly [field: string]: unknown;
}

/** One object of the synthesized app, with what cdk8s knows about its order. */
export interface SynthesizedObject {
  /** The manifest. */
  readonly manifest: KubernetesManifest;
  /** `apiVersion/kind/namespace/name`: unique in a cluster. */
  readonly key: string;
  /** Construct path of the ApiObject that rendered it. */
  readonly path: string;
  /**
   * Keys of the objects it must follow: cdk8s construct dependencies (`node.addDependency`, chart
   * dependencies), as cdk8s itself resolves them to ordering between ApiObjects.
   */
  readonly dependsOn: readonly string[];
}

/** The identity of an object in a cluster. */
export function objectKey(manifest: Pick<KubernetesManifest, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${manifest.apiVersion}/${manifest.kind}/${manifest.metadata.namespace ?? ''}/${manifest.metadata.name}`;
}

/**
 * Synthesizes an App (every chart, in dependency order) or one Chart in memory, with cdk8s' public
 * API: `chart.toJson()` validates the whole app, turns construct dependencies into ApiObject
 * dependencies, applies resolvers and JSON patches, and returns exactly the objects `cdk8s synth`
 * writes to the chart's YAML file, in the same order. Nothing is written to disk.
 */
export function synthesizeObjects(source: App | Chart): SynthesizedObject[] {
  const charts = Chart.isChart(source) ? [source] : source.charts;
  const objects: SynthesizedObject[] = [];
  const seen = new Map<string, string>();
  for (const chart of charts) {
    const manifests = chart.toJson() as KubernetesManifest[];
    // chart.toJson() has resolved the dependencies; render each ApiObject once more to learn which
    // manifest it produced, so its dependencies can be named by object identity.
    const keyOf = new Map<ApiObject, string>();
    const byKey = new Map<string, ApiObject>();
    for (const apiObject of chart.node.findAll().filter(ApiObject.isApiObject).filter((o) => Chart.of(o) === chart)) {
      const key = objectKey(apiObject.toJson() as KubernetesManifest);
      keyOf.set(apiObject, key);
      byKey.set(key, apiObject);
    }
    const identify = (o: ApiObject): string => keyOf.get(o) ?? objectKey(o.toJson() as KubernetesManifest);
    for (const manifest of manifests) {
      if (typeof manifest?.metadata?.name !== 'string') {
        throw new Error(
          `AiAgentPlatformDeployment: an object of chart '${chart.node.path}' has no metadata.name:` +
            ` ${JSON.stringify(manifest).slice(0, 200)}`,
        );
      }
      const key = objectKey(manifest);
      const apiObject = byKey.get(key);
      const path = apiObject?.node.path ?? chart.node.path;
      const previous = seen.get(key);
      if (previous !== undefined) {
        throw new Error(
          `AiAgentPlatformDeployment: ${describe(manifest)} is synthesized twice, by '${previous}' and by '${path}'`,
        );
      }
      seen.set(key, path);
      const dependsOn = apiObject
        ? [...new Set(apiObject.node.dependencies.filter(ApiObject.isApiObject).map(identify))]
            .filter((k) => k !== key)
            .sort()
        : [];
      objects.push({ manifest, key, path, dependsOn });
    }
  }
  return objects;
}

/** `Deployment ai-platform/ai-agent`, for messages. */
export function describe(manifest: Pick<KubernetesManifest, 'kind' | 'metadata'>): string {
  const ns = manifest.metadata.namespace;
  return `${manifest.kind} ${ns ? `${ns}/` : ''}${manifest.metadata.name}`;
}
