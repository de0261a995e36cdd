// @ts-check
import tseslint from 'typescript-eslint';

/** What the runtime-neutral core may not reach for: it runs on Node, Bun, Deno and workerd alike. */
const RUNTIME_GLOBALS = ['process', 'Buffer', 'Bun', 'Deno', 'require', '__dirname', '__filename', 'global', 'setImmediate'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.wrangler/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The core, and what runs inside workerd with it.
    files: ['src/**/*.ts', 'storage/kv.ts', 'storage/memory.ts', 'adapters/cloudflare-workers/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...RUNTIME_GLOBALS.map((name) => ({ name, message: 'src/ uses Web APIs only: take it from GatewayDeps.' }))],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(node|bun|cloudflare):', message: 'src/ uses Web APIs only.' },
            { regex: '^(fs|path|os|crypto|http|https|net|stream|buffer|url|util|events|child_process|worker_threads)(/.*)?$', message: 'src/ uses Web APIs only.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='globalThis'][property.name=/^(process|Buffer|Bun|Deno)$/]", message: 'src/ must not sniff the runtime.' },
      ],
    },
  },
);
