import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const envOnlyInConfig = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read the environment only in shared/config.ts.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'bench/results/**',
      'coverage/**',
      'dashboard/console/dist/**',
      'test/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', envOnlyInConfig],
    },
  },
  { files: ['shared/config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    // The console runs in the browser: it talks to the api over HTTP only, never imports server code.
    files: ['dashboard/console/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/worker/**', '**/shared/**', '**/simulator/**', 'node:*'],
              message: 'The console reaches the server through the HTTP api only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The one-way flow: api and worker never import each other; shared imports neither.
    files: ['api/**/*.ts', 'dashboard/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/worker/**'], message: 'api/ never imports worker/.' }] },
      ],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/api/**', '**/dashboard/**'], message: 'worker/ never imports api/.' }] },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/worker/**', '**/dashboard/**', '**/simulator/**', '**/test/**'],
              message: 'shared/ imports none of the processes.',
            },
          ],
        },
      ],
    },
  },
);
