// Float64 reference for shaders/concat.wgsl: the head's input of a bidirectional model, [forward; reverse]
// at each position (N, 2H). The reverse direction read each sequence backwards, so position n's reverse state
// sits at row map[n] of its own outputs; `map` is a bijection on rows, so the backward is a scatter without
// collisions.

/** cat (N, 2H): cat[n] = [fwd[n]; bwd[map[n]]] */
export function concatForward(
  N: number,
  H: number,
  fwd: ArrayLike<number>,
  bwd: ArrayLike<number>,
  map: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(N * 2 * H);
  for (let n = 0; n < N; n++) {
    const r = map[n] as number;
    for (let k = 0; k < H; k++) {
      out[n * 2 * H + k] = fwd[n * H + k] as number;
      out[n * 2 * H + H + k] = bwd[r * H + k] as number;
    }
  }
  return out;
}

/** The two halves of ∂L/∂cat sent back: dfwd[n] = dcat[n, :H], dbwd[map[n]] = dcat[n, H:]. */
export function concatBackward(
  N: number,
  H: number,
  dcat: ArrayLike<number>,
  map: ArrayLike<number>,
): { dfwd: Float64Array; dbwd: Float64Array } {
  const dfwd = new Float64Array(N * H);
  const dbwd = new Float64Array(N * H);
  for (let n = 0; n < N; n++) {
    const r = map[n] as number;
    for (let k = 0; k < H; k++) {
      dfwd[n * H + k] = dcat[n * 2 * H + k] as number;
      dbwd[r * H + k] = dcat[n * 2 * H + H + k] as number;
    }
  }
  return { dfwd, dbwd };
}
