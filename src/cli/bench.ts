// `npm run bench`: the only place Unroll measures speed (never timed unit tests). Times a full training
// step (forward, BPTT, clip, Adam — one submit) of the char-level model on Dawn, with the same fields as
// ../shared/gpu/torch_rnn.py so the two compare line by line. Warm-up ≥ 5 steps, then the median of ≥ 30,
// each step ending in a completion wait. `--kernel matmul` times the matmul kernel alone instead;
// `--quality --corpus FILE` measures time to quality (cli/benchQuality.ts). `--tiles` (cli/tiles.ts) picks
// the recurrent steps' tile shapes, tuned per configuration on a GPU; `--sweep` prints every candidate's time;
// `--wave on` steps the layers as one wavefront; `--count-only` prints what a step encodes and allocates;
// `--decode` times greedy decoding of an encoder–decoder task (cli/benchDecode.ts).
import { type CellType, DEFAULT_TRAIN, gateCount } from '../core/config';
import { Rng } from '../core/rng';
import { Engine } from '../engine/engine';
import { encodeCheckpoint } from '../core/checkpoint';
import type { StepMetrics } from '../engine/types';
import { Args, UsageError } from './args';
import { benchMatmul } from './benchMatmul';
import { benchDecode } from './benchDecode';
import { benchQuality } from './benchQuality';
import { adapterName } from '../gpu/device';
import { acquireNodeDevice } from './dawn';
import { median } from '../core/stats';
import { describeTile } from '../core/tiles';
import { TILES_FLAG, applyTiles, describeTiles, tilesMode } from './tiles';

type Config = [cell: CellType, hidden: number, layers: number, batch: number, seq: number];

/** torch_rnn.py's SUITE, in its order. */
const SUITE: Config[] = [
  ['lstm', 128, 1, 32, 64],
  ['lstm', 256, 2, 32, 128],
  ['lstm', 512, 2, 32, 128],
  ['lstm', 512, 2, 1, 128],
  ['lstm', 1024, 1, 64, 128],
  ['gru', 256, 2, 32, 128],
  ['gru', 512, 2, 32, 128],
  ['rnn', 256, 2, 32, 128],
  ['lstm', 256, 1, 1, 64],
];

/** torch_rnn.py's model_gflop: gate GEMMs and output projection, ×3 for forward + backward. */
function modelGflop(cell: CellType, H: number, L: number, B: number, T: number, V: number): number {
  const g = gateCount(cell);
  return (3 * (L * T * B * 2 * g * H * (H + H) + T * B * 2 * H * V)) / 1e9;
}

async function main(): Promise<void> {
  const args = new Args(process.argv.slice(2), [
    'suite',
    'cell',
    'hidden',
    'layers',
    'batch',
    'seq',
    'vocab',
    'steps',
    'warmup',
    'kernel',
    'reps',
    'small',
    'quality',
    'corpus',
    'seed',
    'lr',
    'val-every',
    'stop-at',
    TILES_FLAG,
    'sweep',
    'record-ahead',
    'wave',
    'count-only',
    'phase-passes',
    'decode',
    'task-data',
    'attention',
    'examples',
    'train-steps',
  ]);
  const ctx = await acquireNodeDevice();
  const { device, adapter } = ctx;
  const deviceName = adapterName(adapter);
  if (adapter.isSoftware)
    console.error(`note: ${deviceName} is a software adapter; timings here say nothing about GPUs.`);
  // The modes that are not a training step.
  const other = args.flag('decode')
    ? benchDecode
    : args.flag('quality')
      ? benchQuality
      : args.str('kernel', '') === 'matmul'
        ? benchMatmul
        : null;
  if (other) {
    await other(ctx, args);
    device.destroy();
    return;
  }
  const steps = Math.max(30, args.int('steps', 30));
  const warmup = Math.max(5, args.int('warmup', 5));
  const V = args.int('vocab', 65);
  const configs: Config[] = args.flag('suite')
    ? SUITE
    : [
        [
          args.str('cell', 'lstm') as CellType,
          args.int('hidden', 256),
          args.int('layers', 2),
          args.int('batch', 32),
          args.int('seq', 128),
        ],
      ];
  const mode = tilesMode(args, adapter.isSoftware);
  // off: each step records its iteration when it is called, as before Engine.encodeAhead (for A/B runs).
  const ahead = onOff(args.str('record-ahead', 'on'), 'record-ahead');
  // on / off: a single stack's layers step as one wavefront (EngineOptions.wave) where the model and tiles
  // allow, or not; auto: as the tiles say (the tuner's choice with --tiles auto, never with default tiles).
  // on: each phase of an iteration in a compute pass of its own, timed separately (gpu_ms_by_phase); off (the
  // default, as the engine runs): one pass per iteration, timed as a whole (`step`).
  const phasePasses = onOff(args.str('phase-passes', 'off'), 'phase-passes');
  const waveArg = args.str('wave', 'auto');
  const wave = waveArg === 'auto' ? undefined : onOff(waveArg, 'wave', 'auto, on or off');
  for (const [cell, H, L, B, T] of configs) {
    const { tiles, tuned, leftOut } = await applyTiles(device, mode, cell, B, H, T);
    if (tuned && args.flag('sweep')) {
      const line = (fields: Record<string, unknown>) =>
        console.log(
          JSON.stringify({ sweep: true, cell, hidden: H, batch: B, ...fields, timing: tuned.timing }),
        );
      const perStep = (ms: number) => +(ms / tuned.steps).toFixed(5);
      for (const t of tuned.timings)
        line({
          forward_tile: describeTile(t.tiles.forward),
          backward_tile: describeTile(t.tiles.backward),
          forward_ms_per_step: perStep(t.forwardMs),
          backward_ms_per_step: perStep(t.backwardMs),
          // Its outputs against the default tile's on this device (engine/tileCheck.ts): above
          // TILE_TOLERANCE it was never a choice.
          forward_error: +t.forwardError.toPrecision(3),
          backward_error: +t.backwardError.toPrecision(3),
        });
      // Two layers as one wavefront against two layers one by one (forward + backward, per step).
      line({
        wave_ms_per_step: perStep(tuned.wave.ms),
        layer_by_layer_ms_per_step: perStep(tuned.wave.layerByLayerMs),
        // Where the wavefront was faster: its gradients against the layers one by one's (NaN: not checked).
        wave_error: Number.isNaN(tuned.wave.error) ? null : +tuned.wave.error.toPrecision(3),
      });
    }
    const engine = Engine.create(
      device,
      { cell, vocabSize: V, embedSize: H, hiddenSize: H, layers: L, learnedInit: false },
      { ...DEFAULT_TRAIN, seqLen: T, batchSize: B, optimizer: 'adam', learningRate: 2e-3, clipNorm: 5 },
      wave === undefined ? {} : { wave },
    );
    engine.encodeAhead = ahead;
    engine.phasePasses = phasePasses;
    // What a step encodes and allocates, without running one (no timing: any adapter, any size).
    if (args.flag('count-only')) {
      const shape = engine.stepShape();
      console.log(
        JSON.stringify({
          impl: 'unroll-webgpu',
          count_only: true,
          cell,
          hidden: H,
          layers: L,
          batch: B,
          seq: T,
          wave: shape.wave,
          dispatches_per_step: shape.dispatches,
          passes_per_step: shape.passes,
          submits_per_step: shape.submits,
          gpu_memory_mib: +(engine.memoryBytes() / 2 ** 20).toFixed(1),
          tiles: describeTiles(tiles),
        }),
      );
      engine.dispose();
      continue;
    }
    const rng = new Rng(0);
    const batch = {
      inputs: Uint32Array.from({ length: T * B }, () => rng.int(V)),
      targets: Uint32Array.from({ length: T * B }, () => rng.int(V)),
    };
    const wall: number[] = [];
    const host: number[] = [];
    const toSubmit: number[] = [];
    // When each step's commands reach the queue: the host time before it is time the GPU sits idle.
    const queue = device.queue;
    const submit = queue.submit.bind(queue);
    let submittedAt = 0;
    queue.submit = (buffers) => {
      submittedAt = performance.now();
      submit(buffers);
    };
    const gpu: StepMetrics['gpuMs'][] = [];
    engine.events.on('metrics', (m) => gpu.push(m.gpuMs));
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      engine.step(batch);
      const t1 = performance.now();
      await device.queue.onSubmittedWorkDone();
      if (i >= warmup) {
        wall.push(performance.now() - t0);
        host.push(t1 - t0);
        toSubmit.push(submittedAt - t0);
      }
    }
    await engine.flush();
    queue.submit = submit;
    const timed = gpu.slice(warmup).filter((g): g is Record<string, number> => g !== undefined);
    const phases: Record<string, number> = {};
    for (const name of Object.keys(timed[0] ?? {}))
      phases[name] = +median(timed.map((g) => g[name] ?? 0)).toFixed(4);
    const ms = median(wall);
    const shape = engine.stepShape();
    const save = await saveCost(engine, V);
    console.log(
      JSON.stringify({
        impl: 'unroll-webgpu',
        cell,
        hidden: H,
        layers: L,
        batch: B,
        seq: T,
        vocab: V,
        ms_per_step: +ms.toFixed(3),
        host_ms_per_step: +median(host).toFixed(3),
        host_ms_to_submit: +median(toSubmit).toFixed(3),
        recorded_ahead: engine.aheadCounts.used,
        wave: engine.stepShape().wave,
        chars_per_s: Math.round(((B * T) / ms) * 1e3),
        model_gflop: +modelGflop(cell, H, L, B, T, V).toFixed(3),
        device: deviceName,
        dispatches_per_step: shape.dispatches,
        passes_per_step: shape.passes,
        submits_per_step: shape.submits,
        gpu_ms_by_phase: phases,
        gpu_ms_total: +Object.values(phases)
          .reduce((a, b) => a + b, 0)
          .toFixed(3),
        gpu_memory_mib: +(engine.memoryBytes() / 2 ** 20).toFixed(1),
        tiles: describeTiles(tiles),
        ...save,
        ...(tuned
          ? {
              tune_ms: Math.round(tuned.ms),
              tiles_left_out: leftOut,
            }
          : {}),
        date: new Date().toISOString().slice(0, 10),
      }),
    );
    engine.dispose();
  }
  device.destroy();
}

const onOff = (v: string, flag: string, allowed = 'on or off'): boolean => {
  if (v !== 'on' && v !== 'off') throw new UsageError(`--${flag} must be ${allowed}, not ${v}`);
  return v === 'on';
};

/**
 * What an autosave or a download costs for this model: reading parameters, Adam state and the carried state
 * back from the GPU (`capture_ms`), and encoding the safetensors file (`encode_ms`); medians of 3.
 */
async function saveCost(engine: Engine, V: number) {
  const capture: number[] = [];
  const encode: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const cap = await engine.capture(true);
    const t1 = performance.now();
    bytes = encodeCheckpoint({
      model: engine.model,
      train: engine.train,
      vocab: Array.from({ length: V }, (_, v) => String.fromCodePoint(0x4e00 + v)),
      step: cap.step,
      data: { epoch: 0, window: 0, valFraction: 0.1, corpusChars: 0, corpusHash: '00000000' },
      params: cap.params,
      ...(cap.optimizer ? { optimizer: cap.optimizer } : {}),
      state: cap.state,
    }).length;
    encode.push(performance.now() - t1);
    capture.push(t1 - t0);
  }
  return {
    save_capture_ms: +median(capture).toFixed(2),
    save_encode_ms: +median(encode).toFixed(2),
    checkpoint_mib: +(bytes / 2 ** 20).toFixed(2),
  };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
