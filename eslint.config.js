// ESLint: typescript-eslint's recommended rules plus the dependency rules of DESIGN.md §3, one block per
// folder, so a layer that reaches where it must not fails `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const restrict = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});
const p = (group, message) => ({ group, message });

export default tseslint.config(
  {
    ignores: ['dist', 'dist-node', 'node_modules', 'test-results', 'playwright-report', '.gpu-kit', '.bench'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  restrict(
    ['src/core/**'],
    [
      p(['../*', '!../core', '!../core/*'], 'core/ imports nothing outside core/ (DESIGN.md §3.1)'),
      p(['react', 'zustand', 'd3', 'webgpu'], 'core/ is pure TypeScript'),
    ],
  ),
  restrict(
    ['src/reference/**'],
    [
      p(
        [
          '../gpu/*',
          '../engine/*',
          '../worker/*',
          '../state/*',
          '../ui/*',
          '../cli/*',
          'react',
          'zustand',
          'webgpu',
        ],
        'reference/ imports only core/ (DESIGN.md §3.1)',
      ),
    ],
  ),
  restrict(
    ['src/gpu/**'],
    [
      p(
        ['react', 'react-dom', 'zustand', '**/engine/*', '**/state/*', '**/ui/*', '**/worker/*'],
        'gpu/ never imports React, zustand or engine/ (DESIGN.md §3.3)',
      ),
      p(['**/shaders/*'], 'only src/gpu/shaders.ts imports WGSL (DESIGN.md §3.2)'),
    ],
  ),
  { files: ['src/gpu/shaders.ts'], rules: { 'no-restricted-imports': 'off' } },
  restrict(
    ['src/engine/**'],
    [
      p(
        ['react', 'react-dom', 'zustand', 'd3', '**/state/*', '**/ui/*', '**/worker/*'],
        'engine/ is framework-free (DESIGN.md §3.3)',
      ),
      p(['**/shaders/*'], 'only src/gpu/shaders.ts imports WGSL'),
    ],
  ),
  restrict(
    ['src/ui/**'],
    [
      p(
        ['**/gpu/*', '**/engine/*', '**/worker/*', '**/reference/*', 'webgpu'],
        'ui/ talks to training only through state/ (DESIGN.md §3.4)',
      ),
    ],
  ),
  {
    files: ['src/engine/**', 'src/gpu/**', 'src/core/**', 'src/reference/**'],
    ignores: ['**/*.test.ts'],
    languageOptions: { globals: { ...globals.worker, ...globals.node } },
  },
);
