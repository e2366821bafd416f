// For the CLI tests: the commands bundled as `npm run` bundles them (scripts/bundle.mjs), each test file into
// its own folder inside the project (so the bundles resolve the external `webgpu` package and files running
// in parallel never write the same bundle), and a runner that captures exit code, stdout and stderr.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface CommandHarness {
  /** Bundles the named commands (src/cli/NAME.ts); call from beforeAll. */
  build(names: readonly string[]): void;
  run(name: string, args: string[]): { code: number | null; out: string; err: string };
}

export function commandHarness(folder: string): CommandHarness {
  const bundle = (name: string) => join('dist-node', folder, `${name}.mjs`);
  return {
    build(names) {
      for (const name of names)
        execFileSync('node', ['scripts/bundle.mjs', `src/cli/${name}.ts`, bundle(name)]);
    },
    run(name, args) {
      const r = spawnSync('node', [bundle(name), ...args], { encoding: 'utf8', timeout: 120_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
  };
}
