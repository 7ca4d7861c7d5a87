#!/usr/bin/env node
// One scale point of `npm run bench`: synthesizes a platform with N agents, M tenants and a gateway with a
// route per agent into a temporary directory and prints {agents, tenants, ms, cpuMs, rssMb, bytes, nginxConfBytes}
// as JSON. Run in its own process so RSS is this synth's alone.
//
//   node bench/scale-app.js N M [keepNginxDir]
//
// keepNginxDir: copy the rendered dist/nginx/ there (bench/synth.js loads that nginx.conf with `nginx -t`).
// BENCH_YAML=cdk8s serialises with cdk8s' own Yaml.stringify instead of the byte-identical fast path
// (lib/platform/_fast-yaml.ts), for the before/after comparison of `npm run bench`.
// Tenants get whatever the gateway renders for them (per-plan zones, API keys) once the gateway has tenancy.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const agents = Number(process.argv[2]);
const tenants = Number(process.argv[3] ?? 0);
const keepNginxDir = process.argv[4];
const started = process.hrtime.bigint();
const { Size } = require('cdk8s');
const lib = require('../build/lib');
if (process.env.BENCH_YAML === 'cdk8s') require('../build/lib/platform/_fast-yaml').withFastYaml = (fn) => fn();
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
try {
  const app = new lib.PlatformApp({ outdir: path.join(outdir, 'dist') });
  const platform = new lib.AiAgentPlatform(app, 'ai-platform');
  const gpus = lib.GpuType.CATALOG;
  const gateway = platform.addGateway('Gateway', {
    serverName: 'ai-agent.example.com',
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem', secretName: 'ai-tls-secret' },
  });
  for (let i = 0; i < agents; i++) {
    const agent = platform.addAgent(`agent-${i}`, {
      image: `registry.example.com/agent-${i}:v1.0.${i}`,
      replicas: 1 + (i % 4),
      gpu: { type: gpus[i % gpus.length], count: 1 + (i % 2) },
      modelStorage: lib.ModelStorage.newClaim({
        claimName: `models-${i}`, size: Size.gibibytes(50), accessMode: 'ReadWriteMany',
      }),
      modelPath: `/models/m${i}`,
      configMapName: `agent-${i}-config`,
      configData: { 'agent.yaml': `id: ${i}\n` },
    });
    gateway.route(`/api/v1/agents/agent-${i}/`, agent);
  }
  const plans = ['bronze', 'silver', 'gold'].map((name, i) =>
    platform.addRatePlan(lib.RatePlan.perSecond(name, 10 ** (i + 1))),
  );
  for (let i = 0; i < tenants; i++) {
    platform.addTenant(`tenant-${i}`, {
      plan: plans[i % plans.length],
      quota: { gpus: 4 },
      team: i % 2 ? { groups: [`team-${i}`] } : undefined,
    });
  }
  app.synth();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  let bytes = 0;
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const f = path.join(d, e.name);
    if (e.isDirectory()) walk(f); else bytes += fs.statSync(f).size;
  });
  walk(path.join(outdir, 'dist'));
  const nginxDir = path.join(outdir, 'dist', 'nginx');
  const nginxConfBytes = fs.statSync(path.join(nginxDir, 'nginx.conf')).size;
  if (keepNginxDir) fs.cpSync(nginxDir, keepNginxDir, { recursive: true });
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(
    JSON.stringify({ agents, tenants, ms, cpuMs, rssMb: process.resourceUsage().maxRSS / 1024, bytes, nginxConfBytes }),
  );
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
