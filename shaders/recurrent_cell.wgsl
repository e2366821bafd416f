// The fused recurrent step for every cell type (override CELL), forward and backward, one dispatch per
// time step; the invocation for (unit j, sequence b) computes all G gates of that unit, so the recurrent
// GEMM row, the gate nonlinearities and the state update never leave registers. The gate math itself
// (cell_update, backward_update) is recurrent_cell_update.wgsl, compiled with this file.
// Layouts: states (2, T+1, B, H) = [h; c] with slot 0 the initial state; act (T, B, A·H); dg (2, T, B, G·H)
// = [dgx; dgh]; scratch = carry_h (B, H) | carry_c (B, H) | dh_full (T, B, H) | dpeep (T, B, 3H).
// CELL: 0 rnn (A=1: [h]), 1 lstm and 3 lstm-peephole (A=4: [i, f, g, o]), 2 gru (A=4: [r, z, n, hn]).
// rows (B): per sequence, RESET (start from h0/c0 or zeros) or the row of slot T to carry from — the previous
// window's final state (truncated BPTT), permuted for beam search.

struct Layer {
  B: u32,
  H: u32,
  T: u32,
  off_whh: u32,
  off_bhh: u32,
  off_peep: u32,
  off_h0: u32,
  off_c0: u32,
  c_off: u32, // start of the c half of `states`
  dgh_off: u32, // start of dgh in `dg`
  carry_c_off: u32,
  dh_full_off: u32,
  dpeep_off: u32,
  learned_init: u32,
  whh_t_off: u32, // W_hhᵀ (H, G·H) in scratch, for subgroup backward tiles (recurrent_cell_subgroups.wgsl)
  // Where this layer's region starts in `states`, `act`, `dg` and `scratch`: a plan keeps every layer's in
  // one buffer each, so a layer wavefront (recurrent_wave.wgsl) reaches the layers below and above.
  st: u32,
  ac: u32,
  dgb: u32,
  sc: u32,
  // Wavefront only: the projections into this layer. Forward, its gx_t = h_t·W_ihᵀ + b_ih from the layer
  // below's states (region `below`); backward, its gradient from above dgx_t·W_ih of the layer above (dg
  // region `above_dg`, W_ih at `above_wih`).
  off_wih: u32,
  off_bih: u32,
  below: u32,
  above_dg: u32,
  above_wih: u32,
  // Where this layer's region starts in `gx` and `dabove` (in a wavefront each layer has its own).
  gxb: u32,
  dab: u32,
  // 28 words: 112 bytes, a multiple of 16 as a uniform array's element stride must be.
  _pad0: u32,
  _pad1: u32,
}

// Record t of the step array is (t, 1): one step. The loop entry points run n steps from t (forward: t, t+1, …;
// backward: t, t−1, …); records T and T+1 are (0, T) and (T−1, T), the whole window each way.
struct Step {
  t: u32,
  n: u32,
}

@group(0) @binding(0) var<uniform> layer: Layer;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>; // (T, B, G·H) x·W_ihᵀ + b_ih (wavefront writes)
@group(0) @binding(4) var<storage, read_write> states: array<f32>;
@group(0) @binding(5) var<storage, read_write> act: array<f32>;
// (T, B, H) ∂L/∂h_t from the head or the layer above (the wavefront writes the layers' below the top)
@group(0) @binding(6) var<storage, read_write> dabove: array<f32>;
@group(0) @binding(7) var<storage, read_write> dg: array<f32>;
@group(0) @binding(8) var<storage, read_write> scratch: array<f32>;
@group(0) @binding(9) var<storage, read_write> grads: array<f32>;
@group(0) @binding(10) var<storage, read> rows: array<u32>;

const RESET: u32 = 0xffffffffu;

override CELL: u32 = 1u;
override WG: u32 = 64u;

fn gates() -> u32 {
  if (CELL == 0u) {
    return 1u;
  }
  if (CELL == 2u) {
    return 3u;
  }
  return 4u;
}

fn acts() -> u32 {
  return select(4u, 1u, CELL == 0u);
}

fn is_lstm() -> bool {
  return CELL == 1u || CELL == 3u;
}

// Writes the initial state of every sequence: carried from slot T (row rows[b]) or, on RESET, the learned
// h0 (c0) or zeros. Slot T and slot 0 never overlap, so a permuted carry needs no second buffer.
@compute @workgroup_size(WG)
fn cell_init(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let b = gid.y;
  let H = layer.H;
  if (j >= H) {
    return;
  }
  let src = rows[b];
  var h0 = 0.0;
  var c0 = 0.0;
  let st = layer.st;
  if (src != RESET) {
    let at = st + (layer.T * layer.B + src) * H + j;
    h0 = states[at];
    c0 = states[layer.c_off + at];
  } else if (layer.learned_init != 0u) {
    h0 = params[layer.off_h0 + j];
    if (is_lstm()) {
      c0 = params[layer.off_c0 + j];
    }
  }
  states[st + b * H + j] = h0;
  states[st + layer.c_off + b * H + j] = c0;
}

// Tiles of the fused steps, chosen per adapter and shape (core/tiles.ts): a forward workgroup
// owns FWD_TJ units (all G gates of each: G·FWD_TJ rows of W_hh) × FWD_TB sequences and runs the recurrent
// GEMM through workgroup memory in K chunks of FWD_TK; FWD_SK invocations share each output, each summing
// every FWD_SK-th term of a chunk, so the dependent chain per invocation is H / FWD_SK long and a small
// batch still fills a workgroup (the partial sums are then added in a fixed order: results do not depend on
// scheduling). A backward workgroup owns BWD_TJ units × BWD_TB sequences with BWD_SK-way split K over the
// G·H terms of dgh_{t+1}·W_hh. Staged rows are padded to TK + 1 floats so strided reads fall in distinct banks.
override FWD_TJ: u32 = 8u;
override FWD_TB: u32 = 8u;
override FWD_TK: u32 = 32u;
override FWD_SK: u32 = 1u;
override BWD_TJ: u32 = 32u;
override BWD_TB: u32 = 8u;
override BWD_TK: u32 = 32u;
override BWD_SK: u32 = 1u;
// Invocations per workgroup: at least G·FWD_TJ·FWD_TB·FWD_SK forward (a GRU or RNN gets an LSTM tile's
// count, the spare ones only stage tiles), BWD_TJ·BWD_TB·BWD_SK backward.
override FWD_THREADS: u32 = 256u;
override BWD_THREADS: u32 = 256u;
// Workgroup array sizes (the larger of the two entry points' needs; core/tiles.ts computes them).
override W_TILE: u32 = 1056u; // (G·FWD_TJ, FWD_TK + 1) forward; (BWD_TK, BWD_TJ) backward
override V_TILE: u32 = 264u; // (FWD_TB, FWD_TK + 1) h_{t−1} rows forward; (BWD_TB, BWD_TK + 1) dgh_{t+1} rows
override R_TILE: u32 = 256u; // partial sums: (FWD_SK, G·FWD_TJ, FWD_TB) forward; (BWD_SK, BWD_TB, BWD_TJ)

var<workgroup> w_tile: array<f32, W_TILE>;
var<workgroup> v_tile: array<f32, V_TILE>;
var<workgroup> part: array<f32, R_TILE>;

@compute @workgroup_size(FWD_THREADS)
fn cell_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  forward_tile(layer, wg.x, wg.y, step.t, lid);
}

// Loop tiles (core/tiles.ts `loop`): one dispatch runs step.n steps; each workgroup owns FWD_TB sequences and
// walks every unit tile of a step before the next. Sequences are independent, so no workgroup ever waits for
// another (WGSL has no grid-wide barrier); h_t reaches the next step's staging through storageBarrier. This
// trades the per-step dispatches for fewer, longer-lived workgroups: worth it when B and H are small.
@compute @workgroup_size(FWD_THREADS)
fn cell_forward_loop(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tiles = (layer.H + FWD_TJ - 1u) / FWD_TJ;
  for (var i = 0u; i < step.n; i++) {
    for (var jt = 0u; jt < tiles; jt++) {
      forward_tile(layer, jt, wg.y, step.t + i, lid);
    }
    storageBarrier();
  }
}

// Unit tile jt × sequence tile bt of forward step t: the recurrent GEMM through workgroup memory, then the
// gates and the state update. Called in uniform control flow (it holds barriers); `part` is reused by the
// next tile only after that tile's first barrier, which every invocation reaches after this one's update.
fn forward_tile(ly: Layer, jt: u32, bt: u32, t: u32, lid: u32) {
  let H = ly.H;
  let B = ly.B;
  let rows = gates() * FWD_TJ;
  // This invocation's share of the GEMM: gate row r (gate r / FWD_TJ of unit j0 + r % FWD_TJ), sequence bb,
  // terms s, s + FWD_SK, … of each chunk.
  let bb = lid % FWD_TB;
  let r = (lid / FWD_TB) % rows;
  let s = lid / (FWD_TB * rows);
  let sum = forward_gemm(ly, ly.off_whh, ly.st + t * B * H, H, jt, bt, lid);
  if (s == 0u) {
    part[r * FWD_TB + bb] = sum;
  }
  workgroupBarrier();
  // One invocation per (unit, sequence) of the tile applies the gates and the state update.
  if (lid < FWD_TJ * FWD_TB) {
    forward_update(ly, jt * FWD_TJ + lid / FWD_TB, bt * FWD_TB + lid % FWD_TB, t, lid);
  }
}

// One GEMM of a forward tile: the tile's (FWD_TB, K) rows at v0 (row stride K, in `states`) times the tile's gate
// rows of the (G·H, K) weight at w0, staged in chunks of FWD_TK. Returns the full sum of this invocation's
// (gate row, sequence) on the invocations of share s = 0 (the shares are added in a fixed order: results do
// not depend on scheduling), a partial sum elsewhere. Uniform control flow (barriers).
fn forward_gemm(ly: Layer, w0: u32, v0: u32, K: u32, jt: u32, bt: u32, lid: u32) -> f32 {
  let H = ly.H;
  let B = ly.B;
  let rows = gates() * FWD_TJ;
  let pad = FWD_TK + 1u;
  let j0 = jt * FWD_TJ;
  let b0 = bt * FWD_TB;
  let bb = lid % FWD_TB;
  let r = (lid / FWD_TB) % rows;
  let s = lid / (FWD_TB * rows);
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += FWD_TK) {
    for (var e = lid; e < rows * FWD_TK; e += FWD_THREADS) {
      let rr = e / FWD_TK;
      let kk = e % FWD_TK;
      let jj = j0 + rr % FWD_TJ;
      var w = 0.0;
      if (jj < H && k0 + kk < K) {
        w = params[w0 + ((rr / FWD_TJ) * H + jj) * K + k0 + kk];
      }
      w_tile[rr * pad + kk] = w;
    }
    for (var e = lid; e < FWD_TB * FWD_TK; e += FWD_THREADS) {
      let b2 = b0 + e / FWD_TK;
      let kk = e % FWD_TK;
      var v = 0.0;
      if (b2 < B && k0 + kk < K) {
        v = states[v0 + b2 * K + k0 + kk];
      }
      v_tile[(e / FWD_TK) * pad + kk] = v;
    }
    workgroupBarrier();
    if (s < FWD_SK) {
      for (var kk = s; kk < FWD_TK; kk += FWD_SK) {
        acc = fma(w_tile[r * pad + kk], v_tile[bb * pad + kk], acc);
      }
    }
    workgroupBarrier();
  }
  // Without a split the partials are the sums already: no second pass, no barrier.
  if (FWD_SK > 1u) {
    if (s < FWD_SK) {
      part[(s * rows + r) * FWD_TB + bb] = acc;
    }
    workgroupBarrier();
    if (s == 0u) {
      for (var q = 1u; q < FWD_SK; q++) {
        acc += part[(q * rows + r) * FWD_TB + bb];
      }
    }
    workgroupBarrier();
  }
  return acc;
}

// The gates and state update of unit j, sequence b at step t from the tile's recurrent sums in `part`.
fn forward_update(ly: Layer, j: u32, b: u32, t: u32, lid: u32) {
  let H = ly.H;
  if (j >= H || b >= ly.B) {
    return;
  }
  var a: array<f32, 4>;
  for (var g = 0u; g < gates(); g++) {
    a[g] = part[(g * FWD_TJ + lid / FWD_TB) * FWD_TB + lid % FWD_TB] + params[ly.off_bhh + g * H + j];
  }
  cell_update(ly, input_row(ly, j, b, t), a, j, b, t);
}

// One BPTT step at time t (dispatched for t = T−1 … 0): gathers the total gradient on h_t — from above,
// elementwise from t+1 (carry), and through W_hh from dgh_{t+1} — then produces dgx_t, dgh_t and the carry.
@compute @workgroup_size(BWD_THREADS)
fn cell_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  backward_tile(layer, wg.x, wg.y, step.t, lid);
}

// Loop tiles: step.n backward steps from step.t down, every unit tile of a step before the next (see
// cell_forward_loop); dgh_{t+1} and the carries reach step t through storageBarrier.
@compute @workgroup_size(BWD_THREADS)
fn cell_backward_loop(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tiles = (layer.H + BWD_TJ - 1u) / BWD_TJ;
  for (var i = 0u; i < step.n; i++) {
    for (var jt = 0u; jt < tiles; jt++) {
      backward_tile(layer, jt, wg.y, step.t - i, lid);
    }
    storageBarrier();
  }
}

// Unit tile jt × sequence tile bt of backward step t: dgh_{t+1}·W_hh for the tile, then each (unit,
// sequence)'s backward_update. Called in uniform control flow (it holds barriers).
fn backward_tile(ly: Layer, jt: u32, bt: u32, t: u32, lid: u32) {
  let GH = gates() * ly.H;
  let j = jt * BWD_TJ + lid % BWD_TJ;
  let b = bt * BWD_TB + (lid / BWD_TJ) % BWD_TB;
  let s = lid / (BWD_TJ * BWD_TB);
  var rec = 0.0;
  if (t + 1u != ly.T) {
    rec = backward_gemm(ly, ly.off_whh, ly.dgb + ly.dgh_off + (t + 1u) * ly.B * GH, jt, bt, lid);
  }
  if (s != 0u || j >= ly.H || b >= ly.B) {
    return;
  }
  backward_update(ly, j, b, t, dabove[ly.dab + (t * ly.B + b) * ly.H + j], rec);
}

// One GEMM of a backward tile: the tile's (BWD_TB, G·H) rows of `dg` at row0 times the tile's columns of
// the (G·H, H) weight at w0, staged in chunks of BWD_TK. The full sum of this invocation's (sequence, unit)
// on the invocations of share s = 0, added in a fixed order; a partial sum elsewhere. Uniform control flow.
fn backward_gemm(ly: Layer, w0: u32, row0: u32, jt: u32, bt: u32, lid: u32) -> f32 {
  let H = ly.H;
  let B = ly.B;
  let GH = gates() * H;
  let pad = BWD_TK + 1u;
  let jj = lid % BWD_TJ;
  let bb = (lid / BWD_TJ) % BWD_TB;
  let s = lid / (BWD_TJ * BWD_TB);
  var acc = 0.0;
  for (var i0 = 0u; i0 < GH; i0 += BWD_TK) {
    for (var e = lid; e < BWD_TB * BWD_TK; e += BWD_THREADS) {
      let b2 = bt * BWD_TB + e / BWD_TK;
      let kk = e % BWD_TK;
      var v = 0.0;
      if (b2 < B && i0 + kk < GH) {
        v = dg[row0 + b2 * GH + i0 + kk];
      }
      v_tile[(e / BWD_TK) * pad + kk] = v;
    }
    for (var e = lid; e < BWD_TK * BWD_TJ; e += BWD_THREADS) {
      let ii = i0 + e / BWD_TJ;
      let j2 = jt * BWD_TJ + e % BWD_TJ;
      var w = 0.0;
      if (ii < GH && j2 < H) {
        w = params[w0 + ii * H + j2];
      }
      w_tile[e] = w;
    }
    workgroupBarrier();
    if (s < BWD_SK) {
      for (var k = s; k < BWD_TK; k += BWD_SK) {
        acc = fma(v_tile[bb * pad + k], w_tile[k * BWD_TJ + jj], acc);
      }
    }
    workgroupBarrier();
  }
  if (BWD_SK > 1u) {
    if (s < BWD_SK) {
      part[(s * BWD_TB + bb) * BWD_TJ + jj] = acc;
    }
    workgroupBarrier();
    if (s == 0u) {
      for (var q = 1u; q < BWD_SK; q++) {
        acc += part[(q * BWD_TB + bb) * BWD_TJ + jj];
      }
    }
    workgroupBarrier();
  }
  return acc;
}

// Gradient of the learned initial state after the t = 0 step: ∂L/∂h_{−1} summed over the sequences that
// started from h0 (RESET rows; a carried state is a constant), and the carried dc for c0. One invocation
// per unit; it loops over b so the sum is ordered.
@compute @workgroup_size(WG)
fn cell_backward_init(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let H = layer.H;
  let B = layer.B;
  if (j >= H) {
    return;
  }
  let GH = gates() * H;
  var sum_h = 0.0;
  var sum_c = 0.0;
  for (var b = 0u; b < B; b++) {
    if (rows[b] != RESET) {
      continue;
    }
    var d = scratch[layer.sc + b * H + j];
    let row = layer.dgb + layer.dgh_off + b * GH;
    for (var i = 0u; i < GH; i++) {
      d = fma(dg[row + i], params[layer.off_whh + i * H + j], d);
    }
    sum_h += d;
    sum_c += scratch[layer.sc + layer.carry_c_off + b * H + j];
  }
  grads[layer.off_h0 + j] += sum_h;
  if (is_lstm()) {
    grads[layer.off_c0 + j] += sum_c;
  }
}
