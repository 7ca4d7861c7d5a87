// Format: Grafana dashboards.
export * from './dashboard';
