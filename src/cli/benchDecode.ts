// `npm run bench -- --decode [--task-data ID] [--attention]`: greedy decoding of an encoder–decoder task's
// validation examples, every way the engine can do it — the GPU choosing each token itself, a batch's steps in
// one submit (`decoder: "chain"`, without attention: what TaskModel.decoderOf gives), one decoder step per
// output token from the carried states with a readback each (`"step"`) and the whole window re-run for every
// token (`"window"`, the reference's way with attention) — after a short training run so outputs are several
// tokens long. One JSON line per way: the median time to decode the set, tokens per second, and whether it gave
// the first way's outputs. A playground task run decodes the validation set at every evaluation.
import { type CellType, DEFAULT_TRAIN } from '../core/config';
import { examplesFor } from '../core/tasks';
import { type StepDecoder, windowDecoder } from '../engine/seq2seqTask';
import { TaskModel } from '../engine/taskModel';
import { type GpuContext, adapterName } from '../gpu/device';
import type { Args } from './args';

export async function benchDecode(ctx: GpuContext, args: Args): Promise<void> {
  const data = args.str('task-data', 'reverse');
  const seed = args.int('seed', 1, 0);
  const examples = examplesFor(
    { kind: 'seq2seq', generated: data, count: args.int('examples', 400, 20) },
    seed,
  );
  const B = args.int('batch', 16, 1);
  const attention = args.flag('attention');
  const m = TaskModel.create({
    kind: 'seq2seq',
    examples,
    model: {
      cell: args.str('cell', 'lstm') as CellType,
      hiddenSize: args.int('hidden', 64, 1),
      embedSize: args.int('hidden', 64, 1),
      layers: args.int('layers', 1, 1),
      learnedInit: false,
      ...(attention ? { attention: true } : {}),
    },
    train: { ...DEFAULT_TRAIN, batchSize: B, learningRate: 0.01, seed },
    device: ctx.device,
  });
  const trainSteps = args.int('train-steps', 40, 0);
  for (let i = 0; i < trainSteps; i++) m.trainStep();
  await m.flush();
  const codec = m.codec!;
  const inputs = m.valSet.map((e) => e.input);
  const reps = Math.max(1, args.int('reps', 3));
  const ways: Record<string, () => StepDecoder> = {
    chain: () => m.decoderOf(m.inference),
    step: () => {
      const { start, next } = m.decoderOf(m.inference);
      return { start, next };
    },
    window: () => windowDecoder((t, s) => m.inference.batchLogProbs(t, m.T, B, s), m.T, B, m.classes.length),
  };
  const outputs: Record<string, string[]> = {};
  let first: string[] | null = null;
  for (const [way, make] of Object.entries(ways)) {
    if (way === 'chain' && !make().greedy) continue;
    if (way === 'step' && !m.inference.taskDecoder(B, m.T)) continue;
    const times: number[] = [];
    let tokens = 0;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const decoded = await codec.decode(inputs, B, make());
      times.push(performance.now() - t0);
      outputs[way] = decoded.map((d) => d.text);
      tokens = decoded.reduce((a, d) => a + [...d.text].length + 1, 0);
    }
    const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    console.log(
      JSON.stringify({
        impl: 'unroll-webgpu',
        decode: true,
        decoder: way,
        task: data,
        attention,
        cell: m.model.cell,
        hidden: m.model.hiddenSize,
        layers: m.model.layers,
        batch: B,
        window: m.T,
        examples: inputs.length,
        train_steps: trainSteps,
        tokens,
        decode_ms: +ms.toFixed(2),
        tokens_per_s: +((tokens / ms) * 1e3).toFixed(1),
        ...(first ? { same_outputs: first.every((o, i) => o === outputs[way]![i]) } : {}),
        device: adapterName(ctx.adapter),
        date: new Date().toISOString().slice(0, 10),
      }),
    );
    first ??= outputs[way]!;
  }
  m.dispose();
}
