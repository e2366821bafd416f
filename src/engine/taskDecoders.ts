// Encoder–decoder decoding on the GPU a token at a time (StepDecoder, engine/seq2seqTask.ts), for
// GpuInference.taskDecoder. Without attention the encoder and the decoder's first step run as one window of
// split + 1 steps, whose last states become the carried states of a one-step decoder window; each further token
// is one step of that window from its parent row's state (the plan's `rows`). With attention the whole window's
// plan keeps the encoder's states and keys, and each token runs the next decoder step alone
// (encodeForwardRange: its embedding, GEMMs and head over that step's rows), its state gathered from the
// parent rows first. Greedy decoding without attention needs
// no round trip per token: the sampler's argmax writes each token into the one-step window's input and the next
// step embeds it, so a batch's output takes a submit per GREEDY_CHUNK tokens (`greedy`).
import { createStorageBuffer, encodeReadback } from '../gpu/buffers';
import { SampleKernel, sampleBuffers } from '../gpu/kernels/sample';
import { encodeForward, encodeForwardRange } from './iteration';
import { type EngineKernels, type ForwardPlan, carryRows, resetRows, stateSlots } from './plan';
import type { GreedyRun, StepDecoder } from './seq2seqTask';

/** What the decoders use of GpuInference: its plans, forward encoding, log-softmax readback and state copy. */
export interface DecodeContext {
  device: GPUDevice;
  kernels: EngineKernels;
  H: number;
  /** The head's outputs per row (the decoder's tokens). */
  V: number;
  sampler: SampleKernel;
  plan(T: number, B: number, split?: number): ForwardPlan;
  forward(p: ForwardPlan, inputs: Uint32Array, rows: Uint32Array, enc: GPUCommandEncoder): void;
  /** Submits `enc` with the log-softmax of logits rows [row0, row0 + rows) and reads it back. */
  logProbs(p: ForwardPlan, row0: number, rows: number, enc: GPUCommandEncoder): Promise<Float64Array>;
  /** The last state of `from`, rows [0, rows), into the carried slot of `to`, row for row. */
  copyState(enc: GPUCommandEncoder, from: ForwardPlan, to: ForwardPlan, rows: number): void;
}

export function carriedDecoder(c: DecodeContext, B: number): StepDecoder {
  // The encoder and the decoder's first step, recorded on a new encoder; their last states become the
  // carried state of the one-step window.
  const window = (prompt: Uint32Array, split: number, label: string) => {
    const T = split + 1;
    if (prompt.length !== T * B) throw new Error(`GpuInference: expected ${T * B} tokens`);
    const pp = c.plan(T, B, split);
    const sp = c.plan(1, B);
    const enc = c.device.createCommandEncoder({ label });
    c.forward(pp, prompt, resetRows(B), enc);
    c.copyState(enc, pp, sp, B);
    return { pp, sp, enc };
  };
  return {
    start: async (prompt, split) => {
      const { pp, enc } = window(prompt, split, 'GpuInference.decodeStart');
      return c.logProbs(pp, split * B, B, enc);
    },
    next: async (tokens, parents) => {
      const enc = c.device.createCommandEncoder({ label: 'GpuInference.decodeStep' });
      const sp = c.plan(1, B);
      c.forward(sp, tokens, parents, enc);
      return c.logProbs(sp, 0, B, enc);
    },
    greedy: async (prompt, split, steps, live) => {
      const { pp, sp, enc } = window(prompt, split, 'GpuInference.greedyDecode');
      c.device.queue.writeBuffer(sp.rows, 0, carryRows(B));
      return greedySteps(c, enc, { plan: pp, row0: split * B }, sp, B, steps, live);
    },
  };
}

const ARGMAX = { temperature: 0, topK: 0, topP: 1 };

/**
 * Tokens per submit of a greedy decode: after each chunk, a decode whose rows have all written END stops (a
 * chunk's readback, ~90 µs on the H100, is worth a few ~20 µs decoder steps, not one per token).
 */
export const GREEDY_CHUNK = 4;

/**
 * Greedy steps on the GPU, the first submitted with `enc` (which ran the window): token 0 is the argmax of
 * `first`'s logits rows [row0, row0 + B); each later one of one-step plan `sp`'s, after a step that embeds
 * the token before it (the sampler writes it into sp.tokens). GREEDY_CHUNK steps per submit and readback,
 * until rows [0, live) have all written END or `steps` are done; steps not run read as END.
 */
async function greedySteps(
  c: DecodeContext,
  enc: GPUCommandEncoder,
  first: { plan: ForwardPlan; row0: number },
  sp: ForwardPlan,
  B: number,
  steps: number,
  live: number,
): Promise<GreedyRun> {
  const { bufs, own } = sampleBuffers(c.device, sp.logits, sp.tokens, B, c.V, steps);
  const calls = [
    c.sampler.prepare(B, c.V, first.row0 * c.V, { ...bufs, logits: first.plan.logits }, ARGMAX, 1),
    c.sampler.prepare(B, c.V, 0, bufs, ARGMAX, steps),
  ] as const;
  const tokens = new Uint32Array(steps * B); // 0: END
  const logProbs = new Float32Array(steps * B);
  const ended = new Uint8Array(B).fill(1, live); // padding rows need not end
  try {
    for (let s0 = 0; s0 < steps && !ended.every(Boolean); s0 += GREEDY_CHUNK) {
      const s1 = Math.min(steps, s0 + GREEDY_CHUNK);
      const e = s0 === 0 ? enc : c.device.createCommandEncoder({ label: 'GpuInference.greedySteps' });
      const pass = e.beginComputePass({ label: 'GpuInference.greedySteps' });
      for (let s = s0; s < s1; s++) {
        if (s === 0) c.sampler.encodeSample(pass, calls[0], 0);
        else {
          encodeForward(pass, sp, c.kernels);
          c.sampler.encodeSample(pass, calls[1], s);
        }
      }
      pass.end();
      const n = (s1 - s0) * B;
      const read = encodeReadback(c.device, e, [
        { buf: bufs.out, offset: s0 * B * 4, floats: n },
        { buf: bufs.chosen, offset: s0 * B * 4, floats: n },
      ]);
      c.device.queue.submit([e.finish()]);
      const [tok, lp] = await read();
      tokens.set(new Uint32Array(tok!.buffer), s0 * B);
      logProbs.set(lp!, s0 * B);
      tokens.subarray(s0 * B, s1 * B).forEach((t, i) => (ended[i % B] ||= +(t === 0)));
    }
    return { tokens, logProbs };
  } finally {
    for (const call of calls) SampleKernel.destroy(call);
    for (const b of own) b.destroy();
  }
}

export function attentionDecoder(c: DecodeContext, B: number, T: number): StepDecoder {
  const H = c.H;
  let split = 0;
  let t = 0;
  const run = (p: ForwardPlan, enc: GPUCommandEncoder, from: number) => {
    const pass = enc.beginComputePass({ label: 'GpuInference.decodeSteps' });
    encodeForwardRange(pass, p, c.kernels, from, t + 1);
    pass.end();
    return c.logProbs(p, t * B, B, enc);
  };
  return {
    start: async (prompt, s) => {
      if (prompt.length !== (s + 1) * B) throw new Error(`GpuInference: expected ${(s + 1) * B} tokens`);
      [split, t] = [s, s];
      const p = c.plan(T, B, split);
      const tokens = new Uint32Array(T * B);
      tokens.set(prompt);
      c.device.queue.writeBuffer(p.tokens, 0, tokens);
      c.device.queue.writeBuffer(p.rows, 0, resetRows(B));
      return run(p, c.device.createCommandEncoder({ label: 'GpuInference.decodeStart' }), 0);
    },
    next: async (tokens, parents) => {
      if (t + 1 >= T) throw new Error(`Decoding past the window of ${T} steps.`);
      t++;
      const p = c.plan(T, B, split);
      const enc = c.device.createCommandEncoder({ label: 'GpuInference.decodeStep' });
      // Row b of the state before step t (one layer: attention models have one) from row parents[b].
      if (parents.some((r, b) => r !== b)) {
        const tmp = gatherBuffer(c.device, p, 2 * B * H);
        const slot = stateSlots(p, H, t)[0]!;
        enc.copyBufferToBuffer(p.states, slot.h, tmp, 0, B * H * 4);
        enc.copyBufferToBuffer(p.states, slot.c, tmp, B * H * 4, B * H * 4);
        for (const [b, r] of parents.entries()) {
          enc.copyBufferToBuffer(tmp, r * H * 4, p.states, slot.h + b * H * 4, H * 4);
          enc.copyBufferToBuffer(tmp, (B + r) * H * 4, p.states, slot.c + b * H * 4, H * 4);
        }
      }
      c.device.queue.writeBuffer(p.tokens, t * B * 4, tokens.subarray(0, B));
      return run(p, enc, t);
    },
  };
}

const gathers = new WeakMap<ForwardPlan, GPUBuffer>();

/** A beam's state gather buffer for plan `p`, made once and destroyed with the plan (its `buffers`). */
function gatherBuffer(device: GPUDevice, p: ForwardPlan, floats: number): GPUBuffer {
  let b = gathers.get(p);
  if (!b) {
    b = createStorageBuffer(device, 'GpuInference.gather', floats);
    p.buffers.push(b);
    gathers.set(p, b);
  }
  return b;
}
