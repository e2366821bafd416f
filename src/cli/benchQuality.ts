// `npm run bench -- --quality --corpus FILE`: time to quality. Trains the char-level model (LSTM 2×512,
// B 32, T 128, Adam 2e-3, clip 5 unless flags say otherwise) on the corpus and prints, for each validation
// threshold, the training wall-clock time at which the full validation loss first reached it. The clock
// stops while validating (validation is how we look, not part of training), so the figure compares with a
// training loop that evaluates off the clock. `--corpus synthetic:ID[:CHARS]` takes a generated corpus.
import { type CellType, DEFAULT_TRAIN } from '../core/config';
import { CharLM } from '../engine/lm';
import type { Args } from './args';
import { readCorpus } from './io';
import { applyTiles, describeTiles, tilesMode } from './tiles';
import { type GpuContext, adapterName } from '../gpu/device';

/** The thresholds of the time-to-quality table, nats per character. */
export const QUALITY_TARGETS = [2.0, 1.8, 1.7, 1.6, 1.55, 1.5];

export async function benchQuality(ctx: GpuContext, args: Args): Promise<void> {
  const source = args.value('corpus', true);
  const seed = args.int('seed', 1, 0);
  const text = readCorpus(source, seed);
  const hidden = args.int('hidden', 512);
  const cell = args.str('cell', 'lstm') as CellType;
  const [B, T] = [args.int('batch', 32), args.int('seq', 128)];
  const mode = tilesMode(args, ctx.adapter.isSoftware);
  const { tiles } = await applyTiles(ctx.device, mode, cell, B, hidden, T);
  const lm = CharLM.create({
    text,
    model: {
      cell,
      hiddenSize: hidden,
      embedSize: hidden,
      layers: args.int('layers', 2),
      learnedInit: false,
    },
    train: {
      ...DEFAULT_TRAIN,
      seqLen: T,
      batchSize: B,
      optimizer: 'adam',
      learningRate: args.num('lr', 2e-3, 1e-7, 10),
      clipNorm: 5,
      seed,
    },
    device: ctx.device,
  });
  const maxSteps = args.int('steps', 3000);
  const valEvery = args.int('val-every', 50);
  const targets = QUALITY_TARGETS.filter((q) => q >= args.num('stop-at', 1.5, 0, 10));
  const reached: Record<string, { step: number; train_s: number }> = {};
  let trainMs = 0;
  const wall0 = performance.now();
  let best = Infinity;
  let step = 0;
  while (step < maxSteps && Object.keys(reached).length < targets.length) {
    const t0 = performance.now();
    for (let i = 0; i < valEvery && step < maxSteps; i++, step++) lm.trainStep();
    await lm.flush();
    trainMs += performance.now() - t0;
    const val = await lm.validate();
    best = Math.min(best, val.nats);
    for (const q of targets)
      if (val.nats <= q && !reached[q.toFixed(2)]) {
        reached[q.toFixed(2)] = { step, train_s: +(trainMs / 1e3).toFixed(2) };
        console.log(
          JSON.stringify({ quality: q, step, train_s: reached[q.toFixed(2)]!.train_s, val_loss: val.nats }),
        );
      }
    if (!Number.isFinite(val.nats)) break;
  }
  console.log(
    JSON.stringify({
      impl: 'unroll-webgpu',
      quality: true,
      corpus: source,
      cell: lm.model.cell,
      hidden: lm.model.hiddenSize,
      layers: lm.model.layers,
      batch: lm.train.batchSize,
      seq: lm.train.seqLen,
      vocab: lm.model.vocabSize,
      steps: step,
      best_val_loss: +best.toFixed(4),
      reached,
      ms_per_step: +(trainMs / Math.max(1, step)).toFixed(3),
      train_s: +(trainMs / 1e3).toFixed(2),
      wall_s: +((performance.now() - wall0) / 1e3).toFixed(2),
      tiles: describeTiles(tiles),
      device: adapterName(ctx.adapter),
      date: new Date().toISOString().slice(0, 10),
    }),
  );
  lm.dispose();
}
