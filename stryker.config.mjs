// Options shared by every module group of `npm run test:mutation`; scripts/mutation.mjs adds what is
// mutated and which tests run, and keeps the list of equivalent mutants. Not part of `npm test`: it is slow.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ['json', 'progress'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'build', 'reports', 'docs-api', 'coverage', '.dist.*', '*.tgz'],
  // Static mutants (module-level constants: regexes, tables) run every test of the group; slower, but counted.
  ignoreStatic: false,
};
