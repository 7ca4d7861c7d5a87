// Format: mtail programs (log lines to Prometheus metrics).
export * from './program';
