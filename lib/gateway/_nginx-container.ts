/**
 * The gateway's nginx container (the unprivileged image, uid 101, read-only root): every fact that the
 * nginx.conf renderings, the Kubernetes Deployment and the Compose service must agree on, in one place.
 */
export const NGINX_CONTAINER = {
  /** Plain HTTP inside the container (the unprivileged image cannot bind 80). */
  httpPort: 8080,
  /** HTTPS inside the container. */
  httpsPort: 8443,
  /** `stub_status`, never published. */
  statusPort: 8081,
  /** The Prometheus exporter's own port (sidecar in Kubernetes, service in Compose). */
  exporterPort: 9113,
  /** The gateway's own health endpoint, answered on every listener without redirect. */
  healthPath: '/health',
  /** `stub_status`, for the exporter. */
  statusPath: '/stub_status',
  /** The exporter's gauge: 1 while it reaches nginx's `stub_status`. */
  exporterUpMetric: 'nginx_up',
  /** The exporter's metrics path. */
  metricsPath: '/metrics',
  /** Where the config is mounted. */
  configFile: '/etc/nginx/nginx.conf',
  /** Its directory, where files it reads beside it are mounted. */
  configDirectory: '/etc/nginx',
  /** Where certificates are mounted (Compose: `./ssl/`). */
  sslDirectory: '/etc/nginx/ssl',
  /** The writable tmpfs / emptyDir: temp paths and the pid file. */
  tempDirectory: '/tmp',
  /** pid file on the writable directory (nginx runs as uid 101 on a read-only root). */
  pidFile: '/tmp/nginx.pid',
  /** Open-file limit of the Compose container (soft = hard) and nginx's default `worker_rlimit_nofile`. */
  maxOpenFiles: 65535,
  /** The image's nginx user and group. */
  uid: 101,
} as const;

/** nginx on a VM (Debian's package). */
export const STANDALONE_NGINX = {
  httpPort: 80,
  httpsPort: 443,
  user: 'www-data',
  errorLog: '/var/log/nginx/error.log',
} as const;

/** Docker's embedded DNS server, on every Compose network. */
export const DOCKER_DNS_RESOLVER = '127.0.0.11';
