import { RuleGroupJson } from './rules';

/**
 * The few fields of the Prometheus Operator CRDs (`monitoring.coreos.com/v1`) the library writes; the
 * tests validate the objects against the full schemas of `@kubernetes-models/prometheus-operator`.
 * @see https://prometheus-operator.dev/docs/api-reference/api/
 */

/** API version of PrometheusRule and PodMonitor. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** `PrometheusRule.spec`: the groups of a Prometheus rules file. */
export interface PrometheusRuleSpec {
  readonly groups: RuleGroupJson[];
}

/** One `PodMonitor.spec.podMetricsEndpoints[]` entry. */
export interface PodMetricsEndpoint {
  /** Name of the container port. */
  readonly port: string;
  /** HTTP path of the metrics. */
  readonly path: string;
  /** Scrape interval (`15s`); Prometheus' default when absent. */
  readonly interval?: string;
  /** Relabelings of the scraped target (a constant `tenant` label). @default - none */
  readonly relabelings?: ReadonlyArray<{
    readonly action: 'replace';
    readonly targetLabel: string;
    readonly replacement: string;
  }>;
}

/** `PodMonitor.spec`. */
export interface PodMonitorSpec {
  readonly selector: { readonly matchLabels: Record<string, string> };
  readonly podMetricsEndpoints: PodMetricsEndpoint[];
}
