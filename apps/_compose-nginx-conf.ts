import { AiAgentPlatform, ComposeGatewayTarget, GpuAgentDeployment } from '../lib';

/**
 * TEMPORARY until the gateway lands: a minimal but real nginx.conf for the Compose stack, so that
 * `dist/compose/` runs before AgentGateway can render its Compose flavour. The lead replaces the call
 * in reference-platform.ts with `platform.gateway.renderNginxConf(GatewayTarget.compose(target))` and
 * deletes this file. It has none of the gateway's rate limits, request IDs or tuning.
 */
export function temporaryComposeNginxConf(platform: AiAgentPlatform, target: ComposeGatewayTarget): string {
  const upstream = (name: string, workloads: GpuAgentDeployment[]) => [
    `    upstream ${name} {`,
    '        least_conn;',
    ...workloads.map((w) => `        server ${target.upstreamServerOf(w)} max_fails=3 fail_timeout=30s;`),
    '        keepalive 32;',
    '    }',
  ];
  const route = (path: string, backend: string) => [
    `        location ${path} {`,
    `            proxy_pass http://${backend};`,
    '            proxy_http_version 1.1;',
    '            proxy_set_header Connection "";',
    '            proxy_set_header Host $host;',
    '            proxy_set_header X-Real-IP $remote_addr;',
    '            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '            proxy_set_header X-Forwarded-Proto $scheme;',
    '            proxy_buffering off;',
    '        }',
  ];
  const lines = [
    '# TEMPORARY: minimal gateway for the Compose stack, until AgentGateway renders this file.',
    'worker_processes auto;',
    `worker_rlimit_nofile ${target.maxOpenFiles};`,
    `pid ${target.pidPath};`,
    'error_log /dev/stderr warn;',
    '',
    'events {',
    '    worker_connections 4096;',
    '}',
    '',
    'http {',
    `    client_body_temp_path ${target.tempDirectory}/client_temp;`,
    `    proxy_temp_path ${target.tempDirectory}/proxy_temp;`,
    `    fastcgi_temp_path ${target.tempDirectory}/fastcgi_temp;`,
    `    uwsgi_temp_path ${target.tempDirectory}/uwsgi_temp;`,
    `    scgi_temp_path ${target.tempDirectory}/scgi_temp;`,
    '    access_log /dev/stdout;',
    '    server_tokens off;',
    '    client_max_body_size 100m;',
    '    proxy_read_timeout 300s;',
    '',
    ...upstream('ai_agent_backend', platform.agents),
    ...upstream('model_backend', platform.modelServices),
    '',
    '    server {',
    `        listen ${target.httpPort};`,
    `        location = ${target.healthPath} {`,
    '            access_log off;',
    '            default_type text/plain;',
    '            return 200 "ok\\n";',
    '        }',
    '        location / {',
    '            return 301 https://$host$request_uri;',
    '        }',
    '    }',
    '',
    '    server {',
    `        listen ${target.httpsPort} ssl;`,
    `        ssl_certificate ${target.certificatePath};`,
    `        ssl_certificate_key ${target.certificateKeyPath};`,
    '        ssl_protocols TLSv1.2 TLSv1.3;',
    ...route('/api/v1/agent/', 'ai_agent_backend'),
    ...route('/api/v1/models/', 'model_backend'),
    '    }',
  ];
  if (target.status) {
    lines.push('',
      '    server {',
      `        listen ${target.status.port};`,
      `        location = ${target.status.path} {`,
      '            stub_status;',
      '            access_log off;',
      '        }',
      '    }');
  }
  lines.push('}', '');
  return lines.join('\n');
}
