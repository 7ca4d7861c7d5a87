import { App } from 'cdk8s';
import { buildReferencePlatform } from '../../apps/reference-platform';
import { AgentGateway, GatewayTarget, RatePlan } from '../../lib';
import { ScenarioStep } from './scenario';

/** Loopback addresses of every host name the reference standalone nginx.conf resolves at start. */
export const REFERENCE_HOSTS: Readonly<Record<string, string>> = {
  'ai-agent.example.com': '127.0.0.1',
  'agent-service-1': '127.0.0.11',
  'agent-service-2': '127.0.0.12',
  'agent-service-3': '127.0.0.13',
  'model-service': '127.0.0.14',
  // acme's own pool (tenancy): nginx resolves it at start; tests on the shared pool never route to it.
  'acme-agent-service': '127.0.0.15',
};

/**
 * The gateway needs an API key of a tenant (tenancy). Tests about everything else call as a tenant of
 * their own, on the shared pool and on a plan far above the per-IP limits, added through the public API
 * (test/gateway-tenancy.e2e.test.ts tests the reference tenants acme and globex).
 */
export const E2E_TENANT = 'e2e-client';
export const E2E_KEY = '5f1c0d2e9a7b4c3d8e6f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d';

/** The key file nginx includes for the test tenant (`files` of a scenario). */
export const E2E_KEY_FILES: Readonly<Record<string, string>> = {
  [`tenants/${E2E_TENANT}.map`]: `"${E2E_KEY}" ${E2E_TENANT};\n`,
};

/** The reference platform's gateway (apps/reference-platform.ts) with the test tenant, in a fresh app. */
export function referenceGateway(): AgentGateway {
  const platform = buildReferencePlatform(new App());
  platform.addTenant(E2E_TENANT, {
    plan: platform.addRatePlan(RatePlan.perSecond('e2e', 100_000, { burst: 100_000 })),
  });
  const gateway = platform.gateway;
  if (!gateway) throw new Error('the reference platform has no gateway');
  return gateway;
}

/** The reference platform's standalone nginx.conf, as `npm run synth` writes it, plus the test tenant. */
export function referenceConf(): string {
  return referenceGateway().renderNginxConf(GatewayTarget.standalone());
}

/** The steps with the test tenant's key on every request (a step's own headers win). */
export function withApiKey(steps: readonly ScenarioStep[]): ScenarioStep[] {
  const add = (step: any): any =>
    step.op === 'request'
      ? { ...step, headers: { authorization: `Bearer ${E2E_KEY}`, ...step.headers } }
      : step.op === 'parallel'
        ? { ...step, steps: step.steps.map(add) }
        : step;
  return steps.map(add);
}
