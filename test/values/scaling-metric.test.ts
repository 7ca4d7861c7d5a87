import { Duration } from 'cdk8s';
import { DEFAULT_SCALING_BEHAVIOR, MetricTarget, ScalingMetric, ScalingPolicy, ScalingSelectPolicy } from '../../lib';

describe('MetricTarget', () => {
  test.each([
    [MetricTarget.value(100), 'Value', 100, 'Value(100)'],
    [MetricTarget.averageValue(0.5), 'AverageValue', 0.5, 'AverageValue(0.5)'],
    [MetricTarget.utilization(70), 'Utilization', 70, 'Utilization(70)'],
  ])('%s', (target, type, amount, text) => {
    expect([target.type, target.amount, String(target)]).toEqual([type, amount, text]);
  });
});

describe('ScalingMetric', () => {
  test('resource metrics: cpu and memory utilisation of the pods', () => {
    for (const [m, name] of [[ScalingMetric.cpu(70), 'cpu'], [ScalingMetric.memory(80), 'memory']] as const) {
      expect([m.source, m.metricName, m.target.type, m.measuredOnTargetPods]).toEqual(['Resource', name, 'Utilization',
        true]);
      expect([m.selector, m.prometheusQuery, m.prometheusSeries, m.percent]).toEqual([undefined, undefined, undefined,
        undefined]);
    }
    expect(String(ScalingMetric.cpu(70))).toBe('ScalingMetric.cpu(70)');
    expect(String(ScalingMetric.memory(80))).toBe('ScalingMetric.memory(80)');
    expect(ScalingMetric.cpu(70).target.amount).toBe(70);
  });

  test('pods and external metrics keep their options; only external ones exist without the target\'s pods', () => {
    const pods = ScalingMetric.podsAverage('requests_per_second', 20, { selector: { route: 'chat' } });
    expect([pods.source, pods.metricName, String(pods.target), pods.selector, pods.measuredOnTargetPods]).toEqual(
      ['Pods', 'requests_per_second', 'AverageValue(20)', { route: 'chat' }, true]);
    expect(String(pods)).toBe('ScalingMetric.podsAverage("requests_per_second")');
    const ext = ScalingMetric.external('queue_length', MetricTarget.value(30), { prometheusQuery: 'sum(q)' });
    expect([ext.source, ext.metricName, String(ext.target), ext.prometheusQuery, ext.measuredOnTargetPods]).toEqual(
      ['External', 'queue_length', 'Value(30)', 'sum(q)', false]);
    expect(String(ext)).toBe('ScalingMetric.external("queue_length")');
    expect(ScalingMetric.podsAverage('x', 1).selector).toBeUndefined();
  });

  test('LLM signals: vLLM series, adapter names with _ for :, and per-pod targets', () => {
    const q = ScalingMetric.queueDepth(5);
    expect([q.source, q.metricName, q.prometheusSeries, String(q.target), String(q), q.percent]).toEqual([
      'Pods', 'vllm_num_requests_waiting', 'vllm:num_requests_waiting', 'AverageValue(5)',
      'ScalingMetric.queueDepth(5)',
      undefined]);
    const r = ScalingMetric.inFlightRequests(8);
    expect([r.metricName, r.prometheusSeries, String(r.target), String(r)]).toEqual(['vllm_num_requests_running',
      'vllm:num_requests_running', 'AverageValue(8)', 'ScalingMetric.inFlightRequests(8)']);
    const kv = ScalingMetric.kvCacheUsage(80);
    expect([kv.metricName, kv.prometheusSeries, String(kv.target), String(kv), kv.percent]).toEqual([
      'vllm_kv_cache_usage_perc', 'vllm:kv_cache_usage_perc', 'AverageValue(0.8)',
      'ScalingMetric.kvCacheUsage(80)', 80]);
  });

  test('LLM signals: a series of another name renames the adapter metric too, unless that is given', () => {
    const old = ScalingMetric.kvCacheUsage(90, { prometheusSeries: 'vllm:gpu_cache_usage_perc' });
    expect([old.metricName, old.prometheusSeries]).toEqual(['vllm_gpu_cache_usage_perc', 'vllm:gpu_cache_usage_perc']);
    const named = ScalingMetric.queueDepth(3, { prometheusSeries: 'sglang:num_queue_reqs', metricName: 'queue',
      selector: { model: 'm' } });
    expect([named.metricName, named.prometheusSeries, named.selector]).toEqual(['queue', 'sglang:num_queue_reqs',
      { model: 'm' }]);
    expect(ScalingMetric.queueDepth(1, { prometheusSeries: 'a:b:c' }).metricName).toBe('a_b_c');
  });

  test('the brand recognises metrics and policies, and nothing else', () => {
    expect(ScalingMetric.isScalingMetric(ScalingMetric.cpu(1))).toBe(true);
    expect(ScalingMetric.isScalingMetric({ source: 'Resource' })).toBe(false);
    expect(ScalingPolicy.isScalingPolicy(ScalingPolicy.pods(1, Duration.seconds(15)))).toBe(true);
    expect(ScalingPolicy.isScalingPolicy(ScalingMetric.cpu(1))).toBe(false);
  });
});

describe('ScalingPolicy and the default behaviour', () => {
  test('percent and pods policies, described as their factory calls', () => {
    const p = ScalingPolicy.percent(100, Duration.seconds(15));
    expect([p.type, p.value, p.period.toSeconds(), String(p)]).toEqual(['Percent', 100, 15,
      'ScalingPolicy.percent(100, 15 seconds)']);
    const n = ScalingPolicy.pods(4, Duration.minutes(1));
    expect([n.type, n.value, n.period.toSeconds(), String(n)])
      .toEqual(['Pods', 4, 60, 'ScalingPolicy.pods(4, 1 minute)']);
  });

  test('default: up at once by 100 % or 4 pods per 15 s (Max); down after 5 min by at most 50 % per minute', () => {
    const { scaleUp, scaleDown } = DEFAULT_SCALING_BEHAVIOR;
    expect(scaleUp.stabilizationWindow.toSeconds()).toBe(0);
    expect(scaleUp.policies.map(String)).toEqual(['ScalingPolicy.percent(100, 15 seconds)',
      'ScalingPolicy.pods(4, 15 seconds)']);
    expect(scaleUp.selectPolicy).toBe(ScalingSelectPolicy.MAX);
    expect(scaleDown.stabilizationWindow.toSeconds()).toBe(300);
    expect(scaleDown.policies.map(String)).toEqual(['ScalingPolicy.percent(50, 1 minute)']);
    expect(scaleDown.selectPolicy).toBeUndefined();
  });
});
