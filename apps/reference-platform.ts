import { App, Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  AiAgentPlatform,
  GatewayEdge,
  GpuAgentDeployment,
  GpuType,
  LoadBalancing,
  ModelStorage,
  RatePlan,
  ScalingMetric,
  UpstreamServer,
} from '../lib';

/**
 * The reference platform: the design brief's enterprise AI agent system, with the brief's mistakes fixed
 * (README, "What we changed from the design brief"). Every name here is part of the contract.
 */
export function buildReferencePlatform(app: App): AiAgentPlatform {
  const platform = new AiAgentPlatform(app, 'ai-platform', { namespace: 'ai-platform' });
  const agent = addAgent(platform);
  scaleAgent(platform, agent);
  const models = addModelService(platform);
  addGateway(platform, agent, models);
  addAlerting(platform);
  addTenants(platform);
  addComposeStack(platform);
  return platform;
}

/** The agent: GPU pods that load the model from a ReadWriteMany claim the model service shares. */
function addAgent(platform: AiAgentPlatform): GpuAgentDeployment {
  return platform.addAgent('ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    port: 8080,
    replicas: 3,
    gpu: { type: GpuType.A100_40GB, count: 1, modelMemory: Size.gibibytes(16) },
    resources: {
      cpu: { request: Cpu.units(2), limit: Cpu.units(4) },
      memory: { request: Size.gibibytes(4), limit: Size.gibibytes(8) },
    },
    modelStorage: ModelStorage.newClaim({
      claimName: 'model-pvc',
      size: Size.gibibytes(200),
      accessMode: 'ReadWriteMany',
    }),
    modelPath: '/models/llama-7b',
    maxTokens: 2048,
    logLevel: 'INFO',
    configMapName: 'agent-config',
    configData: { 'agent.yaml': 'max_tokens: 2048\nlog_level: INFO\nmodel_service_url: http://model-service\n' },
    probes: { modelLoadTime: Duration.minutes(5), startupBudget: Duration.minutes(10) },
    serviceName: 'ai-agent-service',
  });
}

/**
 * The HPA owns the agent's replica count (the Deployment omits `replicas`); the behaviour is the
 * library's default, the brief's: scale up at once, scale down slowly.
 */
function scaleAgent(platform: AiAgentPlatform, agent: GpuAgentDeployment): void {
  platform.addAutoscaler('ai-agent-hpa', {
    target: agent,
    minReplicas: 2,
    maxReplicas: 20,
    metrics: [
      ScalingMetric.cpu(70),
      ScalingMetric.memory(80),
      ScalingMetric.podsAverage('requests_per_second', 100),
    ],
  });
}

/** The model service, on the claim the agent creates. */
function addModelService(platform: AiAgentPlatform): GpuAgentDeployment {
  return platform.addModelService('model-service', {
    image: 'registry.example.com/model-service:v1.2.0',
    port: 8080,
    replicas: 2,
    gpu: { type: GpuType.A100_40GB, count: 1 },
    modelStorage: ModelStorage.existingClaim('model-pvc'),
    modelPath: '/models/llama-7b',
    serviceName: 'model-service',
  });
}

/** The nginx gateway behind an Ingress, with TLS, routing to the agent and the model service. */
function addGateway(platform: AiAgentPlatform, agent: GpuAgentDeployment, models: GpuAgentDeployment): void {
  const gateway = platform.addGateway('gateway', {
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
}

/**
 * PrometheusRule `ai-agent-alerts` in `monitoring` (kube-prometheus-stack release `prometheus`), the
 * brief's alerts and SLOs, PodMonitors for the workloads and the Grafana dashboard.
 */
function addAlerting(platform: AiAgentPlatform): void {
  platform.addAlerts('alerts', {
    namespace: 'monitoring',
    name: 'ai-agent-alerts',
    selectorLabels: { release: 'prometheus' },
    runbookBaseUrl: 'https://runbooks.example.com/ai-agent-platform',
  });
}

/**
 * Two example tenants (multi-tenancy): each has its own namespace, quota and isolation. Acme runs an
 * agent pool of its own on its GPU quota; Globex uses the shared pool on the basic plan.
 */
function addTenants(platform: AiAgentPlatform): void {
  const gold = platform.addRatePlan(RatePlan.perSecond('gold', 50, { burst: 100 }));
  const basic = platform.addRatePlan(RatePlan.perSecond('basic', 5, { burst: 10 }));
  const acme = platform.addTenant('acme', {
    plan: gold,
    quota: { gpus: 2, cpu: Cpu.units(8), memory: Size.gibibytes(32) },
    team: { groups: ['acme-ai-team'] },
  });
  acme.addAgent('acme-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    replicas: 2,
    gpu: { type: GpuType.A10_24GB, count: 1 },
    resources: {
      cpu: { request: Cpu.units(2), limit: Cpu.units(4) },
      memory: { request: Size.gibibytes(4), limit: Size.gibibytes(8) },
    },
    modelStorage: ModelStorage.newClaim({
      claimName: 'acme-models',
      size: Size.gibibytes(100),
      accessMode: 'ReadWriteMany',
    }),
    modelPath: '/models/llama-7b',
  });
  platform.addTenant('globex', { plan: basic });
}

/**
 * dist/compose/: the single-machine stack, with the gateway's nginx.conf and the alert rules rendered
 * for it. The workload `ai-agent` runs as the Compose service `agent-service`; `model-service` keeps its name.
 */
function addComposeStack(platform: AiAgentPlatform): void {
  platform.addComposeStack('compose', {
    workloads: { 'ai-agent': { serviceName: 'agent-service' } },
    gateway: { hostName: 'ai-agent.example.com' },
    gpus: 2, // the agent on GPU 0, the model service on GPU 1
  });
}
