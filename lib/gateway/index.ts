// Feature: the nginx AI gateway and its three renderings.
export * from './agent-gateway';
export * from './compose-gateway-target';
export * from './props';
export * from './targets';
export * from './tenancy';
export * from './upstream';
export * from './values';
