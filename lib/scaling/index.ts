// Feature: HPA v2 and KEDA autoscaling.
export * from './agent-autoscaler';
export * from './scaling-metric';
