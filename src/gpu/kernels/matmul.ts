// MatmulKernel: owns shaders/matmul.wgsl's pipelines (one per variant, cached), and turns a
// MatmulSpec plus buffers into a prepared call that a step encodes without any per-step uploads.
import type { MatmulSpec } from '../../core/matmul';
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, uniformWords } from './pipelines';

const TILE = 64;

/** Buffers of one multiply; offsets are in f32 elements, so views of flat buffers need no alignment. */
export interface MatmulBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  bias?: GPUBuffer;
  offA?: number;
  offB?: number;
  offC?: number;
  offBias?: number;
}

/** A multiply ready to encode: its entry point variant, bind group and grid, fixed at preparation time. */
export interface MatmulCall {
  readonly spec: MatmulSpec;
  readonly entry: Entry;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: [number, number];
  readonly params: GPUBuffer;
}

/** The tiled f32 GEMM of shaders/matmul.wgsl (reference: reference/matmul.ts `matmul`). */
export class MatmulKernel {
  private readonly module: GPUShaderModule;
  private readonly variants = new Map<string, Entry>();

  constructor(private readonly device: GPUDevice) {
    this.module = createShaderModule(device, 'matmul.wgsl');
  }

  /** The pipeline for a variant (transposes, accumulate, bias are override constants), compiled once. */
  variant(spec: MatmulSpec): Entry {
    const key = `${+spec.transA}${+spec.transB}${+spec.accumulate}${+spec.bias}`;
    let e = this.variants.get(key);
    if (!e) {
      e = createEntry(
        this.device,
        this.module,
        `MatmulKernel[${key}]`,
        'main',
        { 0: 'uniform', 1: 'read', 2: 'read', 3: 'rw', 4: 'read' },
        { TRANS_A: +spec.transA, TRANS_B: +spec.transB, ACCUMULATE: +spec.accumulate, HAS_BIAS: +spec.bias },
      );
      this.variants.set(key, e);
    }
    return e;
  }

  /** Prepares a call: writes its parameters once and builds its bind group. */
  prepare(spec: MatmulSpec, buf: MatmulBuffers, label = 'MatmulKernel.call'): MatmulCall {
    if (spec.bias && !buf.bias) throw new Error(`${label}: spec.bias set but no bias buffer given`);
    const params = uniformWords(this.device, `${label}.params`, [
      spec.m,
      spec.n,
      spec.k,
      buf.offA ?? 0,
      buf.offB ?? 0,
      buf.offC ?? 0,
      buf.offBias ?? 0,
      0,
    ]);
    const entry = this.variant(spec);
    // An unused bias still needs a binding; A is read-only already, so it serves.
    const group = bindGroup(
      this.device,
      entry,
      { 0: params, 1: buf.a, 2: buf.b, 3: buf.c, 4: buf.bias ?? buf.a },
      label,
    );
    const workgroups: [number, number] = [Math.ceil(spec.n / TILE), Math.ceil(spec.m / TILE)];
    return { spec, entry, bindGroup: group, workgroups, params };
  }

  /** Records the multiply into an open compute pass. */
  encode(pass: GPUComputePassEncoder, call: MatmulCall): void {
    if (call.workgroups[0] === 0 || call.workgroups[1] === 0) return;
    dispatch(pass, call.entry, call.bindGroup, call.workgroups);
  }
}
