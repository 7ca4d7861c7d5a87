// The nginx configs `npm run bench:gateway` compares, all pointing at the same mock backends
// (agent-service-1..3:8080, model-service:8080):
//   ours            our gateway's standalone rendering, from a benchmark platform with the reference gateway
//                   settings (least_conn, weights 3/3/2 backup, keepalive 32, the contract's rate limits, the
//                   request metrics on) and no tenants, so no API keys are needed;
//   oursNoMetrics   the same without the request metrics, and oursTokens with token usage on the agent route:
//                   what observability costs (counted and SSE runs only);
//   oursUnlimited   the same platform with the rate limits lifted (benchmark only, for the saturating run);
//   brief           the design brief's config as written (bench/brief-nginx.conf);
//   briefUnlimited  the same without its `limit_req` line (benchmark only, for the saturating run);
//   bare            the least any TLS gateway must do: terminate TLS (the contract's TLS 1.2 and 1.3) and
//                   proxy over cached upstream connections, unbuffered; no log, no limits, no headers, no
//                   retries. It has nothing of the contract and is not a candidate: it shows what TLS and
//                   proxying alone cost on this machine.
'use strict';
const fs = require('fs');
const path = require('path');
const { App } = require('cdk8s');
const lib = require('../build/lib');

/**
 * Our gateway's standalone nginx.conf and the files it reads beside it; `unlimited` renders it without rate
 * limits, `metrics: false` without the request metrics (on by default, as the contract ships it), `tokens`
 * with token usage on the agent route (njs).
 */
function ourGateway({ unlimited = false, metrics = true, tokens = false } = {}) {
  const platform = new lib.AiAgentPlatform(new App(), 'ai-platform', { namespace: 'ai-platform' });
  const agent = platform.addAgent('ai-agent', {
    image: 'registry.example.com/ai-agent:v1.2.0',
    port: 8080,
    serviceName: 'ai-agent-service',
  });
  const models = platform.addModelService('model-service', {
    image: 'registry.example.com/model-service:v1.2.0',
    port: 8080,
    serviceName: 'model-service',
  });
  const gateway = platform.addGateway('Gateway', {
    serverName: 'ai-agent.example.com',
    tls: { certificateFile: '/etc/nginx/ssl/cert.pem', keyFile: '/etc/nginx/ssl/key.pem', secretName: 'ai-tls-secret' },
    // Benchmark only: no limits at all, so a saturating run measures the proxy, not the limiter.
    ...(unlimited ? { rateLimits: [] } : {}),
    // The runner listens on the metrics' UDP port (as mtail would), so nginx's sends succeed.
    ...(metrics ? {} : { requestMetrics: false }),
    ...(tokens ? { nginxModules: [lib.NginxModule.NJS] } : {}),
  });
  gateway.route('/api/v1/agent/', agent, {
    tokenUsage: tokens,
    upstream: {
      name: 'ai_agent_backend',
      loadBalancing: lib.LoadBalancing.leastConnections(),
      keepalive: 32,
      servers: [
        lib.UpstreamServer.of('agent-service-1:8080', { weight: 3 }),
        lib.UpstreamServer.of('agent-service-2:8080', { weight: 3 }),
        lib.UpstreamServer.of('agent-service-3:8080', { weight: 2, backup: true }),
      ],
    },
  });
  gateway.route('/api/v1/models/', models, { upstream: { name: 'model_backend' } });
  return { conf: gateway.renderNginxConf(lib.GatewayTarget.standalone()), files: gateway.nginxFiles() };
}

/** Our gateway's standalone nginx.conf (see {@link ourGateway}). */
function ourConf(options = {}) {
  return ourGateway(options).conf;
}

/** The brief's config (bench/brief-nginx.conf); `unlimited` drops its `limit_req` line. */
function briefConf({ unlimited = false, file = path.join(__dirname, 'brief-nginx.conf') } = {}) {
  const conf = fs.readFileSync(file, 'utf8');
  return unlimited ? withoutLimits(conf) : conf;
}

/** `conf` without its `limit_req` lines (benchmark only: the saturating run measures the proxy, not the limiter). */
function withoutLimits(conf) {
  const lifted = conf.replace(/^\s*limit_req zone=.*\n/gm, '');
  if (lifted === conf) throw new Error('bench:gateway: a config without a limit_req line to lift');
  return lifted;
}

/** The bare TLS keep-alive proxy (see the header); it has no rate limits, so it serves both runs. */
function bareConf() {
  return `# Bare TLS keep-alive proxy: the floor of the benchmark, not a candidate config.
worker_processes auto;
events { worker_connections 4096; }
http {
    access_log off;
    upstream bare_backend {
        server agent-service-1:8080;
        server agent-service-2:8080;
        keepalive 32;
    }
    server {
        # A listening socket per worker, as ours has: the saturating run compares work per request, not how
        # the kernel's wake-ups happened to split wrk's connections between the workers.
        listen 443 ssl reuseport;
        server_name ai-agent.example.com;
        ssl_certificate /etc/nginx/ssl/cert.pem;
        ssl_certificate_key /etc/nginx/ssl/key.pem;
        # The contract's protocols: nginx before 1.23.4 leaves TLSv1.3 out by default, and a floor that
        # speaks TLS 1.2 while ours speaks 1.3 would count the protocol, not the gateway's work.
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://bare_backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }
    }
}
`;
}

/**
 * Ours without one behaviour of the contract each: benchmark-only edits of the rendered config, counted once
 * on fixed connections, so that what a behaviour costs per request is ours' count minus its ablation's (the
 * request metrics and token usage have their own renderings: oursNoMetrics, oursTokens).
 */
const ABLATIONS = {
  jsonLog: {
    what: 'the JSON access log',
    edit: (conf) => conf.replace(/\n\s*access_log \/var\/log\/nginx\/access\.log gateway_json[^\n]*/, ''),
  },
  randomId: {
    what: 'the random id ($request_id: OpenSSL RAND_bytes, which calls getpid) behind X-Request-ID and traceparent',
    edit: (conf) => conf
      .replace(/default \$request_id;/g, 'default 0123456789abcdef0123456789abcdef;')
      .replace('map $request_id $gateway_span_id', 'map 0123456789abcdef0123456789abcdef $gateway_span_id'),
  },
  traceContext: {
    what: 'the traceparent header to the agents (and its maps)',
    edit: (conf) => conf.replace(/\n\s*proxy_set_header traceparent [^\n]*/g, ''),
  },
  rateLimits: {
    what: 'the two rate limits (per client, global)',
    edit: (conf) => conf.replace(/\n\s*limit_req zone=[^\n]*/g, ''),
  },
  forwardedHeaders: {
    what: 'Host, X-Real-IP, X-Forwarded-For and X-Forwarded-Proto to the agents',
    edit: (conf) => conf
      .replace(/\n\s*proxy_set_header (Host|X-Real-IP|X-Forwarded-For|X-Forwarded-Proto) [^\n]*/g, ''),
  },
  responseHeaders: {
    what: 'X-Request-ID, X-Content-Type-Options and X-Accel-Buffering to the client',
    edit: (conf) => conf.replace(/\n\s*add_header (X-Request-ID|X-Content-Type-Options|X-Accel-Buffering) [^\n]*/g, ''),
  },
};

/** Ours without the behaviour `name` of {@link ABLATIONS}; fails when the edit no longer finds its lines. */
function ablatedConf(conf, name) {
  const edited = ABLATIONS[name].edit(conf);
  if (edited === conf) throw new Error(`bench:gateway: the ablation ${name} found nothing to remove in ours`);
  return edited;
}

module.exports = { ourConf, ourGateway, briefConf, bareConf, withoutLimits, ABLATIONS, ablatedConf };
