import { Duration, Size } from 'cdk8s';
import {
  HealthCheck, HealthCheckKind, LoadBalancing, LoadBalancingMethod, RateLimit, RateLimitZone, RequestKey, RetryPolicy,
  UpstreamServer,
} from '../../lib';

describe('RequestKey: nginx variables for hashing and rate limits', () => {
  test.each([
    [RequestKey.clientIp(), '$binary_remote_addr', 'client IP', undefined],
    [RequestKey.serverName(), '$server_name', 'server name', undefined],
    [RequestKey.header('X-Session-ID'), '$http_x_session_id', 'header X-Session-ID', 'X-Session-ID'],
    [RequestKey.header('X-A-B-C'), '$http_x_a_b_c', 'header X-A-B-C', 'X-A-B-C'],
    [RequestKey.cookie('session_id'), '$cookie_session_id', 'cookie session_id', 'session_id'],
    [RequestKey.expression('$http_x_tenant_id$uri'), '$http_x_tenant_id$uri', '$http_x_tenant_id$uri', undefined],
  ])('%s', (key, expression, description, fieldName) => {
    expect(key.expression).toBe(expression);
    expect(String(key)).toBe(expression);
    expect(key.description).toBe(description);
    expect(key.fieldName).toBe(fieldName);
  });
});

describe('LoadBalancing', () => {
  test.each([
    [LoadBalancing.roundRobin(), LoadBalancingMethod.ROUND_ROBIN, 'round_robin', false],
    [LoadBalancing.weightedRoundRobin(), LoadBalancingMethod.WEIGHTED_ROUND_ROBIN, 'weighted_round_robin', false],
    [LoadBalancing.leastConnections(), LoadBalancingMethod.LEAST_CONNECTIONS, 'least_conn', false],
    [LoadBalancing.ipHash(), LoadBalancingMethod.IP_HASH, 'ip_hash', true],
    [LoadBalancing.consistentHash(RequestKey.header('X-Session-ID')), LoadBalancingMethod.HASH,
      'hash $http_x_session_id', true],
  ])('%s: method, text and whether it pins requests (no backup servers)', (lb, method, text, isHash) => {
    expect(lb.method).toBe(method);
    expect(String(lb)).toBe(text);
    expect(lb.isHash).toBe(isHash);
  });

  test('hashing is consistent (ketama) unless told otherwise; other methods are never consistent', () => {
    const key = RequestKey.cookie('s');
    expect(LoadBalancing.consistentHash(key).consistent).toBe(true);
    expect(LoadBalancing.consistentHash(key, {}).consistent).toBe(true);
    expect(LoadBalancing.consistentHash(key, { consistent: false }).consistent).toBe(false);
    expect(LoadBalancing.consistentHash(key).key).toBe(key);
    expect(LoadBalancing.ipHash().consistent).toBe(false);
    expect(LoadBalancing.ipHash().key).toBeUndefined();
  });
});

describe('UpstreamServer and HealthCheck', () => {
  test('a server keeps its address and options as given', () => {
    const server = UpstreamServer.of('agent-1:8080', { weight: 3, backup: true });
    expect(String(server)).toBe('agent-1:8080');
    expect(server.address).toBe('agent-1:8080');
    expect(server.options).toEqual({ weight: 3, backup: true });
    expect(UpstreamServer.of('agent-2:8080').options).toEqual({});
  });

  test('passive checks default to 3 failures in 30 s; the options override each', () => {
    const d = HealthCheck.passive();
    expect([d.kind, d.maxFails, d.failTimeout.toSeconds(), d.active])
      .toEqual([HealthCheckKind.PASSIVE, 3, 30, undefined]);
    const custom = HealthCheck.passive({ maxFails: 0, failTimeout: Duration.seconds(5) });
    expect([custom.maxFails, custom.failTimeout.toSeconds()]).toEqual([0, 5]);
  });

  test('active checks keep the passive defaults beside their own timing', () => {
    for (const [check, kind] of [
      [HealthCheck.nginxPlus({ path: '/ready', fails: 2 }), HealthCheckKind.NGINX_PLUS],
      [HealthCheck.upstreamCheckModule({ path: '/ready', fails: 2 }), HealthCheckKind.UPSTREAM_CHECK_MODULE],
    ] as const) {
      expect([check.kind, check.maxFails, check.failTimeout.toSeconds()]).toEqual([kind, 3, 30]);
      expect(check.active).toEqual({ path: '/ready', fails: 2 });
    }
    expect(HealthCheck.nginxPlus().active).toEqual({});
    expect(HealthCheck.upstreamCheckModule().active).toEqual({});
  });
});

describe('RateLimit and RateLimitZone', () => {
  test('per second and per minute, burst 0 and nodelay by default, as nginx writes them', () => {
    const s = RateLimit.perSecond(10);
    expect([s.rate, s.unit, s.burst, s.nodelay, s.perSecond]).toEqual([10, 'r/s', 0, true, 10]);
    expect(String(s)).toBe('10r/s burst=0 nodelay');
    const m = RateLimit.perMinute(120, { burst: 5, nodelay: false });
    expect([m.rate, m.unit, m.burst, m.nodelay, m.perSecond]).toEqual([120, 'r/m', 5, false, 2]);
    expect(String(m)).toBe('120r/m burst=5');
    expect(String(RateLimit.perMinute(30, { burst: 2 }))).toBe('30r/m burst=2 nodelay');
    expect(RateLimit.perSecond(1, { nodelay: false }).nodelay).toBe(false);
  });

  test('zones: key and default size per kind; a size given wins', () => {
    const limit = RateLimit.perSecond(5);
    const ip = RateLimitZone.perClientIp('ai_api', limit);
    expect([ip.name, String(ip.key), ip.limit, ip.size.toKibibytes()]).toEqual(['ai_api', '$binary_remote_addr', limit,
      10 * 1024]);
    const global = RateLimitZone.global('ai_global', limit);
    expect([String(global.key), global.size.toKibibytes()]).toEqual(['$server_name', 1024]);
    const byKey = RateLimitZone.perKey('tenant', RequestKey.header('X-Tenant-ID'), limit);
    expect([String(byKey.key), byKey.size.toKibibytes()]).toEqual(['$http_x_tenant_id', 10 * 1024]);
    for (const zone of [
      RateLimitZone.perClientIp('a', limit, { size: Size.mebibytes(2) }),
      RateLimitZone.global('b', limit, { size: Size.mebibytes(2) }),
      RateLimitZone.perKey('c', RequestKey.clientIp(), limit, { size: Size.mebibytes(2) }),
    ]) {
      expect(zone.size.toKibibytes()).toBe(2048);
    }
  });

  test('brands recognise instances, and nothing else', () => {
    const limit = RateLimit.perSecond(1);
    expect(RateLimit.isRateLimit(limit)).toBe(true);
    expect(RateLimitZone.isRateLimitZone(RateLimitZone.global('g', limit))).toBe(true);
    for (const other of [undefined, null, {}, { rate: 1, unit: 'r/s' }, 'x', RateLimitZone.global('g', limit)]) {
      expect(RateLimit.isRateLimit(other)).toBe(false);
    }
    for (const other of [undefined, {}, limit]) expect(RateLimitZone.isRateLimitZone(other)).toBe(false);
  });
});

describe('RetryPolicy', () => {
  test('on failure: each server once within 30 s, no statuses, idempotent only, by default', () => {
    const p = RetryPolicy.onFailure();
    expect([p.tries, p.timeout.toSeconds(), p.also, p.nonIdempotent, p.off]).toEqual([undefined, 30, [], false, false]);
  });

  test('on failure with every option given', () => {
    const also: ('http_502' | 'http_503')[] = ['http_502', 'http_503'];
    const p = RetryPolicy.onFailure({ tries: 2, timeout: Duration.seconds(10), also, nonIdempotent: true });
    expect([p.tries, p.timeout.toSeconds(), p.also, p.nonIdempotent, p.off]).toEqual([2, 10, also, true, false]);
    also.push('http_502');
    expect(p.also).toEqual(['http_502', 'http_503']); // a copy: later changes to the caller's array do not leak in
  });

  test('none: one try, no retry window, off', () => {
    const p = RetryPolicy.none();
    expect([p.tries, p.timeout.toSeconds(), p.also, p.nonIdempotent, p.off]).toEqual([1, 0, [], false, true]);
  });
});
