import { Duration } from 'cdk8s';
import { duration } from '../core/format';
import { toYaml } from '../core/yaml';
import { isLabelName } from './promql';

/**
 * A typed subset of Prometheus's configuration file: global intervals, rule files and scrape jobs with
 * static or DNS-discovered targets. {@link renderPrometheusConfig} is its one serializer.
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/
 */
export interface PrometheusConfig {
  /** Comment lines at the top of the file. @default - none */
  readonly comment?: string;
  /** How often targets are scraped (`global.scrape_interval`), whole seconds. */
  readonly scrapeInterval: Duration;
  /** How often rules are evaluated (`global.evaluation_interval`), whole seconds. */
  readonly evaluationInterval: Duration;
  /** Rule files (globs allowed), as paths inside the Prometheus container. @default - none @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#configuration-file */
  readonly ruleFiles?: string[];
  /** Scrape jobs, in rendering order. */
  readonly scrapeConfigs: PrometheusScrapeConfig[];
}

/** A scrape job. @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config */
export interface PrometheusScrapeConfig {
  /** The `job` label of every series it scrapes; unique. */
  readonly jobName: string;
  /** HTTP path of the metrics (`metrics_path`). @default '/metrics' */
  readonly metricsPath?: string;
  /**
   * Targets as `host:port`. Exactly one of `staticTargets` and `dnsTargets`.
   * @default - none
   * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#static_config
   */
  readonly staticTargets?: string[];
  /**
   * Labels set on every series of the job (`relabel_configs` replacing each target label with a fixed value).
   * @default - none
   * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Targets found by DNS A-record lookups, one per address: every replica of a Compose service
   * behind Docker's embedded DNS.
   * @default - none
   * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#dns_sd_config
   */
  readonly dnsTargets?: {
    /** DNS names to resolve (Compose service names). */
    readonly names: string[];
    /** Port scraped on every address found. */
    readonly port: number;
    /** How often the names are resolved again, whole seconds. @default - Prometheus's default (30s) */
    readonly refreshInterval?: Duration;
  };
}

/** Renders `prometheus.yml`. Pure and deterministic; fails on a job with no or both kinds of targets. */
export function renderPrometheusConfig(config: PrometheusConfig): string {
  const seen = new Set<string>();
  const scrapeConfigs = config.scrapeConfigs.map((job) => {
    if (seen.has(job.jobName)) throw new Error(`renderPrometheusConfig: job_name ("${job.jobName}") is used twice`);
    seen.add(job.jobName);
    if ((job.staticTargets === undefined) === (job.dnsTargets === undefined)) {
      throw new Error(`renderPrometheusConfig: job '${job.jobName}' needs exactly one of staticTargets and dnsTargets`);
    }
    const out: Record<string, unknown> = { job_name: job.jobName };
    if (job.metricsPath !== undefined && job.metricsPath !== '/metrics') out.metrics_path = job.metricsPath;
    if (job.staticTargets) out.static_configs = [{ targets: job.staticTargets }];
    if (job.dnsTargets) {
      out.dns_sd_configs = [{
        names: job.dnsTargets.names,
        type: 'A',
        port: job.dnsTargets.port,
        ...(job.dnsTargets.refreshInterval ? { refresh_interval: duration(job.dnsTargets.refreshInterval) } : {}),
      }];
    }
    const labels = Object.keys(job.labels ?? {}).sort();
    for (const name of labels) {
      if (!isLabelName(name)) {
        const shown = JSON.stringify(name);
        throw new Error(`renderPrometheusConfig: job '${job.jobName}' label name (${shown}) must match ` +
          '[a-zA-Z_][a-zA-Z0-9_]*');
      }
    }
    if (labels.length) {
      out.relabel_configs = labels.map((name) => ({ target_label: name, replacement: job.labels![name] }));
    }
    return out;
  });
  const out: Record<string, unknown> = {
    global: {
      scrape_interval: duration(config.scrapeInterval),
      evaluation_interval: duration(config.evaluationInterval),
    },
  };
  if (config.ruleFiles?.length) out.rule_files = config.ruleFiles;
  out.scrape_configs = scrapeConfigs;
  return toYaml(out, { comment: config.comment });
}
