// Float64 reference for shaders/embedding.wgsl: row gather and its gradient (a per-row sum over the
// positions holding that token — deterministic by construction, as the GPU kernel must be).

/** out (N, E) = table[tokens[n], :] */
export function embeddingGather(
  E: number,
  table: ArrayLike<number>,
  tokens: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(tokens.length * E);
  for (let n = 0; n < tokens.length; n++) {
    const row = tokens[n] as number;
    for (let e = 0; e < E; e++) out[n * E + e] = table[row * E + e] as number;
  }
  return out;
}

/** dTable (V, E): row v = Σ over n with tokens[n] = v of dOut[n, :] */
export function embeddingBackward(
  V: number,
  E: number,
  dOut: ArrayLike<number>,
  tokens: ArrayLike<number>,
): Float64Array {
  const d = new Float64Array(V * E);
  for (let n = 0; n < tokens.length; n++) {
    const row = tokens[n] as number;
    for (let e = 0; e < E; e++) d[row * E + e] = (d[row * E + e] as number) + (dOut[n * E + e] as number);
  }
  return d;
}
