/**
 * The gateway's alerts, run by the real `promtool test rules`. Their input series are the ones mtail really
 * exposed in the end-to-end run (test/support/fixtures, checked against a live run), with the labels
 * Prometheus adds when it scrapes them through the platform's PodMonitor (job, instance, part_of).
 */
import { App, Duration, Size, Testing } from 'cdk8s';
import { AiAgentPlatform, GpuType, NginxModule, RatePlan, SloSource } from '../../lib';
import { recordedSeries } from '../support/gateway-series';
import {
  AlertCheck, expectRulesValid, expectRuleTestsPass, InputSeries, rising, RuleTest, steady, testRules,
  withoutAnnotations,
} from '../support/promtool';

/** A platform of our own with a gateway, a tenant and alerts: the rules file as the Compose stack mounts it. */
function rulesOf(gateway: Parameters<AiAgentPlatform['addAlerts']>[1] = {}) {
  const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
  const chat = platform.addAgent('chat-agent', {
    image: 'registry.example.com/chat-agent:2.0.1',
    gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
  });
  platform.addAlerts('alerts', { dashboard: false, ...gateway });
  platform.addGateway('gateway', { serverName: 'chat.example.com', nginxModules: [NginxModule.NJS] })
    .route('/v1/chat/', chat, { tokenUsage: true });
  platform.addTenant('initech',
    { plan: platform.addRatePlan(RatePlan.perSecond('small', 1, { tokensPerDay: 1_000_000 })) });
  return platform.alerts!;
}

const alerts = rulesOf();
const rules = alerts.renderRulesFile();
const bare = withoutAnnotations(rules);
const SCRAPE = 'job="support/ai-gateway",instance="10.0.3.7:3903",part_of="ai-agent-platform"';

/** A recorded series with the scrape's labels added. */
function scraped(series: string): string {
  return series.replace('{', `{${SCRAPE},`);
}

/** The recorded request series of this status (one of 200, 401, 404, 413, 429, 500), rising `perMinute`. */
function requests(status: string, perMinute: number, minutes: number): InputSeries {
  const [series] = recordedSeries('agent_gateway_http_requests_total', { status });
  return { series: scraped(series), values: rising(perMinute, minutes) };
}

/**
 * Time-to-first-byte buckets of the recorded series with the default bounds (50 ms to 300 s): `fast` answers a
 * minute under 250 ms, `slow` ones between 5 and 10 s.
 */
function firstByte(fast: number, slow: number, minutes: number): InputSeries[] {
  const [template] = recordedSeries('agent_gateway_upstream_header_duration_seconds_bucket', { le: '+Inf' });
  const bounds = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '120', '300', '+Inf'];
  return bounds.map((le) => ({
    series: scraped(template.replace('le="+Inf"', `le="${le}"`)),
    values: rising((Number(le) >= 0.25 || le === '+Inf' ? fast : 0) + (Number(le) >= 10 || le === '+Inf' ? slow : 0),
      minutes),
  }));
}

/** The recorded token series of this kind and model, rising `perMinute`. */
function tokens(kind: string, model: string, perMinute: number, minutes: number): InputSeries {
  const [series] = recordedSeries('agent_gateway_tokens_total', { kind, model });
  return { series: scraped(series), values: rising(perMinute, minutes) };
}

function rejected(reason: string, perMinute: number, minutes: number): InputSeries {
  const [series] = recordedSeries('agent_gateway_rejected_requests_total', { reason });
  return { series: scraped(series), values: rising(perMinute, minutes) };
}

const silent = (alertname: string, at: string): AlertCheck => ({ alertname, at, firing: [] });

const CASES: Record<string, RuleTest[]> = {
  GatewayDown: [
    {
      name: 'nginx up on one of two pods is no alert',
      series: [
        { series: `nginx_up{${SCRAPE},pod="ai-gateway-1"}`, values: steady(1, 20) },
        { series: `nginx_up{${SCRAPE},pod="ai-gateway-2"}`, values: steady(0, 20) },
      ],
      alerts: [silent('GatewayDown', '10m')],
    },
    {
      name: 'nginx down on every pod for 3m fires (for: 2m), not after 1m',
      series: [{ series: `nginx_up{${SCRAPE},pod="ai-gateway-1"}`, values: `1x5 ${steady(0, 10)}` }],
      alerts: [
        silent('GatewayDown', '7m'),
        { alertname: 'GatewayDown', at: '9m', firing: [{ labels: { severity: 'critical' } }] },
      ],
    },
    {
      name: 'no gateway scraped at all fires too',
      series: [{ series: 'nginx_up{job="elsewhere",part_of="another-team"}', values: steady(1, 10) }],
      alerts: [{ alertname: 'GatewayDown', at: '5m', firing: [{ labels: { severity: 'critical' } }] }],
    },
  ],
  GatewayHighErrorRate: [
    {
      name: '5 % of answers 500 for 6m fires (for: 5m), not after 4m',
      series: [requests('200', 95, 30), requests('500', 5, 30)],
      alerts: [
        silent('GatewayHighErrorRate', '5m'),
        { alertname: 'GatewayHighErrorRate', at: '7m', firing: [{ labels: { severity: 'critical' } }] },
      ],
    },
    {
      name: 'refusals are not errors: 30 % 429 and 401, 0.5 % 500 stays silent',
      series: [requests('200', 199, 30), requests('429', 50, 30), requests('401', 40, 30), requests('500', 1, 30)],
      alerts: [silent('GatewayHighErrorRate', '20m')],
    },
  ],
  GatewayHighLatency: [
    {
      name: '5 % of first bytes after 5 s for 11m fires (for: 10m), not after 9m',
      series: firstByte(95, 5, 30),
      alerts: [
        silent('GatewayHighLatency', '10m'),
        { alertname: 'GatewayHighLatency', at: '12m', firing: [{ labels: { severity: 'warning' } }] },
      ],
    },
    { name: 'all first bytes within 250 ms stays silent', series: firstByte(100, 0, 30),
      alerts: [silent('GatewayHighLatency', '20m')] },
  ],
  TenantRateLimited: [
    {
      name: 'a tenant refused 20 % of the time for 16m fires as info, with its tenant',
      series: [requests('200', 80, 40), requests('429', 20, 40), rejected('rate_limit', 20, 40)],
      alerts: [
        silent('TenantRateLimited', '15m'),
        { alertname: 'TenantRateLimited', at: '17m', firing: [{ labels: { severity: 'info', tenant: 'initech' } }] },
      ],
    },
    {
      name: 'missing keys (tenant none) are not a tenant\'s plan: silent',
      series: [requests('200', 10, 40), requests('401', 90, 40), rejected('unauthenticated', 90, 40)],
      alerts: [silent('TenantRateLimited', '30m')],
    },
  ],
  TenantTokenBudgetExhausted: [
    {
      // 1,000,000 a day: 2,000 tokens a minute over two models and both kinds pass it after 500 minutes.
      name: 'a tenant over its daily budget fires with its tenant, not before',
      interval: '10m',
      series: [
        tokens('prompt', 'llama-3.1-8b-instruct', 15_000, 70), tokens('completion', 'mistral-7b-instruct', 3_000, 70),
        tokens('completion', 'llama-3.1-8b-instruct', 2_000, 70),
      ],
      alerts: [
        silent('TenantTokenBudgetExhausted', '400m'),
        { alertname: 'TenantTokenBudgetExhausted', at: '600m',
          firing: [{ labels: { severity: 'warning', tenant: 'initech' } }] },
      ],
    },
    {
      name: '1,000 tokens a minute: 600,000 by then, under the budget, silent',
      interval: '10m',
      series: [tokens('prompt', 'llama-3.1-8b-instruct', 10_000, 70)],
      alerts: [silent('TenantTokenBudgetExhausted', '600m')],
    },
  ],
};

test('promtool check rules accepts the rules with the gateway group', () => {
  expect(expectRulesValid(rules)).toMatch(/SUCCESS: \d+ rules found/);
  expect(alerts.ruleGroups.map((g) => g.name)).toContain('ai-gateway.rules');
});

test('every gateway alert has a firing and a silent case below', () => {
  const group = alerts.ruleGroups.find((g) => g.name === 'ai-gateway.rules')!;
  expect(group.rules.map((r) => ('alert' in r ? r.alert : ''))).toEqual(Object.keys(CASES));
  for (const tests of Object.values(CASES)) {
    const checks = tests.flatMap((t) => t.alerts ?? []);
    expect(checks.some((c) => c.firing.length > 0)).toBe(true);
    expect(checks.some((c) => c.firing.length === 0)).toBe(true);
  }
});

describe.each(Object.entries(CASES))('%s', (_alert, tests) => {
  test.each(tests.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    expectRuleTestsPass(bare, [t]);
  });
});

test('a wrong expectation fails (the tests can fail)', () => {
  const t = CASES.GatewayHighErrorRate[0];
  const inverted = { ...t, alerts: [silent('GatewayHighErrorRate', '7m')] };
  expect(testRules(bare, [inverted]).status).not.toBe(0);
});

test('the alerts can be turned off one by one, or all', () => {
  const names = (a: ReturnType<typeof rulesOf>) => a.ruleGroups.flatMap((g) => g.rules)
    .map((r) => ('alert' in r ? r.alert : '')).filter((n) => /^(Gateway|Tenant)/.test(n));
  expect(names(rulesOf({ gateway: { tenantRateLimited: false, down: false, tokenBudget: false } })))
    .toEqual(['GatewayHighErrorRate', 'GatewayHighLatency']);
  expect(names(rulesOf({ gateway: false }))).toEqual([]);
});

describe('SLOs measured at the gateway (slos.source: SloSource.GATEWAY)', () => {
  function platformWith(slos: Parameters<AiAgentPlatform['addAlerts']>[1], gateway = true) {
    const platform = new AiAgentPlatform(new App(), 'support', { namespace: 'support', redis: false });
    const chat = platform.addAgent('chat-agent', {
      image: 'registry.example.com/chat-agent:2.0.1',
      gpu: { type: GpuType.L4_24GB, modelMemory: Size.gibibytes(8) },
    });
    platform.addAlerts('alerts', { dashboard: false, ...slos });
    if (gateway) platform.addGateway('gateway', { serverName: 'chat.example.com' }).route('/v1/chat/', chat);
    return platform;
  }

  test('the SLIs read the gateway\'s counters and histogram (P99 on its 2.5s bound); promtool accepts them', () => {
    const platform = platformWith({ slos: { source: SloSource.GATEWAY } });
    Testing.synth(platform);
    const rules = platform.alerts!.ruleGroups.find((g) => g.name === 'ai-agent-slo.rules')!.rules;
    const exprs = rules.map((r) => r.expr).join('\n');
    expect(exprs).toContain('agent_gateway_http_requests_total{part_of="ai-agent-platform",status=~"5.."}');
    expect(exprs).toContain('agent_gateway_http_request_duration_seconds_bucket{part_of="ai-agent-platform",le="2.5"}');
    expect(exprs).not.toMatch(/(^|[^_])http_requests_total/m);
    expect(expectRulesValid(platform.alerts!.renderRulesFile())).toMatch(/SUCCESS/);
  });

  test('fails at synth without a gateway, or with a threshold that is no bound of its histogram', () => {
    expect(() => Testing.synth(platformWith({ slos: { source: SloSource.GATEWAY } }, false))).toThrow(
      "AlertRules 'alerts': slos.source (gateway) needs a platform gateway with request metrics",
    );
    const offGrid = platformWith({ slos: { source: SloSource.GATEWAY,
      latency: [{ percentile: 99, threshold: Duration.seconds(2) }] } });
    expect(() => Testing.synth(offGrid)).toThrow('latency threshold 2s (P99) must be a bound of the gateway\'s '
      + 'histogram: 0.05s, 0.1s, 0.25s, 0.5s, 1s, 2.5s, 5s, 10s, 30s, 60s, 120s, 300s');
  });
});
