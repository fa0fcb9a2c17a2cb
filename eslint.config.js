// Lint rules for every workspace. Formatting is Prettier's job (.prettierrc.json), so eslint-config-prettier
// switches off the stylistic rules; what remains catches bugs. Type-aware rules are left out on purpose:
// `npm run typecheck` already runs tsc --strict over each package, and type-aware linting would double CI time.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.wrangler/**',
      '**/*.wasm',
      'shared/src/tflite/schema/**',
      // AssemblyScript (function decorators, its own builtins) is not TypeScript to a TS parser.
      'shared/wasm/**',
      'train/wasm/**',
      'runs/**',
      'out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Unused names are tsc's job (noUnusedLocals/Parameters); `_name` marks an intentionally unused one.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `x!` after a bounds check is how the hot loops read typed arrays under noUncheckedIndexedAccess.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-eval': 'error',
      'no-new-func': 'error',
      'prefer-const': 'error',
    },
  },
  {
    // Tests pick through JSON documents and terminal output (`any`, control characters) and write bit streams
    // for hand-made images as comma sequences that read like the format's field list.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  prettier,
);
