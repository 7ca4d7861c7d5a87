/**
 * fast-check generators for whole platform specs: agents and model services (from arbitraries.ts), a
 * gateway with routes to generated workloads under every load-balancing method (weights and a backup
 * where nginx allows them), rate limits and client timeouts, autoscalers with generated metrics (HPA or
 * KEDA), alert rules with overrides and disabled rules, rate plans and tenants with their own pools,
 * Redis on or off, and an optional Compose stack. `buildWholePlatform` turns a spec into constructs.
 */
import { App, Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AiAgentPlatform,
  GatewayEdge,
  GpuAgentDeployment,
  IAgentWorkload,
  LoadBalancing,
  MetricSelector,
  PlatformAgentProps,
  RateLimit,
  RateLimitZone,
  RatePlan,
  RequestKey,
  RetryPolicy,
  ScalingMetric,
  UpstreamServer,
} from '../../lib';
import { agentProps, dnsLabel } from './arbitraries';

export type LbKind = 'roundRobin' | 'weightedRoundRobin' | 'leastConnections' | 'ipHash' | 'hashHeader' | 'hashCookie';
const HASHES: readonly LbKind[] = ['ipHash', 'hashHeader', 'hashCookie'];

export interface RouteSpec {
  readonly lb: LbKind;
  readonly servers: ReadonlyArray<{ readonly weight: number; readonly backup: boolean }>;
  readonly readTimeout: number;
  readonly retries: 'default' | 'none' | number;
  readonly streaming: boolean;
  readonly maxBodyMi?: number;
  readonly perKeyLimit: boolean;
}

export type MetricKind = 'cpu' | 'memory' | 'podsAverage' | 'queueDepth' | 'inFlight';

export interface WholePlatformSpec {
  readonly redis: boolean;
  readonly networkPolicies: boolean;
  readonly workloads: ReadonlyArray<readonly [string, PlatformAgentProps & { readonly role: 'agent' | 'model' }]>;
  readonly gateway?: {
    readonly tls: boolean;
    readonly hsts: boolean;
    readonly routes: ReadonlyArray<RouteSpec | undefined>;
    readonly connectionsPerClient?: number;
    readonly headerTimeout: number;
    readonly edge: 'ingress' | 'httpRoute' | 'none';
    readonly replicas: number;
  };
  readonly autoscalers: ReadonlyArray<
    | { readonly min: number; readonly extra: number; readonly metrics: readonly MetricKind[]; readonly keda: boolean }
    | undefined
  >;
  readonly alerts?: {
    readonly errorPercent: number;
    readonly latencySeconds: number;
    readonly gpuPercent: number;
    readonly disabled: ReadonlyArray<
      | 'gpuUtilizationHigh'
      | 'nodeCpuUsageHigh'
      | 'nodeMemoryUsageHigh'
      | 'businessSuccessRateLow'
      | 'podRestartingFrequently'
    >;
    readonly metricJob?: string;
    readonly slos: boolean;
  };
  readonly plans: ReadonlyArray<{ readonly name: string; readonly rate: number; readonly burst: number }>;
  readonly tenants: ReadonlyArray<{
    readonly name: string;
    readonly plan: number;
    readonly gpus?: number;
    readonly pool: boolean;
  }>;
  readonly compose: boolean;
  /** Deliberate opt-outs of secure defaults (declared in the output). */
  readonly optOuts: { readonly pdb: boolean; readonly token: boolean; readonly tenantIsolation: boolean };
}

const routeSpec: fc.Arbitrary<RouteSpec> = fc
  .record({
    lb: fc.constantFrom<LbKind>(
      'roundRobin',
      'weightedRoundRobin',
      'leastConnections',
      'ipHash',
      'hashHeader',
      'hashCookie',
    ),
    servers: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 10 }), backup: fc.boolean() }), {
      minLength: 1,
      maxLength: 3,
    }),
    readTimeout: fc.integer({ min: 1, max: 900 }),
    retries: fc.oneof(fc.constant<'default'>('default'), fc.constant<'none'>('none'), fc.integer({ min: 1, max: 5 })),
    streaming: fc.boolean(),
    maxBodyMi: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
    perKeyLimit: fc.boolean(),
  })
  .map((r) => {
    // nginx rejects backup servers with hash methods, and an upstream needs one server that is not backup.
    const servers = r.servers.map((s, i) => ({ ...s, backup: !HASHES.includes(r.lb) && i > 0 && s.backup }));
    return { ...r, servers };
  });

/** True about one time in four. */
const rarely = fc.constantFrom(false, false, false, true);

const planName = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

export const wholePlatformSpec: fc.Arbitrary<WholePlatformSpec> = fc
  .record({
    redis: fc.boolean(),
    networkPolicies: fc.constantFrom(true, true, true, false),
    workloads: fc
      .uniqueArray(fc.tuple(dnsLabel, agentProps, fc.constantFrom<'agent' | 'model'>('agent', 'agent', 'model')), {
        minLength: 1,
        maxLength: 3,
        selector: ([name]) => name,
      })
      .map((list) => list.map(([name, props, role]) => [name, { ...props, role }] as const)),
    gateway: fc.option(
      fc.record({
        tls: fc.boolean(),
        hsts: fc.boolean(),
        routes: fc.array(fc.option(routeSpec, { nil: undefined, freq: 4 }), { minLength: 3, maxLength: 3 }),
        connectionsPerClient: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
        headerTimeout: fc.integer({ min: 1, max: 120 }),
        edge: fc.constantFrom<'ingress' | 'httpRoute' | 'none'>('ingress', 'httpRoute', 'none'),
        replicas: fc.integer({ min: 1, max: 4 }),
      }),
      { nil: undefined, freq: 5 },
    ),
    autoscalers: fc.array(
      fc.option(
        fc.record({
          min: fc.integer({ min: 1, max: 5 }),
          extra: fc.integer({ min: 0, max: 20 }),
          metrics: fc.uniqueArray(
            fc.constantFrom<MetricKind>('cpu', 'memory', 'podsAverage', 'queueDepth', 'inFlight'),
            { minLength: 1, maxLength: 3 },
          ),
          keda: fc.boolean(),
        }),
        { nil: undefined },
      ),
      { minLength: 3, maxLength: 3 },
    ),
    alerts: fc.option(
      fc.record({
        errorPercent: fc.integer({ min: 1, max: 50 }),
        latencySeconds: fc.integer({ min: 1, max: 30 }),
        gpuPercent: fc.integer({ min: 50, max: 99 }),
        disabled: fc.subarray([
          'gpuUtilizationHigh',
          'nodeCpuUsageHigh',
          'nodeMemoryUsageHigh',
          'businessSuccessRateLow',
          'podRestartingFrequently',
        ] as const),
        metricJob: fc.option(fc.oneof(dnsLabel, fc.constantFrom('a"b', 'x\\y', 'new\nline', '{}', '中文')), {
          nil: undefined,
        }),
        slos: fc.boolean(),
      }),
      { nil: undefined },
    ),
    plans: fc.uniqueArray(
      fc.record({ name: planName, rate: fc.integer({ min: 1, max: 1000 }), burst: fc.integer({ min: 0, max: 2000 }) }),
      { maxLength: 2, selector: (p) => p.name },
    ),
    tenants: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
        plan: fc.nat(),
        gpus: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        pool: fc.boolean(),
      }),
      { maxLength: 2, selector: (t) => t.name },
    ),
    compose: fc.boolean(),
    optOuts: fc.record({ pdb: rarely, token: rarely, tenantIsolation: rarely }),
  })
  .map((spec) => ({
    ...spec,
    // Tenants need a plan; a Compose stack needs a gateway.
    tenants: spec.plans.length ? spec.tenants.filter((t) => !spec.workloads.some(([n]) => n === t.name)) : [],
    compose: spec.compose && spec.gateway !== undefined,
  }));

/** Standalone upstream server host names of a route to `workload` (they resolve in the nginx sandbox). */
export function standaloneHost(workload: string, i: number): string {
  return `${workload}-vm-${i + 1}`;
}

function loadBalancing(kind: LbKind): LoadBalancing {
  switch (kind) {
    case 'roundRobin': return LoadBalancing.roundRobin();
    case 'weightedRoundRobin': return LoadBalancing.weightedRoundRobin();
    case 'leastConnections': return LoadBalancing.leastConnections();
    case 'ipHash': return LoadBalancing.ipHash();
    case 'hashHeader': return LoadBalancing.consistentHash(RequestKey.header('X-Session-ID'));
    case 'hashCookie': return LoadBalancing.consistentHash(RequestKey.cookie('session'), { consistent: false });
  }
}

function metric(kind: MetricKind, workload: GpuAgentDeployment): ScalingMetric {
  switch (kind) {
    case 'cpu': return ScalingMetric.cpu(70);
    case 'memory': return ScalingMetric.memory(80);
    case 'podsAverage': {
      const pods = `namespace="${workload.namespace}",pod=~"${workload.name}-.*"`;
      return ScalingMetric.podsAverage('requests_per_second', 100, {
        prometheusQuery: `sum(rate(http_requests_total{${pods}}[2m]))`,
      });
    }
    case 'queueDepth': return ScalingMetric.queueDepth(5);
    case 'inFlight': return ScalingMetric.inFlightRequests(8);
  }
}

/** Builds the platform of `spec` in `app` (chart id `ai-platform`, namespace `ai-platform`). */
export function buildWholePlatform(app: App, spec: WholePlatformSpec): AiAgentPlatform {
  const platform = new AiAgentPlatform(app, 'ai-platform', {
    redis: spec.redis ? undefined : false,
    networkPolicies: spec.networkPolicies ? undefined : false,
  });
  if (spec.alerts) {
    const a = spec.alerts;
    platform.addAlerts('Alerts', {
      namespace: 'monitoring',
      highErrorRate: { thresholdPercent: a.errorPercent },
      highLatency: { threshold: Duration.seconds(a.latencySeconds) },
      gpuUtilizationHigh: a.disabled.includes('gpuUtilizationHigh') ? false : { thresholdPercent: a.gpuPercent },
      nodeCpuUsageHigh: a.disabled.includes('nodeCpuUsageHigh') ? false : undefined,
      nodeMemoryUsageHigh: a.disabled.includes('nodeMemoryUsageHigh') ? false : undefined,
      businessSuccessRateLow: a.disabled.includes('businessSuccessRateLow') ? false : undefined,
      podRestartingFrequently: a.disabled.includes('podRestartingFrequently') ? false : undefined,
      metrics:
        a.metricJob !== undefined
          ? { httpRequests: MetricSelector.of('http_requests_total', { job: a.metricJob }) }
          : undefined,
      slos: a.slos ? undefined : false,
    });
  }
  const workloads = spec.workloads.map(([name, { role, ...props }]) => {
    const full = {
      ...props,
      serviceName: `${name}-svc`,
      configMapName: props.configMapName && `${name}-config`,
      modelStorage:
        props.modelStorage &&
        (props.modelStorage.newClaim
          ? ({
              ...props.modelStorage,
              newClaim: { ...props.modelStorage.newClaim, claimName: `${name}-models` },
            } as typeof props.modelStorage)
          : props.modelStorage),
    };
    const optOuts = name === spec.workloads[0][0] ? {
      podDisruptionBudget: spec.optOuts.pdb ? false : undefined,
      security: spec.optOuts.token ? { automountServiceAccountToken: true } : undefined,
    } : {};
    return role === 'agent'
      ? platform.addAgent(name, { ...full, ...optOuts })
      : platform.addModelService(name, { ...full, ...optOuts });
  });
  spec.autoscalers.forEach((a, i) => {
    const target = workloads[i];
    if (!a || !target) return;
    const metrics = a.metrics.filter(
      (m) => target.metrics !== undefined || !['queueDepth', 'inFlight', 'podsAverage'].includes(m),
    );
    platform.addAutoscaler(`${target.name}-hpa`, {
      target,
      minReplicas: a.min,
      maxReplicas: a.min + a.extra,
      metrics: (metrics.length ? metrics : ['cpu' as const])
        .map((m) => metric(m, target))
        .filter(
          (m) =>
            !a.keda || m.prometheusSeries !== undefined || m.source === 'Resource' || m.prometheusQuery !== undefined,
        ),
      keda: a.keda ? { prometheusServerAddress: 'http://prometheus-operated.monitoring.svc:9090' } : undefined,
    });
  });
  // A tenant's own pool must get traffic: the gateway refuses pools when no route goes to an agent, and a pool
  // replaces one routed shared agent (named: the first routed agent).
  let poolsReachable = true;
  let replaced: IAgentWorkload | undefined;
  if (spec.gateway) {
    const g = spec.gateway;
    const perKey = RateLimitZone.perKey(
      'per_session',
      RequestKey.header('X-Session-ID'),
      RateLimit.perSecond(20, { burst: 40 }),
    );
    const zones = [
      RateLimitZone.perClientIp('ai_api', RateLimit.perSecond(10, { burst: 20, nodelay: true })),
      RateLimitZone.global('ai_global', RateLimit.perSecond(1000, { burst: 1000 })),
      perKey,
    ];
    const gateway = platform.addGateway('Gateway', {
      serverName: 'ai-agent.example.com',
      tls: g.tls
        ? {
            certificateFile: '/etc/nginx/ssl/cert.pem',
            keyFile: '/etc/nginx/ssl/key.pem',
            hsts: g.hsts ? {} : undefined,
          }
        : undefined,
      rateLimits: zones,
      connectionsPerClient: g.connectionsPerClient,
      clientTimeouts: { header: Duration.seconds(g.headerTimeout) },
      edge:
        g.edge === 'ingress'
          ? GatewayEdge.ingress()
          : g.edge === 'httpRoute'
            ? GatewayEdge.httpRoute({ parentRefs: [{ name: 'public', namespace: 'gateway-system' }] })
            : GatewayEdge.none(),
      kubernetes: { replicas: g.replicas },
    });
    const routes = g.routes.map((r, i) => [r, workloads[i]] as const).filter(([r, w]) => r && w);
    if (routes.length === 0) {
      routes.push([
        {
          lb: 'leastConnections',
          servers: [{ weight: 1, backup: false }],
          readTimeout: 300,
          retries: 'default',
          streaming: true,
          perKeyLimit: false,
        },
        workloads[0],
      ]);
    }
    poolsReachable = routes.some(([, w]) => platform.agents.includes(w!));
    replaced = routes.map(([, w]) => w!).find((w) => platform.agents.includes(w as GpuAgentDeployment));
    for (const [r, w] of routes) {
      gateway.route(`/api/v1/${w!.name}/`, w!, {
        upstream: {
          loadBalancing: loadBalancing(r!.lb),
          servers: r!.servers.map((s, i) =>
            UpstreamServer.of(`${standaloneHost(w!.name, i)}:${w!.containerPort}`, {
              weight: s.weight,
              backup: s.backup,
            }),
          ),
        },
        readTimeout: Duration.seconds(r!.readTimeout),
        retries:
          r!.retries === 'default'
            ? undefined
            : r!.retries === 'none'
              ? RetryPolicy.none()
              : RetryPolicy.onFailure({ tries: r!.retries }),
        streaming: r!.streaming,
        maxBodySize: r!.maxBodyMi !== undefined ? Size.mebibytes(r!.maxBodyMi) : undefined,
        rateLimits: r!.perKeyLimit ? [zones[0], perKey] : [zones[0], zones[1]],
      });
    }
  }
  const plans = spec.plans.map((p) => platform.addRatePlan(RatePlan.perSecond(p.name, p.rate, { burst: p.burst })));
  for (const t of spec.tenants) {
    const tenant = platform.addTenant(t.name, {
      plan: plans[t.plan % plans.length],
      quota: t.gpus !== undefined ? { gpus: t.gpus } : undefined,
      networkIsolation: spec.optOuts.tenantIsolation ? false : undefined,
    });
    if (t.pool && poolsReachable) {
      tenant.addAgent(`${t.name}-pool`,
        { image: 'registry.example.com/ai-agent:v1.2.0', replicas: 2, replaces: replaced });
    }
  }
  // The machine has as many GPUs as the services reserve (each gets its own devices).
  const gpus = platform.allWorkloads.reduce((sum, w) => sum + (w.gpu?.count ?? 0), 0);
  if (spec.compose) platform.addComposeStack('Compose', { gpus: gpus || undefined });
  return platform;
}
