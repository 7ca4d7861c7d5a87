// Feature: GPU agent and model services, Redis, and the workload interfaces the other features use.
export * from './agent-values';
export * from './gpu-agent-deployment';
export * from './redis';
export * from './workload';
export { AllowToOptions, EgressRule, EgressTarget, IAllowsEgress, NetworkPort } from './egress';
