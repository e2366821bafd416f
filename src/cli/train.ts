// `npm run train -- --corpus FILE …`: trains a character-level model with CharLM on Dawn (the real GPU when
// present, SwiftShader otherwise) or, with --backend cpu, on the float64 reference. A progress line on a
// terminal; with --json one object per line. Everything is checked before the first step; on bad input
// nothing is written. The checkpoint lands in --out (default runs/<date-time>) as model.safetensors.
// --corpus synthetic:ID[:CHARS] trains on a generated teaching corpus instead of a file; --max-vocab N keeps
// the N − 1 most frequent characters and maps the rest to U+FFFD (needed above 4096 distinct characters).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CELL_TYPES,
  DEFAULT_TRAIN,
  OPTIMIZER_TYPES,
  type TrainConfig,
  validateModel,
  validateTrain,
} from '../core/config';
import { TASK_KINDS, isEncoderDecoder } from '../core/tasks';
import { trainTask } from './trainTask';
import { MAX_VOCAB } from '../core/vocab';
import { vocabProblem } from '../core/corpus';
import { CharLM, type ModelShape } from '../engine/lm';
import type { EvalResult } from '../engine/sampling';
import { Args, UsageError } from './args';
import { InputError, runCommand } from './command';
import { type TileRequest, openBackend, readCorpus, readModelBytes } from './io';
import { TILES_FLAG, tilesMode } from './tiles';
import { Progress } from './progress';
import { runSteps } from './stepLoop';

const FLAGS = [
  'corpus',
  'cell',
  'hidden',
  'embed',
  'layers',
  'seq',
  'batch',
  'lr',
  'optimizer',
  'clip',
  'steps',
  'val-every',
  'val-fraction',
  'max-vocab',
  'seed',
  'backend',
  'resume',
  'out',
  'json',
  'no-carry',
  'learned-init',
  'task',
  'attention',
  'bidirectional',
  TILES_FLAG,
] as const;

interface Line {
  step: number;
  loss: number;
  val_loss?: number;
  val_bits?: number;
  grad_norm: number;
  lr: number;
  ms_per_step: number;
  chars_per_s: number;
}

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2), FLAGS);
  const corpusArg = args.value('corpus', true);
  const task = args.choice('task', 'lm', ['lm', ...TASK_KINDS] as const);
  const maxVocab = args.int('max-vocab', 0, 0, MAX_VOCAB);
  const capProblem = vocabProblem(0, maxVocab);
  const o = runOptions(
    args,
    capProblem ? [capProblem.replace('The vocabulary cap', '--max-vocab')] : [],
    task !== 'lm' && isEncoderDecoder(task),
  );
  if (task !== 'lm') return trainTask({ kind: task, source: corpusArg, seed: o.train.seed, ...o });
  const { model, train, steps, valEvery, valFraction, backend, json, resume, out } = o;
  const text = readCorpus(corpusArg, train.seed);

  const device = await openBackend(backend, json, o.tileRequest);
  let lm: CharLM;
  try {
    lm = resume
      ? await CharLM.resume(readModelBytes(resume), text, device)
      : CharLM.create({ text, model, train, valFraction, maxVocab, device });
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
  const T = lm.train.seqLen;
  const B = lm.train.batchSize;
  const first = lm.step;
  const last = first + steps;
  if (!json)
    process.stderr.write(
      `${lm.model.cell} ${lm.model.layers}×${lm.model.hiddenSize}, vocabulary ${lm.model.vocabSize}, ${lm.corpus.train.length} training / ${lm.corpus.val.length} validation characters, B ${B} T ${T}, ${lm.backend === 'cpu' ? 'CPU reference (slow)' : 'WebGPU'}\n`,
    );

  const progress = new Progress(!json && process.stderr.isTTY === true, last);
  const emit = (line: Line) => {
    if (json) process.stdout.write(JSON.stringify(line) + '\n');
    else progress.update(line);
  };
  let msPerStep = 0;
  const recent = new Map<number, Line>();
  lm.events.on('metrics', (m) => {
    const line: Line = {
      step: m.step,
      loss: m.loss,
      grad_norm: m.gradNorm,
      lr: lm.train.learningRate,
      ms_per_step: msPerStep,
      chars_per_s: msPerStep ? (B * T * 1000) / msPerStep : 0,
    };
    recent.set(m.step, line);
    recent.delete(m.step - 64);
    emit(line);
  });
  let lastVal: EvalResult | undefined;
  lm.events.on('validation', ({ step, result }) => {
    lastVal = result;
    const base = recent.get(step);
    emit({
      ...(base ?? {
        step,
        loss: NaN,
        grad_norm: NaN,
        lr: lm.train.learningRate,
        ms_per_step: msPerStep,
        chars_per_s: 0,
      }),
      val_loss: result.nats,
      val_bits: result.bits,
    });
  });
  let diverged = false;
  lm.events.on('diverged', () => (diverged = true));

  await runSteps({
    first,
    steps,
    valEvery,
    step: () => lm.trainStep(),
    flush: () => lm.flush(),
    // The pass advances one window per training step from here on.
    validate: () => void lm.startValidation(),
    stopped: () => diverged,
    speed: (ms) => (msPerStep = ms),
  });
  if (valEvery > 0) lastVal = await lm.validate();
  progress.done();
  mkdirSync(out, { recursive: true });
  const file = join(out, 'model.safetensors');
  writeFileSync(file, await lm.save());
  const done = {
    done: true,
    step: lm.step,
    val_loss: lastVal?.nats ?? null,
    val_bits: lastVal?.bits ?? null,
    checkpoint: file,
    diverged,
  };
  if (json) process.stdout.write(JSON.stringify(done) + '\n');
  else
    process.stderr.write(
      `${diverged ? 'stopped: the loss diverged (non-finite gradient); ' : ''}step ${lm.step}: ${lastVal ? `validation ${lastVal.nats.toFixed(4)} nats/char (${lastVal.bits.toFixed(4)} bits/char)` : 'not validated (--val-every 0)'}; saved ${file}\n`,
    );
  lm.dispose();
  device?.destroy();
}

/** The model shape from --cell, --hidden, --embed, --layers, --learned-init, --attention, --bidirectional. */
function modelOf(args: Args): ModelShape {
  const hidden = args.int('hidden', 128, 1, 1024);
  return {
    cell: args.choice('cell', 'lstm', CELL_TYPES),
    hiddenSize: hidden,
    embedSize: args.int('embed', hidden, 1, 4096),
    layers: args.int('layers', 2, 1, 4),
    learnedInit: args.flag('learned-init'),
    ...(args.flag('attention') ? { attention: true } : {}),
    ...(args.flag('bidirectional') ? { bidirectional: true } : {}),
  };
}

/** The training configuration from --seq, --batch, --lr, --optimizer, --clip, --seed, --no-carry. */
function trainOf(args: Args): TrainConfig {
  return {
    ...DEFAULT_TRAIN,
    seqLen: args.int('seq', DEFAULT_TRAIN.seqLen, 1, 1024),
    batchSize: args.int('batch', DEFAULT_TRAIN.batchSize, 1, 1024),
    learningRate: args.num('lr', DEFAULT_TRAIN.learningRate, 1e-7, 10),
    optimizer: args.choice('optimizer', DEFAULT_TRAIN.optimizer, OPTIMIZER_TYPES),
    clipNorm: args.num('clip', DEFAULT_TRAIN.clipNorm, 0, 1e6),
    seed: args.int('seed', DEFAULT_TRAIN.seed, 0, 2 ** 32 - 1),
    carryState: !args.flag('no-carry'),
  };
}

/**
 * The flags the language model and the sequence tasks share, checked before anything is read or written;
 * `more` adds problems found by the caller. A model file already in --out is never overwritten.
 */
function runOptions(args: Args, more: string[], encoderDecoder: boolean) {
  const model = modelOf(args);
  const train = trainOf(args);
  // The vocabularies come from the data; the shape is checked now, before anything is read.
  const shape = { ...model, vocabSize: 2, ...(encoderDecoder ? { encoder: { vocabSize: 2 } } : {}) };
  const problems = [...validateModel(shape), ...validateTrain(train), ...more];
  const o = {
    model,
    train,
    steps: args.int('steps', 1000, 1, 1e9),
    // 0: no validation at all, not even the final pass (a big model on a slow adapter, a timing run).
    valEvery: args.int('val-every', 100, 0, 1e9),
    valFraction: args.num('val-fraction', 0.1, 0.001, 0.5),
    backend: args.choice('backend', 'webgpu', ['webgpu', 'cpu'] as const),
    json: args.flag('json'),
    resume: args.value('resume'),
    out: args.value('out') ?? join('runs', new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')),
  };
  if (problems.length) throw new UsageError(problems.join(' '));
  tilesMode(args, false, model.cell);
  const tileRequest: TileRequest = {
    args,
    cell: model.cell,
    B: train.batchSize,
    H: model.hiddenSize,
    T: train.seqLen,
    ...(o.resume ? { resume: o.resume } : {}),
  };
  if (existsSync(join(o.out, 'model.safetensors')) && !o.resume)
    throw new UsageError(`${o.out}/model.safetensors exists; choose another --out (nothing was overwritten)`);
  return { ...o, tileRequest };
}

runCommand('train', main);
