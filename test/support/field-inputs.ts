/**
 * Where every string input of the public API (test/support/public-inputs.ts, read from the types) goes:
 *
 * - {@link KUBERNETES_INPUTS}: it reaches a Kubernetes field, and synth checks it against that field's rule of
 *   lib/core/field-rules.ts. Each says which rule, which construct reports it under which prop, and how to
 *   build that construct with a value, so the property tests (test/platform/field-inputs.test.ts) can try
 *   generated values that break the rule and values that satisfy it;
 * - {@link LIBRARY_RULES}: it reaches a Kubernetes field, and synth checks it by a rule of the library that
 *   implies the API server's (a pinned image, an absolute path, a C identifier ...), tested beside its construct;
 * - {@link ELSEWHERE}: it reaches no Kubernetes field (nginx.conf, PromQL, Compose, a construct id, a value the
 *   API server takes as any text, an output of the library), with where it goes instead.
 *
 * The inventory test fails on any input of the types that is in none of them, or in two: a new prop cannot
 * skip its rule unnoticed.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AgentAutoscaler, AgentGateway, AgentGatewayProps, AiAgentPlatform, AiAgentPlatformProps, AlertRules,
  AlertRulesProps, ApiKeySource, EgressTarget, EnvValue, GatewayEdge, GpuAgentDeployment, GpuAgentDeploymentProps,
  GpuType,
  IAgentWorkload, IMetricsTarget, IScalableWorkload, MetricTarget, ModelStorage, RatePlan, Redis, RedisProps,
  NetworkPort, ScalingMetric, Tenant, TenantProps,
} from '../../lib';
import { FieldRuleName } from '../../lib/core/field-rules';
import { show } from '../../lib/core/validation';

/** An input that reaches a Kubernetes field, checked against the field's rule. */
export interface KubernetesInput {
  /** The rule of lib/core/field-rules.ts the API server applies to the field. */
  readonly rule: FieldRuleName;
  /** The construct that reports a broken value. */
  readonly construct: string;
  /** The construct id in the message (for an id input, the value itself). */
  readonly id: string | ((value: string) => string);
  /** The prop the message names. */
  readonly prop: string | ((value: string) => string);
  /** The message's "what is allowed", when the construct words it its own way. @default - the rule's */
  readonly allowed?: string;
  /** The whole message after `Construct 'id': `, when it is not `prop (value) allowed`. */
  readonly line?: (value: string) => string;
  /** Builds the construct with `value` in the input and synthesizes it (throws what validation throws). */
  readonly build: (value: string) => unknown[];
  /** Values the construct takes, when fewer than the rule allows (a name derived from it must fit too). */
  readonly valid?: fc.Arbitrary<string>;
  /** The API server also takes `''` here (an empty storage class: no dynamic provisioning). */
  readonly allowsEmpty?: boolean;
}

const IMAGE = 'registry.example.com/ai-agent:v1.2.0';

function synthChart(build: (chart: Chart) => void): unknown[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart);
}

const agentIn = (chart: Chart, props: Partial<GpuAgentDeploymentProps> = {}, id = 'ai-agent') =>
  new GpuAgentDeployment(chart, id, { image: IMAGE, namespace: 'ai-platform', ...props });
const agent = (props: Partial<GpuAgentDeploymentProps>, id?: string) => synthChart((c) => agentIn(c, props, id));
const redis = (props: RedisProps) => synthChart((c) => new Redis(c, 'redis', props));
const alerts = (props: AlertRulesProps) => synthChart((c) => new AlertRules(c, 'alerts', props));
const tenant = (props: Partial<TenantProps>) => synthChart((c) => new Tenant(c, 'acme', {
  plan: RatePlan.perSecond('gold', 5), platformNamespace: 'ai-platform', ...props,
}));
const gateway = (props: Partial<AgentGatewayProps>) => synthChart((c) => {
  const g = new AgentGateway(c, 'Gateway', { serverName: 'ai.example.com', namespace: 'ai-platform', ...props });
  g.route('/api/', agentIn(c));
});
const autoscaler = (metric: ScalingMetric, keda = false, name?: string) => synthChart((c) => {
  new AgentAutoscaler(c, 'hpa', {
    target: agentIn(c), maxReplicas: 3, metrics: [metric], name,
    keda: keda ? { prometheusServerAddress: 'http://prometheus.monitoring.svc:9090', scaledObjectName: name } : undefined,
  });
});
function platform(build: (p: AiAgentPlatform) => void, props: AiAgentPlatformProps = {}): unknown[] {
  const p = new AiAgentPlatform(Testing.app(), 'p', props);
  build(p);
  return Testing.synth(p);
}
const customGpu = (props: { nodeLabelValue?: string; resourceName?: string }) =>
  GpuType.custom({ name: 'X', nodeLabelValue: 'x', memory: GpuType.L4_24GB.memory, ...props });
const withPlan = (p: AiAgentPlatform) => ({ plan: p.addRatePlan(RatePlan.perSecond('gold', 5)) });

/** A workload of the user's own: the library's agent with some fields replaced. */
function own<T extends object>(of: T, fields: Record<string, unknown>): T {
  return Object.assign(Object.create(of), fields);
}
const ownWorkload = (fields: Partial<IAgentWorkload>) => synthChart((c) => {
  const g = new AgentGateway(c, 'Gateway', { serverName: 'ai.example.com', namespace: 'ai-platform' });
  g.route('/own/', own(agentIn(c), { name: 'own', ...fields }));
});
const monitorOwn = (fields: Partial<IMetricsTarget>) => synthChart((c) => {
  new AlertRules(c, 'alerts', { dashboard: false }).monitor({
    name: 't', namespace: 'ai-platform', selectorLabels: { app: 't' }, metrics: { port: 9113, path: '/metrics' },
    ...fields,
  });
});
const scaleOwn = (name: string) => synthChart((c) => {
  const target = agentIn(c);
  const ref = target.toScalingTarget();
  new AgentAutoscaler(c, 'hpa', {
    target: own<IScalableWorkload>(target, {
      toScalingTarget: () => ({ ...ref, replicas: undefined, scaleTargetRef: { ...ref.scaleTargetRef, name } }),
    }),
    maxReplicas: 3,
  });
});

const label = (max: number) => fc.stringMatching(new RegExp(`^[a-z0-9]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`));
/** A workload name whose default Service name, `<name>-service`, is a Service name (a DNS-1035 label) too. */
const agentName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,53}[a-z0-9])?$/);
const METRIC_NAME = "must be a non-empty metrics API name without '/' or '%'";

/** Inputs that reach a Kubernetes field, with the rule synth checks them against. */
export const KUBERNETES_INPUTS: Record<string, KubernetesInput> = {
  // GpuAgentDeployment
  'GpuAgentDeploymentProps.name': {
    rule: 'dns1123Label', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'name',
    build: (v) => agent({ name: v, serviceName: 'svc' }),
  },
  'GpuAgentDeploymentProps.namespace': {
    rule: 'namespaceName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'namespace',
    build: (v) => agent({ namespace: v }),
  },
  'GpuAgentDeploymentProps.partOf': {
    rule: 'labelValue', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'partOf',
    build: (v) => agent({ partOf: v }),
  },
  'GpuAgentDeploymentProps.labels{key}': {
    rule: 'labelKey', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: (v) => `labels.${v}`,
    build: (v) => agent({ labels: { [v]: 'x' } }),
  },
  'GpuAgentDeploymentProps.labels{}': {
    rule: 'labelValue', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'labels.team',
    build: (v) => agent({ labels: { team: v } }),
  },
  'GpuAgentDeploymentProps.serviceName': {
    rule: 'serviceName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'serviceName',
    build: (v) => agent({ serviceName: v }),
  },
  'GpuAgentDeploymentProps.configMapName': {
    rule: 'objectName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'configMapName',
    build: (v) => agent({ configMapName: v, configData: { a: 'b' } }),
  },
  'GpuAgentDeploymentProps.configData{key}': {
    rule: 'configMapKey', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: (v) => `configData.${v}`,
    build: (v) => agent({ configMapName: 'c', configData: { [v]: 'x' } }),
  },
  'GpuRequest.nodeLabelKey': {
    rule: 'labelKey', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'gpu.nodeLabelKey',
    build: (v) => agent({ gpu: { type: GpuType.A10_24GB, nodeLabelKey: v } }),
  },
  'GpuType.custom(props).nodeLabelValue': {
    rule: 'labelValue', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'gpu.type.nodeLabelValue',
    build: (v) => agent({ gpu: { type: customGpu({ nodeLabelValue: v }) } }),
  },
  'GpuType.custom(props).resourceName': {
    rule: 'extendedResourceName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'gpu.type.resourceName',
    build: (v) => agent({ gpu: { type: customGpu({ resourceName: v }) } }),
  },
  'Toleration.key': {
    rule: 'labelKey', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'gpu.tolerations[0]',
    allowsEmpty: true, // an empty key with Exists tolerates every taint
    line: (v) => `gpu.tolerations[0] (${show({ key: v, operator: 'Exists' })}) key`,
    build: (v) => agent({ gpu: { type: GpuType.L4_24GB, tolerations: [{ key: v, operator: 'Exists' }] } }),
  },
  'Toleration.value': {
    rule: 'labelValue', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'gpu.tolerations[0]',
    line: (v) => `gpu.tolerations[0] (${show({ key: 'gpu', value: v })}) value`,
    build: (v) => agent({ gpu: { type: GpuType.L4_24GB, tolerations: [{ key: 'gpu', value: v }] } }),
  },
  'ModelStorage.existingClaim(claimName)': {
    rule: 'objectName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'modelStorage.claimName',
    build: (v) => agent({ modelStorage: ModelStorage.existingClaim(v) }),
  },
  'ModelStorage.newClaim(options).claimName': {
    rule: 'objectName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'modelStorage.claimName',
    build: (v) => agent({ modelStorage: ModelStorage.newClaim({ claimName: v, size: GpuType.L4_24GB.memory }) }),
  },
  'ModelStorage.newClaim(options).storageClassName': {
    rule: 'storageClassName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'modelStorage.storageClassName',
    allowsEmpty: true,
    build: (v) => agent({
      modelStorage: ModelStorage.newClaim({ claimName: 'm', size: GpuType.L4_24GB.memory, storageClassName: v }),
    }),
  },
  'EnvValue.fromSecret(secretName)': {
    rule: 'objectName', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'env.API_KEY.secretName',
    build: (v) => agent({ env: { API_KEY: EnvValue.fromSecret(v, 'key') } }),
  },
  'EnvValue.fromSecret(key)': {
    rule: 'configMapKey', construct: 'GpuAgentDeployment', id: 'ai-agent', prop: 'env.API_KEY.key',
    build: (v) => agent({ env: { API_KEY: EnvValue.fromSecret('keys', v) } }),
  },
  'new GpuAgentDeployment(id)': {
    rule: 'dns1123Label', construct: 'GpuAgentDeployment', id: (v) => v, prop: 'name', valid: agentName,
    build: (v) => agent({}, v),
  },
  // Redis
  'RedisProps.name': {
    rule: 'serviceName', construct: 'Redis', id: 'redis', prop: 'name', build: (v) => redis({ name: v }),
  },
  'RedisProps.namespace': {
    rule: 'namespaceName', construct: 'Redis', id: 'redis', prop: 'namespace', build: (v) => redis({ namespace: v }),
  },
  'RedisProps.partOf': {
    rule: 'labelValue', construct: 'Redis', id: 'redis', prop: 'partOf', build: (v) => redis({ partOf: v }),
  },
  'RedisProps.storageClassName': {
    rule: 'storageClassName', construct: 'Redis', id: 'redis', prop: 'storageClassName', allowsEmpty: true,
    build: (v) => redis({ storageClassName: v }),
  },
  // AiAgentPlatform
  'AiAgentPlatformProps.namespace': {
    rule: 'namespaceName', construct: 'AiAgentPlatform', id: 'p', prop: 'namespace',
    build: (v) => platform(() => undefined, { namespace: v }),
  },
  'AiAgentPlatformProps.partOf': {
    rule: 'dns1123Label', construct: 'AiAgentPlatform', id: 'p', prop: 'partOf',
    build: (v) => platform(() => undefined, { partOf: v }),
  },
  'ChartProps.labels{key}': {
    rule: 'labelKey', construct: 'AiAgentPlatform', id: 'p', prop: 'labels key',
    build: (v) => platform(() => undefined, { labels: { [v]: 'x' } }),
  },
  'ChartProps.labels{}': {
    rule: 'labelValue', construct: 'AiAgentPlatform', id: 'p', prop: 'labels.team',
    build: (v) => platform(() => undefined, { labels: { team: v } }),
  },
  'PlatformNetworkPoliciesOptions.ingressNamespace': {
    rule: 'namespaceName', construct: 'AiAgentPlatform', id: 'p', prop: 'networkPolicies.ingressNamespace',
    build: (v) => platform(() => undefined, { networkPolicies: { ingressNamespace: v } }),
  },
  'PlatformNetworkPoliciesOptions.monitoringNamespace': {
    rule: 'namespaceName', construct: 'AiAgentPlatform', id: 'p', prop: 'networkPolicies.monitoringNamespace',
    build: (v) => platform(() => undefined, { networkPolicies: { monitoringNamespace: v } }),
  },
  'AiAgentPlatform.addAgent(id)': {
    rule: 'dns1123Label', construct: 'GpuAgentDeployment', id: (v) => v, prop: 'name', valid: agentName,
    build: (v) => platform((p) => p.addAgent(v, { image: IMAGE })),
  },
  'AiAgentPlatform.addModelService(id)': {
    rule: 'dns1123Label', construct: 'GpuAgentDeployment', id: (v) => v, prop: 'name', valid: agentName,
    build: (v) => platform((p) => p.addModelService(v, { image: IMAGE })),
  },
  'AiAgentPlatform.addTenant(id)': {
    rule: 'dns1123Label', construct: 'Tenant', id: (v) => v, prop: 'name', valid: label(56),
    build: (v) => platform((p) => p.addTenant(v, withPlan(p))),
  },
  'Tenant.addAgent(id)': {
    rule: 'dns1123Label', construct: 'GpuAgentDeployment', id: (v) => v, prop: 'name', valid: agentName,
    build: (v) => platform((p) => p.addTenant('acme', withPlan(p)).addAgent(v, { image: IMAGE })),
  },
  // Egress (allowTo)
  'EgressTarget.namespace(name)': {
    rule: 'namespaceName', construct: 'EgressTarget', id: 'namespace', prop: 'name',
    build: (v) => platform((p) => p.addAgent('a', { image: IMAGE })
      .allowTo(EgressTarget.namespace(v), { ports: [NetworkPort.tcp(443)] })),
  },
  'EgressTarget.namespace(options).podLabels{key}': {
    rule: 'labelKey', construct: 'EgressTarget', id: 'namespace', prop: 'podLabels key',
    build: (v) => platform((p) => p.addAgent('a', { image: IMAGE })
      .allowTo(EgressTarget.namespace('db', { podLabels: { [v]: 'x' } }), { ports: [NetworkPort.tcp(443)] })),
  },
  'EgressTarget.namespace(options).podLabels{}': {
    rule: 'labelValue', construct: 'EgressTarget', id: 'namespace', prop: 'podLabels.app',
    build: (v) => platform((p) => p.addAgent('a', { image: IMAGE })
      .allowTo(EgressTarget.namespace('db', { podLabels: { app: v } }), { ports: [NetworkPort.tcp(443)] })),
  },
  // Tenant
  'new Tenant(id)': {
    rule: 'dns1123Label', construct: 'Tenant', id: (v) => v, prop: 'name', valid: label(56),
    build: (v) => synthChart((c) => new Tenant(c, v, { plan: RatePlan.perSecond('gold', 5), platformNamespace: 'p' })),
  },
  'TenantProps.namespace': {
    rule: 'namespaceName', construct: 'Tenant', id: 'acme', prop: 'namespace', build: (v) => tenant({ namespace: v }),
  },
  'TenantProps.platformNamespace': {
    rule: 'namespaceName', construct: 'Tenant', id: 'acme', prop: 'platformNamespace',
    build: (v) => tenant({ platformNamespace: v }),
  },
  'TenantProps.monitoringNamespace': {
    rule: 'namespaceName', construct: 'Tenant', id: 'acme', prop: 'monitoringNamespace',
    build: (v) => tenant({ monitoringNamespace: v }),
  },
  'TenantProps.partOf': {
    rule: 'labelValue', construct: 'Tenant', id: 'acme', prop: 'partOf', build: (v) => tenant({ partOf: v }),
  },
  'ApiKeySource.secret(secretName)': {
    rule: 'objectName', construct: 'Tenant', id: 'acme', prop: 'apiKeys.secretName',
    build: (v) => tenant({ apiKeys: ApiKeySource.secret(v) }),
  },
  // AgentGateway
  'AgentGatewayProps.name': {
    rule: 'serviceName', construct: 'AgentGateway', id: 'Gateway', prop: 'name', build: (v) => gateway({ name: v }),
  },
  'AgentGatewayProps.namespace': {
    rule: 'namespaceName', construct: 'AgentGateway', id: 'Gateway', prop: 'namespace',
    build: (v) => gateway({ namespace: v }),
  },
  'AgentGatewayProps.partOf': {
    rule: 'labelValue', construct: 'AgentGateway', id: 'Gateway', prop: 'partOf', build: (v) => gateway({ partOf: v }),
  },
  'GatewayTlsProps.secretName': {
    rule: 'objectName', construct: 'AgentGateway', id: 'Gateway', prop: 'tls.secretName',
    build: (v) => gateway({ tls: { certificateFile: '/etc/ssl/c.pem', keyFile: '/etc/ssl/k.pem', secretName: v } }),
  },
  'IngressEdgeOptions.name': {
    rule: 'objectName', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.name',
    build: (v) => gateway({ edge: GatewayEdge.ingress({ name: v }) }),
  },
  'IngressEdgeOptions.className': {
    rule: 'ingressClassName', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.className',
    build: (v) => gateway({ edge: GatewayEdge.ingress({ className: v }) }),
  },
  'IngressEdgeOptions.annotations{key}': {
    rule: 'annotationKey', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.annotations key',
    build: (v) => gateway({ edge: GatewayEdge.ingress({ annotations: { [v]: 'x' } }) }),
  },
  'HttpRouteEdgeOptions.name': {
    rule: 'objectName', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.name',
    build: (v) => gateway({ edge: GatewayEdge.httpRoute({ name: v, parentRefs: [{ name: 'edge' }] }) }),
  },
  'GatewayParentRef.name': {
    rule: 'objectName', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.parentRefs[0].name',
    build: (v) => gateway({ edge: GatewayEdge.httpRoute({ parentRefs: [{ name: v }] }) }),
  },
  'GatewayParentRef.namespace': {
    rule: 'namespaceName', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.parentRefs[0].namespace',
    build: (v) => gateway({ edge: GatewayEdge.httpRoute({ parentRefs: [{ name: 'edge', namespace: v }] }) }),
  },
  'GatewayParentRef.sectionName': {
    rule: 'dns1123Subdomain', construct: 'AgentGateway', id: 'Gateway', prop: 'edge.parentRefs[0].sectionName',
    build: (v) => gateway({ edge: GatewayEdge.httpRoute({ parentRefs: [{ name: 'edge', sectionName: v }] }) }),
  },
  'IAgentWorkload.serviceName': {
    rule: 'serviceName', construct: 'AgentGateway', id: 'Gateway', prop: "upstream 'own_backend'.workload.serviceName",
    valid: fc.stringMatching(/^[a-z]([-a-z0-9]{0,52}[a-z0-9])?$/), // `<serviceName>-headless` is a Service too
    build: (v) => ownWorkload({ serviceName: v }),
  },
  'IAgentWorkload.namespace': {
    rule: 'namespaceName', construct: 'AgentGateway', id: 'Gateway', prop: "upstream 'own_backend'.workload.namespace",
    build: (v) => ownWorkload({ namespace: v }),
  },
  'IAgentWorkload.selectorLabels{key}': {
    rule: 'labelKey', construct: 'AgentGateway', id: 'Gateway',
    prop: "upstream 'own_backend'.workload.selectorLabels key",
    build: (v) => ownWorkload({ selectorLabels: { [v]: 'x' } }),
  },
  'IAgentWorkload.selectorLabels{}': {
    rule: 'labelValue', construct: 'AgentGateway', id: 'Gateway',
    prop: "upstream 'own_backend'.workload.selectorLabels.app",
    build: (v) => ownWorkload({ selectorLabels: { app: v } }),
  },
  // AgentAutoscaler
  'AgentAutoscalerProps.name': {
    rule: 'objectName', construct: 'AgentAutoscaler', id: 'hpa', prop: 'name',
    build: (v) => autoscaler(ScalingMetric.cpu(70), false, v),
  },
  'KedaScalingOptions.scaledObjectName': {
    rule: 'objectName', construct: 'AgentAutoscaler', id: 'hpa', prop: 'keda.scaledObjectName',
    build: (v) => autoscaler(ScalingMetric.cpu(70), true, v),
  },
  'ScalingMetric.podsAverage(metricName)': {
    rule: 'pathSegmentName', construct: 'AgentAutoscaler', id: 'hpa', prop: 'metrics[0].metricName',
    allowed: METRIC_NAME, build: (v) => autoscaler(ScalingMetric.podsAverage(v, 10)),
  },
  'ScalingMetric.external(metricName)': {
    rule: 'pathSegmentName', construct: 'AgentAutoscaler', id: 'hpa', prop: 'metrics[0].metricName',
    allowed: METRIC_NAME, build: (v) => autoscaler(ScalingMetric.external(v, MetricTarget.value(10))),
  },
  'LlmMetricOptions.metricName': {
    rule: 'pathSegmentName', construct: 'AgentAutoscaler', id: 'hpa', prop: 'metrics[0].metricName',
    allowed: METRIC_NAME, build: (v) => autoscaler(ScalingMetric.queueDepth(5, { metricName: v })),
  },
  'PrometheusMetricOptions.selector{key}': {
    rule: 'labelKey', construct: 'AgentAutoscaler', id: 'hpa', prop: 'metrics[0].selector key',
    build: (v) => autoscaler(ScalingMetric.podsAverage('rps', 10, { selector: { [v]: 'x' } })),
  },
  'PrometheusMetricOptions.selector{}': {
    rule: 'labelValue', construct: 'AgentAutoscaler', id: 'hpa', prop: 'metrics[0].selector.model',
    build: (v) => autoscaler(ScalingMetric.podsAverage('rps', 10, { selector: { model: v } })),
  },
  'ScaleTargetRef.name': {
    rule: 'objectName', construct: 'AgentAutoscaler', id: 'hpa', prop: 'target.scaleTargetRef.name',
    build: (v) => scaleOwn(v),
  },
  // AlertRules
  'AlertRulesProps.name': {
    rule: 'objectName', construct: 'AlertRules', id: 'alerts', prop: 'name', build: (v) => alerts({ name: v }),
    valid: label(63), // also the app.kubernetes.io/name label
  },
  'AlertRulesProps.namespace': {
    rule: 'namespaceName', construct: 'AlertRules', id: 'alerts', prop: 'namespace',
    build: (v) => alerts({ namespace: v }),
  },
  'AlertRulesProps.partOf': {
    rule: 'dns1123Label', construct: 'AlertRules', id: 'alerts', prop: 'partOf', build: (v) => alerts({ partOf: v }),
    valid: label(53), // `<partOf>-dashboard` names the dashboard's ConfigMap, and is its label value too
  },
  'AlertRulesProps.platformNamespace': {
    rule: 'namespaceName', construct: 'AlertRules', id: 'alerts', prop: 'platformNamespace',
    build: (v) => alerts({ platformNamespace: v }),
  },
  'AlertRulesProps.selectorLabels{key}': {
    rule: 'labelKey', construct: 'AlertRules', id: 'alerts', prop: 'selectorLabels key',
    build: (v) => alerts({ selectorLabels: { [v]: 'x' } }),
  },
  'AlertRulesProps.selectorLabels{}': {
    rule: 'labelValue', construct: 'AlertRules', id: 'alerts', prop: 'selectorLabels.release',
    build: (v) => alerts({ selectorLabels: { release: v } }),
  },
  'AlertDashboardOptions.name': {
    rule: 'objectName', construct: 'AlertRules', id: 'alerts', prop: 'dashboard.name',
    valid: label(63), // also the dashboard's app.kubernetes.io/name label
    build: (v) => alerts({ dashboard: { name: v } }),
  },
  'AlertDashboardOptions.namespace': {
    rule: 'namespaceName', construct: 'AlertRules', id: 'alerts', prop: 'dashboard.namespace',
    build: (v) => alerts({ dashboard: { namespace: v } }),
  },
  'AlertDashboardOptions.sidecarLabels{key}': {
    rule: 'labelKey', construct: 'AlertRules', id: 'alerts', prop: 'dashboard.sidecarLabels key',
    build: (v) => alerts({ dashboard: { sidecarLabels: { [v]: '1' } } }),
  },
  'AlertDashboardOptions.sidecarLabels{}': {
    rule: 'labelValue', construct: 'AlertRules', id: 'alerts', prop: 'dashboard.sidecarLabels.grafana_dashboard',
    build: (v) => alerts({ dashboard: { sidecarLabels: { grafana_dashboard: v } } }),
  },
  'IMetricsTarget.name': {
    rule: 'objectName', construct: 'AlertRules', id: 'alerts', prop: (v) => `monitor(ai-platform/${v}).name`,
    valid: label(63), // also the monitor's app.kubernetes.io/name label
    build: (v) => monitorOwn({ name: v }),
  },
  'IMetricsTarget.namespace': {
    rule: 'namespaceName', construct: 'AlertRules', id: 'alerts', prop: (v) => `monitor(${v}/t).namespace`,
    build: (v) => monitorOwn({ namespace: v }),
  },
  'IMetricsTarget.selectorLabels{key}': {
    rule: 'labelKey', construct: 'AlertRules', id: 'alerts', prop: 'monitor(ai-platform/t).selectorLabels key',
    build: (v) => monitorOwn({ selectorLabels: { [v]: 'x' } }),
  },
  'IMetricsTarget.selectorLabels{}': {
    rule: 'labelValue', construct: 'AlertRules', id: 'alerts', prop: 'monitor(ai-platform/t).selectorLabels.app',
    build: (v) => monitorOwn({ selectorLabels: { app: v } }),
  },
  'IMetricsTarget.metrics.portName': {
    rule: 'portName', construct: 'AlertRules', id: 'alerts', prop: 'monitor(ai-platform/t).metrics.portName',
    build: (v) => monitorOwn({ metrics: { port: 9113, path: '/metrics', portName: v } }),
  },
  'IMetricsTarget.additionalMetrics[].portName': {
    rule: 'portName', construct: 'AlertRules', id: 'alerts',
    prop: 'monitor(ai-platform/t).additionalMetrics[0].portName',
    build: (v) => monitorOwn({ additionalMetrics: [{ port: 3903, path: '/metrics', portName: v }] }),
  },
};

/** Inputs that reach a Kubernetes field, checked by a rule of the library that implies the API server's. */
export const LIBRARY_RULES: Record<string, string> = {
  'GpuAgentDeploymentProps.image': 'a pinned image reference (isPinnedImage), stricter than the required image',
  'RedisProps.image': 'a pinned image reference (isPinnedImage)',
  'AgentGatewayProps.image': 'a pinned image reference (isPinnedImage) naming an nginx version',
  'GatewayKubernetesProps.exporterImage': 'a pinned image reference (isPinnedImage)',
  'GatewayRequestMetricsProps.image': 'a pinned image reference (isPinnedImage): the mtail sidecar',
  'GatewayRequestSignal.labels{key}': 'made by the gateway: the fixed keys namespace and upstream',
  'GatewayRequestSignal.labels{}': 'made by the gateway: its namespace (a DNS label, checked) and an upstream name '
    + '(letters, digits, _), both valid label values of the HPA\'s external metric selector',
  'EgressTarget.cidr(cidr)': 'an IPv4 or IPv6 CIDR as the API server wants it (ValidateIPBlock): the network address',
  'EgressTarget.cidr(options).except[]': 'a CIDR strictly inside the cidr (ValidateIPBlock)',
  'GpuAgentDeploymentProps.env{key}': 'a C identifier, stricter than IsEnvVarName: Compose and shells read the names',
  'GpuAgentDeploymentProps.configMountPath': 'an absolute path; mount paths of the container must differ',
  'ModelStorage.existingClaim(options).mountPath': 'an absolute path; mount paths of the container must differ',
  'ModelStorage.newClaim(options).mountPath': 'an absolute path; mount paths of the container must differ',
  'PodSecurityProps.writablePaths[]': 'an absolute path whose emptyDir volume name is a distinct DNS-1123 label',
  'AgentProbes.healthPath': 'an absolute path (the probes\' httpGet path)',
  'AgentProbes.readyPath': 'an absolute path (the readiness probe\'s httpGet path)',
  'MetricsEndpoint.path': 'an absolute path (an annotation value)',
  'AgentGatewayProps.serverName': 'a lowercase DNS name, and not an IP address where an edge takes it as host',
  'AgentGateway.route(path)': 'an absolute path ending in \'/\', without \'.\', \'..\' or empty segments (as an '
    + 'Ingress path)',
  'TenantTeam.groups[]': 'RoleBinding subjects: not empty (the API server\'s rule), no spaces or quotes',
  'TenantTeam.users[]': 'RoleBinding subjects: not empty (the API server\'s rule), no spaces or quotes',
  'Toleration.operator': 'ValidateTolerations\' closed set: Equal or Exists',
  'Toleration.effect': 'ValidateTolerations\' closed set: NoSchedule, PreferNoSchedule or NoExecute',
};

/** Inputs of these owners reach no Kubernetes field, whatever the property. */
export const ELSEWHERE_OWNERS: Record<string, string> = {
  ArchitectureModel: 'output: what architecture.md draws',
  Artifact: 'files written beside the manifests',
  AppProps: 'the output directory',
  AgentDockerfileOptions: 'the Dockerfile',
  ComposeGatewayOptions: 'the Compose file',
  ComposePrometheusOptions: 'the Compose file',
  ComposeStackProps: 'the Compose file',
  ComposeWorkloadOptions: 'the Compose file',
  ComposeGatewayTarget: 'the Compose rendering of nginx.conf',
  ComposeGatewayTargetOptions: 'the Compose rendering of nginx.conf',
  GatewayTargetOptions: 'a rendering target of nginx.conf',
  GatewayTargetSettings: 'a rendering target of nginx.conf',
  IComposePlatform: 'what the Compose stack reads of the platform',
  StackCertificate: 'the Compose stack\'s certificate files',
  TlsFiles: 'nginx.conf (GatewayTarget.tlsFiles)',
  ResolvedGatewayTls: 'output: the gateway\'s resolved TLS',
  ResolvedGatewayRequestMetrics: 'output: the gateway\'s resolved request metrics',
  ComposeRequestMetrics: 'the Compose file (the mtail service) and its program file',
  GatewayAlertSource: 'PromQL: metric names the gateway hands to the alerts',
  GatewayTracingProps: 'nginx.conf (the OTLP exporter of nginx\'s OpenTelemetry module)',
  MtailCaptureLabel: 'the mtail program',
  MtailCondition: 'the mtail program',
  MtailLiteralLabel: 'the mtail program',
  MtailMetric: 'the mtail program',
  MtailProgram: 'the mtail program',
  MtailRecord: 'the mtail program',
  MtailRule: 'the mtail program',
  TenantTokenBudget: 'PromQL: a tenant label value, escaped',
  ResolvedPodSecurity: 'output: a workload\'s resolved pod security',
};

/** Single inputs that reach no Kubernetes field, or one whose value the API server takes as any text. */
export const ELSEWHERE: Record<string, string> = {
  'ActiveHealthCheckOptions.path': 'nginx.conf (an active health check)',
  'AgentGatewayProps.nginxVersion': 'nginx.conf (the directives rendered)',
  'AgentGatewayProps.standaloneNginxVersion': 'nginx.conf (the directives rendered)',
  'AiAgentPlatform.addAlerts(id)': 'a construct id',
  'AiAgentPlatform.addAutoscaler(id)': 'a construct id',
  'AiAgentPlatform.addComposeStack(id)': 'a construct id',
  'AiAgentPlatform.addGateway(id)': 'a construct id (the gateway\'s name is a prop)',
  'new AgentAutoscaler(id)': 'a construct id',
  'new AgentGateway(id)': 'a construct id',
  'new AiAgentPlatform(id)': 'a construct id and the manifest\'s file name',
  'new AlertRules(id)': 'a construct id',
  'new ComposeStack(id)': 'a construct id',
  'new Redis(id)': 'a construct id (the name is a prop)',
  'AlertDashboardOptions.title': 'the dashboard JSON (a ConfigMap value: any text)',
  'AlertOptions.runbookUrl': 'a PrometheusRule annotation (checked as an http(s) URL)',
  'AlertOptions.severity: Severity': 'a PrometheusRule label (a closed set)',
  'AlertRulesProps.runbookBaseUrl': 'PrometheusRule annotations (checked as an http(s) URL)',
  'AlertRules.addGroup(group): RuleGroup': 'PrometheusRule rules (names checked by the rules format)',
  'AlertMetrics.gpuUtilization: MetricSelector': 'PromQL',
  'AlertMetrics.httpDurationBuckets: MetricSelector': 'PromQL',
  'AlertMetrics.httpErrors: LabelMatcher': 'PromQL',
  'AlertMetrics.httpRequests: MetricSelector': 'PromQL',
  'AlertMetrics.inferenceDurationBuckets: MetricSelector': 'PromQL',
  'AlertMetrics.nodeCpuSeconds: MetricSelector': 'PromQL',
  'AlertMetrics.nodeMemoryAvailable: MetricSelector': 'PromQL',
  'AlertMetrics.nodeMemoryTotal: MetricSelector': 'PromQL',
  'AlertMetrics.podRestarts: MetricSelector': 'PromQL',
  'AlertMetrics.taskSuccess: LabelMatcher': 'PromQL',
  'AlertMetrics.tasks: MetricSelector': 'PromQL',
  'SloOptions.recordPrefix': 'Prometheus recording rule names',
  'SloOptions.windows[]: BurnRateWindow': 'PromQL',
  'ApiKeyHeader.named(name)': 'nginx.conf (a header name)',
  'GatewayTenancyOptions.tenantHeader': 'nginx.conf (a header name)',
  'EnvValue.value(value)': 'an env value (any text)',
  'GpuAgentDeploymentProps.modelPath': 'an env value (any text)',
  'GpuAgentDeploymentProps.redisUrl': 'an env value (any text)',
  'TenantProps.redisUrl': 'an env value of the tenant\'s pools (any text)',
  'GpuAgentDeploymentProps.configData{}': 'a ConfigMap value (any text; the ConfigMap\'s 1 MiB is checked)',
  'GpuAgentDeploymentProps.configChecksum': 'an annotation value (any text)',
  'IngressEdgeOptions.annotations{}': 'annotation values (any text; their 256 KiB with the keys is checked)',
  'EnvVariable.name': 'output: a workload\'s resolved env (its names come from env, checked there)',
  'SecretKeyRef.key': 'output: EnvValue.secret (from EnvValue.fromSecret, checked by the workload)',
  'SecretKeyRef.secretName': 'output: EnvValue.secret (from EnvValue.fromSecret, checked by the workload)',
  'ModelClaimSpec.accessMode': 'output: ModelStorage.newClaim (checked by the workload)',
  'ModelClaimSpec.storageClassName': 'output: ModelStorage.newClaim (checked by the workload)',
  'GatewayRoute.path': 'output: a resolved route (from route(path), checked there)',
  'GatewayRoute.extraDirectives[]: NginxDirective': 'output: a resolved route\'s nginx directives',
  'GatewayRouteOptions.extraDirectives[]: NginxDirective': 'nginx.conf (checked against the nginx version)',
  'GatewayAccess.namespace': 'output: Tenant.gatewayAccess (the platform namespace, checked by the tenant)',
  'GatewayAccess.podLabels{key}': 'output: Tenant.gatewayAccess (the library\'s own labels)',
  'GatewayAccess.podLabels{}': 'output: Tenant.gatewayAccess (the library\'s own labels)',
  'IGatewayRatePlan.name': 'nginx.conf (RatePlan implements it, checked there)',
  'IGatewayRatePlan.nginxRate': 'nginx.conf (RatePlan implements it)',
  'IGatewayTenant.name': 'Tenant implements it (its name is checked there); the gateway\'s key file names',
  'IGatewayTenant.apiKeys.secretName': 'Tenant implements it (checked there as apiKeys.secretName)',
  'GatewayKubernetesProps.clusterDomain': 'nginx.conf (the names it resolves; checked as a DNS subdomain)',
  'GatewayKubernetesProps.dnsResolver': 'nginx.conf (resolver)',
  'GatewayKubernetesProps.trustedProxies[]': 'nginx.conf (set_real_ip_from)',
  'GatewayTlsProps.certificateFile': 'nginx.conf and the Compose mount (file names of at most 255 bytes)',
  'GatewayTlsProps.keyFile': 'nginx.conf and the Compose mount (file names of at most 255 bytes)',
  'GatewayTlsProps.ciphers': 'nginx.conf (ssl_ciphers)',
  'GatewayUpstreamOptions.name': 'nginx.conf (an upstream name)',
  'GpuType.custom(props).name': 'architecture.md and messages',
  'GpuType.fromNodeLabel(value)': 'a lookup in the catalog: a catalog GpuType, or an error',
  'IAgentWorkload.name': 'nginx.conf (the default upstream name) and messages',
  'IAgentWorkload.healthPath': 'nginx.conf (active health checks)',
  'IAgentWorkload.metrics.path': 'a PodMonitor\'s path (a CRD string without an API server rule)',
  'IMetricsTarget.metrics.path': 'a PodMonitor\'s path (a CRD string without an API server rule)',
  'IMetricsTarget.additionalMetrics[].path': 'a PodMonitor\'s path (a CRD string without an API server rule)',
  'AlertMetrics.interTokenLatencyBuckets: MetricSelector': 'PromQL',
  'AlertMetrics.kvCacheUsage: MetricSelector': 'PromQL',
  'AlertMetrics.prefixCacheHits: MetricSelector': 'PromQL',
  'AlertMetrics.prefixCacheQueries: MetricSelector': 'PromQL',
  'AlertMetrics.requestsRunning: MetricSelector': 'PromQL',
  'AlertMetrics.requestsWaiting: MetricSelector': 'PromQL',
  'AlertMetrics.timeToFirstTokenBuckets: MetricSelector': 'PromQL',
  'GatewayRequestSignal.counter': 'PromQL (KEDA\'s query) and the external metric\'s name, made by the gateway',
  'GatewayRequestSignal.description': 'error messages',
  'IMetricsTarget.labels{key}': 'only the tenant label is read: a relabeling replacement (any text)',
  'IMetricsTarget.labels{}': 'only the tenant label is read: a relabeling replacement (any text)',
  'KedaScalingOptions.prometheusServerAddress': 'KEDA trigger metadata (checked as an http(s) URL)',
  'PrometheusMetricOptions.prometheusQuery': 'KEDA trigger metadata (PromQL)',
  'LlmMetricOptions.prometheusSeries': 'PromQL (checked as a Prometheus metric name)',
  'ScaleTargetRef.apiVersion': 'the HPA\'s scaleTargetRef.apiVersion (no API server rule)',
  'ScaleTargetRef.kind': 'the HPA\'s scaleTargetRef.kind (checked as a path segment name, IsValidPathSegmentName)',
  'ScalingTargetContainer.name': 'read for checks across constructs, not rendered',
  'ScalingTargetContainer.requests{key}': 'read for checks across constructs, not rendered',
  'ScalingTargetContainer.requests{}': 'read for checks across constructs, not rendered',
  'RateLimitZone.global(name)': 'nginx.conf (a zone name)',
  'RateLimitZone.perClientIp(name)': 'nginx.conf (a zone name)',
  'RateLimitZone.perKey(name)': 'nginx.conf (a zone name)',
  'RatePlan.perMinute(name)': 'nginx.conf (a zone name)',
  'RatePlan.perSecond(name)': 'nginx.conf (a zone name)',
  'RequestKey.cookie(name)': 'nginx.conf (a cookie name)',
  'RequestKey.expression(expression)': 'nginx.conf (a key expression)',
  'RequestKey.header(name)': 'nginx.conf (a header name)',
  'UpstreamServer.of(address)': 'nginx.conf (a server address)',
  'isPinnedImage(image)': 'a predicate: renders nothing',
  'pythonHttpCheck(url)': 'the Dockerfile',
};

/** Where an input goes when it reaches no Kubernetes field, or undefined. */
export function elsewhere(input: string): string | undefined {
  return ELSEWHERE[input] ?? ELSEWHERE_OWNERS[input.split(/[.(]/)[0]];
}
