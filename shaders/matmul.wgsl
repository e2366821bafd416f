// Tiled f32 matrix multiply: C(m, n) = op(A)·op(B) [+ C] [+ bias(n)], row-major, element offsets into
// shared buffers so the engine can multiply views of its flat parameter and activation buffers.
// Bindings: 0 params (uniform), 1 A, 2 B, 3 C (read_write), 4 bias (bound to any buffer when unused),
// 5 part (read_write; split K only, else bound to C).
// Each 16×16 workgroup computes a 64×64 tile of C; each invocation a 4×4 block strided by 16 so that
// neighbouring invocations touch neighbouring columns (coalesced loads and stores).
// Split K (SPLIT > 1, weight gradients: small m·n, k = every position of the window): workgroup z sums its
// slice of K into part[z], then `reduce_split` adds the slices in order (plus C and bias) — many more
// workgroups than the 64×64 tiles of C alone, no atomics, and the same result on every run.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  off_a: u32,
  off_b: u32,
  off_c: u32,
  off_bias: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;

// A is stored (k, m) and read transposed (weight gradients: dYᵀ·X).
override TRANS_A: bool = false;
// B is stored (n, k) and read transposed (X·Wᵀ with PyTorch's (out, in) weight layout).
override TRANS_B: bool = false;
// Add into the existing C instead of overwriting it (gradient accumulation).
override ACCUMULATE: bool = false;
override HAS_BIAS: bool = false;
override SPLIT: u32 = 1u;

const TILE_M: u32 = 64u;
const TILE_N: u32 = 64u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 256u;

// Stored k-major ([kk][i]) so the inner loop reads one row of each tile.
var<workgroup> tile_a: array<f32, 1024>; // (TILE_K, TILE_M)
var<workgroup> tile_b: array<f32, 1024>; // (TILE_K, TILE_N)

// op(A)[row, col] with zero padding outside (m, k).
fn load_a(row: u32, col: u32) -> f32 {
  if (row >= params.m || col >= params.k) {
    return 0.0;
  }
  if (TRANS_A) {
    return a[params.off_a + col * params.m + row];
  }
  return a[params.off_a + row * params.k + col];
}

// op(B)[row, col] with zero padding outside (k, n).
fn load_b(row: u32, col: u32) -> f32 {
  if (row >= params.k || col >= params.n) {
    return 0.0;
  }
  if (TRANS_B) {
    return b[params.off_b + col * params.k + row];
  }
  return b[params.off_b + row * params.n + col];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tid = lid.y * 16u + lid.x;
  let row0 = wg.y * TILE_M;
  let col0 = wg.x * TILE_N;
  var acc: array<array<f32, 4>, 4>;
  // This workgroup's slice of K, whole TILE_K chunks (all of K without a split).
  let slice = (params.k + SPLIT * TILE_K - 1u) / (SPLIT * TILE_K) * TILE_K;
  let k_begin = wg.z * slice;
  let k_end = min(params.k, k_begin + slice);

  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    for (var e = tid; e < TILE_M * TILE_K; e += THREADS) {
      // Walk memory in its storage order: along k for row-major A, along m for transposed A.
      let ii = select(e / TILE_K, e % TILE_M, TRANS_A);
      let kk = select(e % TILE_K, e / TILE_M, TRANS_A);
      tile_a[kk * TILE_M + ii] = load_a(row0 + ii, k0 + kk);
      let jj = select(e % TILE_N, e / TILE_K, TRANS_B);
      let kb = select(e / TILE_N, e % TILE_K, TRANS_B);
      tile_b[kb * TILE_N + jj] = load_b(k0 + kb, col0 + jj);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) {
        av[r] = tile_a[kk * TILE_M + lid.y + 16u * r];
        bv[r] = tile_b[kk * TILE_N + lid.x + 16u * r];
      }
      for (var r = 0u; r < 4u; r++) {
        for (var q = 0u; q < 4u; q++) {
          acc[r][q] = fma(av[r], bv[q], acc[r][q]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y + 16u * r;
    if (row >= params.m) {
      continue;
    }
    for (var q = 0u; q < 4u; q++) {
      let col = col0 + lid.x + 16u * q;
      if (col >= params.n) {
        continue;
      }
      if (SPLIT > 1u) {
        part[(wg.z * params.m + row) * params.n + col] = acc[r][q];
        continue;
      }
      let idx = params.off_c + row * params.n + col;
      var v = acc[r][q];
      if (ACCUMULATE) {
        v += c[idx];
      }
      if (HAS_BIAS) {
        v += bias[params.off_bias + col];
      }
      c[idx] = v;
    }
  }
}

// C = Σ_z part[z] (in order) [+ C] [+ bias]: one invocation per element of C.
@compute @workgroup_size(64)
fn reduce_split(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  if (row >= params.m || col >= params.n) {
    return;
  }
  var v = 0.0;
  for (var z = 0u; z < SPLIT; z++) {
    v += part[(z * params.m + row) * params.n + col];
  }
  let idx = params.off_c + row * params.n + col;
  if (ACCUMULATE) {
    v += c[idx];
  }
  if (HAS_BIAS) {
    v += bias[params.off_bias + col];
  }
  c[idx] = v;
}
