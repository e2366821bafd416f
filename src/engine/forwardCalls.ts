// The forward calls that work on every row of a window's span at once — each stack's embedding, each layer's
// input projection, the head — over steps [from, to) of the window. A plan prepares them over all T steps; a
// decoder stepping one token at a time (engine/taskDecoders.ts, with attention) asks for one step's rows, so
// a token costs B rows of each GEMM instead of T·B (the rest of the window is already computed, and a whole-
// window GEMM would only write the same values again).
import { matmulSpec as spec } from '../core/matmul';
import type { ParamLayout, Segment } from '../core/params';
import type { EmbeddingCall, EmbeddingKernel } from '../gpu/kernels/embedding';
import type { MatmulCall } from '../gpu/kernels/matmul';
import { type CallMakers, type LayerBuffers, inputGemmCall, layerSpan } from './layerCalls';

export interface ForwardCalls {
  /** Per segment with steps in the range. */
  embedding: EmbeddingCall[];
  /** Per layer, per segment with steps in the range (none above layer 0 in a wavefront). */
  inputGemm: MatmulCall[][];
  head: MatmulCall;
}

export interface ForwardCallsArgs {
  embed: EmbeddingKernel;
  layout: ParamLayout;
  segments: Segment[];
  T: number;
  B: number;
  E: number;
  H: number;
  G: number;
  /** Head outputs per row. */
  O: number;
  bufs: { params: GPUBuffer; grads: GPUBuffer; tokens: GPUBuffer; x0: GPUBuffer; dabove: GPUBuffer };
  /** Per layer: where its input rows start, and its regions of the plan's buffers. */
  layers: { input: { buf: GPUBuffer; off: number }; bufs: LayerBuffers }[];
  /** The head's input rows (K wide): the top layer's states, or [forward; reverse]. */
  top: { buf: GPUBuffer; off: number; K: number };
  logits: GPUBuffer;
  /** Layers above 0 whose input projection is the wavefront's role, not a GEMM. */
  wave: boolean;
  makers: CallMakers;
  /** Takes an embedding call's uniform to destroy with the plan. */
  own(b: GPUBuffer): void;
}

/** The calls over steps [from, to) of the window (every row at [0, T)). */
export function forwardCalls(a: ForwardCallsArgs, from = 0, to = a.T): ForwardCalls {
  const { B, E, H, G, bufs } = a;
  const spans = a.segments
    .map((sg, si) => ({ sg, si, start: Math.max(from, sg.start), end: Math.min(to, sg.end) }))
    .filter((s) => s.start < s.end);
  const embedding = spans.map(({ sg, start, end }) => {
    const call = a.embed.prepare(
      (end - start) * B,
      E,
      sg.vocabSize,
      sg.embedding.offset,
      { params: bufs.params, tokens: bufs.tokens, out: bufs.x0, dout: bufs.dabove, grads: bufs.grads },
      start * B,
    );
    a.own(call.uniform);
    return call;
  });
  const dims = { T: a.T, B, E, H, G, segments: a.segments.length };
  const inputGemm = a.layers.map(({ input, bufs: layerBufs }, l) =>
    a.wave && l > 0
      ? []
      : spans.map(({ sg, si, start, end }) =>
          inputGemmCall(a.makers, layerSpan(dims, sg.layers[l]!, input, l, si, start, end), layerBufs),
        ),
  );
  const { top, O } = a;
  const head = a.makers.mm(
    spec((to - from) * B, O, top.K, { transB: true, bias: true }),
    {
      a: top.buf,
      offA: top.off + from * B * top.K,
      b: bufs.params,
      offB: a.layout.headWeight.offset,
      c: a.logits,
      offC: from * B * O,
      bias: bufs.params,
      offBias: a.layout.headBias.offset,
    },
    'headGemm',
  );
  return { embedding, inputGemm, head };
}

/** forwardCalls for any range, each prepared on first use and kept (its buffers go with the plan's). */
export function forwardRanges(a: ForwardCallsArgs): (from: number, to: number) => ForwardCalls {
  const made = new Map<string, ForwardCalls>();
  return (from, to) => {
    const key = `${from}:${to}`;
    let calls = made.get(key);
    if (!calls) made.set(key, (calls = forwardCalls(a, from, to)));
    return calls;
  };
}
