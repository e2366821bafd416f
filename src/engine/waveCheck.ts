// Whether a 2-layer wavefront (shaders/recurrent_wave.wgsl) computes on this device what the same layers
// stepped one by one compute (engine/tuner.ts asks before it lets the wavefront be chosen). The wavefront's
// roles read only what earlier dispatches wrote, one step behind; an adapter that runs workgroups one after
// another (the tests' SwiftShader) would hide a role that reads its own dispatch's writes, a GPU running them
// together would not. So one training iteration of a small 2-layer model at the tuned (B, H), both ways,
// same weights and batch, and its gradients compared tensor by tensor (engine/tileCheck.ts disagreement).
import { type CellType, DEFAULT_TRAIN, type ModelConfig } from '../core/config';
import { paramLayout } from '../core/params';
import { Rng } from '../core/rng';
import type { CellTiles } from '../core/tiles';
import { Engine } from './engine';
import { disagreement } from './tileCheck';

/** Steps of the checked window: enough for every role to run with a neighbour on either side. */
const CHECK_STEPS = 6;
const CHECK_VOCAB = 13;

/**
 * The largest disagreement of any gradient tensor between a wavefront and layers one by one, both with
 * `tiles`; NaN where these tiles or this model cannot step a wavefront (nothing to check).
 */
export async function waveDisagreement(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  tiles: CellTiles,
): Promise<number> {
  const model: ModelConfig = {
    cell,
    vocabSize: CHECK_VOCAB,
    embedSize: H,
    hiddenSize: H,
    layers: 2,
    learnedInit: false,
  };
  const train = { ...DEFAULT_TRAIN, seqLen: CHECK_STEPS, batchSize: B, seed: 5 };
  const rng = new Rng(3);
  const tokens = () => Uint32Array.from({ length: CHECK_STEPS * B }, () => rng.int(CHECK_VOCAB));
  const batch = { inputs: tokens(), targets: tokens(), startsEpoch: true };
  const grads: Float32Array[] = [];
  for (const wave of [false, true]) {
    const e = Engine.create(device, model, train, { wave, tiles });
    try {
      if (e.stepShape().wave !== wave) return NaN;
      e.step(batch);
      grads.push(await e.readGrads());
    } finally {
      e.dispose();
    }
  }
  const cut = (g: Float32Array) =>
    paramLayout(model).tensors.map((t) => g.subarray(t.offset, t.offset + t.size));
  return disagreement(cut(grads[0]!), cut(grads[1]!));
}
