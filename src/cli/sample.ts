// `npm run sample -- --model FILE …`: generates text from a model file on the GPU (Dawn) or, with
// --backend cpu, on the reference. Sampling streams characters to stdout as they are generated; --beam W
// prints the W most likely continuations with their log-probabilities instead.
import { decodeCheckpoint } from '../core/checkpoint';
import { openModel } from '../engine/textModel';
import { validateSampling } from '../engine/sampling';
import { Args, UsageError } from './args';
import { InputError, runCommand } from './command';
import { openBackend, readModelBytes } from './io';

const FLAGS = [
  'model',
  'prime',
  'length',
  'temperature',
  'top-k',
  'top-p',
  'beam',
  'seed',
  'backend',
] as const;

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2), FLAGS);
  const bytes = readModelBytes(args.value('model', true));
  const length = args.int('length', 500, 1, 1_000_000);
  const opts = {
    temperature: args.num('temperature', 1, 0, 100),
    topK: args.int('top-k', 0, 0, 1_000_000),
    topP: args.num('top-p', 1, 1e-6, 1),
  };
  const problems = validateSampling(opts);
  if (problems.length) throw new UsageError(problems.join(' '));
  const beam = args.has('beam') ? args.int('beam', 1, 1, 64) : 0;
  const seed = args.int('seed', 1, 0, 2 ** 32 - 1);
  const backend = args.choice('backend', 'webgpu', ['webgpu', 'cpu'] as const);
  let vocab: string[];
  let capped: boolean;
  try {
    const ck = decodeCheckpoint(bytes);
    vocab = ck.vocab;
    capped = !!ck.data.maxVocab;
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
  const prime = args.value('prime') ?? (vocab.includes('\n') ? '\n' : vocab[0]!);
  // A capped vocabulary reads unseen characters as U+FFFD; otherwise they are an error.
  const unknown = capped ? [] : [...prime].filter((c) => !vocab.includes(c));
  if (unknown.length)
    throw new UsageError(
      `--prime uses characters the model has never seen: ${[...new Set(unknown)].map((c) => JSON.stringify(c)).join(' ')}`,
    );
  const device = await openBackend(backend, true);
  const model = await openModel(bytes, device);
  if (beam) {
    const beams = await model.beam(prime, beam, length);
    for (const b of beams)
      process.stdout.write(
        `# log-prob ${b.logProb.toFixed(3)} (${b.score.toFixed(4)} per char)\n${prime}${b.text}\n`,
      );
  } else {
    process.stdout.write(prime);
    await model.sample(prime, length, opts, seed, (s) => process.stdout.write(s));
    process.stdout.write('\n');
  }
  model.dispose();
  device?.destroy();
}

runCommand('sample', main);
