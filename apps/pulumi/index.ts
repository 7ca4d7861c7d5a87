import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import { AiAgentPlatformDeployment, CrdObjects } from '../../lib/pulumi';
import { buildReferencePlatform } from '../reference-platform';

// Deploys the reference platform, exactly as `npm run synth` renders it, to the current kubeconfig
// context. Options: `pulumi config set crdObjects skip` on clusters without kube-prometheus-stack,
// KEDA or the Gateway API CRDs; `pulumi config set skipAwait true` when the GPU nodes are not there yet.
const config = new pulumi.Config();

const app = new App();
buildReferencePlatform(app);

const platform = new AiAgentPlatformDeployment('ai-agent-platform', {
  source: app,
  crdObjects: (config.get('crdObjects') ?? 'include') as CrdObjects,
  skipAwait: config.getBoolean('skipAwait') ?? false,
});

export const namespaces = platform.namespaces;
export const gatewayServiceName = platform.gatewayServiceName;
export const gatewayServiceNamespace = platform.gatewayServiceNamespace;
