import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { ResolvedPodSecurity } from '../core/pod-security';
import { cpuMillicores, sizeKib, sizeQuantity } from '../core/quantity';
import { PropsRule, PropsValidator, raw } from '../core/validation';
import {
  ENV_VALUE_ALLOWED, EnvValue, GpuType, MetricsEndpoint, ResourceRange, RolloutStrategy,
} from './agent-values';
import type { GpuAgentDeploymentProps } from './gpu-agent-deployment-props';

/** What GpuAgentDeployment resolved from its props, with every default applied: what its rules check. */
export interface GpuAgentDeploymentFacts {
  /** The props as given. */
  readonly props: GpuAgentDeploymentProps;
  readonly name: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly image: string;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly replicas: number;
  readonly rollout: Required<RolloutStrategy>;
  readonly healthPath: string;
  readonly readyPath: string;
  readonly configMountPath: string;
  readonly security: ResolvedPodSecurity;
  readonly cpu: ResourceRange<Cpu>;
  readonly memory: ResourceRange<Size>;
  readonly modelLoadTime: Duration;
  readonly startupBudget: Duration;
  readonly metrics?: Required<MetricsEndpoint>;
  /** Environment variables set by dedicated props (`MODEL_PATH`, `REDIS_URL`, ...). */
  readonly dedicatedEnv: readonly string[];
}

type Rule = PropsRule<GpuAgentDeploymentFacts>;

const names: Rule = (v, f) => {
  v.dnsLabel('name', f.name).dnsLabel('serviceName', f.serviceName).dnsLabel('namespace', f.namespace);
};

const image: Rule = (v, f) => {
  v.pinnedImage('image', f.image);
};

const ports: Rule = (v, f) => {
  v.port('port', f.containerPort).port('servicePort', f.servicePort);
};

const replicas: Rule = (v, f) => {
  v.integer('replicas', f.replicas, 0);
  v.integer('rollout.maxSurge', f.rollout.maxSurge, 0).integer('rollout.maxUnavailable', f.rollout.maxUnavailable, 0);
  v.check(f.rollout.maxSurge > 0 || f.rollout.maxUnavailable > 0, 'rollout', f.rollout,
    'can never replace a pod: maxSurge or maxUnavailable must be at least 1');
};

const securityIds: Rule = (v, f) => {
  v.integer('security.runAsUser', f.security.runAsUser, 1).integer('security.runAsGroup', f.security.runAsGroup, 1);
};

const paths: Rule = (v, f) => {
  v.absolutePath('probes.healthPath', f.healthPath).absolutePath('probes.readyPath', f.readyPath)
    .absolutePath('configMountPath', f.configMountPath);
};

const config: Rule = (v, { props }) => {
  v.dnsSubdomain('configMapName', props.configMapName);
  v.check(props.configData === undefined || props.configMapName !== undefined, 'configData',
    Object.keys(props.configData ?? {}), 'needs configMapName, the name of the ConfigMap to create');
  for (const key of Object.keys(props.configData ?? {})) {
    v.check(/^[-._a-zA-Z0-9]{1,253}$/.test(key), `configData.${key}`, key,
      'must be a ConfigMap key: letters, digits, \'-\', \'_\' or \'.\'');
  }
};

const modelStorage: Rule = (v, f) => {
  const storage = f.props.modelStorage;
  if (!storage) return;
  v.dnsSubdomain('modelStorage.claimName', storage.claimName);
  const claim = storage.newClaim;
  if (!claim) return;
  v.check(sizeKib(claim.size) > 0, 'modelStorage.size', raw(sizeQuantity(claim.size)), 'must be larger than zero');
  // A single-node volume leaves every replica scheduled on another node stuck in ContainerCreating
  // (Multi-Attach error); ReadWriteOncePod admits only one pod at all.
  v.check(f.replicas <= 1 || SHARED_ACCESS_MODES.has(claim.accessMode), 'modelStorage.accessMode',
    claim.accessMode, `attaches to a single node, but the workload runs ${f.replicas} replicas: choose ` +
      "'ReadOnlyMany' or 'ReadWriteMany' (with a storage class that provides it), or one replica");
};

/** Access modes a volume can be mounted with from pods on several nodes. */
const SHARED_ACCESS_MODES = new Set(['ReadOnlyMany', 'ReadWriteMany']);

const gpu: Rule = (v, { props }) => {
  if (!props.gpu) return;
  const { type, modelMemory } = props.gpu;
  const count = props.gpu.count ?? 1;
  const countOk = Number.isInteger(count) && count >= 1;
  v.check(countOk, 'gpu.count', count, 'must be a positive integer (GPUs cannot be shared by fractions)');
  v.check(GpuType.isGpuType(type), 'gpu.type', type,
    `must be a GpuType (one of ${GpuType.CATALOG.map((g) => g.name).join(', ')}, or GpuType.custom)`);
  if (modelMemory && GpuType.isGpuType(type) && countOk) {
    const have = sizeKib(type.memory) * count;
    v.check(sizeKib(modelMemory) <= have, 'gpu.modelMemory', raw(sizeQuantity(modelMemory)),
      `must fit in ${count} × ${type.name} (${sizeQuantity(Size.kibibytes(have))})`);
  }
};

const resources: Rule = (v, { cpu, memory }) => {
  const memoryRequest = raw(sizeQuantity(memory.request));
  v.check(sizeKib(memory.request) <= sizeKib(memory.limit), 'resources.memory.request', memoryRequest,
    `must be <= resources.memory.limit (${sizeQuantity(memory.limit)})`);
  v.check(cpuMillicores(cpu.request.amount) <= cpuMillicores(cpu.limit.amount), 'resources.cpu.request',
    raw(cpu.request.amount), `must be <= resources.cpu.limit (${cpu.limit.amount})`);
  v.check(sizeKib(memory.request) > 0, 'resources.memory.request', memoryRequest, 'must be larger than zero');
};

const startupBudget: Rule = (v, { startupBudget: budget, modelLoadTime }) => {
  v.check(budget.toSeconds() >= modelLoadTime.toSeconds(), 'probes.startupBudget', raw(budget.toHumanString()),
    `must be at least probes.modelLoadTime (${modelLoadTime.toHumanString()}), `
    + 'or the pod is restarted while the model loads');
};

const metrics: Rule = (v, f) => {
  if (!f.metrics) return;
  v.port('metrics.port', f.metrics.port).absolutePath('metrics.path', f.metrics.path);
};

const env: Rule = (v, { props, dedicatedEnv }) => {
  v.integer('maxTokens', props.maxTokens, 1);
  for (const name of Object.keys(props.env ?? {}).sort()) {
    v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name), `env.${name}`, name,
      'must be a C identifier ([A-Za-z_][A-Za-z0-9_]*)');
    v.check(!dedicatedEnv.includes(name), `env.${name}`, name, 'is already set by a dedicated prop');
    v.check(EnvValue.isEnvValue(props.env![name]), `env.${name}`, props.env![name], ENV_VALUE_ALLOWED);
  }
};

const labels: Rule = (v, { props }) => {
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    v.labelKey(`labels.${key}`, key).labelValue(`labels.${key}`, value);
  }
};

/** The rules of GpuAgentDeployment's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [
  names, image, ports, replicas, securityIds, paths, config, modelStorage, gpu, resources, startupBudget, metrics, env,
  labels,
];

/** Checks a GpuAgentDeployment's resolved props and throws one error listing every problem. */
export function validateGpuAgentDeploymentProps(id: string, facts: GpuAgentDeploymentFacts): void {
  new PropsValidator('GpuAgentDeployment', id).rules(RULES, facts).throwIfAny();
}
