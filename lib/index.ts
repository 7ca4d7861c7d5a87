// The public API, folder by folder: platform → features → formats → core (lib/README or the README's
// "Architecture" section). Private parts (`_`-prefixed files, format internals) are not exported.
export * from './platform';

// Features
export * from './workloads';
export * from './gateway';
export * from './scaling';
export * from './alerting';
export * from './tenancy';
export * from './compose';

// Formats
export * from './nginx';
export * from './prometheus';
export * from './grafana';
export * from './docker';
export * from './mtail';

// Shared
export * from './core';
