// Float64 reference for shaders/softmax_xent.wgsl: softmax cross-entropy per row and its gradient, with the
// loss averaged over `count` rows (default all N = T·B, so dlogits carry the 1/count). A target ≥ V marks a
// padding position (the end of a validation split, or an unlabelled step of a sequence task): loss 0,
// gradient 0. A task averages over its labelled positions only, so `count` is their number, as on the GPU.

export interface XentResult {
  /** (N) per-row loss in nats */
  losses: Float64Array;
  /** mean of losses */
  loss: number;
  /** (N, V) ∂loss/∂logits = (softmax − onehot) / N */
  dlogits: Float64Array;
}

export function softmaxXent(
  N: number,
  V: number,
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  count = N,
): XentResult {
  const losses = new Float64Array(N);
  const dlogits = new Float64Array(N * V);
  let total = 0;
  for (let r = 0; r < N; r++) {
    let max = -Infinity;
    for (let v = 0; v < V; v++) max = Math.max(max, logits[r * V + v] as number);
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp((logits[r * V + v] as number) - max);
    const y = targets[r] as number;
    if (y >= V) continue;
    const logZ = max + Math.log(sum);
    losses[r] = logZ - (logits[r * V + y] as number);
    total += losses[r] as number;
    for (let v = 0; v < V; v++) {
      const p = Math.exp((logits[r * V + v] as number) - logZ);
      dlogits[r * V + v] = (p - (v === y ? 1 : 0)) / count;
    }
  }
  return { losses, loss: total / count, dlogits };
}
