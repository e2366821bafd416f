// Input helpers shared by the CLI commands: reading a corpus (a file or a generated one) or a model file with
// clear errors, and opening the backend (Dawn's WebGPU, or none for the CPU reference).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { checkCorpusText } from '../core/corpus';
import { adapterName } from '../gpu/device';
import { InputError } from './command';
import { syntheticTask } from '../core/synthetic';
import { acquireNodeDevice } from './dawn';
import { type Args, UsageError } from './args';
import type { CellType } from '../core/config';
import { decodeCheckpoint } from '../core/checkpoint';
import { applyTiles, describeTiles, tilesMode } from './tiles';

/** The corpus as text; missing, empty, binary or non-UTF-8 files are InputErrors naming the file. */
export function readCorpusFile(path: string): string {
  if (!existsSync(path)) throw new InputError(`no such file: ${path}`);
  if (!statSync(path).isFile()) throw new InputError(`${path} is not a file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new InputError(`${path} is not UTF-8 text (a binary file?)`);
  }
  const problems = checkCorpusText(text);
  if (problems.length) throw new InputError(`${path}: ${problems[0]}`);
  return text;
}

/** `synthetic:ID[:CHARS]`: one of the generated teaching corpora (core/synthetic.ts), seeded by --seed. */
function synthetic(spec: string, seed: number): string {
  const [, id = '', chars = '100000'] = spec.split(':');
  const n = Number(chars);
  if (!Number.isInteger(n) || n < 100 || n > 10_000_000)
    throw new UsageError(
      `--corpus ${spec}: the length must be a whole number of characters from 100 to 10000000`,
    );
  try {
    return syntheticTask(id).generate(seed, n);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** The text `--corpus` names: a file, or `synthetic:ID[:CHARS]`, a generated teaching corpus. */
export function readCorpus(spec: string, seed: number): string {
  return spec.startsWith('synthetic:') ? synthetic(spec, seed) : readCorpusFile(spec);
}

/** A model file's bytes; a missing file is an InputError. */
export function readModelBytes(path: string): Uint8Array {
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError(`no such model file: ${path}`);
  return readFileSync(path);
}

/** The run a device is opened for: its --tiles flag and the recurrent shape to tune them for. */
export interface TileRequest {
  args: Args;
  cell: CellType;
  B: number;
  H: number;
  T: number;
  /** A model file being resumed: its own shape is tuned instead of the flags'. */
  resume?: string;
}

/**
 * Dawn's device for 'webgpu' (its adapter named on stderr unless quiet), with the recurrent steps' tiles
 * chosen per --tiles for the run's shape; null for 'cpu'.
 */
export async function openBackend(
  backend: 'webgpu' | 'cpu',
  quiet: boolean,
  run?: TileRequest,
): Promise<GPUDevice | null> {
  if (backend === 'cpu') return null;
  const { device, adapter } = await acquireNodeDevice();
  if (!quiet)
    process.stderr.write(
      `WebGPU adapter: ${adapterName(adapter)}${adapter.isSoftware ? ' (software: correct but slow; use a real GPU for real runs)' : ''}\n`,
    );
  if (run) {
    let { cell, B, H, T } = run;
    let saved = false;
    if (run.resume)
      try {
        const ck = decodeCheckpoint(readModelBytes(run.resume));
        ({ cell, hiddenSize: H } = ck.model);
        ({ batchSize: B, seqLen: T } = ck.train);
        // The run's own tiles (restored by the resume) keep its rounding; nothing to tune.
        saved = ck.tiles !== undefined;
      } catch {
        // The resume itself reports what is wrong with the file.
      }
    const mode = tilesMode(run.args, adapter.isSoftware);
    const { tiles, tuned, leftOut } = saved
      ? { tiles: null, tuned: null, leftOut: [] }
      : await applyTiles(device, mode, cell, B, H, T);
    if (!quiet && tiles)
      process.stderr.write(
        `recurrent tiles: ${describeTiles(tiles)}${tuned ? ` (tuned in ${Math.round(tuned.ms)} ms)` : ''}\n`,
      );
    // Always said, quiet or not: a candidate computing something else on this GPU is a fault to chase.
    for (const what of leftOut)
      process.stderr.write(
        `warning: left out, its results on this GPU differing from the default tiles': ${what}; ` +
          'run `npm run selftest`\n',
      );
  }
  return device;
}
