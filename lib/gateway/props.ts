import { Duration, Size } from 'cdk8s';
import { GatewayEdge } from './targets';
import { GatewayTenancyOptions } from './tenancy';
import { RateLimitZone } from './values';
import { NginxModule } from '../nginx';
import { AgentResources } from '../workloads/agent-values';
import { PodSecurityProps } from '../core/pod-security';

/** The unprivileged nginx image the gateway Deployment runs (non-root, listens on 8080). */
export const DEFAULT_GATEWAY_IMAGE = 'nginxinc/nginx-unprivileged:1.28.0-alpine';
/** The nginx Prometheus exporter sidecar. */
export const DEFAULT_EXPORTER_IMAGE = 'nginx/nginx-prometheus-exporter:1.5.1';
/** Mozilla "intermediate" TLS 1.2 ciphers (TLS 1.3 suites are always on). */
export const MODERN_TLS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Props of {@link AgentGateway}. */
export interface AgentGatewayProps {
  /** Host name the gateway serves (`ai-agent.example.com`). */
  readonly serverName: string;
  /** Name of the Kubernetes objects. @default 'ai-gateway' */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** @default 'ai-agent-platform' */
  readonly partOf?: string;
  /** TLS; omit to serve plain HTTP (only behind something that terminates TLS). @default - no TLS */
  readonly tls?: GatewayTlsProps;
  /**
   * Rate-limit zones; every API route applies each unless it says otherwise. Rejected requests get 429.
   * @default - `ai_api` 10 r/s per client IP (burst 20) and `ai_global` 1000 r/s for the server (burst 1000)
   */
  readonly rateLimits?: RateLimitZone[];
  /** Simultaneous connections per client IP (`limit_conn`). @default - unlimited */
  readonly connectionsPerClient?: number;
  /** Largest request body. @default Size.mebibytes(100) */
  readonly maxBodySize?: Size;
  /** Timeouts on slow clients. @default - header 10s, body 60s, send 60s, see {@link GatewayClientTimeouts} */
  readonly clientTimeouts?: GatewayClientTimeouts;
  /** @default - the brief's values, see {@link GatewayTuning} */
  readonly tuning?: GatewayTuning;
  /**
   * JSON access log, buffered (`buffer=4k flush=1s`): lines reach the log at most a second late, and a worker
   * killed outright (SIGKILL, OOM) loses its last few lines; reloads and shutdowns flush.
   * @default true
   */
  readonly accessLog?: boolean;
  /**
   * Request metrics by route, upstream, tenant, method and status, latency histograms and refused requests
   * by reason, counted by mtail from one line per request that nginx sends it over syslog on loopback
   * (Kubernetes: a sidecar; Compose: a service in the gateway's network; VMs: run mtail with
   * `nginx/gateway.mtail`). false to send nothing.
   * @default - on, with the mtail image `ghcr.io/google/mtail:3.0.8` and buckets from 50 ms to 300 s
   */
  readonly requestMetrics?: GatewayRequestMetricsProps | false;
  /**
   * Export the gateway's own spans over OTLP/gRPC with nginx's OpenTelemetry module (the official
   * `nginx:*-otel` images have it; declare `NginxModule.OTEL` in `nginxModules`). The module then propagates
   * the W3C trace context itself.
   * @default - no export; the gateway still continues or starts the W3C trace context and logs its id
   * @see https://nginx.org/en/docs/ngx_otel_module.html
   */
  readonly tracing?: GatewayTracingProps;
  /** Image of the gateway Deployment (and the Compose service). @default DEFAULT_GATEWAY_IMAGE */
  readonly image?: string;
  /** nginx version of the Kubernetes and Compose renderings. @default - the image tag's version */
  readonly nginxVersion?: string;
  /** nginx version of the standalone rendering. @default '1.22.1' (Debian 12) */
  readonly standaloneNginxVersion?: string;
  /** The builds are NGINX Plus. @default false */
  readonly nginxPlus?: boolean;
  /** Third-party modules compiled into the builds. @default - none */
  readonly nginxModules?: NginxModule[];
  /** The Deployment; false to render no Kubernetes workload. @default - see {@link GatewayKubernetesProps} */
  readonly kubernetes?: GatewayKubernetesProps | false;
  /** How traffic enters the cluster. @default GatewayEdge.ingress() */
  readonly edge?: GatewayEdge;
  /**
   * How tenants are identified, once the platform adds tenants (the gateway then serves them).
   * @default - see {@link GatewayTenancyOptions}
   */
  readonly tenancy?: GatewayTenancyOptions;
}

/** OpenTelemetry export of the gateway's spans (see {@link AgentGatewayProps.tracing}). */
export interface GatewayTracingProps {
  /** The OTLP/gRPC collector, `host:port` (e.g. `otel-collector.monitoring.svc:4317`). */
  readonly otlpEndpoint: string;
  /** The spans' `service.name`. @default - the gateway's name */
  readonly serviceName?: string;
}

/** The gateway's request metrics (see {@link AgentGatewayProps.requestMetrics}). */
export interface GatewayRequestMetricsProps {
  /** mtail image (sidecar in Kubernetes, service in Compose), pinned. @default 'ghcr.io/google/mtail:3.0.8' */
  readonly image?: string;
  /**
   * Upper bounds of the latency histograms (request duration, time to the upstream's response header).
   * @default - 50ms, 100ms, 250ms, 500ms, 1s, 2.5s, 5s, 10s, 30s, 60s, 120s, 300s
   */
  readonly latencyBuckets?: Duration[];
}

/** The gateway's request metrics, defaults filled in. */
export interface ResolvedGatewayRequestMetrics {
  /** The mtail image. */
  readonly image: string;
  /** Upper bounds of the latency histograms in seconds, ascending. */
  readonly latencyBuckets: readonly number[];
}

/**
 * TLS of the gateway: TLS 1.2 and 1.3 only, modern ciphers, a shared session cache, HTTP → HTTPS.
 * @see https://nginx.org/en/docs/http/ngx_http_ssl_module.html
 */
export interface GatewayTlsProps {
  /** Certificate (chain) file for the standalone rendering; Compose mounts it from /etc/nginx/ssl/<same file name>. */
  readonly certificateFile?: string;
  /** Private key file, as `certificateFile`. */
  readonly keyFile?: string;
  /** Kubernetes TLS Secret the edge (Ingress / Gateway) serves. @default - `<gateway name>-tls` */
  readonly secretName?: string;
  /**
   * Send `Strict-Transport-Security` (opt-in: once browsers saw it, going back to HTTP is hard).
   * @default - not sent
   */
  readonly hsts?: {
    /** `max-age`. @default Duration.days(365) */
    readonly maxAge?: Duration;
    /** Add `includeSubDomains`. @default false */
    readonly includeSubDomains?: boolean;
    /** Add `preload`. @default false */
    readonly preload?: boolean;
  };
  /** TLS 1.2 cipher list. @default MODERN_TLS_CIPHERS */
  readonly ciphers?: string;
  /** @default Duration.days(1) */
  readonly sessionTimeout?: Duration;
}

/** The brief's performance tuning. */
export interface GatewayTuning {
  /** @default 'auto' */
  readonly workerProcesses?: number | 'auto';
  /** @default 65535 */
  readonly workerRlimitNofile?: number;
  /** @default 4096 */
  readonly workerConnections?: number;
  /** @default Duration.seconds(65) */
  readonly keepaliveTimeout?: Duration;
  /** @default 1000 */
  readonly keepaliveRequests?: number;
  /** gzip; false to disable. @default - min length 1024, level 6 */
  readonly gzip?: {
    /** `gzip_min_length` in bytes. @default 1024 */
    readonly minLength?: number;
    /** `gzip_comp_level` (1-9). @default 6 */
    readonly level?: number;
  } | false;
}

/**
 * How long nginx waits on a client. Short header and body timeouts cut off clients that hold
 * connections open by sending slowly (slowloris); each answers 408 or closes the connection.
 * @see https://nginx.org/en/docs/http/ngx_http_core_module.html#client_header_timeout
 */
export interface GatewayClientTimeouts {
  /** The whole request header (and the TLS handshake) must arrive within this time. @default Duration.seconds(10) */
  readonly header?: Duration;
  /** Longest pause between two reads of the request body. @default Duration.seconds(60) */
  readonly body?: Duration;
  /** Longest pause between two writes of the response while the client does not read. @default Duration.seconds(60) */
  readonly send?: Duration;
}

/** The TLS an {@link AgentGateway} serves: {@link GatewayTlsProps} with every default filled in. */
export interface ResolvedGatewayTls {
  /** Certificate (chain) file of the standalone rendering. */
  readonly certificateFile: string;
  /** Private key file of the standalone rendering. */
  readonly keyFile: string;
  /** Kubernetes TLS Secret the edge serves. */
  readonly secretName: string;
  /** TLS 1.2 cipher list. */
  readonly ciphers: string;
  /** `ssl_session_timeout`. */
  readonly sessionTimeout: Duration;
  /** `Strict-Transport-Security`, when sent. */
  readonly hsts?: {
    /** `max-age`. */
    readonly maxAge: Duration;
    /** `includeSubDomains` is sent. */
    readonly includeSubDomains: boolean;
    /** `preload` is sent. */
    readonly preload: boolean;
  };
}

/** The tuning an {@link AgentGateway} applies: {@link GatewayTuning} with every default filled in. */
export interface ResolvedGatewayTuning {
  /** `worker_processes`. */
  readonly workerProcesses: number | 'auto';
  /** `worker_rlimit_nofile`. */
  readonly workerRlimitNofile: number;
  /** `worker_connections`. */
  readonly workerConnections: number;
  /** `keepalive_timeout`. */
  readonly keepaliveTimeout: Duration;
  /** `keepalive_requests`. */
  readonly keepaliveRequests: number;
  /** gzip, unless disabled. */
  readonly gzip?: {
    /** `gzip_min_length` in bytes. */
    readonly minLength: number;
    /** `gzip_comp_level`. */
    readonly level: number;
  };
}

/** The client timeouts an {@link AgentGateway} applies: {@link GatewayClientTimeouts} with every default filled in. */
export interface ResolvedGatewayClientTimeouts {
  /** `client_header_timeout`. */
  readonly header: Duration;
  /** `client_body_timeout`. */
  readonly body: Duration;
  /** `send_timeout`. */
  readonly send: Duration;
}

/** The gateway Deployment. */
export interface GatewayKubernetesProps {
  /** @default 2 */
  readonly replicas?: number;
  /** nginx Prometheus exporter sidecar image; false for none. @default DEFAULT_EXPORTER_IMAGE */
  readonly exporterImage?: string | false;
  /** @default - restricted, as the unprivileged image's user 101 */
  readonly security?: PodSecurityProps;
  /** Cluster DNS domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** DNS server nginx re-resolves pod addresses with. @default - `kube-dns.kube-system.svc.<clusterDomain>` */
  readonly dnsResolver?: string;
  /** @default true */
  readonly podDisruptionBudget?: boolean;
  /**
   * Addresses of proxies in front of the gateway (the ingress controller's pods) whose
   * `X-Forwarded-For` is trusted for the client address (`set_real_ip_from`), so per-client rate
   * limits and logs see the client, not the controller pod. Empty to trust none.
   * @default - the private ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (pod networks)
   * @see https://nginx.org/en/docs/http/ngx_http_realip_module.html
   */
  readonly trustedProxies?: string[];
  /** Requests and limits of the nginx container. @default - cpu 100m/1, memory 128Mi/512Mi (request/limit) */
  readonly resources?: AgentResources;
}
