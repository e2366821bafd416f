// `npm test`: the whole suite, in order — typecheck, lint, unit tests (Vitest; WGSL on Dawn + SwiftShader),
// the benchmark's smoke run (no timing asserted), build, end-to-end tests (Playwright on the system Chromium
// with WebGPU on SwiftShader), and the reliability ledger (every case of docs/RELIABILITY.md proven by a test
// that passed in this run). Stops at the first failing stage and ends with a one-line-per-stage summary.
import { spawnSync } from 'node:child_process';
import { ensureChromium, ensureTorch, gpuEnv } from './gpu-env.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
ensureChromium();
ensureTorch();
const env = gpuEnv();

const STAGES = [
  ['typecheck', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', ['eslint', '.', '--max-warnings', '0']],
  ['format', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['unit', ['vitest', 'run']],
  ['bench', ['node', 'scripts/bench-smoke.mjs']],
  ['build', ['vite', 'build', '--logLevel', 'warn']],
  ['e2e', ['playwright', 'test']],
  ['reliability', ['node', 'scripts/reliability.mjs']],
];

const only = process.argv.slice(2);
const summary = [];
let failed = false;
for (const [name, cmd] of STAGES) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n▶ ${name}: ${cmd.join(' ')}`);
  const t0 = Date.now();
  const [bin, args] =
    cmd[0] === 'node' ? [process.execPath, cmd.slice(1)] : ['npx', ['--no-install', ...cmd]];
  const r = spawnSync(bin, args, { cwd: ROOT, stdio: 'inherit', env });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  summary.push(`${r.status === 0 ? '✔' : '✘'} ${name.padEnd(11)} ${secs.padStart(6)} s`);
  if (r.status !== 0) {
    failed = true;
    break;
  }
}
console.log(
  `\nnpm test summary (Chromium: ${env.CHROMIUM_PATH}, Vulkan ICD: ${env.VK_ICD_FILENAMES ?? 'system'})`,
);
for (const line of summary) console.log(`  ${line}`);
process.exit(failed ? 1 : 0);
