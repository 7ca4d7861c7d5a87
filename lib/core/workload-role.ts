/**
 * What a workload is for on the platform. Rendered as the `app.kubernetes.io/component` label of its
 * objects and pods, which the NetworkPolicies select on; code asks the typed field, never the label.
 */
export enum WorkloadRole {
  /** An agent: routed by the gateway, reached by tenants' API keys, gets `REDIS_URL` and a Compose build. */
  AGENT = 'agent',
  /** A model service that agents (and the gateway) call. */
  MODEL_SERVICE = 'model',
  /** The platform's cache (Redis). */
  CACHE = 'cache',
  /** The gateway. */
  GATEWAY = 'gateway',
}

/** The label whose value is a workload's role (and the gateway's and autoscaler's components). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
