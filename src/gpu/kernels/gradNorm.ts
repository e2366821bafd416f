// GradNormKernel: shaders/grad_norm.wgsl — per-tensor and global gradient norms, clip factor and the
// non-finite flag into `stats`, plus per-segment norms (‖∂L/∂h_t‖ per time step).
import type { TensorSpec } from '../../core/params';
import { createStorageBuffer, createStorageBufferFrom } from '../buffers';
import { createShaderModule } from '../shaders';
import {
  type Entry,
  type Word,
  bindGroup,
  createEntry,
  dispatch,
  grid1d,
  uniformWords,
  writeWords,
} from './pipelines';

/** Elements per partial sum: small enough for many workgroups, large enough to keep the table short. */
export const CHUNK = 4096;
/** Layout of the stats buffer's head. */
export const STATS = { loss: 0, globalNorm: 1, clipScale: 2, nonFinite: 3, tensorNorms: 4 } as const;

export interface GradNormCall {
  partialGroup: GPUBindGroup;
  finalGroup: GPUBindGroup;
  partialGrid: [number, number];
  finalUniform: GPUBuffer;
  /** The final pass's uniform block for a clip threshold. */
  finalWords: (clip: number) => Word[];
  buffers: GPUBuffer[];
}

export interface SegmentNormCall {
  group: GPUBindGroup;
  segments: number;
  uniform: GPUBuffer;
}

export class GradNormKernel {
  private readonly partial: Entry;
  private readonly final: Entry;
  private readonly segment: Entry;

  constructor(private readonly device: GPUDevice) {
    const module = createShaderModule(device, 'grad_norm.wgsl');
    const b = { 0: 'uniform', 1: 'read', 2: 'read', 3: 'rw' } as const;
    this.partial = createEntry(device, module, 'GradNormKernel.partial', 'partial_sumsq', b);
    this.final = createEntry(device, module, 'GradNormKernel.final', 'finalize_norms', b);
    this.segment = createEntry(device, module, 'GradNormKernel.segment', 'segment_norms', {
      0: 'uniform',
      2: 'read',
      3: 'rw',
    });
  }

  /** Norms of `tensors` (views into `grads`) into `stats`; the clip threshold is set per step by setClip(). */
  prepare(tensors: TensorSpec[], grads: GPUBuffer, stats: GPUBuffer, clip: number): GradNormCall {
    if (tensors.length > 256)
      throw new Error(`GradNormKernel: ${tensors.length} tensors exceed the 256 one workgroup folds`);
    const chunks: number[] = [];
    const perTensor: number[] = [];
    for (const t of tensors) {
      perTensor.push(chunks.length / 2, Math.ceil(t.size / CHUNK));
      for (let s = 0; s < t.size; s += CHUNK)
        chunks.push(t.offset + s, t.offset + Math.min(t.size, s + CHUNK));
    }
    const nChunks = chunks.length / 2;
    const table = createStorageBufferFrom(
      this.device,
      'GradNormKernel.table',
      new Uint32Array([...chunks, ...perTensor]),
    );
    const partials = createStorageBuffer(this.device, 'GradNormKernel.partials', nChunks);
    const partialUniform = uniformWords(this.device, 'GradNormKernel.partialParams', [
      nChunks,
      0,
      0,
      0,
      { f32: 0 },
      0,
      0,
      0,
    ]);
    const finalWords = (c: number): Word[] => [tensors.length, 0, chunks.length, 0, { f32: c }, 0, 0, 0];
    const finalUniform = uniformWords(this.device, 'GradNormKernel.finalParams', finalWords(clip));
    return {
      partialGroup: bindGroup(this.device, this.partial, {
        0: partialUniform,
        1: table,
        2: grads,
        3: partials,
      }),
      finalGroup: bindGroup(this.device, this.final, { 0: finalUniform, 1: table, 2: partials, 3: stats }),
      partialGrid: grid1d(nChunks, 1),
      finalUniform,
      finalWords,
      buffers: [table, partials, partialUniform, finalUniform],
    };
  }

  /** Changes the clip threshold (takes effect at the next submit). */
  setClip(call: GradNormCall, clip: number): void {
    writeWords(this.device, call.finalUniform, call.finalWords(clip));
  }

  encode(pass: GPUComputePassEncoder, call: GradNormCall): void {
    dispatch(pass, this.partial, call.partialGroup, call.partialGrid);
    dispatch(pass, this.final, call.finalGroup, [1]);
  }

  /** ‖x[inOff + s·segLen …]‖ for s < segments, into out[outOff + s]. */
  prepareSegments(
    x: GPUBuffer,
    inOff: number,
    segLen: number,
    segments: number,
    out: GPUBuffer,
    outOff: number,
  ): SegmentNormCall {
    const uniform = uniformWords(this.device, 'GradNormKernel.segmentParams', [
      segments,
      segLen,
      inOff,
      outOff,
      { f32: 0 },
      0,
      0,
      0,
    ]);
    return { group: bindGroup(this.device, this.segment, { 0: uniform, 2: x, 3: out }), segments, uniform };
  }

  encodeSegments(pass: GPUComputePassEncoder, call: SegmentNormCall): void {
    dispatch(pass, this.segment, call.group, [call.segments]);
  }
}
