// Format: Grafana dashboards.
export * from './dashboard';
export * from './picture';
