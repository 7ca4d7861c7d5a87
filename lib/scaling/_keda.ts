import { escapeRegExp } from '../core/format';
import { k8s } from 'cdk8s-plus-28';
import { ScalingMetric } from './scaling-metric';

/** The part of a KEDA `ScaledObject` spec this library renders (keda.sh/v1alpha1). */
export interface ScaledObjectSpec {
  /** The workload KEDA scales. */
  readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  /** Seconds between trigger checks. */
  readonly pollingInterval: number;
  /** Seconds without an active trigger before scaling to zero; only with `minReplicaCount: 0`. */
  readonly cooldownPeriod?: number;
  /** Fewest replicas (0 allows scale to zero). */
  readonly minReplicaCount: number;
  /** Most replicas. */
  readonly maxReplicaCount: number;
  /** Replicas to set after `failureThreshold` failed trigger queries in a row. */
  readonly fallback?: { readonly failureThreshold: number; readonly replicas: number };
  /** Name and behaviour of the HPA that KEDA creates. */
  readonly advanced: {
    readonly horizontalPodAutoscalerConfig: {
      readonly name: string;
      readonly behavior: k8s.HorizontalPodAutoscalerBehaviorV2;
    };
  };
  /** One trigger per metric. */
  readonly triggers: readonly KedaTrigger[];
}

/** One KEDA trigger. */
export interface KedaTrigger {
  /** The KEDA scaler. */
  readonly type: 'cpu' | 'memory' | 'prometheus';
  /** How the HPA KEDA creates compares the value with the threshold. */
  readonly metricType: 'Utilization' | 'AverageValue' | 'Value';
  /** The scaler's settings (`serverAddress`, `query`, `threshold`, `value`), all strings. */
  readonly metadata: Record<string, string>;
}

/** Where the target's pods are, for the generated PromQL queries. */
export interface KedaQueryScope {
  /** Namespace of the target's pods. */
  readonly namespace: string;
  /** Name of the Deployment; its pods are `<name>-<replicaset hash>-<suffix>`. */
  readonly workloadName: string;
}

/** Why a metric cannot become a KEDA trigger, or undefined when it can. */
export function kedaProblem(metric: ScalingMetric): string | undefined {
  // The gateway's request rate carries both, made from the same labels (the selector serves an HPA's adapter).
  if (metric.prometheusQuery !== undefined && metric.selector !== undefined && !metric.gatewayWorkload) {
    return 'has both a selector and a prometheusQuery: KEDA runs the query as given,' +
      ' so put the label matchers into the query';
  }
  if (metric.source === 'Resource' || metric.prometheusQuery !== undefined || metric.prometheusSeries !== undefined) {
    return undefined;
  }
  return 'needs options.prometheusQuery with keda: KEDA reads Prometheus directly,' +
    ` no metrics adapter serves ${JSON.stringify(metric.metricName)}`;
}

/**
 * The KEDA trigger of a metric: `cpu`/`memory` triggers for resource metrics, a `prometheus` trigger
 * for everything else (the given query, or `sum(<series>{namespace, pod})` for the LLM signals).
 */
export function kedaTrigger(metric: ScalingMetric, scope: KedaQueryScope, serverAddress: string): KedaTrigger {
  if (metric.source === 'Resource') {
    return {
      type: metric.metricName as 'cpu' | 'memory',
      metricType: 'Utilization',
      metadata: { value: String(metric.target.amount) },
    };
  }
  return {
    type: 'prometheus',
    metricType: metric.target.type === 'Value' ? 'Value' : 'AverageValue',
    metadata: {
      serverAddress,
      query: metric.prometheusQuery ?? generatedQuery(metric, scope),
      threshold: decimal(metric.target.amount),
    },
  };
}

function generatedQuery(metric: ScalingMetric, scope: KedaQueryScope): string {
  const matchers = [
    `namespace=${promString(scope.namespace)}`,
    `pod=~${promString(`${escapeRegExp(scope.workloadName)}-[a-z0-9]+-[a-z0-9]+`)}`,
    ...Object.keys(metric.selector ?? {}).sort().map((key) => `${key}=${promString(metric.selector![key])}`),
  ];
  return `sum(${metric.prometheusSeries}{${matchers.join(',')}})`;
}

/** A PromQL string literal. */
function promString(value: string): string {
  return JSON.stringify(value);
}

/** A number as KEDA parses thresholds: plain decimal, no exponent. */
function decimal(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '');
}
