// Encoding one iteration of a prepared plan (engine/plan.ts) into compute passes, in DESIGN.md §1's order:
// forward (per layer: state init, input GEMM, the fused steps — with attention before each decoder step — and
// the reverse direction), loss and head gradients, per layer the fused backward steps and weight gradients,
// then norms and the clip-and-update pass.
import type { MatmulCall } from '../gpu/kernels/matmul';
import type { OptimizerCall, OptimizerKernel } from '../gpu/kernels/optimizer';
import type { EngineKernels, ForwardPlan, Plan } from './plan';

/** Opens a compute pass named `label`, timed as `phase`. */
export type PassOpener = (label: string, phase: string) => GPUComputePassEncoder;

/** Records the forward pass up to the logits: embedding, per layer [state init, input GEMM, T steps], head. */
export function encodeForward(pass: GPUComputePassEncoder, p: ForwardPlan, k: EngineKernels): void {
  for (const call of p.embedding) k.embed.encodeForward(pass, call);
  if (p.wave) {
    // Every layer's initial state and layer 0's input projection, then all layers' steps as one wavefront.
    for (const cells of p.layers) k.cell.encodeInit(pass, cells[0]!);
    for (const call of p.inputGemm[0]!) k.matmul.encode(pass, call);
    p.wave.kernel.encodeForward(pass, p.wave.call);
    k.matmul.encode(pass, p.headGemm);
    return;
  }
  encodeLayers(pass, p, p.inputGemm, k, 0, p.T);
  const rev = p.reverse;
  if (rev) {
    k.embed.encodeForward(pass, rev.embedding);
    k.cell.encodeInit(pass, rev.cell);
    k.matmul.encode(pass, rev.inputGemm);
    k.cell.encodeForwardSteps(pass, rev.cell, 0, p.T);
    k.concat!.encodeForward(pass, rev.concat);
  }
  k.matmul.encode(pass, p.headGemm);
}

/**
 * The forward of steps [from, to) only, the states before `from` left by an earlier call on the same plan: a
 * decoder stepping a token at a time (an attention decoder needs the encoder's states and keys, which stay
 * in the plan). Embeddings, input projections and the head cover the range's rows alone (ForwardPlan.range);
 * from 0 also sets the initial states.
 */
export function encodeForwardRange(
  pass: GPUComputePassEncoder,
  p: ForwardPlan,
  k: EngineKernels,
  from: number,
  to: number,
): void {
  if (p.wave || p.reverse) throw new Error('encodeForwardRange: not for a wavefront or bidirectional plan');
  const calls = p.range(from, to);
  for (const call of calls.embedding) k.embed.encodeForward(pass, call);
  encodeLayers(pass, p, calls.inputGemm, k, from, to);
  k.matmul.encode(pass, calls.head);
}

/** Per layer: the initial state (from 0), the input GEMMs, then each segment's steps within [from, to). */
function encodeLayers(
  pass: GPUComputePassEncoder,
  p: ForwardPlan,
  inputGemm: MatmulCall[][],
  k: EngineKernels,
  from: number,
  to: number,
) {
  for (let l = 0; l < p.layers.length; l++) {
    const cells = p.layers[l]!;
    if (from === 0) k.cell.encodeInit(pass, cells[0]!);
    for (const call of inputGemm[l]!) k.matmul.encode(pass, call);
    const at = p.attention;
    for (const [si, sg] of p.segments.entries()) {
      const [a, b] = [Math.max(from, sg.start), Math.min(to, sg.end)];
      if (a >= b) continue;
      // The decoder's steps attend to the encoder's (keys once the encoder is done, then context before each).
      if (at && si === 1) {
        if (a === sg.start) k.matmul.encode(pass, at.keysGemm);
        for (let t = a; t < b; t++) {
          k.attention!.encodeForward(pass, at.call, t);
          k.matmul.encode(pass, at.ctxGemm[t - at.split]!);
          k.cell.encodeForward(pass, cells[si]!, t);
        }
      } else k.cell.encodeForwardSteps(pass, cells[si]!, a, b);
    }
  }
}

/**
 * Records one training iteration after the caller has cleared the gradients: with `phases`, each phase in a
 * pass of its own opened by `beginPass` (timed separately); else the whole iteration in one pass, opened as
 * `Engine.step` and timed as phase `step` (onePass).
 */
export function encodeIteration(
  p: Plan,
  k: EngineKernels,
  learnedInit: boolean,
  optimizer: { kernel: OptimizerKernel; call: OptimizerCall },
  beginPass: PassOpener,
  phases: boolean,
): void {
  if (phases) return encodePhases(p, k, learnedInit, optimizer, beginPass);
  const one = onePass(() => beginPass('Engine.step', 'step'));
  encodePhases(p, k, learnedInit, optimizer, one.opener);
  one.close();
}

/** The iteration's phases, each in the pass `beginPass` opens for it. */
function encodePhases(
  p: Plan,
  k: EngineKernels,
  learnedInit: boolean,
  optimizer: { kernel: OptimizerKernel; call: OptimizerCall },
  beginPass: PassOpener,
): void {
  const L = p.layers.length;
  let pass = beginPass('Engine.forward', 'forward');
  encodeForward(pass, p, k);
  pass.end();

  pass = beginPass('Engine.loss', 'loss');
  k.xent.encode(pass, p.xent);
  for (const call of p.headGrads) k.matmul.encode(pass, call);
  for (const call of p.headSums) k.sum.encode(pass, call);
  if (p.reverse) k.concat!.encodeBackward(pass, p.reverse.concat);
  pass.end();

  if (p.wave) {
    // All layers' backward steps as one wavefront, then per layer what follows its t = 0 step.
    pass = beginPass('Engine.backward', 'backward');
    p.wave.kernel.encodeBackward(pass, p.wave.call);
    for (let l = L - 1; l >= 0; l--) {
      if (learnedInit) k.cell.encodeBackwardInit(pass, p.layers[l]![0]!);
      k.norm.encodeSegments(pass, p.dhNorms[l]!);
    }
    pass.end();
  }
  for (let l = L - 1; l >= 0; l--) {
    if (!p.wave) {
      pass = beginPass(`Engine.backward${l}`, 'backward');
      encodeLayerBackward(pass, p, k, l, learnedInit);
      pass.end();
    }
    pass = beginPass(`Engine.weightGrads${l}`, 'weight_grads');
    encodeWeightGrads(pass, p, k, l);
    pass.end();
  }

  const rev = p.reverse;
  if (rev) {
    pass = beginPass('Engine.backwardReverse', 'backward');
    k.cell.encodeBackwardSteps(pass, rev.cell, 0, p.T);
    k.norm.encodeSegments(pass, p.dhNorms[L]!);
    pass.end();
    pass = beginPass('Engine.weightGradsReverse', 'weight_grads');
    for (const call of rev.grads) k.matmul.encode(pass, call);
    for (const call of rev.sums) k.sum.encode(pass, call);
    k.embed.encodeBackward(pass, rev.embedding);
    pass.end();
  }

  pass = beginPass('Engine.optimizer', 'optimizer');
  k.norm.encode(pass, p.norms);
  optimizer.kernel.encode(pass, optimizer.call);
  pass.end();
}

/** Layer l's backward steps over the window's segments (attention between decoder steps), then its t = 0. */
function encodeLayerBackward(
  pass: GPUComputePassEncoder,
  p: Plan,
  k: EngineKernels,
  l: number,
  learnedInit: boolean,
): void {
  const cells = p.layers[l]!;
  const at = p.attention;
  for (let si = p.segments.length - 1; si >= 0; si--) {
    const sg = p.segments[si]!;
    const last = p.handoff[l]![si] ?? cells[si]!;
    if (at && si === 1) {
      for (let t = sg.end - 1; t >= sg.start; t--) {
        k.cell.encodeBackward(pass, t === sg.end - 1 ? last : cells[si]!, t);
        const i = t - at.split;
        k.matmul.encode(pass, at.dctxGemm[i]!);
        k.attention!.encodeBackward(pass, at.call, t);
        k.matmul.encode(pass, at.dqGemm[i]!);
      }
      k.matmul.encode(pass, at.dkGemm!);
    } else k.cell.encodeBackwardSteps(pass, cells[si]!, sg.start, sg.end, last);
  }
  if (learnedInit) k.cell.encodeBackwardInit(pass, cells[0]!);
  k.norm.encodeSegments(pass, p.dhNorms[l]!);
}

/** Layer l's weight gradients, bias and peephole sums; below layer 0 the embedding's and attention's. */
function encodeWeightGrads(pass: GPUComputePassEncoder, p: Plan, k: EngineKernels, l: number): void {
  for (const call of p.layerGrads[l]!) k.matmul.encode(pass, call);
  for (const call of p.layerSums[l]!) k.sum.encode(pass, call);
  if (l > 0) return;
  for (const call of p.embedding) k.embed.encodeBackward(pass, call);
  const at = p.attention;
  if (at) {
    for (const call of at.weightGrads) k.matmul.encode(pass, call);
    k.sum.encode(pass, at.dvSum!);
  }
}

/**
 * An iteration in one compute pass: every phase's opener returns the same pass, opened at the first, whose
 * end() waits for close(). Dispatches in one pass are ordered as they are across passes (each dispatch is its
 * own synchronisation scope), so results are the same bit for bit; what goes is each pass boundary's cost
 * and the pipeline and group binds that a new pass repeats. Only pass methods the kernels call (through
 * pipelines.ts dispatch) are forwarded.
 */
function onePass(open: () => GPUComputePassEncoder): { opener: PassOpener; close: () => void } {
  let pass: GPUComputePassEncoder | null = null;
  let view: GPUComputePassEncoder | null = null;
  return {
    opener: () => {
      if (!pass) {
        const p = (pass = open());
        view = {
          setPipeline: (pipeline: GPUComputePipeline) => p.setPipeline(pipeline),
          setBindGroup: (i: number, g: GPUBindGroup, offsets?: number[]) =>
            offsets ? p.setBindGroup(i, g, offsets) : p.setBindGroup(i, g),
          dispatchWorkgroups: (x: number, y?: number, z?: number) => p.dispatchWorkgroups(x, y, z),
          end: () => undefined,
        } as unknown as GPUComputePassEncoder;
      }
      return view!;
    },
    close: () => pass?.end(),
  };
}

/**
 * Passes and dispatches an iteration records, counted by encoding it into stand-in pass encoders (`phases`:
 * a pass per phase, else one for the whole iteration).
 */
export function countIteration(
  p: Plan,
  k: EngineKernels,
  learnedInit: boolean,
  optimizer: { kernel: OptimizerKernel; call: OptimizerCall },
  phases: boolean,
): { dispatches: number; passes: number } {
  let dispatches = 0;
  let passes = 0;
  const counter = () =>
    ({
      setPipeline: () => undefined,
      setBindGroup: () => undefined,
      dispatchWorkgroups: () => void dispatches++,
      end: () => undefined,
    }) as unknown as GPUComputePassEncoder;
  encodeIteration(p, k, learnedInit, optimizer, () => (passes++, counter()), phases);
  return { dispatches, passes };
}
