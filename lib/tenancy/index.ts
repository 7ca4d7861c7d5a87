// Feature: tenants (namespaces, quotas, isolation, pools) and their rate plans.
export * from './tenant';
