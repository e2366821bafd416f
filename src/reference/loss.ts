// Float64 reference for shaders/softmax_xent.wgsl: softmax cross-entropy per row and its gradient, with the
// loss averaged over all N = T·B rows (so dlogits carry the 1/N). A target ≥ V marks a padding position
// (the end of a validation split): loss 0, gradient 0, still counted in N, as on the GPU.

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
      dlogits[r * V + v] = (p - (v === y ? 1 : 0)) / N;
    }
  }
  return { losses, loss: total / N, dlogits };
}
