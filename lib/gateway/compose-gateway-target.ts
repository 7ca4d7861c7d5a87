import { IAgentWorkload } from '../workloads/workload';

/**
 * What the gateway's nginx.conf must agree on with the Compose stack that runs it. {@link ComposeStack}
 * passes it to {@link ComposeStackProps.nginxConf}; the gateway renders its Compose flavour from it.
 */
export interface ComposeGatewayTarget {
  /** The Compose service of a workload: its DNS name on the stack's network. */
  serviceNameOf(workload: IAgentWorkload): string;
  /**
   * `service:port` for an upstream `server` line: the workload's Compose service and container port
   * (Compose has no Service port). Docker's DNS answers with every replica's address.
   */
  upstreamServerOf(workload: IAgentWorkload): string;
  /** Port nginx listens on for HTTP inside its container (published as {@link ComposeGatewayOptions.httpPort}). */
  readonly httpPort: number;
  /** Port nginx listens on for HTTPS inside its container (published as {@link ComposeGatewayOptions.httpsPort}). */
  readonly httpsPort: number;
  /** Certificate path in the container (`./ssl/cert.pem` on the host). */
  readonly certificatePath: string;
  /** Private key path in the container (`./ssl/key.pem` on the host). */
  readonly certificateKeyPath: string;
  /** Path answered with 200 on `httpPort` (not redirected): the container's health check requests it. */
  readonly healthPath: string;
  /**
   * `stub_status` for the exporter, on a port that is not published; undefined when the exporter is off.
   */
  readonly status?: {
    /** Port nginx serves `stub_status` on. */
    readonly port: number;
    /** Path of `stub_status`. */
    readonly path: string;
  };
  /** pid file on the writable tmpfs (the root filesystem is read-only and nginx runs as uid 101). */
  readonly pidPath: string;
  /** Directory for nginx's temp paths (`client_body_temp_path`, `proxy_temp_path`, ...): a tmpfs. */
  readonly tempDirectory: string;
  /** Open-file limit of the container (soft = hard): nginx's `worker_rlimit_nofile` must not exceed it. */
  readonly maxOpenFiles: number;
  /** Docker's embedded DNS server, for a `resolver` when upstream servers are re-resolved. */
  readonly resolver: string;
}
