/**
 * Jest as Stryker runs it (npm run test:mutation): the test folders of one module group (MUTATION_TESTS, a
 * comma-separated list of paths under test/), transpile-only (Stryker's TypeScript checker already rejects
 * mutants that do not compile), no summary reporter.
 */
const base = require('./jest.config');

const tests = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);
if (tests.length === 0) throw new Error('jest.mutation.config.js: set MUTATION_TESTS (see scripts/mutation.mjs)');

module.exports = {
  ...base,
  reporters: ['default'],
  testMatch: tests.map((t) => (t.endsWith('.ts') ? `<rootDir>/${t}` : `<rootDir>/${t}/**/*.test.ts`)),
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }],
  },
};
