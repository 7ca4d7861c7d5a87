/**
 * The gateway's request-metric series as mtail really exposes them: recorded from the end-to-end run
 * (test/e2e/request-metrics.e2e.test.ts, which fails when the run and this file differ; run it with
 * UPDATE_GATEWAY_SERIES=1 to record again), and read by the promtool tests of the gateway alerts, so that their
 * input series have the names and labels of the real thing.
 */
import * as fs from 'fs';
import * as path from 'path';

export const GATEWAY_SERIES_FIXTURE = path.join(__dirname, 'fixtures', 'gateway-request-metrics.txt');
/** The token counter's series, from the token-usage run. */
export const GATEWAY_TOKEN_SERIES_FIXTURE = path.join(__dirname, 'fixtures', 'gateway-token-metrics.txt');

/** The `agent_gateway_*` series of a Prometheus exposition, without values, sorted. */
export function gatewaySeries(exposition: string): string[] {
  return exposition.split('\n')
    .filter((l) => l.startsWith('agent_gateway_'))
    .map((l) => l.slice(0, l.lastIndexOf(' ')))
    .sort();
}

/** The recorded series (of the request-metrics run, or of `file`). */
export function readGatewaySeries(file = GATEWAY_SERIES_FIXTURE): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** The recorded series of `metric` (e.g. `agent_gateway_http_requests_total`) whose labels include `where`. */
export function recordedSeries(metric: string, where: Readonly<Record<string, string>> = {}): string[] {
  const all = [...readGatewaySeries(), ...readGatewaySeries(GATEWAY_TOKEN_SERIES_FIXTURE)];
  return all.filter((s) => s.startsWith(`${metric}{`)
    && Object.entries(where).every(([k, v]) => s.includes(`${k}="${v}"`)));
}
