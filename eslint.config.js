import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

const nodeBuiltins = ['fs', 'node:*', 'child_process', 'path', 'os', 'net', 'http', 'crypto'];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/', 'scratch/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // The core runs in plain Node (CLI, browser mode, tests): it must never depend on Electron.
    files: ['src-main/core/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/ipc/**/*.ts', 'src-main/server/**/*.ts', 'src-main/control/**/*.ts', 'src-main/mcp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'src-main/core, cli and ipc never import electron; put glue in src-main/electron.' },
          { name: 'electron-store', message: 'electron-store loads electron; core uses a settings store interface.' },
        ],
        patterns: [{ group: ['**/electron/**', '../electron/*'], message: 'core must not depend on the Electron layer.' }],
      }],
    },
  },
  {
    // The renderer is sandboxed: it talks to main only through its ipc service.
    files: ['src-renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches main only through services/ipc.ts.' }],
        patterns: [
          { group: nodeBuiltins, message: 'The renderer runs in a sandbox without Node.' },
          { group: ['**/src-main/core/**', '**/src-main/electron/**'], message: 'The renderer may import only types from src-main/ipc.' },
        ],
      }],
    },
  },
);
