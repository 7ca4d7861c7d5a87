// The role of a workload, shared by the features (its component label) and the network policies in core.

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
