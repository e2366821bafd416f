// `npm run train -- --task classify|tag|seq2seq|generate --corpus synthetic:ID[:COUNT] | FILE.tsv …`: trains a
// sequence task (issue 9) with TaskModel — many-to-one classification, per-character tagging, or an
// encoder–decoder — and prints the loss per step and, at each validation, the accuracy (tagging and
// encoder–decoder: per character, and whole sequences exact). The final
// evaluation (accuracy, confusion matrix, example predictions) is written to --out/evaluation.json and the
// model to --out/model.safetensors (with --resume it continues from such a file, on the same examples).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainConfig } from '../core/config';
import {
  END,
  type Example,
  type TaskKind,
  examplesFor,
  isEncoderDecoder,
  parseExamples,
} from '../core/tasks';
import type { ModelShape } from '../engine/lm';
import { type TaskEvaluation, TaskModel } from '../engine/taskModel';
import { UsageError } from './args';
import { InputError } from './command';
import { type TileRequest, openBackend, readCorpusFile, readModelBytes } from './io';
import { Progress } from './progress';
import { runSteps } from './stepLoop';

export interface TaskRunOptions {
  kind: TaskKind;
  source: string;
  seed: number;
  model: ModelShape;
  train: TrainConfig;
  steps: number;
  valEvery: number;
  valFraction: number;
  backend: 'webgpu' | 'cpu';
  json: boolean;
  out: string;
  /** A task model file to continue from (same examples). */
  resume?: string;
  /** --tiles and the shape to choose them for (cli/io.ts openBackend). */
  tileRequest: TileRequest;
}

/** `synthetic:ID[:COUNT]` (a generated task of this kind) or a file of input<TAB>label lines. */
function examplesOf(o: TaskRunOptions): Example[] {
  if (o.source.startsWith('synthetic:')) {
    const [, id = '', n = '2000'] = o.source.split(':');
    const count = Number(n);
    if (!Number.isInteger(count) || count < 20 || count > 1_000_000)
      throw new UsageError(
        `--corpus ${o.source}: the example count must be a whole number from 20 to 1000000`,
      );
    try {
      return examplesFor({ kind: o.kind, generated: id, count }, o.seed);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  try {
    return parseExamples(readCorpusFile(o.source), o.kind);
  } catch (e) {
    throw e instanceof InputError
      ? e
      : new InputError(`${o.source}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const summary = (e: TaskEvaluation, kind: TaskKind) => ({
  val_loss: e.loss,
  accuracy: e.accuracy,
  ...(kind !== 'classify' ? { exact: e.exact } : {}),
});

export async function trainTask(o: TaskRunOptions): Promise<void> {
  const examples = examplesOf(o);
  const device = await openBackend(o.backend, o.json, o.tileRequest);
  let m: TaskModel;
  try {
    m = o.resume
      ? await TaskModel.resume(readModelBytes(o.resume), examples, device)
      : TaskModel.create({
          kind: o.kind,
          examples,
          model: o.model,
          train: o.train,
          valFraction: o.valFraction,
          device,
        });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
  const B = m.train.batchSize;
  if (!o.json)
    process.stderr.write(
      `${o.kind} task: ${m.trainSet.length} training / ${m.valSet.length} validation examples, ${isEncoderDecoder(o.kind) ? `output characters ${m.classes.filter((c) => c !== END).join('')}, window ${m.T} steps (encoder ${m.codec!.S}, decoder ${m.codec!.D})` : `classes ${m.classes.join(' ')}, inputs up to ${m.T} characters`}; ${m.model.cell} ${m.model.layers}×${m.model.hiddenSize}, B ${B}, ${m.backend === 'cpu' ? 'CPU reference (slow)' : 'WebGPU'}\n`,
    );
  const progress = new Progress(!o.json && process.stderr.isTTY === true, o.steps);
  let msPerStep = 0;
  const emit = (line: Record<string, unknown> & { step: number; loss?: number }) => {
    if (o.json) process.stdout.write(JSON.stringify(line) + '\n');
    else if (line.loss !== undefined)
      progress.update({ ...line, loss: line.loss, ms_per_step: msPerStep, chars_per_s: 0 });
  };
  let diverged = false;
  m.events.on('diverged', () => (diverged = true));
  m.events.on('metrics', (x) =>
    emit({
      step: x.step,
      loss: x.loss,
      grad_norm: x.gradNorm,
      lr: m.train.learningRate,
      ms_per_step: msPerStep,
    }),
  );
  await runSteps({
    first: m.step,
    steps: o.steps,
    valEvery: o.valEvery,
    step: () => m.trainStep(),
    flush: () => m.flush(),
    validate: async (s) => emit({ step: s, ...summary(await m.evaluate(0), o.kind) }),
    stopped: () => diverged,
    speed: (ms) => (msPerStep = ms),
  });
  await m.flush();
  const final = await m.evaluate();
  progress.done();
  mkdirSync(o.out, { recursive: true });
  const file = join(o.out, 'evaluation.json');
  writeFileSync(file, JSON.stringify({ task: o.kind, source: o.source, model: m.model, ...final }, null, 1));
  const checkpoint = join(o.out, 'model.safetensors');
  writeFileSync(checkpoint, await m.save());
  const done = {
    done: true,
    step: m.step,
    ...summary(final, o.kind),
    evaluation: file,
    checkpoint,
    diverged,
  };
  if (o.json) process.stdout.write(JSON.stringify(done) + '\n');
  else
    process.stderr.write(
      `${diverged ? 'stopped: the loss diverged (non-finite gradient); ' : ''}step ${m.step}: validation loss ${final.loss.toFixed(4)}, accuracy ${(100 * final.accuracy).toFixed(1)}%${o.kind !== 'classify' ? ` (whole sequences ${(100 * final.exact).toFixed(1)}%)` : ''}; evaluation in ${file}, model in ${checkpoint}\n`,
    );
  m.dispose();
  device?.destroy();
}
