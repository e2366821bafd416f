// `npm start`: builds the app when the build is missing or older than its sources, then serves it and
// prints the URL. Set PORT to choose the port (default 4173).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SOURCES = ['src', 'shaders', 'public', 'index.html', 'vite.config.ts', 'package.json'];

function newest(path) {
  const full = join(ROOT, path);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(full).map((f) => newest(join(path, f))));
}

const built = join(ROOT, 'dist', 'index.html');
if (!existsSync(built) || statSync(built).mtimeMs < Math.max(...SOURCES.map(newest))) {
  console.log('Building Unroll …');
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const port = process.env.PORT ?? '4173';
console.log(
  `Serving Unroll at http://127.0.0.1:${port}/ (a browser with WebGPU: Chrome, Edge, Safari 26+). Ctrl-C stops it.`,
);
const server = spawn('npx', ['vite', 'preview', '--port', port, '--strictPort'], {
  cwd: ROOT,
  stdio: 'inherit',
});
server.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
