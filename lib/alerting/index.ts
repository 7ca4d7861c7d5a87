// Feature: Prometheus alerts, SLOs, PodMonitors and the Grafana dashboard.
export * from './alert-rules';
