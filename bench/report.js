#!/usr/bin/env node
// `npm run bench:report`: writes BENCHMARKS.md and bench/results/synth.svg from the JSON that `npm run bench`
// (bench/results/synth.json) and `npm run bench:gateway` (bench/results/gateway.json) wrote. Nothing in
// BENCHMARKS.md's tables is typed by hand.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const results = path.join(__dirname, 'results');
const read = (name) => {
  const file = path.join(results, name);
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run the benchmark first`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
};

const fmt = (x, digits = 0) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(digits));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line plot (log x) as an SVG group at (x0, y0) of size w x h. */
function plot({ x0, y0, w, h, title, unit, points }) {
  const xs = points.map((p) => Math.log10(p.x));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  // Round the axis up to 4 steps of 1, 2, 2.5 or 5 x 10^k.
  const raw = (Math.max(...points.map((p) => p.y)) * 1.1) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((v) => v >= raw);
  const yMax = step * 4;
  const px = (x) => x0 + ((Math.log10(x) - xMin) / (xMax - xMin || 1)) * w;
  const py = (y) => y0 + h - (y / yMax) * h;
  const out = ['<g font-family="sans-serif" font-size="12">'];
  const titleStyle = 'text-anchor="middle" font-size="14" font-weight="bold"';
  out.push(`<text x="${x0 + w / 2}" y="${y0 - 14}" ${titleStyle}>${esc(title)}</text>`);
  out.push(`<line x1="${x0}" y1="${y0 + h}" x2="${x0 + w}" y2="${y0 + h}" stroke="#333"/>`);
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 + h}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    out.push(`<line x1="${x0}" y1="${py(y)}" x2="${x0 + w}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const p of points) {
    out.push(`<text x="${px(p.x)}" y="${y0 + h + 16}" text-anchor="middle">${p.x}</text>`);
  }
  out.push(
    `<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">objects (agents + tenants), log scale</text>`,
  );
  const [unitX, unitY] = [x0 - 44, y0 + h / 2];
  const rotate = `rotate(-90 ${unitX} ${unitY})`;
  out.push(`<text x="${unitX}" y="${unitY}" text-anchor="middle" transform="${rotate}">${esc(unit)}</text>`);
  const line = points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
  out.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line}"/>`);
  for (const p of points) {
    const [x, y] = [px(p.x).toFixed(1), py(p.y).toFixed(1)];
    const labelY = (py(p.y) - 8).toFixed(1);
    out.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="#1f77b4"/>`);
    out.push(`<text x="${x}" y="${labelY}" text-anchor="middle" font-size="11">${esc(p.label)}</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

/** The chart of synth time and peak RSS against size. */
function chart(synth) {
  const pts = synth.scale.map((p) => ({ ...p, x: p.agents + p.tenants }));
  const parts = [
    '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="330" viewBox="0 0 900 330">',
    '<rect width="100%" height="100%" fill="white"/>',
    plot({
      x0: 80,
      y0: 40,
      w: 330,
      h: 220,
      title: 'Synth time',
      unit: 'ms',
      points: pts.map((p) => ({ x: p.x, y: p.ms, label: `${fmt(p.ms)} ms` })),
    }),
    plot({
      x0: 540,
      y0: 40,
      w: 330,
      h: 220,
      title: 'Peak RSS',
      unit: 'MB',
      points: pts.map((p) => ({ x: p.x, y: p.rssMb, label: `${fmt(p.rssMb)} MB` })),
    }),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function machine(m) {
  const load = m.loadAverage
    ? `, load average ${m.loadAverage.map((l) => l.toFixed(1)).join(' / ')} at the start (shared machine)`
    : '';
  return `${m.cpus} x ${m.model}, ${m.memoryGb} GB, Node ${m.node}${load}`;
}

/** A Markdown table row: `| a | b |`. */
const tableRow = (cells) => `| ${cells.join(' | ')} |`;

function targetsTable(targets) {
  return [
    '| target | measured | wanted | |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) =>
      tableRow([t.metric, fmt(t.value, Math.abs(t.value) < 10 ? 2 : 0), t.target, t.met ? 'met' : '**missed**']),
    ),
  ].join('\n');
}

function synthSection(s) {
  const m = s.mainCommand;
  return `## Synthesis (\`npm run bench\`)

Measured ${s.date} on ${machine(s.machine)}.

${targetsTable(s.targets ?? [])}

### The main command

| command | median wall ms (${m.runs} interleaved runs) |
| --- | --- |
| \`npm run synth\` (the reference platform) | ${fmt(m.oursMedianMs)} |
| plain cdk8s writing the same manifests | ${fmt(m.plainMedianMs)} |
| ratio | **${fmt(m.ratio, 2)}** (target <= ${m.target}) |

${s.serialisation ? serialisationSection(s.serialisation) : ''}
### Scale

${tableRow(SCALE_COLUMNS)}
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${s.scale.map(scaleRow).join('\n')}

![synth time and peak RSS against size](bench/results/synth.svg)
`;
}

const SCALE_COLUMNS = [
  'agents', 'tenants', 'synth ms', 'CPU ms', 'peak RSS MB', 'output KB', 'exponent (time / RSS / bytes)',
  'nginx.conf KB', '`nginx -t` ms',
];

/** One scale point as a row of the scale table. */
function scaleRow(p) {
  const exponents = p.timeExponent === undefined
    ? ''
    : `${fmt(p.timeExponent, 2)} / ${fmt(p.rssExponent, 2)} / ${fmt(p.bytesExponent, 2)}`;
  return tableRow([
    p.agents, p.tenants, fmt(p.ms), fmt(p.cpuMs), fmt(p.rssMb), fmt(p.bytes / 1024), exponents,
    p.nginxConfBytes === undefined ? '' : fmt(p.nginxConfBytes / 1024),
    p.nginxLoad ? fmt(p.nginxLoad.ms) : '',
  ]);
}

function serialisationSection(y) {
  return `### Serialisation before / after

The same ${y.agents}:${y.tenants} platform, serialised by cdk8s' own \`Yaml.stringify\` (before) and by
PlatformApp's byte-identical fast path (lib/platform/_fast-yaml.ts, after); ${y.runs} interleaved runs, medians.
Same output bytes: ${y.sameBytes ? 'yes' : '**no**'} (test/fast-yaml.test.ts proves byte-identity).

| serialiser | wall ms | CPU ms | peak RSS MB |
| --- | --- | --- | --- |
| cdk8s \`Yaml.stringify\` (before) | ${fmt(y.cdk8sYamlMs)} | ${fmt(y.cdk8sYamlCpuMs)} | ${fmt(y.cdk8sYamlRssMb)} |
| fast path (after) | ${fmt(y.fastYamlMs)} | ${fmt(y.fastYamlCpuMs)} | ${fmt(y.fastYamlRssMb)} |
`;
}

const GATEWAY_COLUMNS = [
  'metric', 'direct to the backends (HTTPS)', 'direct (plain HTTP)', 'bare TLS proxy (floor, not a candidate)',
  'our gateway', "the brief's config",
];

function gatewaySection(g) {
  const t = g.summary.targets;
  const names = ['direct', 'directPlain', 'bare', 'ours', 'brief'];
  const row = (label, f) => `| ${label} | ${names.map((n) => f(t[n], n)).join(' | ')} |`;
  const direct = (n) => n.startsWith('direct');
  const efficiency = (value, [low, high]) => `${fmt(value, 2)} (${fmt(low, 2)}-${fmt(high, 2)})`;
  const p = g.settings.paced;
  const measured = `Measured ${g.date} on ${machine(g.machine)}; nginx ${g.nginxVersion};`
    + ` ${g.settings.rounds} round(s), targets interleaved, medians (ranges in brackets).`;
  const pacedRate = `${p.clients} clients x ${p.ratePerClient} r/s (${p.clients * p.ratePerClient} r/s)`;
  const pacedLoad = `${pacedRate}, ${p.seconds} s`;
  const wrkLoad = `wrk, ${g.settings.saturate.connections} connections, ${g.settings.saturate.seconds} s`;
  const moreThanBare = fmt((t.ours.nginxCpuMsPer1000 / t.bare.nginxCpuMsPer1000 - 1) * 100);
  return `## Gateway data plane (\`npm run bench:gateway\`)

${measured}

${targetsTable(g.summary.targetChecks)}

The last five rows are issue #16's: ours against the bare TLS proxy (no log, limits, request IDs, headers or
retries) in the same run; the counts are per request on fixed, warm keep-alive connections.

${tableRow(GATEWAY_COLUMNS)}
| --- | --- | --- | --- | --- | --- |
${[
  row(`paced ${pacedLoad}: share answered 200`, (x) => `${fmt(x.okShare * 100, 2)} %`),
  row('paced: achieved r/s', (x) => fmt(x.achievedRps)),
  row('paced: latency p50 ms', (x) => fmt(x.latencyP50Ms, 2)),
  row('paced: latency p99 ms', (x) => fmt(x.latencyP99Ms, 2)),
  row('paced: load generator send lag p99 ms (its own CPU starvation)', (x) => fmt(x.sendLagP99Ms, 2)),
  row('paced: latency from the actual send p99 ms', (x) => fmt(x.serviceLatencyP99Ms, 2)),
  row('backend TCP connections per 1 000 requests (steady state)', (x) => fmt(x.backendConnectionsPer1000, 1)),
  row('nginx CPU ms per 1 000 requests', (x, n) => (direct(n) ? '-' : fmt(x.nginxCpuMsPer1000))),
  row('backend CPU ms per 1 000 requests', (x) => fmt(x.backendCpuMsPer1000)),
  row('**server CPU efficiency**: backend CPU/req direct over HTTPS ÷ (nginx + backend) CPU/req', (x, n) =>
    n === 'direct' ? '1' : efficiency(x.cpuEfficiency, x.cpuEfficiencyRange),
  ),
  row('server CPU efficiency against plain-HTTP direct (stricter: the backend skips TLS)', (x, n) =>
    n === 'directPlain' ? '1' : efficiency(x.cpuEfficiencyPlain, x.cpuEfficiencyPlainRange),
  ),
  row(`SSE: time to first event ms (p50 of ${g.settings.sse.count})`, (x) => fmt(x.sseFirstEventMs, 2)),
  row('SSE: first-event overhead vs direct (HTTPS) ms', (x, n) => (direct(n) ? '-' : fmt(x.sseOverheadMs, 2))),
  row(`SSE: time to last of ${g.settings.sse.events} events (${g.settings.sse.intervalMs} ms apart) ms`, (x) =>
    fmt(x.sseLastEventMs),
  ),
  row('nginx instructions per request, user space (callgrind on fixed connections; each run)', (x, n) =>
    direct(n) ? '-' : `${fmt(x.instructionsPerRequest)} (${(x.instructionsRuns ?? []).map((v) => fmt(v)).join(', ')})`,
  ),
  row('nginx system calls per request (strace on fixed connections; each run)', (x, n) =>
    direct(n) ? '-' : `${fmt(x.syscallsPerRequest, 2)} (${(x.syscallsRuns ?? []).map((v) => fmt(v, 2)).join(', ')})`,
  ),
  row(`saturating, **rate limits lifted (benchmark-only rendering)**: r/s (${wrkLoad})`, (x) => fmt(x.saturatedRps)),
  row(
    'saturating: latency p50 / p99 ms',
    (x) => `${fmt(x.saturated.latencyMs.p50, 2)} / ${fmt(x.saturated.latencyMs.p99, 2)}`,
  ),
  row('saturating: non-2xx / socket errors', (x) => `${x.saturated.non2xx} / ${x.saturated.socketErrors}`),
  row('saturating: nginx CPU µs per request (all workers) / CPU ms of each worker', (x, n) =>
    direct(n) || x.saturatedNginxCpuUsPerRequest === undefined
      ? '-'
      : `${fmt(x.saturatedNginxCpuUsPerRequest, 1)} / ${x.saturated.nginxWorkerCpuMs.map((ms) => fmt(ms)).join(', ')}`,
  ),
  row('saturating: backend / metrics receiver (standing in for mtail) CPU µs per request', (x) =>
    x.saturated.backendCpuMs === undefined
      ? '-'
      : `${fmt((x.saturated.backendCpuMs * 1000) / x.saturated.requests, 1)} / `
        + `${fmt((x.saturated.metricsReceiverCpuMs * 1000) / x.saturated.requests, 1)}`,
  ),
].join('\n')}

Our gateway uses ${fmt(g.summary.nginxCpuSaving * 100)} % less nginx CPU per request than the brief's config, and
${moreThanBare} % more than the bare TLS proxy, which does nothing of the contract (no access log,
rate limits, request IDs, forwarded headers or retries). The brief's config opens a backend connection per
request: its extra system calls (socket, connect, close) are paid in the kernel and in the backend's CPU.
${whereItGoes(g.summary, g.settings.counts)}
${observabilitySection(g.summary.observability)}`;
}

/**
 * Where ours' extra instructions over bare go: what each behaviour costs (ours minus ours without it, counted
 * on fixed connections), then the named functions whose inclusive count grew most (callgrind_annotate).
 */
function whereItGoes(summary, counts) {
  const t = summary.targets;
  const extra = t.ours.instructionsPerRequest - t.bare.instructionsPerRequest;
  const o = summary.observability;
  const rows = [
    ...(summary.ablations ?? []).map((a) => [a.what, a.costInstructions, a.costSyscalls]),
    ['the request metrics (maps, a syslog line)', o.metricsAddedInstructions,
      o.metrics.syscallsPerRequest - o.noMetrics.syscallsPerRequest],
  ].sort((a, b) => b[1] - a[1]);
  const listed = rows.reduce((sum, [, n]) => sum + n, 0);
  // Self costs (the function's own instructions): nginx's static functions have no symbol in Debian's binary.
  const named = (x) => Object.fromEntries((x.instructionsBySelf ?? [])
    // Not self costs: the frames on the stack when the counters were zeroed carry the whole total.
    .filter((f) => !/^0x/.test(f.name) && f.perRequest < 0.99 * x.instructionsPerRequest)
    .map((f) => [`${f.name.replace(/^.*:/, '')} (${f.object})`, f.perRequest]));
  const [ours, bare] = [named(t.ours), named(t.bare)];
  const grew = Object.keys(ours).map((f) => [f, ours[f] - (bare[f] ?? 0)]).filter(([, d]) => d > 200)
    .sort((a, b) => b[1] - a[1]).slice(0, 12);
  const objects = [...new Set([...Object.keys(t.ours.instructionsByObject ?? {}),
    ...Object.keys(t.bare.instructionsByObject ?? {})])]
    .map((o) => [o, t.bare.instructionsByObject?.[o] ?? 0, t.ours.instructionsByObject?.[o] ?? 0])
    .filter(([, b, x]) => b + x > 100)
    .sort((a, b) => b[2] - a[2]);
  return `
### Where ours' extra instructions go (counted on fixed connections)

${counts ? `Each count: ${counts.clients} warm keep-alive HTTPS connections (one per client address), ${counts.requests}
requests one at a time, callgrind zeroed before and dumped after (no TLS handshake inside), divided by the
requests the backends saw; the single-process rendering of each config. ` : ''}Ours executes ${fmt(extra)} more
instructions per request than bare. What each behaviour costs, as ours minus ours without it (benchmark-only
edits of the rendered config, bench/gateway-configs.js ABLATIONS):

| behaviour | instructions / request | share of ours - bare | system calls / request |
| --- | --- | --- | --- |
${rows.map(([what, n, sys]) => `| ${what} | ${fmt(n)} | ${fmt((n / extra) * 100)} % | ${fmt(sys, 2)} |`).join('\n')}

The rest is proxying work both do, with more of it in ours (more headers each way, a location with more
directives); gzip (small JSON answers are not compressed) and \`http2\` on the listen socket (the clients
speak HTTP/1.1) cost nothing per request here. Every item is a line of the contract: together they cost
${fmt(listed)} instructions per request, where 1.25 x bare leaves
${fmt(0.25 * t.bare.instructionsPerRequest)} for all of them. The random id is also one of the two system calls
over bare (OpenSSL's \`RAND_bytes\` calls \`getpid\` to detect a fork); an id built from what nginx knows
without a draw (time, pid, connection number) would go back to every client in X-Request-ID, revealing
them, could repeat across replicas (each pod's workers have the same pids in their pid namespace) and would
not be the random trace id W3C Trace Context asks for, so it stays. The other is the request metrics'
\`sendto\`: nginx cannot buffer a syslog log, and a transport it could buffer (a FIFO, a file mtail tails)
would block nginx when mtail stops or grow on disk. By shared object (self instructions per request):

| object | bare | ours |
| --- | --- | --- |
${objects.map(([o, b, x]) => `| ${esc(o)} | ${fmt(b)} | ${fmt(x)} |`).join('\n')}

Named functions whose own (self) instructions per request grew most from bare to ours (nginx's static
functions have no symbols in Debian's binary and are left out; they are in the nginx row above):

| function (object) | more instructions / request than bare |
| --- | --- |
${grew.map(([f, d]) => `| \`${esc(f)}\` | ${fmt(d)} |`).join('\n')}
`;
}

/** What the gateway's request metrics and token usage cost ours, in the same run. */
function observabilitySection(o) {
  if (!o) return '';
  const pct = (added, base) => `${fmt((added / base) * 100, 1)} %`;
  const row = (label, x) => `| ${label} | ${fmt(x.instructionsPerRequest)} | ${fmt(x.syscallsPerRequest, 1)} `
    + `| ${fmt(x.sseFirstEventMs, 2)} |`;
  return `
### What observability costs (ours, same run)

| ours | instructions / request | system calls / request | SSE first event ms (p50) |
| --- | --- | --- | --- |
${row('request metrics off', o.noMetrics)}
${row('request metrics on (the default)', o.metrics)}
${row('request metrics and token usage (njs body filter)', o.tokens)}

In this run the request metrics added ${fmt(o.metricsAddedInstructions)} instructions per request
(${pct(o.metricsAddedInstructions, o.noMetrics.instructionsPerRequest)}) and one \`sendto\` of a syslog
line; token usage added ${fmt(o.tokensAddedInstructions)} more on the route that has it: together
${pct(o.tokens.instructionsPerRequest - o.noMetrics.instructionsPerRequest, o.noMetrics.instructionsPerRequest)}
over ours without them (the target allows 10 %). Token usage is njs' body filter: a JavaScript VM cloned and
started for every request (\`njs_vm_clone\`, \`njs_vm_start\`) and two calls of the filter, which no
configuration of stock nginx avoids; nginx cannot batch a syslog line (\`logs to syslog cannot be
buffered\`), and the other transports (a FIFO, a file mtail tails) would block nginx when mtail stops or grow
on disk. mtail's
own CPU is not in these counts: it runs beside nginx (a UDP receiver stands in for it here).
`;
}

function profileSection(pr) {
  const top = pr.byModule
    .slice(0, 8)
    .map((m) => `| ${esc(m.module)} | ${fmt(m.ms)} | ${fmt(m.share * 100, 1)} % |`)
    .join('\n');
  const phases = Object.entries(pr.inclusive)
    .map(([phase, ms]) => `| ${phase} | ${fmt(ms)} | ${fmt((ms / pr.totalMs) * 100, 1)} % |`)
    .join('\n');
  return `### Where a large synth spends its time (\`npm run bench:profile\`)

\`node --cpu-prof\` of ${pr.agents} agents + ${pr.tenants} tenants (${fmt(pr.totalMs)} ms sampled), with the fast path.
Before it (profiled 2026-11-27 on the same point), cdk8s' YAML serialisation (the \`yaml\` package: a
document tree per manifest, YAML 1.1 tag tests on every string) was 44 % of the time inclusive and the
collector another 20 %; now the largest parts are cdk8s' own resolution of every object
(\`ApiObject.toJson\`) and the collector. PlatformApp writes the manifests one object at a time (resolve,
serialise, write, drop: lib/platform/_manifest-writer.ts), so a synth no longer holds every resolved manifest
and the YAML of all of them at once; what stays is the construct tree, and cdk8s-plus' converters leave about
2 KB of hidden classes in the old generation per object resolved (a NetworkPolicy: 2.3 KB and 41 µs, resolved
and serialised). The gateway renders its nginx.conf twice per synth (standalone,
and once for Kubernetes, shared by the ConfigMap and its checksum annotation; it was rendered for each).
\`addTenant\` used to scan every earlier tenant for name and namespace clashes (444 ms self time at
1000 agents + 5000 tenants, 21 ms at 1000 + 1000); it now looks them up in maps.

| module (self time) | ms | share |
| --- | --- | --- |
${top}

| phase (inclusive) | ms | share |
| --- | --- | --- |
${phases}
`;
}

const GATEWAY_COMMAND = 'npm run bench:gateway   # data plane, about 11 minutes; writes bench/results/gateway.json'
  + ' (needs root for unshare; installs wrk, valgrind, strace as root)';

const METHOD = `## How to reproduce

\`\`\`sh
npm ci
npm run bench           # synthesis: main command vs plain cdk8s, scale points; writes bench/results/synth.json
${GATEWAY_COMMAND}
npm run bench:profile   # cpu profile of the 1000 + 1000 point, summarized; writes bench/results/profile.json
npm run bench:report    # this file and bench/results/synth.svg from the JSON
\`\`\`

Knobs: \`BENCH_RUNS\` (main-command runs, default 7), \`BENCH_SCALE\` (scale points \`agents:tenants,...\`),
\`BENCH_ROUNDS\`, \`BENCH_PACED_SECONDS\`, \`BENCH_SATURATE_SECONDS\`, \`BENCH_COUNT_REPEATS\`,
\`BENCH_COUNT_ABLATIONS=0\` (gateway), \`BENCH_GATEWAY_ONLY=counts|paced|saturate\` with \`BENCH_COUNT_CONFIGS\`,
\`BENCH_SATURATE_TARGETS\` and \`BENCH_OURS_CONF=file\` (quick A/B runs; no report then), \`BENCH_GATEWAY_MODE=tiny\`
(a few seconds; \`test/bench.test.ts\` runs it so the benchmark cannot rot).

## Method

The machine is shared (2 cores, several other jobs): absolute numbers move from run to run, so every
target is a ratio or a count measured side by side in one run, with the sides interleaved.

- **Main command.** \`npm run synth\` against \`npm run bench:plain-cdk8s\`, which loads the YAML that
  synth wrote and synthesizes it again through bare cdk8s \`ApiObject\`s. Both start through \`npm run\`,
  so npm's own start-up counts on both sides; runs alternate; medians.
- **Scale.** \`bench/scale-app.js\` builds a platform with N agents (each with a model claim, a ConfigMap
  and a gateway route of its own), M tenants (namespace, quota, isolation policies, RBAC) on three rate
  plans, and synthesizes it, in a fresh process per point (peak RSS from \`process.resourceUsage()\`, time
  from process start including module loading). The exponent is log(time ratio) / log(size ratio) between
  consecutive points, size = agents + tenants; below 1 because the fixed start-up (~0.4 s) is in every point.
  The rendered \`dist/nginx/\` is then loaded with \`nginx -t\` in the nginx sandbox (every upstream host
  name resolving to a loopback address), timed inside the sandbox.
- **Gateway.** One private network namespace (\`unshare -m -n\`, test/support/nginx-sandbox.ts) holds
  everything: mock backends (bench/gateway-backend.js, one Node process, counters only), the real nginx,
  and the load generators (bench/gateway-runner.js). Configs: ours is the standalone rendering of a
  benchmark platform with the reference gateway settings (least_conn, weights 3/3/2 backup, keepalive 32,
  10 r/s burst 20 per client IP, 1000 r/s burst 1000 global, JSON access log) and no tenants; the brief's
  is bench/brief-nginx.conf (as written; its \`check*\` lines belong to another example and are not stock nginx).
  The *bare TLS proxy* (bench/gateway-configs.js) only terminates TLS and proxies unbuffered over cached
  upstream connections: no log, limits, request IDs or forwarded headers. Nobody should deploy it; it
  shows what TLS and proxying alone cost here, the most any config can approach.
  - *Direct*: the same client load straight to the two primary backends. The clients speak HTTPS, so
    without a gateway the service terminates TLS itself (Node's https server on the backends' second port,
    same certificate); that is the baseline of the efficiency target. Plain HTTP direct is the stricter
    figure beside it: the service without TLS, which no client of this platform would get.
  - *Paced load*: a Node load generator, open loop: 100 client addresses (127.0.1.x) x 8 r/s, each on its
    own keep-alive connection (HTTPS, HTTP/1.1; plain HTTP for the plain direct target). Every request is sent at
    its scheduled time, and latency counts from that time, so a stall is not hidden by the generator
    waiting (no coordinated omission). Direct spreads clients over the two primary backends as the
    gateway does.
  - *Connections and CPU*: after a 2 s warm-up and at the end, the backends' accepted-connection and request
    counters and the CPU time (utime + stime, /proc/<pid>/stat) of the nginx master and workers and of
    the backend process are read; the deltas over the steady state give connections and CPU ms per 1 000
    requests. Efficiency = backend CPU per request direct ÷ (nginx + backend) CPU per request through the
    gateway, 1 meaning a free proxy. The load generator's own CPU is in neither.
  - *Counts*: CPU time moves with whatever else the machine runs; counts do not. Each config runs as one
    process (\`master_process off\`, one worker) under \`valgrind --tool=callgrind\`, then under
    \`strace -c\`. The client opens 20 keep-alive HTTPS connections (one per client address, under the
    per-IP limit) and warms them up; then callgrind's counters are zeroed (\`callgrind_control -z\`) or strace
    attaches, 400 requests go out one at a time round robin over the same connections (no TLS handshake in
    the window: a request that opens a connection fails the run), and the counters are dumped; the totals
    are divided by the requests the backends saw. One request in flight keeps nginx's work per request the
    same each time, so two runs of a config agree within 0.1 %; each config is counted twice, interleaved,
    and the report shows both. \`callgrind_annotate\` gives the functions; ours without one behaviour each
    (bench/gateway-configs.js ABLATIONS) gives what each behaviour costs.
  - *SSE*: sequential requests on one warm keep-alive connection; the backend writes its first event at once,
    then one every interval; time from sending the request to the first byte of the body.
  - *Saturating*: \`wrk\` (Debian package; C, one thread) closed loop on keep-alive connections, against the
    benchmark-only renderings with the rate limits lifted (ours without zones, the brief's without its
    \`limit_req\` line), and direct to one backend. Client, nginx and backends share the 2 cores, so this
    is relative throughput on this machine, not nginx's ceiling.
  - *Reading the numbers*: when other jobs starve the sandbox, the generator's send lag grows (its own row);
    its catch-up bursts then exceed a client's burst allowance (429, or the brief's 503) and raise nginx's
    concurrency past its 32 cached upstream connections per worker, so new ones are opened. Read the share
    of 200s and the connection count together with the lag row and the load average.
`;

function main() {
  const synth = read('synth.json');
  const gateway = fs.existsSync(path.join(results, 'gateway.json')) ? read('gateway.json') : undefined;
  fs.writeFileSync(path.join(results, 'synth.svg'), chart(synth));
  const md = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench:report` from bench/results/*.json; do not edit by hand.',
    '',
    synthSection(synth),
    ...(fs.existsSync(path.join(results, 'profile.json')) ? [profileSection(read('profile.json'))] : []),
    gateway ? gatewaySection(gateway) : '## Gateway data plane\n\nNot measured yet: run `npm run bench:gateway`.\n',
    METHOD,
  ].join('\n');
  fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), md);
  console.log('wrote BENCHMARKS.md and bench/results/synth.svg');
}

module.exports = { chart, synthSection, gatewaySection };
if (require.main === module) main();
