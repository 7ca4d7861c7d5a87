import { IConstruct } from 'constructs';

// The artifact-writing seam: features contribute files, PlatformApp writes them (atomically, beside the
// manifests). Features depend on this, never on the platform.

/** A file the platform writes beside the Kubernetes manifests (nginx.conf, Compose files, ...). */
export interface Artifact {
  /** Path relative to the output directory, with `/` separators (`nginx/nginx.conf`). */
  readonly path: string;
  /** File content. */
  readonly content: string;
}

const ARTIFACT_SOURCE = Symbol.for('cdk8s-ai-agent-platform.ArtifactSource');

/** A construct that contributes non-Kubernetes files to the output directory. */
export interface IArtifactSource extends IConstruct {
  /** The files, rendered when the app synthesizes. */
  renderArtifacts(): Artifact[];
}

/**
 * Marks a construct as an {@link IArtifactSource}, so that {@link PlatformApp} finds it.
 * @internal
 */
export function registerArtifactSource(source: IArtifactSource): void {
  Object.defineProperty(source, ARTIFACT_SOURCE, { value: true });
}

/** True for constructs registered with {@link registerArtifactSource} (by any copy of this package). */
export function isArtifactSource(x: IConstruct): x is IArtifactSource {
  return (x as unknown as Record<symbol, unknown>)[ARTIFACT_SOURCE] === true;
}
