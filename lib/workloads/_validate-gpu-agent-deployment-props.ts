import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { CONFIG_MAP_MAX_BYTES, FIELD_RULES } from '../core/field-rules';
import { checkMountPaths, checkPodSecurity } from '../core/pod';
import { ResolvedPodSecurity } from '../core/pod-security';
import { cpuMillicores, isCpuQuantity, sizeKib, sizeQuantity } from '../core/quantity';
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
  readonly partOf: string;
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
  /** The container's volume mounts, each with the prop that sets its path, in rendering order. */
  readonly mounts: ReadonlyArray<readonly [string, string]>;
  /** Size of the memory-backed `/dev/shm`; undefined when disabled. */
  readonly sharedMemory?: Size;
}

type Rule = PropsRule<GpuAgentDeploymentFacts>;

const names: Rule = (v, f) => {
  // The name is also the pods' app.kubernetes.io/name label: a DNS label fits both.
  v.dnsLabel('name', f.name);
  const derived = f.props.serviceName === undefined ? ' (it is the default, <name>-service: set serviceName)' : '';
  v.check(FIELD_RULES.serviceName.test(f.serviceName), 'serviceName', f.serviceName,
    `${FIELD_RULES.serviceName.allowed}${derived}`);
  v.field(FIELD_RULES.namespaceName, 'namespace', f.namespace).labelValue('partOf', f.partOf);
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

const security: Rule = (v, f) => {
  checkPodSecurity(v, 'security', f.security);
};

const paths: Rule = (v, f) => {
  v.absolutePath('probes.healthPath', f.healthPath).absolutePath('probes.readyPath', f.readyPath)
    .absolutePath('configMountPath', f.configMountPath)
    .absolutePath('modelStorage.mountPath', f.props.modelStorage?.mountPath);
  checkMountPaths(v, f.mounts);
};

const config: Rule = (v, { props }) => {
  v.field(FIELD_RULES.objectName, 'configMapName', props.configMapName);
  v.check(props.configData === undefined || props.configMapName !== undefined, 'configData',
    Object.keys(props.configData ?? {}), 'needs configMapName, the name of the ConfigMap to create');
  for (const key of Object.keys(props.configData ?? {})) v.field(FIELD_RULES.configMapKey, `configData.${key}`, key);
  const bytes = Object.entries(props.configData ?? {})
    .reduce((n, [key, value]) => n + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  v.check(bytes <= CONFIG_MAP_MAX_BYTES, 'configData', raw(`${bytes} bytes`),
    `must total at most ${CONFIG_MAP_MAX_BYTES} bytes (keys and values): the API server's limit of a ConfigMap`);
};

const modelStorage: Rule = (v, f) => {
  const storage = f.props.modelStorage;
  if (!storage) return;
  v.field(FIELD_RULES.objectName, 'modelStorage.claimName', storage.claimName);
  const claim = storage.newClaim;
  if (!claim) return;
  // An empty class is the API server's way to ask for no dynamic provisioning: it allows it.
  if (claim.storageClassName !== '') {
    v.field(FIELD_RULES.storageClassName, 'modelStorage.storageClassName', claim.storageClassName);
  }
  v.check(ACCESS_MODES.includes(claim.accessMode), 'modelStorage.accessMode', claim.accessMode,
    `must be one of ${ACCESS_MODES.join(', ')}`);
  v.check(sizeKib(claim.size) > 0, 'modelStorage.size', raw(sizeQuantity(claim.size)), 'must be larger than zero');
  // A single-node volume leaves every replica scheduled on another node stuck in ContainerCreating
  // (Multi-Attach error); ReadWriteOncePod admits only one pod at all.
  v.check(f.replicas <= 1 || SHARED_ACCESS_MODES.has(claim.accessMode), 'modelStorage.accessMode',
    claim.accessMode, `attaches to a single node, but the workload runs ${f.replicas} replicas: choose ` +
      "'ReadOnlyMany' or 'ReadWriteMany' (with a storage class that provides it), or one replica");
};

/** The access modes a PersistentVolumeClaim may ask for (`ValidatePersistentVolumeClaimSpec`). */
const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

/** Access modes a volume can be mounted with from pods on several nodes. */
const SHARED_ACCESS_MODES = new Set(['ReadOnlyMany', 'ReadWriteMany']);

const gpu: Rule = (v, { props }) => {
  if (!props.gpu) return;
  const { type, modelMemory } = props.gpu;
  // The node selector and the container's resources: the API server's rules for each.
  v.labelKey('gpu.nodeLabelKey', props.gpu.nodeLabelKey);
  if (GpuType.isGpuType(type)) {
    v.labelValue('gpu.type.nodeLabelValue', type.nodeLabelValue)
      .field(FIELD_RULES.extendedResourceName, 'gpu.type.resourceName', type.resourceName);
  }
  v.tolerations('gpu.tolerations', props.gpu.tolerations);
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
  for (const [which, value] of [['request', cpu.request], ['limit', cpu.limit]] as const) {
    v.check(isCpuQuantity(value.amount), `resources.cpu.${which}`, raw(value.amount),
      'must be a CPU quantity larger than zero (Cpu.units(2), Cpu.millis(500))');
  }
  const cpuOk = isCpuQuantity(cpu.request.amount) && isCpuQuantity(cpu.limit.amount);
  const memoryRequest = raw(sizeQuantity(memory.request));
  v.check(sizeKib(memory.request) <= sizeKib(memory.limit), 'resources.memory.request', memoryRequest,
    `must be <= resources.memory.limit (${sizeQuantity(memory.limit)})`);
  v.check(!cpuOk || cpuMillicores(cpu.request.amount) <= cpuMillicores(cpu.limit.amount), 'resources.cpu.request',
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
    const value = props.env![name];
    v.check(EnvValue.isEnvValue(value), `env.${name}`, value, ENV_VALUE_ALLOWED);
    // A Secret reference: the name of a Secret and a key of its data (secretKeyRef).
    if (EnvValue.isEnvValue(value) && value.secret) {
      v.field(FIELD_RULES.objectName, `env.${name}.secretName`, value.secret.secretName)
        .field(FIELD_RULES.configMapKey, `env.${name}.key`, value.secret.key);
    }
  }
};

const labels: Rule = (v, { props }) => {
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    v.labelKey(`labels.${key}`, key).labelValue(`labels.${key}`, value);
  }
};

/** The rules of GpuAgentDeployment's props, in the order their problems are reported. */
const RULES: readonly Rule[] = [
  names, image, ports, replicas, security, paths, config, modelStorage, gpu, resources, startupBudget, metrics, env,
  labels,
];

/** Checks a GpuAgentDeployment's resolved props and throws one error listing every problem. */
export function validateGpuAgentDeploymentProps(id: string, facts: GpuAgentDeploymentFacts): void {
  new PropsValidator('GpuAgentDeployment', id).rules(RULES, facts).throwIfAny();
}
