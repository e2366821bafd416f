// AttentionKernel: shaders/attention.wgsl — additive attention of one decoder step (forward: weights and
// context; backward: what reaches the encoder states, the query and the keys), one workgroup per sequence.
// The step arrives as a dynamic offset into the recurrent cell's step uniform (same layout).
import { createShaderModule } from '../shaders';
import { type Entry, bindGroup, createEntry, dispatch, uniformWords } from './pipelines';

const WG = 64;
/** Limits of the kernel's workgroup arrays: attention size A (= H) and encoder steps S. */
export const ATTENTION_MAX_A = 1024;
export const ATTENTION_MAX_S = 256;

/** Shapes and offsets of one plan's attention (elements). */
export interface AttentionInfo {
  B: number;
  H: number;
  /** Encoder steps attended to (the batch's source length). */
  S: number;
  A: number;
  T: number;
  offWq: number;
  offV: number;
}

export interface AttentionBuffers {
  params: GPUBuffer;
  states: GPUBuffer;
  keys: GPUBuffer;
  /** align (T, B, S) | qa (T, B, A) | ctx (T, B, H) */
  attn: GPUBuffer;
  /** dctx (T, B, H) | dq (T, B, A) | dv (T, B, A) | dk (S, B, A) */
  dattn: GPUBuffer;
  dabove: GPUBuffer;
}

/** Element offsets inside `attn` and `dattn` for a window of T steps. */
export function attentionOffsets(T: number, B: number, H: number, A: number) {
  return {
    qa: T * B * T,
    ctx: T * B * T + T * B * A,
    attnFloats: T * B * (T + A + H),
    dq: T * B * H,
    dv: T * B * (H + A),
    dk: T * B * (H + 2 * A),
    dattnFloats: T * B * (H + 3 * A),
  };
}

export interface AttentionCall {
  info: AttentionInfo;
  uniform: GPUBuffer;
  forward: GPUBindGroup;
  backward: GPUBindGroup;
}

export class AttentionKernel {
  private readonly fwd: Entry;
  private readonly bwd: Entry;

  constructor(
    private readonly device: GPUDevice,
    private readonly stepStride: number,
  ) {
    const module = createShaderModule(device, 'attention.wgsl');
    const c = { WG };
    this.fwd = createEntry(
      device,
      module,
      'AttentionKernel.forward',
      'attention_forward',
      { 0: 'uniform', 1: 'dynamic', 2: 'read', 3: 'read', 4: 'read', 5: 'rw' },
      c,
    );
    this.bwd = createEntry(
      device,
      module,
      'AttentionKernel.backward',
      'attention_backward',
      { 0: 'uniform', 1: 'dynamic', 2: 'read', 3: 'read', 4: 'read', 5: 'rw', 6: 'rw', 7: 'rw' },
      c,
    );
  }

  /** `steps`: the step uniform array (t = 0 … T−1, one record per stepStride bytes). */
  prepare(info: AttentionInfo, bufs: AttentionBuffers, steps: GPUBuffer, label: string): AttentionCall {
    const i = info;
    if (i.A > ATTENTION_MAX_A || i.S > ATTENTION_MAX_S || i.S < 1)
      throw new Error(`AttentionKernel: needs 1 ≤ S ≤ ${ATTENTION_MAX_S} and A ≤ ${ATTENTION_MAX_A}`);
    const o = attentionOffsets(i.T, i.B, i.H, i.A);
    const uniform = uniformWords(this.device, `${label}.params`, [
      i.B,
      i.H,
      i.S,
      i.A,
      i.T,
      i.offWq,
      i.offV,
      o.qa,
      o.ctx,
      o.dq,
      o.dv,
      o.dk,
    ]);
    const all = {
      0: uniform,
      1: { buffer: steps, size: 16 },
      2: bufs.params,
      3: bufs.states,
      4: bufs.keys,
      5: bufs.attn,
      6: bufs.dattn,
      7: bufs.dabove,
    };
    return {
      info,
      uniform,
      forward: bindGroup(this.device, this.fwd, all, `${label}.forward`),
      backward: bindGroup(this.device, this.bwd, all, `${label}.backward`),
    };
  }

  encodeForward(pass: GPUComputePassEncoder, call: AttentionCall, t: number): void {
    dispatch(pass, this.fwd, call.forward, [call.info.B], [t * this.stepStride]);
  }

  encodeBackward(pass: GPUComputePassEncoder, call: AttentionCall, t: number): void {
    dispatch(pass, this.bwd, call.backward, [call.info.B], [t * this.stepStride]);
  }
}
