import { createHash } from 'crypto';
import { ApiObject, Duration, Lazy, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { containerSecurityContext, optOutAnnotations, podSecurityContext, podSecurityOptOuts } from '../core/pod';
import { sizeKib } from '../core/quantity';
import { sortedRecord } from '../core/records';
import { edgePathOf } from './_route-paths';
import { GatewayRoute, PathMatch } from './upstream';
import { EdgeBackend, GatewayEdge, GatewayEdgeKind, GatewayTarget } from './targets';
import { NGINX_CONTAINER } from './_nginx-container';
import { mtailArgs, REQUEST_METRICS } from './_request-metrics';
import { RateLimitZone } from './values';
import { ResolvedPodSecurity } from '../core/pod-security';
import { IAgentWorkload } from '../workloads/workload';

/**
 * Annotations ingress-nginx really has (controller v1.x docs). Only these may be set under its prefix:
 * the design brief's `rate-limit` / `rate-limit-window` do not exist and would be ignored silently.
 * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/
 */
export const INGRESS_NGINX_ANNOTATIONS: ReadonlySet<string> = new Set([
  'app-root',
  'affinity',
  'affinity-mode',
  'affinity-canary-behavior',
  'allowlist-source-range',
  'denylist-source-range',
  'auth-realm',
  'auth-secret',
  'auth-secret-type',
  'auth-type',
  'auth-url',
  'auth-signin',
  'auth-method',
  'auth-response-headers',
  'auth-request-redirect',
  'auth-cache-key',
  'auth-cache-duration',
  'auth-keepalive',
  'auth-tls-secret',
  'auth-tls-verify-client',
  'auth-tls-verify-depth',
  'auth-tls-error-page',
  'auth-tls-pass-certificate-to-upstream',
  'backend-protocol',
  'canary',
  'canary-by-header',
  'canary-by-header-value',
  'canary-by-header-pattern',
  'canary-by-cookie',
  'canary-weight',
  'canary-weight-total',
  'client-body-buffer-size',
  'configuration-snippet',
  'connection-proxy-header',
  'custom-headers',
  'custom-http-errors',
  'default-backend',
  'enable-access-log',
  'enable-cors',
  'cors-allow-origin',
  'cors-allow-methods',
  'cors-allow-headers',
  'cors-expose-headers',
  'cors-allow-credentials',
  'cors-max-age',
  'enable-opentelemetry',
  'enable-rewrite-log',
  'force-ssl-redirect',
  'from-to-www-redirect',
  'limit-connections',
  'limit-rps',
  'limit-rpm',
  'limit-burst-multiplier',
  'limit-rate',
  'limit-rate-after',
  'limit-allowlist',
  'load-balance',
  'mirror-target',
  'mirror-request-body',
  'mirror-host',
  'permanent-redirect',
  'permanent-redirect-code',
  'temporal-redirect',
  'preserve-trailing-slash',
  'proxy-body-size',
  'proxy-buffering',
  'proxy-buffers-number',
  'proxy-buffer-size',
  'proxy-max-temp-file-size',
  'proxy-connect-timeout',
  'proxy-send-timeout',
  'proxy-read-timeout',
  'proxy-next-upstream',
  'proxy-next-upstream-timeout',
  'proxy-next-upstream-tries',
  'proxy-request-buffering',
  'proxy-http-version',
  'proxy-cookie-domain',
  'proxy-cookie-path',
  'proxy-redirect-from',
  'proxy-redirect-to',
  'proxy-ssl-secret',
  'proxy-ssl-verify',
  'proxy-ssl-name',
  'proxy-ssl-server-name',
  'rewrite-target',
  'satisfy',
  'server-alias',
  'server-snippet',
  'service-upstream',
  'session-cookie-name',
  'session-cookie-path',
  'session-cookie-expires',
  'session-cookie-max-age',
  'session-cookie-samesite',
  'ssl-redirect',
  'ssl-passthrough',
  'ssl-ciphers',
  'ssl-prefer-server-ciphers',
  'upstream-hash-by',
  'upstream-hash-by-subset',
  'upstream-hash-by-subset-size',
  'upstream-vhost',
  'use-regex',
  'whitelist-source-range',
  'x-forwarded-prefix',
]);

export const INGRESS_NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

/** What the ingress-nginx annotations carry of the gateway. */
export interface GatewayEdgeLimits {
  readonly tls: boolean;
  readonly maxBodySize: Size;
  /** The routes, read at synth time (routes come later). */
  readonly routes: () => readonly GatewayRoute[];
  readonly rateLimits: readonly RateLimitZone[];
  readonly connectionsPerClient?: number;
}

/**
 * ingress-nginx annotations that carry the gateway's limits to the edge (one Ingress: the largest
 * route timeouts). Values that depend on routes are lazy.
 */
export function ingressNginxAnnotations(g: GatewayEdgeLimits): Record<string, string> {
  const a: Record<string, string> = {};
  const set = (key: string, value: string) => { a[`${INGRESS_NGINX_PREFIX}${key}`] = value; };
  const lazy = (produce: () => string) => Lazy.any({ produce }) as unknown as string;
  if (g.tls) set('ssl-redirect', 'true');
  set('proxy-body-size', `${Math.ceil(sizeKib(g.maxBodySize) / 1024)}m`);
  const max = (pick: (r: GatewayRoute) => Duration, fallback: number) =>
    lazy(() => String(Math.max(fallback, ...g.routes().map((r) => Math.ceil(pick(r).toMilliseconds() / 1000)))));
  set('proxy-connect-timeout', max((r) => r.connectTimeout, 5));
  set('proxy-read-timeout', max((r) => r.readTimeout, 60));
  set('proxy-send-timeout', max((r) => r.sendTimeout, 60));
  set('proxy-buffering', lazy(() => (g.routes().some((r) => r.streaming) ? 'off' : 'on')));
  return a;
}

/**
 * The gateway's per-client limits as ingress-nginx annotations: rendered only when the edge bypasses the
 * gateway (`EdgeBackend.WORKLOADS`), where they are the only limits. In front of the gateway they would
 * count every tenant's traffic from one address against the per-IP rate, under their plans.
 */
export function ingressNginxLimitAnnotations(g: GatewayEdgeLimits): Record<string, string> {
  const a: Record<string, string> = {};
  const set = (key: string, value: string) => { a[`${INGRESS_NGINX_PREFIX}${key}`] = value; };
  const perIp = g.rateLimits.find((z) => z.key.expression === '$binary_remote_addr');
  if (perIp) {
    set(perIp.limit.unit === 'r/s' ? 'limit-rps' : 'limit-rpm', String(perIp.limit.rate));
    set('limit-burst-multiplier', String(Math.max(1, Math.ceil(perIp.limit.burst / perIp.limit.rate))));
  }
  if (g.connectionsPerClient !== undefined) set('limit-connections', String(g.connectionsPerClient));
  return a;
}

/** What the Kubernetes objects of the gateway need. */
export interface GatewayKubeSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
  readonly image: string;
  readonly replicas: number;
  /** nginx container requests/limits: cpu and memory as quantities. */
  readonly resources: { readonly cpu: [string, string]; readonly memory: [string, string] };
  readonly exporterImage?: string;
  /** The request metrics' mtail sidecar: its image and program (fixed at construction). */
  readonly requestMetrics?: { readonly image: string; readonly program: string };
  readonly security: ResolvedPodSecurity;
  /** The Kubernetes rendering of the nginx.conf: its ports, paths and writable directory. */
  readonly target: GatewayTarget;
  /** Seconds; evaluated at synth time (routes come later). */
  readonly terminationGraceSeconds: () => number;
  readonly podDisruptionBudget: boolean;
  /** The nginx.conf for Kubernetes, rendered at synth time. */
  readonly renderConf: () => string;
  /** Files nginx reads beside nginx.conf (the token-usage script), by name, at synth time. */
  readonly nginxFiles: () => Record<string, string>;
  /**
   * Values that change whenever the nginx.conf can (compared with ===): while they stay the same, the
   * ConfigMap and the checksum annotation share one rendering.
   */
  readonly confInputs: () => readonly unknown[];
  /**
   * The tenants' API key files (read at synth time): each Secret's `key` is projected to
   * `<directory>/<file>`. Never part of the config checksum: keys change without a new config.
   */
  readonly tenantKeys: {
    readonly directory: string;
    readonly files: () => ReadonlyArray<{ readonly file: string; readonly secretName: string; readonly key: string }>;
  };
}

const EXPORTER_PORT = NGINX_CONTAINER.exporterPort;

/** ConfigMap, Deployment (nginx + exporter), Service and PDB of the gateway. Returns the Deployment. */
export function addGatewayWorkload(scope: Construct, spec: GatewayKubeSpec): k8s.KubeDeployment {
  const conf = renderedOnce(spec.renderConf, spec.confInputs);
  new k8s.KubeConfigMap(scope, 'Config', {
    metadata: metadata(spec, configMapName(spec)),
    data: Lazy.any({
      produce: () => ({
        'nginx.conf': conf(),
        ...spec.nginxFiles(),
        ...(spec.requestMetrics ? { [REQUEST_METRICS.programFile]: spec.requestMetrics.program } : {}),
      }),
    }) as unknown as Record<string, string>,
  });
  const deployment = new k8s.KubeDeployment(scope, 'Resource', {
    metadata: {
      ...metadata(spec, spec.name),
      annotations: optOutAnnotations({
        ...podSecurityOptOuts(spec.security), 'pod-disruption-budget': !spec.podDisruptionBudget,
      }),
    },
    spec: deploymentSpec(spec, conf),
  });
  addService(scope, spec);
  if (spec.podDisruptionBudget) {
    new k8s.KubePodDisruptionBudget(scope, 'Pdb', {
      metadata: metadata(spec, `${spec.name}-pdb`),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: spec.selectorLabels } },
    });
  }
  return deployment;
}

function configMapName(spec: GatewayKubeSpec): string {
  return `${spec.name}-nginx`;
}

function metadata(spec: GatewayKubeSpec, name: string): k8s.ObjectMeta {
  return { name, namespace: spec.namespace, labels: spec.labels };
}

function deploymentSpec(spec: GatewayKubeSpec, conf: () => string): k8s.DeploymentSpec {
  return {
    replicas: spec.replicas,
    revisionHistoryLimit: 5,
    selector: { matchLabels: spec.selectorLabels },
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
    },
    template: {
      metadata: { labels: spec.labels, annotations: podAnnotations(spec, conf) },
      spec: {
        automountServiceAccountToken: spec.security.automountServiceAccountToken,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: Lazy.any({ produce: spec.terminationGraceSeconds }) as unknown as number,
        securityContext: podSecurityContext(spec.security),
        topologySpreadConstraints: [{
          maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: spec.selectorLabels },
        }],
        containers: [
          nginxContainer(spec),
          ...(spec.exporterImage ? [exporterContainer(spec, spec.exporterImage)] : []),
          ...(spec.requestMetrics ? [requestMetricsContainer(spec, spec.requestMetrics.image)] : []),
        ],
        volumes: Lazy.any({
          produce: () => volumes(configMapName(spec), spec.tenantKeys.files(), spec.requestMetrics !== undefined),
        }) as unknown as k8s.Volume[],
      },
    },
  };
}

/** The config's checksum (a new config rolls the pods) and, with the exporter, Prometheus's scrape hints. */
function podAnnotations(spec: GatewayKubeSpec, conf: () => string): Record<string, string> {
  const annotations: Record<string, string> = {
    'checksum/config': Lazy.any({
      produce: () => {
        const hash = createHash('sha256').update(conf()).update(spec.requestMetrics?.program ?? '');
        for (const [name, text] of Object.entries(spec.nginxFiles())) hash.update(name).update(text);
        return hash.digest('hex');
      },
    }) as unknown as string,
  };
  if (spec.exporterImage) {
    annotations['prometheus.io/scrape'] = 'true';
    annotations['prometheus.io/port'] = String(EXPORTER_PORT);
    annotations['prometheus.io/path'] = NGINX_CONTAINER.metricsPath;
  }
  return annotations;
}

function resources(cpu: [string, string], memory: [string, string]): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu[0]), memory: k8s.Quantity.fromString(memory[0]) },
    limits: { cpu: k8s.Quantity.fromString(cpu[1]), memory: k8s.Quantity.fromString(memory[1]) },
  };
}

function nginxContainer(spec: GatewayKubeSpec): k8s.Container {
  const target = spec.target;
  const probe = (period: number): k8s.Probe => ({
    httpGet: { path: target.healthPath, port: k8s.IntOrString.fromString('http') },
    periodSeconds: period, timeoutSeconds: 3, failureThreshold: 3,
  });
  const quit = `sleep 5; nginx -s quit; while [ -f ${target.pidFile} ]; do sleep 1; done`;
  return {
    name: 'nginx',
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    // The image's entrypoint scripts try to rewrite files under /etc/nginx; the config is complete, skip them.
    command: ['nginx', '-g', 'daemon off;'],
    ports: [{ name: 'http', containerPort: target.httpPort, protocol: 'TCP' }],
    resources: resources(spec.resources.cpu, spec.resources.memory),
    readinessProbe: probe(5),
    livenessProbe: probe(15),
    // SIGTERM is nginx's fast shutdown: quit gracefully instead, after endpoints dropped the pod.
    lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', quit] } } },
    securityContext: containerSecurityContext(spec.security),
    volumeMounts: Lazy.any({
      produce: () => [
        { name: 'nginx-conf', mountPath: NGINX_CONTAINER.configFile, subPath: 'nginx.conf', readOnly: true },
        ...Object.keys(spec.nginxFiles()).map((name) => ({
          name: 'nginx-conf', mountPath: `${NGINX_CONTAINER.configDirectory}/${name}`, subPath: name, readOnly: true,
        })),
        ...(spec.tenantKeys.files().length
          ? [{ name: 'tenant-keys', mountPath: spec.tenantKeys.directory, readOnly: true }]
          : []),
        { name: 'tmp', mountPath: target.tempDirectory! },
      ],
    }) as unknown as k8s.VolumeMount[],
  };
}

function exporterContainer(spec: GatewayKubeSpec, image: string): k8s.Container {
  const target = spec.target;
  return {
    name: 'nginx-exporter',
    image,
    imagePullPolicy: 'IfNotPresent',
    args: [`--nginx.scrape-uri=http://127.0.0.1:${target.statusPort}${target.statusPath}`],
    ports: [{ name: 'metrics', containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    resources: resources(['10m', '100m'], ['32Mi', '64Mi']),
    readinessProbe: {
      httpGet: { path: NGINX_CONTAINER.metricsPath, port: k8s.IntOrString.fromString('metrics') },
      periodSeconds: 15,
      timeoutSeconds: 3,
    },
    securityContext: containerSecurityContext(spec.security),
  };
}

/**
 * mtail, counting the lines nginx sends it over syslog on the pod's loopback (UDP: a stopped sidecar loses
 * lines, never blocks nginx) and serving them on `request-metrics`. The image is one static binary.
 */
function requestMetricsContainer(spec: GatewayKubeSpec, image: string): k8s.Container {
  return {
    name: 'request-metrics',
    image,
    imagePullPolicy: 'IfNotPresent',
    args: mtailArgs(),
    ports: [{ name: REQUEST_METRICS.portName, containerPort: REQUEST_METRICS.port, protocol: 'TCP' }],
    resources: resources(['20m', '200m'], ['32Mi', '128Mi']),
    readinessProbe: {
      httpGet: { path: REQUEST_METRICS.metricsPath, port: k8s.IntOrString.fromString(REQUEST_METRICS.portName) },
      periodSeconds: 15,
      timeoutSeconds: 3,
    },
    securityContext: containerSecurityContext(spec.security),
    volumeMounts: [{ name: 'request-metrics', mountPath: REQUEST_METRICS.programDirectory, readOnly: true }],
  };
}

function addService(scope: Construct, spec: GatewayKubeSpec): void {
  const metrics = {
    name: 'metrics', port: EXPORTER_PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP',
  };
  new k8s.KubeService(scope, 'Service', {
    metadata: metadata(spec, spec.name),
    spec: {
      type: 'ClusterIP',
      selector: spec.selectorLabels,
      ports: [
        { name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
        ...(spec.exporterImage ? [metrics] : []),
      ],
    },
  });
}

/**
 * `render`, re-run only when one of the values `inputs` returns differs from the last rendering's: the
 * same text for the ConfigMap and its checksum within a synth, and a new one after the model changed.
 */
function renderedOnce(render: () => string, inputs: () => readonly unknown[]): () => string {
  let last: { readonly inputs: readonly unknown[]; readonly text: string } | undefined;
  return () => {
    const now = inputs();
    const previous = last;
    if (previous && sameInputs(now, previous.inputs)) return previous.text;
    last = { inputs: now, text: render() };
    return last.text;
  };
}

function sameInputs(now: readonly unknown[], before: readonly unknown[]): boolean {
  return now.length === before.length && now.every((value, i) => value === before[i]);
}

/**
 * The pod's volumes: the config, the tenants' key files and /tmp. The key files come from one projected
 * volume over every tenant's Secret, each `optional` (a tenant whose Secret is missing gets 401s instead
 * of a pod that cannot start), readable by the nginx group only (fsGroup) and updated in place by the kubelet.
 */
function volumes(
  configMapName: string,
  keyFiles: ReadonlyArray<{ readonly file: string; readonly secretName: string; readonly key: string }>,
  requestMetrics: boolean,
): k8s.Volume[] {
  const program = REQUEST_METRICS.programFile;
  return [
    { name: 'nginx-conf', configMap: { name: configMapName } },
    ...(requestMetrics
      ? [{ name: 'request-metrics', configMap: { name: configMapName, items: [{ key: program, path: program }] } }]
      : []),
    ...(keyFiles.length
      ? [
          {
            name: 'tenant-keys',
            projected: {
              defaultMode: 0o440,
              sources: keyFiles.map((f) => ({
                secret: { name: f.secretName, optional: true, items: [{ key: f.key, path: f.file }] },
              })),
            },
          },
        ]
      : []),
    { name: 'tmp', emptyDir: {} },
  ];
}

/** A headless Service over a workload's pods, so that the gateway resolves every pod's address. */
export function addHeadlessService(
  scope: Construct,
  id: string,
  name: string,
  workload: IAgentWorkload,
  labels: Record<string, string>,
): void {
  new k8s.KubeService(scope, id, {
    metadata: { name, namespace: workload.namespace, labels },
    spec: {
      clusterIp: 'None',
      selector: workload.selectorLabels,
      ports: [
        { name: 'http', port: workload.containerPort, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' },
      ],
    },
  });
}

/** What the edge object needs. */
export interface GatewayEdgeSpec {
  readonly edge: GatewayEdge;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly host: string;
  readonly tlsSecretName?: string;
  readonly gatewayServiceName: string;
  readonly routes: () => readonly GatewayRoute[];
  /** ingress-nginx annotations derived from the gateway's limits; values may be lazy (routes come later). */
  readonly annotations: Record<string, string>;
  /** ingress-nginx rate-limit annotations, rendered only when the edge bypasses the gateway. */
  readonly limitAnnotations: Record<string, string>;
  /**
   * True when every path must go through the gateway whatever the edge's backend (it serves tenants: only
   * the gateway checks API keys). Read at synth time.
   */
  readonly throughGateway: () => boolean;
}

/**
 * The rate-limit annotations, each present only when the edge bypasses the gateway: whether it does depends
 * on the tenants, known at synth (a lazy value that resolves to undefined is left out of the manifest).
 */
function limitAnnotations(spec: GatewayEdgeSpec): Record<string, string> {
  return Object.fromEntries(Object.entries(spec.limitAnnotations).map(([key, value]) =>
    [key, Lazy.any({ produce: () => (bypassesGateway(spec) ? value : undefined) }) as unknown as string]));
}

/** True when the edge sends route traffic straight to the workloads (read at synth time). */
function bypassesGateway(spec: Pick<GatewayEdgeSpec, 'edge' | 'throughGateway'>): boolean {
  return spec.edge.backend === EdgeBackend.WORKLOADS && !spec.throughGateway();
}

/**
 * The workload the edge sends a route's traffic to when it bypasses the gateway (a workload in the gateway's
 * namespace: the edge object cannot name a Service in another); undefined when the gateway gets it.
 */
export function bypassedWorkload(
  spec: Pick<GatewayEdgeSpec, 'edge' | 'throughGateway' | 'namespace'>,
  route: GatewayRoute,
): IAgentWorkload | undefined {
  const workload = route.upstream.workload;
  return bypassesGateway(spec) && workload?.namespace === spec.namespace ? workload : undefined;
}

function backendOf(spec: GatewayEdgeSpec, route: GatewayRoute): { name: string; port: number } {
  const workload = bypassedWorkload(spec, route);
  return workload
    ? { name: workload.serviceName, port: workload.servicePort }
    : { name: spec.gatewayServiceName, port: 80 };
}

/** The Ingress or HTTPRoute of the gateway, with its paths rendered at synth time. */
export function addEdge(scope: Construct, spec: GatewayEdgeSpec): ApiObject | undefined {
  switch (spec.edge.kind) {
    case GatewayEdgeKind.NONE: return undefined;
    case GatewayEdgeKind.INGRESS: return addIngress(scope, spec);
    default: return addHttpRoute(scope, spec);
  }
}

/** The routes by path, so that the edge's rules do not depend on the order routes were added in. */
function sortedRoutes(spec: GatewayEdgeSpec): GatewayRoute[] {
  return [...spec.routes()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function addIngress(scope: Construct, spec: GatewayEdgeSpec): ApiObject {
  const options = spec.edge.ingress;
  const paths = () => sortedRoutes(spec).map((route) => {
    const backend = backendOf(spec, route);
    const service = { name: backend.name, port: { number: backend.port } };
    const pathType = route.match === PathMatch.EXACT ? 'Exact' : 'Prefix';
    return { path: edgePathOf(route.path, route.match), pathType, backend: { service } };
  });
  return new k8s.KubeIngress(scope, 'Ingress', {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: spec.labels,
      annotations: sortedRecord({ ...spec.annotations, ...limitAnnotations(spec), ...(options?.annotations ?? {}) }),
    },
    spec: {
      ingressClassName: options?.className ?? 'nginx',
      tls: spec.tlsSecretName ? [{ hosts: [spec.host], secretName: spec.tlsSecretName }] : undefined,
      rules: [{
        host: spec.host,
        http: { paths: Lazy.any({ produce: paths }) as unknown as k8s.HttpIngressPath[] },
      }],
    },
  });
}

function addHttpRoute(scope: Construct, spec: GatewayEdgeSpec): ApiObject {
  const options = spec.edge.httpRoute!;
  const rules = () => sortedRoutes(spec).map((route) => {
    const backend = backendOf(spec, route);
    return {
      matches: [{ path: { type: route.match, value: edgePathOf(route.path, route.match) } }],
      backendRefs: [{ name: backend.name, port: backend.port }],
    };
  });
  return new ApiObject(scope, 'HttpRoute', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels },
    spec: {
      parentRefs: options.parentRefs.map((ref) => ({
        group: 'gateway.networking.k8s.io', kind: 'Gateway',
        name: ref.name, namespace: ref.namespace, sectionName: ref.sectionName,
      })),
      hostnames: [spec.host],
      rules: Lazy.any({ produce: rules }),
    },
  });
}
