import { App, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { AiAgentPlatform, GatewayEdge, GpuType, LoadBalancing, ModelStorage, UpstreamServer } from '../lib';

/**
 * The reference platform of `shared/reference-platform.md`: the design brief's enterprise AI agent
 * system, with the brief's mistakes fixed. Every name here is part of the contract.
 */
export function buildReferencePlatform(app: App): AiAgentPlatform {
  const platform = new AiAgentPlatform(app, 'ai-platform', { namespace: 'ai-platform' });

  const agent = platform.addAgent('ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    port: 8080,
    replicas: 3,
    gpu: { type: GpuType.A100_40GB, count: 1, modelMemory: Size.gibibytes(16) },
    resources: {
      cpu: { request: Cpu.units(2), limit: Cpu.units(4) },
      memory: { request: Size.gibibytes(4), limit: Size.gibibytes(8) },
    },
    modelStorage: ModelStorage.newClaim({ claimName: 'model-pvc', size: Size.gibibytes(200), accessMode: 'ReadWriteMany' }),
    modelPath: '/models/llama-7b',
    maxTokens: 2048,
    logLevel: 'INFO',
    configMapName: 'agent-config',
    configData: { 'agent.yaml': 'max_tokens: 2048\nlog_level: INFO\nmodel_service_url: http://model-service\n' },
    probes: { modelLoadTime: Duration.minutes(5), startupBudget: Duration.minutes(10) },
    serviceName: 'ai-agent-service',
  });

  const models = platform.addModelService('model-service', {
    image: 'registry.example.com/model-service:v1.2.0',
    port: 8080,
    replicas: 2,
    gpu: { type: GpuType.A100_40GB, count: 1 },
    modelStorage: ModelStorage.existingClaim('model-pvc'),
    modelPath: '/models/llama-7b',
    serviceName: 'model-service',
  });

  const gateway = platform.addGateway({
    serverName: 'ai-agent.example.com',
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem', secretName: 'ai-tls-secret' },
    edge: GatewayEdge.ingress({ name: 'ai-agent-ingress' }),
  });
  gateway.route('/api/v1/agent/', agent, {
    upstream: {
      name: 'ai_agent_backend',
      loadBalancing: LoadBalancing.leastConnections(),
      keepalive: 32,
      servers: [
        UpstreamServer.of('agent-service-1:8080', { weight: 3 }),
        UpstreamServer.of('agent-service-2:8080', { weight: 3 }),
        UpstreamServer.of('agent-service-3:8080', { weight: 2, backup: true }),
      ],
    },
  });
  gateway.route('/api/v1/models/', models, { upstream: { name: 'model_backend' } });

  return platform;
}
