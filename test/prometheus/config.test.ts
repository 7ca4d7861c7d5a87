import * as path from 'path';
import { Duration } from 'cdk8s';
import * as YAML from 'yaml';
import { PrometheusConfig, renderPrometheusConfig } from '../../lib';
import { promtoolOk } from '../support/compose';
import { runTool, withTempDir, writeFiles } from '../support/tools';

const RULES = [
  'groups:',
  '  - name: sample.rules',
  '    rules:',
  '      - alert: TargetDown',
  '        expr: up == 0',
  '        for: 5m',
  '        labels:',
  '          severity: warning',
  '        annotations:',
  '          summary: "{{ $labels.job }} is down"',
  '',
].join('\n');

function sample(ruleFiles?: string[]): PrometheusConfig {
  return {
    scrapeInterval: Duration.seconds(15),
    evaluationInterval: Duration.seconds(30),
    ruleFiles,
    scrapeConfigs: [
      { jobName: 'prometheus', staticTargets: ['localhost:9090'] },
      {
        jobName: 'agent-service',
        metricsPath: '/internal/metrics',
        dnsTargets: { names: ['agent-service'], port: 8080, refreshInterval: Duration.seconds(30) },
      },
      { jobName: 'model-service', metricsPath: '/metrics', dnsTargets: { names: ['model-service'], port: 9100 } },
    ],
  };
}

describe('renderPrometheusConfig', () => {
  test('renders a config promtool accepts', () => {
    const yaml = renderPrometheusConfig(sample());
    expect(yaml).toMatchSnapshot();
    withTempDir((dir) => {
      writeFiles(dir, { 'prometheus.yml': yaml });
      promtoolOk(['check', 'config', path.join(dir, 'prometheus.yml')]);
    });
  });

  test('discovers every replica of a Compose service by DNS and leaves the default metrics path out', () => {
    const doc = YAML.parse(renderPrometheusConfig(sample()));
    expect(doc.global).toEqual({ scrape_interval: '15s', evaluation_interval: '30s' });
    expect(doc.rule_files).toBeUndefined();
    expect(doc.scrape_configs[1]).toEqual({
      job_name: 'agent-service',
      metrics_path: '/internal/metrics',
      dns_sd_configs: [{ names: ['agent-service'], type: 'A', port: 8080, refresh_interval: '30s' }],
    });
    expect(doc.scrape_configs[2]).toEqual({
      job_name: 'model-service',
      dns_sd_configs: [{ names: ['model-service'], type: 'A', port: 9100 }],
    });
  });

  test('rule_files are checked by promtool with the rules they point at', () => {
    withTempDir((dir) => {
      writeFiles(dir, {
        'prometheus.yml': renderPrometheusConfig(sample([path.join(dir, 'rules/*.yml')])),
        'rules/alerts.yml': RULES,
      });
      const out = promtoolOk(['check', 'config', path.join(dir, 'prometheus.yml')]);
      expect(out.stdout).toContain('SUCCESS: 1 rules found');
      // The same config with a broken rule file fails: promtool really reads it.
      writeFiles(dir, { 'rules/alerts.yml': RULES.replace('up == 0', 'up ==') });
      expect(runTool('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]).status).not.toBe(0);
    });
  });

  test('labels become relabel_configs that set a fixed value on every target; promtool accepts them', () => {
    const config: PrometheusConfig = {
      ...sample(),
      scrapeConfigs: [{ jobName: 'a', staticTargets: ['a:80'], labels: { zone: 'b', part_of: 'p' } }],
    };
    const text = renderPrometheusConfig(config);
    expect(YAML.parse(text).scrape_configs[0].relabel_configs).toEqual([
      { target_label: 'part_of', replacement: 'p' },
      { target_label: 'zone', replacement: 'b' },
    ]);
    withTempDir((dir) => {
      writeFiles(dir, { 'prometheus.yml': text });
      promtoolOk(['check', 'config', path.join(dir, 'prometheus.yml')]);
    });
    expect(() => renderPrometheusConfig({ ...config, scrapeConfigs: [{ jobName: 'a', staticTargets: ['a:80'],
      labels: { 'part-of': 'p' } }] })).toThrow(
      'renderPrometheusConfig: job \'a\' label name ("part-of") must match [a-zA-Z_][a-zA-Z0-9_]*');
  });

  test('the file comment heads the file; an explicit default metrics path and empty rule files render nothing', () => {
    const text = renderPrometheusConfig({
      ...sample([]), comment: 'Generated: change the model.',
      scrapeConfigs: [{ jobName: 'a', metricsPath: '/metrics', staticTargets: ['a:80'] }],
    });
    expect(text.startsWith('# Generated: change the model.\n')).toBe(true);
    expect(YAML.parse(text)).toEqual({
      global: { scrape_interval: '15s', evaluation_interval: '30s' },
      scrape_configs: [{ job_name: 'a', static_configs: [{ targets: ['a:80'] }] }],
    });
  });

  test('fails when a job name is used twice', () => {
    const config = sample();
    expect(() =>
      renderPrometheusConfig({
        ...config,
        scrapeConfigs: [...config.scrapeConfigs, { jobName: 'prometheus', staticTargets: ['x:1'] }],
      }),
    ).toThrow('renderPrometheusConfig: job_name ("prometheus") is used twice');
  });

  test('fails when a job has no targets, or both kinds', () => {
    expect(() => renderPrometheusConfig({ ...sample(), scrapeConfigs: [{ jobName: 'empty' }] }))
      .toThrow("renderPrometheusConfig: job 'empty' needs exactly one of staticTargets and dnsTargets");
    expect(() =>
      renderPrometheusConfig({
        ...sample(),
        scrapeConfigs: [{ jobName: 'both', staticTargets: ['a:1'], dnsTargets: { names: ['a'], port: 1 } }],
      }),
    ).toThrow("renderPrometheusConfig: job 'both' needs exactly one of staticTargets and dnsTargets");
  });
});
