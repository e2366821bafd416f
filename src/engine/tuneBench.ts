// The tuner's timing bench (engine/tuner.ts): one layer's buffers with random contents, each candidate's
// forward and backward window timed (GPU timestamps where the device has them) with a sample of its outputs
// read back for the agreement check (engine/tileCheck.ts), and a 2-layer wavefront timed the same way.
import { type CellType, gateCount } from '../core/config';
import { Rng } from '../core/rng';
import { median } from '../core/stats';
import type { CellTiles } from '../core/tiles';
import { createStorageBuffer, createStorageBufferFrom, encodeReadback } from '../gpu/buffers';
import { cellBufferFloats, cellLayerInfo } from '../gpu/kernels/cellLayout';
import { RESET_ROW, type RecurrentCellKernel } from '../gpu/kernels/recurrentCell';
import { waveKernel, waveStack } from '../gpu/kernels/recurrentWave';
import { GpuTimer } from '../gpu/timing';
import { type LayerOutputs, backwardRegions, forwardRegions } from './tileCheck';

/** A candidate's median times and the sample of its outputs (forward regions, backward regions). */
export interface CandidateRun {
  timing: { tiles: CellTiles; forwardMs: number; backwardMs: number };
  outputs: { forward: Float32Array[]; backward: Float32Array[] };
}

/** A maker of tuner buffers (zeros of n floats, or the data given) that records them in `owned`. */
const ownedBuffer =
  (device: GPUDevice, owned: GPUBuffer[]) =>
  (label: string, data: Float32Array | Uint32Array | number): GPUBuffer => {
    const b =
      typeof data === 'number'
        ? createStorageBuffer(device, `tuner.${label}`, data)
        : createStorageBufferFrom(device, `tuner.${label}`, data);
    owned.push(b);
    return b;
  };

/**
 * Median milliseconds (forward + backward window) of a 2-layer wavefront with these tiles, on random weights
 * and zero inputs (values do not change the work); Infinity where the tiles cannot step one.
 */
export async function timeWave(
  device: GPUDevice,
  cell: CellType,
  B: number,
  H: number,
  T: number,
  tiles: CellTiles,
  reps: number,
): Promise<number> {
  const k = waveKernel(device, cell, tiles);
  if (!k) return Infinity;
  const L = 2;
  const stack = waveStack(cell, L, T, B, H);
  const owned: GPUBuffer[] = [];
  const buf = ownedBuffer(device, owned);
  const rounds = new Rounds(device);
  try {
    const bound = 1 / Math.sqrt(H);
    const all = (n: keyof typeof stack.stride) => buf(n, L * stack.stride[n]);
    const call = k.prepare(
      stack.infos,
      {
        params: buf('params', new Rng(11).uniformArray(stack.params, -bound, bound)),
        gx: all('gx'),
        states: all('states'),
        act: all('act'),
        dabove: all('dabove'),
        dg: all('dg'),
        scratch: all('scratch'),
        grads: buf('grads', 1),
        rows: buf('rows', new Uint32Array(B).fill(RESET_ROW)),
      },
      'tuner.wave',
    );
    owned.push(call.uniform, call.steps);
    const ms: number[] = [];
    // The first round compiles and warms up; it is not counted.
    for (let r = 0; r <= reps; r++) {
      const [f, b] = await rounds.time(
        (pass) => k.encodeForward(pass, call),
        (pass) => k.encodeBackward(pass, call),
      );
      if (r > 0) ms.push(f + b);
    }
    return median(ms);
  } finally {
    for (const b of owned) b.destroy();
    rounds.destroy();
  }
}

/** One layer's buffers with random contents, and a timed forward pass and backward pass per candidate. */
export class LayerBench {
  readonly rounds: Rounds;
  private readonly buffers: GPUBuffer[] = [];
  private readonly bufs;
  private readonly info;

  constructor(
    private readonly device: GPUDevice,
    private readonly cell: CellType,
    B: number,
    H: number,
    private readonly T: number,
  ) {
    const G = gateCount(cell);
    const N = T * B;
    const size = cellBufferFloats(cell, T, B, H, true); // room for W_hhᵀ: any candidate may be a subgroup tile
    const rng = new Rng(7);
    const bound = 1 / Math.sqrt(H);
    const weights = {
      weightHh: { offset: 0 },
      biasHh: { offset: G * H * H },
      ...(cell === 'lstm-peephole' ? { peephole: { offset: G * H * H + G * H } } : {}),
    };
    this.info = cellLayerInfo(T, B, H, G, weights, false);
    const nParams = G * H * H + G * H + 3 * H;
    const buf = ownedBuffer(device, this.buffers);
    this.bufs = {
      params: buf('params', rng.uniformArray(nParams, -bound, bound)),
      gx: buf('gx', rng.uniformArray(N * G * H)),
      states: buf('states', size.states),
      act: buf('act', size.act),
      dabove: buf('dabove', rng.uniformArray(N * H, -0.1, 0.1)),
      dg: buf('dg', size.dg),
      scratch: buf('scratch', size.scratch),
      grads: buf('grads', nParams),
      rows: buf('rows', new Uint32Array(B).fill(RESET_ROW)),
    };
    this.rounds = new Rounds(device);
  }

  /**
   * Times candidate `k` and returns a sample of what it wrote in its first round (engine/tileCheck.ts), on
   * outputs cleared before it: a candidate that skips a write cannot pass off the previous one's results.
   */
  async time(k: RecurrentCellKernel, reps: number): Promise<CandidateRun> {
    const steps = k.createStepUniform(this.T);
    const layer = k.prepare(this.info, this.bufs, steps, 'tuner.layer');
    const fwd: number[] = [];
    const bwd: number[] = [];
    const out: LayerOutputs = this.bufs;
    let outputs = { forward: [] as Float32Array[], backward: [] as Float32Array[] };
    try {
      const clear = this.device.createCommandEncoder({ label: 'tuner.clear' });
      for (const b of [out.states, out.act, out.dg, out.scratch]) clear.clearBuffer(b);
      this.device.queue.submit([clear.finish()]);
      // The first round compiles and warms up; it is not counted, but its outputs are checked.
      for (let r = 0; r <= reps; r++) {
        const [f, b] = await this.rounds.time(
          (pass) => {
            k.encodeInit(pass, layer);
            k.encodeForwardSteps(pass, layer, 0, this.T);
          },
          (pass) => k.encodeBackwardSteps(pass, layer, 0, this.T),
        );
        if (r === 0) {
          const enc = this.device.createCommandEncoder({ label: 'tuner.check' });
          const fr = forwardRegions(this.cell, this.info, out);
          const read = encodeReadback(this.device, enc, [
            ...fr,
            ...backwardRegions(this.cell, this.info, out),
          ]);
          this.device.queue.submit([enc.finish()]);
          const all = await read();
          outputs = { forward: all.slice(0, fr.length), backward: all.slice(fr.length) };
          continue;
        }
        fwd.push(f);
        bwd.push(b);
      }
    } finally {
      steps.destroy();
      layer.uniform.destroy();
    }
    return { timing: { tiles: k.tiles, forwardMs: median(fwd), backwardMs: median(bwd) }, outputs };
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.rounds.destroy();
  }
}

/** Times a forward and a backward pass: GPU timestamps where the device has them, else wall clock. */
class Rounds {
  readonly timer: GpuTimer;
  private readonly stamps: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    this.timer = new GpuTimer(device, 2);
    this.stamps = device.createBuffer({
      label: 'tuner.stamps',
      size: Math.max(8, this.timer.bytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** GPU milliseconds of the two passes (timestamps), else wall milliseconds of two separate submits. */
  async time(
    forward: (p: GPUComputePassEncoder) => void,
    backward: (p: GPUComputePassEncoder) => void,
  ): Promise<[number, number]> {
    const { device, timer } = this;
    if (!timer.begin()) {
      const wall = async (encode: (p: GPUComputePassEncoder) => void) => {
        const t0 = performance.now();
        const enc = device.createCommandEncoder({ label: 'tuner.encoder' });
        const pass = enc.beginComputePass({ label: 'tuner.pass' });
        encode(pass);
        pass.end();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
        return performance.now() - t0;
      };
      return [await wall(forward), await wall(backward)];
    }
    const enc = device.createCommandEncoder({ label: 'tuner.encoder' });
    for (const [name, encode] of [
      ['forward', forward],
      ['backward', backward],
    ] as const) {
      const pass = enc.beginComputePass({ label: `tuner.${name}`, ...timer.passTimestamps(name) });
      encode(pass);
      pass.end();
    }
    const phases = timer.resolve(enc, this.stamps, 0);
    device.queue.submit([enc.finish()]);
    await this.stamps.mapAsync(GPUMapMode.READ);
    const times = GpuTimer.decode(phases, this.stamps.getMappedRange().slice(0), 0);
    this.stamps.unmap();
    return [times?.forward ?? NaN, times?.backward ?? NaN];
  }

  destroy(): void {
    this.stamps.destroy();
  }
}
