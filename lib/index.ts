export * from './agent-autoscaler';
export * from './ai-agent-platform';
export * from './gpu-agent-deployment';
export * from './platform-app';
export * from './pod-security';
export * from './redis';
export * from './scaling-metric';
export * from './workload';
