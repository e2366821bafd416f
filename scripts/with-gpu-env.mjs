// Runs a command with gpuEnv() (see gpu-env.mjs): `node scripts/with-gpu-env.mjs vitest run`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gpuEnv } from './gpu-env.mjs';

// --system-vulkan-if-gpu: keep the machine's own Vulkan driver when a GPU device node exists (benchmarks).
let argv = process.argv.slice(2);
const preferGpu = argv[0] === '--system-vulkan-if-gpu';
if (preferGpu) argv = argv.slice(1);
const hasGpu = ['/dev/nvidia0', '/dev/dri/renderD128', '/dev/kfd'].some((p) => existsSync(p));
const [cmd, ...args] = argv;
if (!cmd) {
  console.error('usage: node scripts/with-gpu-env.mjs <command> [args…]');
  process.exit(2);
}
const r = spawnSync(cmd, args, {
  stdio: 'inherit',
  env: gpuEnv(preferGpu && hasGpu ? { ...process.env, UNROLL_SYSTEM_VULKAN: '1' } : process.env),
  shell: process.platform === 'win32',
});
process.exit(r.status ?? 1);
