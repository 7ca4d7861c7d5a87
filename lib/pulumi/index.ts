// The Pulumi adapter: a separate entry point (`cdk8s-ai-agent-platform/pulumi`), so that the main
// entry never loads @pulumi/pulumi or @pulumi/kubernetes.
export * from './ai-agent-platform-deployment';
export type { KubernetesResource } from './_resource-types';
