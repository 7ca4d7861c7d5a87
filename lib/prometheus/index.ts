// Format: Prometheus configuration, PromQL, rule files and SLO rules (the Operator CRD shapes stay private).
export * from './config';
export * from './promql';
export * from './rules';
export * from './slo';
