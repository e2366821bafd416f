/// <reference types="vitest/config" />
// Vite builds the app (and its training worker); Vitest runs the unit tests in Node, where WGSL executes on
// Dawn (scripts/with-gpu-env.mjs sets up SwiftShader). The production build carries a strict CSP.
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// No 'unsafe-eval' and no inline scripts: user text can never become code (issue: hostile input).
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'unroll-csp',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
    environment: 'node',
    // SwiftShader is a CPU rasteriser: GPU tests are slow and each worker holds a device.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report feeds the reliability ledger (scripts/reliability.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/unit.json' },
  },
});
