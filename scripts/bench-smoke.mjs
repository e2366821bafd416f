// `npm test`'s bench stage: proves `npm run bench` works end to end — the bundle builds, and a training-step
// configuration (its recurrent tiles tuned first, every candidate's time printed), the matmul kernel, the
// time-to-quality mode and encoder–decoder decoding each print well-formed JSON lines. It runs tiny shapes on whatever adapter is here
// (SwiftShader in CI) and asserts nothing about time.
import { execFileSync } from 'node:child_process';
import { ensureChromium, gpuEnv } from './gpu-env.mjs';

ensureChromium();

const ROOT = new URL('..', import.meta.url).pathname;
const BUNDLE = 'dist-node/bench.mjs';
execFileSync(process.execPath, ['scripts/bundle.mjs', 'src/cli/bench.ts', BUNDLE], {
  cwd: ROOT,
  stdio: 'inherit',
});

/** A training step of a tiny model: hidden 8, batch 2, window 4, vocabulary 7. */
const tiny = (cell, layers) => ['--cell', cell, '--hidden', '8', '--layers', String(layers)].concat(TINY);
const TINY = ['--batch', '2', '--seq', '4', '--vocab', '7'];

const RUNS = [
  {
    args: [
      '--cell',
      'gru',
      '--hidden',
      '16',
      '--layers',
      '2',
      '--batch',
      '4',
      '--seq',
      '8',
      '--vocab',
      '11',
      '--tiles',
      'auto',
      '--sweep',
    ],
    fields: [
      'ms_per_step',
      'host_ms_per_step',
      'host_ms_to_submit',
      'recorded_ahead',
      'chars_per_s',
      'model_gflop',
      'dispatches_per_step',
      'submits_per_step',
      'gpu_memory_mib',
      'tiles',
      'tune_ms',
      'tiles_left_out',
      'save_capture_ms',
      'checkpoint_mib',
    ],
  },
  // The layer wavefront (EngineOptions.wave): its line must say it ran.
  {
    args: [...tiny('lstm', 3), '--tiles', 'default', '--wave', 'on'],
    fields: ['ms_per_step', 'dispatches_per_step', 'wave', 'passes_per_step'],
    expect: { wave: true, passes_per_step: 1 },
  },
  // A pass per phase, each timed: the per-phase breakdown.
  {
    args: [...tiny('rnn', 1), '--tiles', 'default', '--phase-passes', 'on'],
    fields: ['ms_per_step', 'passes_per_step', 'gpu_ms_by_phase'],
  },
  { args: ['--kernel', 'matmul', '--small', '--steps', '3', '--warmup', '1'], fields: ['gflops', 'split'] },
  {
    args: [
      '--quality',
      '--corpus',
      'synthetic:counting:4000',
      '--hidden',
      '16',
      '--layers',
      '1',
      '--batch',
      '4',
      '--seq',
      '16',
      '--steps',
      '20',
      '--val-every',
      '10',
      '--stop-at',
      '2',
    ],
    fields: ['best_val_loss', 'reached', 'train_s', 'steps'],
  },
  // Greedy decoding both ways: the window re-run must give the step decoder's outputs.
  {
    args: [
      '--decode',
      '--hidden',
      '8',
      '--batch',
      '4',
      '--examples',
      '40',
      '--train-steps',
      '2',
      '--reps',
      '1',
    ],
    fields: ['decode_ms', 'tokens_per_s', 'tokens', 'same_outputs'],
    expect: { decoder: 'window', same_outputs: true },
  },
];

for (const { args, fields, expect = {} } of RUNS) {
  const out = execFileSync(process.execPath, [BUNDLE, ...args], {
    cwd: ROOT,
    env: gpuEnv(),
    encoding: 'utf8',
  });
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const last = lines.at(-1);
  const missing = fields.filter((f) => !(f in last));
  if (missing.length) {
    console.error(`bench ${args.join(' ')}: the last line lacks ${missing.join(', ')}:\n${out}`);
    process.exit(1);
  }
  const wrong = Object.entries(expect).filter(([f, v]) => last[f] !== v);
  if (wrong.length) {
    console.error(`bench ${args.join(' ')}: expected ${JSON.stringify(expect)}:\n${out}`);
    process.exit(1);
  }
  if (args.includes('--phase-passes') && !('backward' in last.gpu_ms_by_phase && last.passes_per_step > 1)) {
    console.error(`bench ${args.join(' ')}: no per-phase passes and times:\n${out}`);
    process.exit(1);
  }
  // On the tests' adapter every tile candidate computes what the default computes (engine/tileCheck.ts).
  if ('tiles_left_out' in last && last.tiles_left_out.length) {
    console.error(`bench ${args.join(' ')}: the tuner left out tiles that disagreed:\n${out}`);
    process.exit(1);
  }
  // Every timed step after the first submits commands recorded ahead (Engine.encodeAhead).
  if ('recorded_ahead' in last && !(last.recorded_ahead > 0)) {
    console.error(`bench ${args.join(' ')}: no step used commands recorded ahead:\n${out}`);
    process.exit(1);
  }
  console.log(`bench ${args.join(' ')}\n  ${JSON.stringify(last)}`);
}
