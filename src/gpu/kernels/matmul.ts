// MatmulKernel: owns shaders/matmul.wgsl's pipelines (one per variant, cached), and turns a
// MatmulSpec plus buffers into a prepared call that a step encodes without any per-step uploads.
import type { MatmulSpec } from '../../core/matmul';
import { createStorageBuffer } from '../buffers';
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, uniformWords } from './pipelines';

const TILE = 64;
const MAIN_BINDINGS = { 0: 'uniform', 1: 'read', 2: 'read', 3: 'rw', 4: 'read', 5: 'rw' } as const;
const REDUCE_BINDINGS = { 0: 'uniform', 3: 'rw', 4: 'read', 5: 'rw' } as const;

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
  /** Split K: (split, m, n) partial products, at offset 0 (required when the call splits). */
  part?: GPUBuffer;
}

/** A multiply ready to encode: its entry point variant, bind group and grid, fixed at preparation time. */
export interface MatmulCall {
  readonly spec: MatmulSpec;
  readonly entry: Entry;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: [number, number];
  readonly params: GPUBuffer;
  /** K slices summed by separate workgroups, then added in order by `reduce_split` (1: no split). */
  readonly split: number;
  readonly reduce: { entry: Entry; bindGroup: GPUBindGroup; workgroups: [number, number] } | null;
}

/** The tiled f32 GEMM of shaders/matmul.wgsl (reference: reference/matmul.ts `matmul`). */
export class MatmulKernel {
  private readonly module: GPUShaderModule;
  private readonly variants = new Map<string, Entry>();
  private noPart: GPUBuffer | null = null;

  constructor(private readonly device: GPUDevice) {
    this.module = createShaderModule(device, 'matmul.wgsl');
  }

  /**
   * The pipeline for a variant (transposes, accumulate, bias and the K split are override constants), or its
   * split reduction, compiled once.
   */
  variant(spec: MatmulSpec, split = 1, entryPoint: 'main' | 'reduce_split' = 'main'): Entry {
    // The reduction reads only part, C and bias: the transposes do not make it another pipeline.
    const reduce = entryPoint === 'reduce_split';
    const transA = +(spec.transA && !reduce);
    const transB = +(spec.transB && !reduce);
    const key = `${entryPoint}${transA}${transB}${+spec.accumulate}${+spec.bias}/${split}`;
    let e = this.variants.get(key);
    if (!e) {
      const bindings = entryPoint === 'main' ? MAIN_BINDINGS : REDUCE_BINDINGS;
      e = createEntry(this.device, this.module, `MatmulKernel[${key}]`, entryPoint, bindings, {
        TRANS_A: transA,
        TRANS_B: transB,
        ACCUMULATE: +spec.accumulate,
        HAS_BIAS: +spec.bias,
        SPLIT: split,
      });
      this.variants.set(key, e);
    }
    return e;
  }

  /**
   * Prepares a call: writes its parameters once and builds its bind groups. `split` > 1 sums K in that many
   * slices (core/matmul.ts splitOf) into `buf.part`, which must hold split·m·n floats.
   */
  prepare(spec: MatmulSpec, buf: MatmulBuffers, label = 'MatmulKernel.call', split = 1): MatmulCall {
    if (spec.bias && !buf.bias) throw new Error(`${label}: spec.bias set but no bias buffer given`);
    if (split > 1 && (!buf.part || buf.part.size < 4 * split * spec.m * spec.n))
      throw new Error(`${label}: a ${split}-way split needs a part buffer of ${split}·m·n floats`);
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
    const entry = this.variant(spec, split);
    // An unused bias still needs a binding (A is read-only already, so it serves), and so does an unused
    // part (a one-float buffer: WebGPU forbids binding C twice as writable storage).
    const part = buf.part ?? (this.noPart ??= createStorageBuffer(this.device, 'MatmulKernel.noPart', 1));
    const resources = { 0: params, 1: buf.a, 2: buf.b, 3: buf.c, 4: buf.bias ?? buf.a, 5: part };
    const group = bindGroup(this.device, entry, resources, label);
    const workgroups: [number, number] = [Math.ceil(spec.n / TILE), Math.ceil(spec.m / TILE)];
    let reduce: MatmulCall['reduce'] = null;
    if (split > 1) {
      const r = this.variant(spec, split, 'reduce_split');
      reduce = {
        entry: r,
        bindGroup: bindGroup(this.device, r, resources, `${label}.reduce`),
        workgroups: [Math.ceil(spec.n / 64), spec.m],
      };
    }
    return { spec, entry, bindGroup: group, workgroups, params, split, reduce };
  }

  /** Records the multiply (and a split's reduction) into an open compute pass. */
  encode(pass: GPUComputePassEncoder, call: MatmulCall): void {
    if (call.workgroups[0] === 0 || call.workgroups[1] === 0) return;
    dispatch(pass, call.entry, call.bindGroup, [...call.workgroups, call.split]);
    if (call.reduce) dispatch(pass, call.reduce.entry, call.reduce.bindGroup, call.reduce.workgroups);
  }
}
