// `npm run export -- --model FILE --out DIR`: writes the PyTorch export folder (model.safetensors,
// vocab.json, train.py or a task model's predict.py, README.txt). Refuses peephole models and an existing
// non-empty folder.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCheckpoint } from '../core/checkpoint';
import { exportFiles } from '../core/torchExport';
import { Args, UsageError } from './args';
import { InputError, runCommand } from './command';
import { readModelBytes } from './io';

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2), ['model', 'out']);
  const bytes = readModelBytes(args.value('model', true));
  const out = args.value('out', true);
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new UsageError(`${out} exists and is not empty; choose a new folder (nothing was overwritten)`);
  let files;
  try {
    files = exportFiles(decodeCheckpoint(bytes));
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
  mkdirSync(out, { recursive: true });
  for (const f of files) writeFileSync(join(out, f.name), f.data);
  process.stderr.write(`wrote ${files.map((f) => f.name).join(', ')} to ${out}\n`);
}

runCommand('export', main);
