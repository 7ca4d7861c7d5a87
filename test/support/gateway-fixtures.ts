import { createHash } from 'crypto';
import { Chart, Testing } from 'cdk8s';
import { buildReferencePlatform } from '../../apps/reference-platform';
import {
  AgentGateway, AgentGatewayProps, AiAgentPlatform, GpuAgentDeployment, GpuAgentDeploymentProps, WorkloadRole,
} from '../../lib';

/** Host names the standalone renderings of the test gateways resolve (for the nginx sandbox's /etc/hosts). */
export const STANDALONE_HOSTS = [
  'agent-service-1',
  'agent-service-2',
  'agent-service-3',
  'model-service',
  'ai-agent-service',
  'acme-agent-service',
];

/** A chart with an agent (`ai-agent`, Service `ai-agent-service`) and a model service, and a gateway over them. */
export function gatewayFixture(
  props: Partial<AgentGatewayProps> = {},
  agentProps: Partial<GpuAgentDeploymentProps> = {},
): {
  chart: Chart;
  gateway: AgentGateway;
  agent: GpuAgentDeployment;
  models: GpuAgentDeployment;
} {
  const chart = Testing.chart();
  const agent = new GpuAgentDeployment(chart, 'ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    namespace: 'ai-platform',
    serviceName: 'ai-agent-service',
    replicas: 3,
    ...agentProps,
  });
  const models = new GpuAgentDeployment(chart, 'model-service', {
    image: 'registry.example.com/model-service:v1.2.0',
    namespace: 'ai-platform',
    role: WorkloadRole.MODEL_SERVICE,
  });
  const gateway = new AgentGateway(chart, 'Gateway', {
    serverName: 'ai-agent.example.com',
    namespace: 'ai-platform',
    ...props,
  });
  return { chart, gateway, agent, models };
}

/** The reference platform in a fresh app. */
export function referencePlatform(): AiAgentPlatform {
  return buildReferencePlatform(Testing.app());
}

/**
 * The gateway pod's `checksum/config`, computed from its ConfigMap's data as the library documents it: the
 * sha256 of the nginx.conf followed by the request metrics' mtail program (when there is one).
 */
export function configChecksum(data: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(data['nginx.conf']).update(data['gateway.mtail'] ?? '').digest('hex');
}
