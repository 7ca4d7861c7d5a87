import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { kedaTrigger, ScaledObjectSpec } from './_keda';
import { validateAgentAutoscalerProps } from './_validate-agent-autoscaler-props';
import { standardLabels } from '../core/pod';
import { sortedRecord } from '../core/records';
import { PropsValidator } from '../core/validation';
import {
  DEFAULT_SCALING_BEHAVIOR, ResolvedScalingRules, ScalingMetric, ScalingRules,
} from './scaling-metric';
import { IScalableWorkload, ScaleTargetRef } from '../workloads/workload';
import { brand, hasBrand } from '../core/brand';
import { AgentAutoscalerProps, KedaScalingOptions } from './agent-autoscaler-props';

export * from './agent-autoscaler-props';

/**
 * Scales a workload horizontally: an `autoscaling/v2` HorizontalPodAutoscaler (or, with `keda`, a KEDA
 * ScaledObject) that owns the target's replica count. The target stops rendering `replicas`, so that an
 * apply never resets the count the autoscaler chose.
 *
 * The HPA (or the ScaledObject) is the construct's `Resource` child.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export class AgentAutoscaler extends Construct {
  /** Returns true when `x` is an AgentAutoscaler, also one made by another copy of this package (symbol brand). */
  public static isAgentAutoscaler(x: unknown): x is AgentAutoscaler {
    return hasBrand(x, 'AgentAutoscaler');
  }

  static {
    brand(this, 'AgentAutoscaler');
  }

  /** The scaled workload. */
  public readonly target: IScalableWorkload;
  /** Name of the HPA. */
  public readonly name: string;
  /** Namespace of the HPA: always the target's. */
  public readonly namespace: string;
  /** Fewest replicas (0 only with KEDA). */
  public readonly minReplicas: number;
  /** Most replicas. */
  public readonly maxReplicas: number;
  /** The metrics, in rendering order. */
  public readonly metrics: readonly ScalingMetric[];
  /** The behaviour with every default applied. */
  public readonly behavior: {
    /** How the replica count grows. */
    readonly scaleUp: ResolvedScalingRules;
    /** How the replica count shrinks. */
    readonly scaleDown: ResolvedScalingRules;
  };
  /** Name of the KEDA ScaledObject, when `keda` is set. */
  public readonly scaledObjectName?: string;
  /** The HorizontalPodAutoscaler, or the KEDA ScaledObject. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: AgentAutoscalerProps) {
    super(scope, id);
    const target = props.target;
    if (!isScalable(target)) {
      new PropsValidator('AgentAutoscaler', id)
        .fail(`target (${describe(target)}) must be a scalable workload (an IScalableWorkload such as a `
          + 'GpuAgentDeployment)')
        .throwIfAny();
    }

    this.target = target;
    this.namespace = target.namespace;
    this.name = props.name ?? `${target.name}-hpa`;
    this.minReplicas = props.minReplicas ?? 2;
    this.maxReplicas = props.maxReplicas;
    this.metrics = [...(props.metrics ?? [ScalingMetric.cpu(80)])];
    this.behavior = {
      scaleUp: resolveRules(props.behavior?.scaleUp, DEFAULT_SCALING_BEHAVIOR.scaleUp),
      scaleDown: resolveRules(props.behavior?.scaleDown, DEFAULT_SCALING_BEHAVIOR.scaleDown),
    };
    const keda = props.keda;
    if (keda) this.scaledObjectName = keda.scaledObjectName ?? target.name;
    validateAgentAutoscalerProps(id, {
      target, name: this.name, scaledObjectName: this.scaledObjectName, minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas, metrics: this.metrics, behavior: this.behavior, keda,
    });

    const partOf = target.selectorLabels['app.kubernetes.io/part-of'] ?? 'ai-agent-platform';
    const labels = standardLabels(target.name, 'autoscaler', partOf);
    const ref = target.toScalingTarget().scaleTargetRef;
    this.resource = keda ? this.renderScaledObject(keda, ref, labels) : this.renderHpa(ref, labels);

    target.markAutoscaled(this, this.minReplicas);
    this.node.addValidation({ validate: () => this.crossConstructProblems() });
  }

  /** Whether KEDA, rather than a plain HPA, scales the target. */
  public get usesKeda(): boolean {
    return this.scaledObjectName !== undefined;
  }

  private renderHpa(ref: ScaleTargetRef, labels: Record<string, string>): ApiObject {
    return new k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        metrics: this.metrics.map(hpaMetric),
        behavior: renderBehavior(this.behavior),
      },
    });
  }

  private renderScaledObject(keda: KedaScalingOptions, ref: ScaleTargetRef, labels: Record<string, string>): ApiObject {
    const spec: ScaledObjectSpec = {
      scaleTargetRef: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name },
      pollingInterval: (keda.pollingInterval ?? Duration.seconds(30)).toSeconds(),
      cooldownPeriod: this.minReplicas === 0 ? (keda.cooldownPeriod ?? Duration.minutes(5)).toSeconds() : undefined,
      minReplicaCount: this.minReplicas,
      maxReplicaCount: this.maxReplicas,
      fallback: keda.fallback
        ? { failureThreshold: keda.fallback.failureThreshold, replicas: keda.fallback.replicas } : undefined,
      advanced: { horizontalPodAutoscalerConfig: { name: this.name, behavior: renderBehavior(this.behavior) } },
      triggers: this.metrics.map((m) =>
        kedaTrigger(m, { namespace: this.namespace, workloadName: ref.name }, keda.prometheusServerAddress)),
    };
    return new ApiObject(this, 'Resource', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: this.scaledObjectName, namespace: this.namespace, labels },
      spec,
    });
  }

  /**
   * Checks that span constructs, run at synth: one autoscaler per workload; the target no longer pins
   * `replicas`; every container requests the resources that utilization metrics divide by. The target
   * answers through {@link IScalableWorkload.toScalingTarget}, never through its rendered manifest.
   */
  private crossConstructProblems(): string[] {
    const prefix = `AgentAutoscaler '${this.node.id}': `;
    const problems: string[] = [];
    const scaling = this.target.toScalingTarget();
    const ref = scaling.scaleTargetRef;

    const rivals = this.node.root.node.findAll()
      .filter((c): c is AgentAutoscaler => AgentAutoscaler.isAgentAutoscaler(c) && c !== this)
      .filter((other) => {
        const otherRef = other.target.toScalingTarget().scaleTargetRef;
        return other.namespace === this.namespace && otherRef.kind === ref.kind && otherRef.name === ref.name;
      });
    for (const rival of rivals) {
      problems.push(
        `${prefix}${ref.kind} '${this.namespace}/${ref.name}' is also scaled by '${rival.node.path}';` +
          " two autoscalers on one workload overwrite each other's replica count",
      );
    }

    if (scaling.replicas !== undefined) {
      problems.push(`${prefix}target ${ref.kind} '${ref.name}' still renders spec.replicas (${scaling.replicas}); `
        + 'every apply would reset the count the autoscaler chose');
    }
    for (const metric of this.metrics.filter((m) => m.source === 'Resource')) {
      for (const container of scaling.containers.filter((c) => c.requests[metric.metricName] === undefined)) {
        problems.push(`${prefix}${metric} needs a ${metric.metricName} request on every container, but container `
          + `'${container.name}' of ${ref.kind} '${ref.name}' has none; `
          + 'the HPA would report FailedGetResourceMetric and never scale');
      }
    }
    return problems;
  }
}

function isScalable(x: unknown): x is IScalableWorkload {
  const w = x as Partial<IScalableWorkload> | undefined;
  return typeof w === 'object' && w !== null && typeof w.markAutoscaled === 'function'
    && typeof w.toScalingTarget === 'function' && typeof w.namespace === 'string' && typeof w.name === 'string';
}

function describe(x: unknown): string {
  const node = (x as IConstruct | undefined)?.node;
  if (node && typeof node.path === 'string') return `'${node.path}'`;
  return x === undefined ? 'undefined' : typeof x;
}

function resolveRules(rules: ScalingRules | undefined, defaults: ResolvedScalingRules): ResolvedScalingRules {
  return {
    stabilizationWindow: rules?.stabilizationWindow ?? defaults.stabilizationWindow,
    policies: rules?.policies ?? defaults.policies,
    selectPolicy: rules?.selectPolicy ?? defaults.selectPolicy,
  };
}

function hpaMetric(metric: ScalingMetric): k8s.MetricSpecV2 {
  const target: k8s.MetricTargetV2 = metric.target.type === 'Utilization'
    ? { type: 'Utilization', averageUtilization: metric.target.amount }
    : metric.target.type === 'AverageValue'
      ? { type: 'AverageValue', averageValue: quantity(metric.target.amount) }
      : { type: 'Value', value: quantity(metric.target.amount) };
  const identifier: k8s.MetricIdentifierV2 = {
    name: metric.metricName,
    selector: metric.selector ? { matchLabels: sortedRecord(metric.selector) } : undefined,
  };
  switch (metric.source) {
    case 'Resource': return { type: 'Resource', resource: { name: metric.metricName, target } };
    case 'Pods': return { type: 'Pods', pods: { metric: identifier, target } };
    case 'External': return { type: 'External', external: { metric: identifier, target } };
  }
}

function renderBehavior(behavior: {
  readonly scaleUp: ResolvedScalingRules;
  readonly scaleDown: ResolvedScalingRules;
}): k8s.HorizontalPodAutoscalerBehaviorV2 {
  const rules = (r: ResolvedScalingRules): k8s.HpaScalingRulesV2 => ({
    stabilizationWindowSeconds: r.stabilizationWindow.toSeconds(),
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.period.toSeconds() })),
    selectPolicy: r.selectPolicy,
  });
  return { scaleUp: rules(behavior.scaleUp), scaleDown: rules(behavior.scaleDown) };
}

/** A number as a Kubernetes quantity: integers as numbers (`100`), fractions in milli-units (`800m`). */
function quantity(value: number): k8s.Quantity {
  return Number.isInteger(value)
    ? k8s.Quantity.fromNumber(value)
    : k8s.Quantity.fromString(`${Math.round(value * 1000)}m`);
}
