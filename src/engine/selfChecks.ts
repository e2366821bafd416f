// Whole-engine checks that run in the self-test (browser and Node) after the per-kernel checks: one full
// training iteration on the GPU against the float64 reference trainer — loss, logits, every gradient
// tensor, norms, optimiser state and updated parameters — for each cell type.
import {
  CELL_TYPES,
  type CellType,
  DEFAULT_TRAIN,
  type ModelConfig,
  type OptimizerType,
  type TrainConfig,
} from '../core/config';
import { encoderDecoderBatch, randomTaskBatch as taskBatch } from '../core/batches';
import { Rng } from '../core/rng';
import { type Tolerance, compareArrays } from '../core/tolerance';
import { withErrorScopes } from '../gpu/device';
import type { CheckResult } from '../gpu/kernels/registry';
import { ReferenceTrainer } from '../reference/trainer';
import { Engine } from './engine';
import type { EngineOptions, StepMetrics, TokenBatch } from './types';

/** Full BPTT accumulates more rounding than one kernel; still far below any real bug's signature. */
export const ITERATION_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

export function randomBatch(V: number, T: number, B: number, seed: number): TokenBatch {
  const rng = new Rng(seed);
  const tokens = Uint32Array.from({ length: (T + 1) * B }, () => rng.int(V));
  return { inputs: tokens.slice(0, T * B), targets: tokens.slice(B) };
}

/** Steps `e` n times on random batches of its current window with seeds first, first + 1, …; returns the next. */
export function randomSteps(e: Engine, n: number, first: number): number {
  for (let i = 0; i < n; i++)
    e.step(randomBatch(e.model.vocabSize, e.train.seqLen, e.train.batchSize, first + i));
  return first + n;
}

/** One iteration on the GPU vs the reference; every output compared under ITERATION_TOLERANCE. */
export async function fullIterationCheck(
  device: GPUDevice,
  model: ModelConfig,
  train: TrainConfig,
  label: string,
  makeBatch: () => TokenBatch = () => randomBatch(model.vocabSize, train.seqLen, train.batchSize, 17),
  options: EngineOptions = {},
): Promise<CheckResult> {
  const t0 = globalThis.performance.now();
  const fail = (message: string): CheckResult => ({
    kernel: 'engine',
    case: label,
    ok: false,
    maxAbsError: Infinity,
    worstRatio: Infinity,
    message,
    ms: globalThis.performance.now() - t0,
  });
  let engine: Engine | null = null;
  try {
    engine = Engine.create(device, model, train, options);
    // A check of the wavefront that ran the layers one by one would prove nothing.
    if (options.wave && !engine.stepShape().wave)
      return fail(`${label}: the engine did not step a wavefront`);
    const ref = new ReferenceTrainer(model, train, await engine.readParams());
    const batch = makeBatch();
    const metrics: StepMetrics[] = [];
    engine.events.on('metrics', (m) => metrics.push(m));
    const e = engine;
    await withErrorScopes(device, () => e.step(batch));
    await engine.flush();
    const r = ref.step({ T: train.seqLen, B: train.batchSize, ...batch });
    const m = metrics[0];
    if (!m) return fail(`${label}: no metrics arrived`);
    const grads = await engine.readGrads();
    const state = await engine.readOptimizerState();
    const outputs: [string, ArrayLike<number>, ArrayLike<number>, Tolerance?][] = [
      ['loss', [m.loss], [r.fb.loss]],
      ['logits', await engine.readLogits(), r.fb.logits],
      ...engine.layout.tensors.map((t): [string, ArrayLike<number>, ArrayLike<number>] => [
        `grad ${t.name}`,
        grads.subarray(t.offset, t.offset + t.size),
        r.fb.grads.subarray(t.offset, t.offset + t.size),
      ]),
      ['tensor norms', m.tensorNorms, r.norms.perTensor],
      ['global norm', [m.gradNorm], [r.norms.global]],
      ['clip scale', [m.clipScale], [r.scale]],
      // One row per layer, and a bidirectional model's reverse direction after them.
      ['‖dh_t‖ rows', [m.dhNorms.length], [r.fb.dhNorms.length]],
      ...r.fb.dhNorms.map((d, l): [string, ArrayLike<number>, ArrayLike<number>] => [
        `‖dh_t‖ ${l < model.layers ? `layer ${l}` : 'reverse'}`,
        m.dhNorms[l] ?? [],
        d,
      ]),
      ['optimizer m', state.m, ref.state.m],
      // v holds squares of gradients (~1e-8): compare relatively with a matching absolute floor.
      ['optimizer v', state.v, ref.state.v, { atol: 1e-9, rtol: 1e-3 }],
      ['updated params', await engine.readParams(), ref.params],
    ];
    const reports = outputs.map(([name, a, x, tol]) =>
      compareArrays(`${label} ${name}`, a, x, tol ?? ITERATION_TOLERANCE),
    );
    const bad = reports.filter((rep) => !rep.ok);
    return {
      kernel: 'engine',
      case: label,
      ok: bad.length === 0,
      maxAbsError: Math.max(...reports.map((rep) => rep.maxAbsError)),
      worstRatio: Math.max(...reports.map((rep) => rep.worstRatio)),
      message: bad.length
        ? bad.map((rep) => rep.message).join('\n')
        : `${reports.length} outputs within tolerance`,
      ms: globalThis.performance.now() - t0,
    };
  } catch (err) {
    return fail(`${label}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    engine?.dispose();
  }
}

/** The tiny model every check uses: odd sizes, two layers, learned initial state. */
export function checkModel(cell: CellType, o: Partial<ModelConfig> = {}): ModelConfig {
  return { cell, vocabSize: 7, embedSize: 5, hiddenSize: 6, layers: 2, learnedInit: true, ...o };
}

export function checkTrain(o: Partial<TrainConfig> = {}): TrainConfig {
  return { ...DEFAULT_TRAIN, seqLen: 5, batchSize: 3, learningRate: 0.01, clipNorm: 5, seed: 3, ...o };
}

/** A configuration whose gradient is clipped (tests assert that clipping really engages). */
export const CLIPPED = {
  model: checkModel('gru', { layers: 1, learnedInit: false }),
  train: (optimizer: OptimizerType): TrainConfig =>
    checkTrain({ optimizer, clipNorm: 0.05, learningRate: 0.1, weightDecay: 0.01 }),
};

interface EngineCheck {
  label: string;
  run(device: GPUDevice): Promise<CheckResult>;
  /** A path only a hardware GPU takes (the layer wavefront): a software adapter's self-test leaves it out. */
  hardwareOnly?: boolean;
}

const check = (
  label: string,
  model: ModelConfig,
  train: TrainConfig,
  batch?: () => TokenBatch,
  options?: EngineOptions,
): EngineCheck => ({
  label,
  run: (d) => fullIterationCheck(d, model, train, label, batch, options),
  ...(options?.wave ? { hardwareOnly: true } : {}),
});

const TASK_MODEL = checkModel('lstm', { outputSize: 3 });

const seq2seq = (cell: CellType): ModelConfig =>
  checkModel(cell, { encoder: { vocabSize: 4 }, learnedInit: false });

/** The engine checks of the self-test: a full iteration per cell type (Adam), then SGD and RMSProp clipped. */
export const ENGINE_CHECKS: EngineCheck[] = [
  ...CELL_TYPES.map((cell) =>
    check(`train step ${cell} 2×6, T 5, B 3, Adam`, checkModel(cell), checkTrain()),
  ),
  // Layer wavefront: the middle layer gets both projections (input from below, gradient from above).
  ...CELL_TYPES.map((cell) =>
    check(
      `train step ${cell} 3×6, T 5, B 3, layer wavefront`,
      checkModel(cell, { layers: 3 }),
      checkTrain(),
      undefined,
      { wave: true },
    ),
  ),
  check(
    'task step lstm 2×6, layer wavefront: a tag per step of sequences of varying length',
    TASK_MODEL,
    checkTrain(),
    () => taskBatch(7, 3, 5, 3, 29, true),
    { wave: true },
  ),
  ...(['sgd', 'rmsprop'] as const).map((o) =>
    check(`train step gru 1×6, ${o === 'sgd' ? 'SGD' : 'RMSProp'}, clipped`, CLIPPED.model, CLIPPED.train(o)),
  ),
  // Sequence tasks: a head of 3 classes on 7 input tokens, loss over the labelled positions only.
  check('task step lstm 2×6: 3 classes at each sequence’s last step', TASK_MODEL, checkTrain(), () =>
    taskBatch(7, 3, 5, 3, 23),
  ),
  check('task step lstm 2×6: a tag per step of sequences of varying length', TASK_MODEL, checkTrain(), () =>
    taskBatch(7, 3, 5, 3, 29, true),
  ),
  // Encoder–decoder: the encoder's 2 steps hand their final state (and, backward, its gradient) to the decoder.
  ...(['lstm', 'gru', 'lstm-peephole'] as const).map((cell) =>
    check(`seq2seq step ${cell} 2×6: encoder 2 steps → decoder 3`, seq2seq(cell), checkTrain(), () =>
      encoderDecoderBatch(4, 7, 5, 3, 2, 31),
    ),
  ),
  // Bidirectional: the reverse direction reads each sequence backwards; the head sees both (2H).
  ...([false, true] as const).map((tagged) =>
    check(
      `bidirectional step gru 1×6: ${tagged ? 'a tag per step (mirrored rows)' : 'a label at the last step'}`,
      checkModel('gru', { outputSize: 3, layers: 1, learnedInit: false, bidirectional: true }),
      checkTrain(),
      () => taskBatch(7, 3, 5, 3, tagged ? 41 : 43, tagged, true),
    ),
  ),
  check(
    'bidirectional step lstm-peephole 1×6: a tag per step',
    checkModel('lstm-peephole', { outputSize: 3, layers: 1, learnedInit: false, bidirectional: true }),
    checkTrain(),
    () => taskBatch(7, 3, 5, 3, 47, true, true),
  ),
  // Additive attention: each of the decoder's 3 steps weighs the encoder's 3 states.
  ...(['gru', 'lstm'] as const).map((cell) =>
    check(
      `seq2seq + attention step ${cell} 1×6: encoder 3 steps → decoder 3`,
      { ...seq2seq(cell), layers: 1, attention: true },
      checkTrain({ seqLen: 6 }),
      () => encoderDecoderBatch(4, 7, 6, 3, 3, 37),
    ),
  ),
];
