// ESLint (typescript-eslint) with ESLint Stylistic as the formatter: the codebase's own style (single quotes,
// semicolons, two-space indent, trailing commas in multi-line literals, lines of at most 120 characters),
// checked in `npm test` (test/repo/lint.test.ts) and fixed with `npm run lint -- --fix`.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['build/', 'dist/', 'docs-api/', 'coverage/', 'node_modules/', 'bench/results/', '**/__snapshots__/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    plugins: { '@stylistic': stylistic },
    languageOptions: {
      ecmaVersion: 2022,
      globals: {
        require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly',
        Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly', URL: 'readonly', performance: 'readonly',
      },
    },
    rules: {
      '@stylistic/max-len': ['error', {
        code: 120,
        // A URL in a comment cannot be wrapped; everything else can.
        ignoreUrls: true,
      }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/indent': ['error', 2, {
        SwitchCase: 1, flatTernaryExpressions: true, offsetTernaryExpressions: true,
      }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/comma-spacing': 'error',
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/arrow-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0 }],
      '@stylistic/member-delimiter-style': 'error',
      // A statement on its own line under an `if` gets braces.
      curly: ['error', 'multi-line'],
      // Functions are small named steps; a longer one says why in an eslint-disable comment.
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      // The codebase's deliberate choices.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Tests: large fixtures inside describe/test bodies, `any` for parsed YAML and JSON.
    files: ['test/**/*.{ts,js,mjs}'],
    rules: {
      'max-lines-per-function': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Plain Node scripts (CommonJS).
    files: ['bench/**/*.js', 'scripts/**/*.js', 'test/**/*.js', '*.js', '*.cjs'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'max-lines-per-function': 'off',
    },
  },
);
