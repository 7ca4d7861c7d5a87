import { App, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { AiAgentPlatform, GpuType, ModelStorage } from '../lib';
import { temporaryComposeNginxConf } from './_compose-nginx-conf';

/**
 * The reference platform of `shared/reference-platform.md`: the design brief's enterprise AI agent
 * system, with the brief's mistakes fixed. Every name here is part of the contract.
 */
export function buildReferencePlatform(app: App): AiAgentPlatform {
  const platform = new AiAgentPlatform(app, 'ai-platform', { namespace: 'ai-platform' });

  platform.addAgent('ai-agent', {
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

  platform.addModelService('model-service', {
    image: 'registry.example.com/model-service:v1.2.0',
    port: 8080,
    replicas: 2,
    gpu: { type: GpuType.A100_40GB, count: 1 },
    modelStorage: ModelStorage.existingClaim('model-pvc'),
    modelPath: '/models/llama-7b',
    serviceName: 'model-service',
  });

  // dist/compose/: the single-machine stack. The workload `ai-agent` runs as the Compose service
  // `agent-service`; `model-service` keeps its name.
  platform.addComposeStack({
    nginxConf: (target) => temporaryComposeNginxConf(platform, target),
    workloads: { 'ai-agent': { serviceName: 'agent-service' } },
    gateway: { hostName: 'ai-agent.example.com' },
  });

  return platform;
}
