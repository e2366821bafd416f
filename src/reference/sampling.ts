// Float64 reference for shaders/sample.wgsl: temperature log-softmax, and the choice of one character from a
// row of logits given a uniform draw — greedy, temperature, top-k, then top-p over what top-k kept (the
// Hugging Face order), ranks broken by index. Beam search lives in engine/sampling.ts over any backend.

/** How the next character is chosen; temperature 0 means greedy (argmax). Same shape as the GPU's. */
export interface SampleOptions {
  temperature: number;
  topK: number;
  topP: number;
}

/** log softmax(logits / τ) of one row (τ = 1 when 0: greedy callers want the model's own distribution). */
export function logSoftmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const inv = temperature === 0 ? 1 : 1 / temperature;
  const n = logits.length;
  let m = -Infinity;
  for (let v = 0; v < n; v++) m = Math.max(m, (logits[v] as number) * inv);
  let s = 0;
  for (let v = 0; v < n; v++) s += Math.exp((logits[v] as number) * inv - m);
  const lse = m + Math.log(s);
  return Float64Array.from({ length: n }, (_, v) => (logits[v] as number) * inv - lse);
}

/** The characters sampling may pick, with their unnormalised weights (0 for the ones filtered out). */
export function samplingWeights(logits: ArrayLike<number>, o: SampleOptions): Float64Array {
  const V = logits.length;
  const inv = 1 / o.temperature;
  let m = -Infinity;
  for (let v = 0; v < V; v++) m = Math.max(m, (logits[v] as number) * inv);
  const w = Float64Array.from({ length: V }, (_, v) => Math.exp((logits[v] as number) * inv - m));
  const above = new Float64Array(V);
  let zk = 0;
  for (let v = 0; v < V; v++) {
    let rank = 0;
    for (let u = 0; u < V; u++) {
      if (w[u]! > w[v]! || (w[u] === w[v] && u < v)) {
        rank++;
        above[v] = above[v]! + w[u]!;
      }
    }
    if (o.topK > 0 && rank >= o.topK) above[v] = -1;
    else zk += w[v]!;
  }
  return w.map((x, v) => (above[v]! >= 0 && (o.topP >= 1 || above[v]! < o.topP * zk) ? x : 0));
}

/** The character drawn by uniform `u` ∈ [0, 1) from one row of logits. */
export function sampleToken(logits: ArrayLike<number>, o: SampleOptions, u: number): number {
  const V = logits.length;
  if (o.temperature === 0) {
    let best = 0;
    for (let v = 1; v < V; v++) if ((logits[v] as number) > (logits[best] as number)) best = v;
    return best;
  }
  const w = samplingWeights(logits, o);
  const total = w.reduce((a, b) => a + b, 0);
  const target = u * total;
  let cum = 0;
  let tok = V;
  for (let v = 0; v < V; v++) {
    if (w[v]! > 0) {
      cum += w[v]!;
      tok = v;
      if (cum > target) break;
    }
  }
  return tok;
}
