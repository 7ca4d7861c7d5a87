// The layering of lib/ (README, "Architecture"), checked in `npm test` (test/repo/lint.test.ts):
// platform → features → formats → core, pulumi/ on top as its own entry point, no cycles.
const FORMATS = '^lib/(nginx|prometheus|grafana|docker|mtail)/';
const FEATURES = '^lib/(workloads|scaling|alerting|gateway|tenancy|compose)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle, type-only imports included: a cycle hides which module is the lower layer.',
      from: { path: '^(lib|apps|test|bench|scripts)/' },
      to: { circular: true },
    },
    {
      name: 'formats-import-no-feature',
      severity: 'error',
      comment: 'Formats are pure data models and serializers: they never import a construct.',
      from: { path: FORMATS },
      to: { path: `${FEATURES}|^lib/(platform|pulumi)/|^lib/index\\.ts$` },
    },
    {
      name: 'features-import-no-platform',
      severity: 'error',
      comment: 'Only platform/ wires features together; features ask each other through small interfaces.',
      from: { path: FEATURES },
      to: { path: '^lib/(platform|pulumi)/|^lib/index\\.ts$' },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'core/ holds the shared helpers every layer may use; it depends on no other folder of lib/.',
      from: { path: '^lib/core/' },
      to: { path: '^lib/', pathNot: '^lib/core/' },
    },
    {
      name: 'platform-not-pulumi',
      severity: 'error',
      comment: 'The Pulumi adapter is a separate entry point: the main entry never loads it.',
      from: { path: '^lib/', pathNot: '^lib/pulumi/' },
      to: { path: '^lib/pulumi/' },
    },
    {
      name: 'lib-stands-alone',
      severity: 'error',
      comment: 'The library never imports the apps, tests or benchmarks.',
      from: { path: '^lib/' },
      to: { path: '^(apps|test|bench|scripts)/' },
    },
    {
      name: 'inside-the-repository',
      severity: 'error',
      comment: 'Nothing reads a file outside the repository (a clone has no siblings).',
      from: {},
      to: { path: '^\\.\\./' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(build|dist|docs-api|coverage)/' },
    // Type-only imports count: a cycle through types is still a cycle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
