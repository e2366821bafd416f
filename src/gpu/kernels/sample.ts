// SampleKernel: shaders/sample.wgsl — temperature log-softmax of rows of logits, and per-row sampling
// (greedy, temperature, top-k, top-p) whose tokens feed the next step's input on the GPU.
import { createStorageBuffer } from '../buffers';
import { createShaderModule } from '../shaders';
import {
  type Entry,
  type Word,
  bindGroup,
  createEntry,
  dispatch,
  stepUniform,
  uniformWords,
  writeWords,
} from './pipelines';

/** How the next character is chosen. temperature 0 means greedy (argmax). */
export interface SamplingOptions {
  temperature: number;
  /** Keep only the k most likely characters; 0 keeps all. */
  topK: number;
  /** Nucleus: keep the smallest set of most likely characters whose mass reaches p; 1 keeps all. */
  topP: number;
}

export interface SampleBuffers {
  logits: GPUBuffer;
  /** (S, B) f32 uniform draws, one per step and row */
  draws: GPUBuffer;
  /** (B) u32: receives each row's token (the next step's input) */
  tokens: GPUBuffer;
  /** (S, B) u32: the sampled sequence */
  out: GPUBuffer;
  /** (B, 2V) f32 scratch */
  work: GPUBuffer;
  /** (B, V) f32 log-probabilities */
  logp: GPUBuffer;
  /** (S, B) f32: greedy sampling writes each token's log-probability here */
  chosen: GPUBuffer;
}

/** A log-softmax over B rows of V logits (prepareLogSoftmax), or the part of a SampleCall that runs one. */
export interface LogSoftmaxCall {
  B: number;
  V: number;
  uniform: GPUBuffer;
  logSoftmax: GPUBindGroup;
}

export interface SampleCall extends LogSoftmaxCall {
  steps: GPUBuffer;
  stride: number;
  sample: GPUBindGroup;
}

/** Temperature 1, nothing cut: the plain log-softmax. */
const PLAIN: SamplingOptions = { temperature: 0, topK: 0, topP: 1 };

function words(B: number, V: number, logitsOff: number, o: SamplingOptions): Word[] {
  const greedy = o.temperature === 0;
  return [
    B,
    V,
    logitsOff,
    Math.max(0, Math.floor(o.topK)),
    { f32: greedy ? 1 : 1 / o.temperature },
    { f32: o.topP },
    +greedy,
    0,
  ];
}

/**
 * Buffers for S sampling steps over B rows of V logits of `logits`, each step's tokens into `tokens` (the next
 * step's input): everything but those two is new and listed in `own` for the caller to destroy.
 */
export function sampleBuffers(
  device: GPUDevice,
  logits: GPUBuffer,
  tokens: GPUBuffer,
  B: number,
  V: number,
  S: number,
): { bufs: SampleBuffers; own: GPUBuffer[] } {
  const own: GPUBuffer[] = [];
  const mk = (label: string, n: number) => {
    const b = createStorageBuffer(device, `SampleKernel.${label}`, n);
    own.push(b);
    return b;
  };
  const bufs = {
    logits,
    tokens,
    draws: mk('draws', S * B),
    out: mk('out', S * B),
    work: mk('work', 2 * B * V),
    logp: mk('logp', 1),
    chosen: mk('chosen', S * B),
  };
  return { bufs, own };
}

export class SampleKernel {
  private readonly sample: Entry;
  private readonly logSoftmax: Entry;

  constructor(private readonly device: GPUDevice) {
    const module = createShaderModule(device, 'sample.wgsl');
    this.sample = createEntry(device, module, 'SampleKernel.sample', 'sample_rows', {
      0: 'uniform',
      1: 'dynamic',
      2: 'read',
      3: 'read',
      4: 'rw',
      5: 'rw',
      6: 'rw',
      8: 'rw',
    });
    this.logSoftmax = createEntry(device, module, 'SampleKernel.logSoftmax', 'log_softmax_rows', {
      0: 'uniform',
      2: 'read',
      7: 'rw',
    });
  }

  /**
   * B rows of V logits starting at element `logitsOff`; up to `maxSteps` sampling steps per submit. Greedy
   * also writes each chosen token's log-probability into `bufs.chosen`.
   */
  prepare(
    B: number,
    V: number,
    logitsOff: number,
    bufs: SampleBuffers,
    o: SamplingOptions,
    maxSteps: number,
  ): SampleCall {
    const uniform = uniformWords(this.device, 'SampleKernel.params', words(B, V, logitsOff, o));
    const { buffer: steps, stride } = stepUniform(this.device, 'SampleKernel.steps', maxSteps);
    const all = {
      0: uniform,
      1: { buffer: steps, size: 16 },
      2: bufs.logits,
      3: bufs.draws,
      4: bufs.tokens,
      5: bufs.out,
      6: bufs.work,
      7: bufs.logp,
      8: bufs.chosen,
    };
    return {
      B,
      V,
      uniform,
      steps,
      stride,
      sample: bindGroup(this.device, this.sample, all),
      logSoftmax: bindGroup(this.device, this.logSoftmax, all),
    };
  }

  /**
   * A log-softmax alone (no sampling, so none of its buffers): B rows of V logits from element `logitsOff`
   * (setOptions moves it) into `logp`, at temperature 1. `uniform` is the caller's to destroy.
   */
  prepareLogSoftmax(B: number, V: number, logits: GPUBuffer, logp: GPUBuffer, logitsOff = 0): LogSoftmaxCall {
    const uniform = uniformWords(this.device, 'SampleKernel.logSoftmaxParams', words(B, V, logitsOff, PLAIN));
    const logSoftmax = bindGroup(this.device, this.logSoftmax, { 0: uniform, 2: logits, 7: logp });
    return { B, V, uniform, logSoftmax };
  }

  /** New options (and logits offset); lands before the next submit. */
  setOptions(call: LogSoftmaxCall, logitsOff: number, o: SamplingOptions = PLAIN): void {
    writeWords(this.device, call.uniform, words(call.B, call.V, logitsOff, o));
  }

  /** Draws one token per row as step `s` of the submit (draws and out are indexed by s). */
  encodeSample(pass: GPUComputePassEncoder, call: SampleCall, s: number): void {
    dispatch(pass, this.sample, call.sample, [call.B], [s * call.stride]);
  }

  encodeLogSoftmax(pass: GPUComputePassEncoder, call: LogSoftmaxCall): void {
    dispatch(pass, this.logSoftmax, call.logSoftmax, [call.B]);
  }

  static destroy(call: SampleCall): void {
    call.uniform.destroy();
    call.steps.destroy();
  }
}
