// Shared helpers: only the artifact seam and the pod security props are public.
export { Artifact, IArtifactSource, registerArtifactSource } from './artifact';
export * from './pod-security';
