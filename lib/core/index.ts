// Shared helpers: only the artifact seam and the pod security props are public.
export { Artifact, IArtifactSource } from './artifact';
export * from './pod-security';
