// Additive (Bahdanau) attention of one decoder step, forward and backward; one workgroup per sequence b.
//   e_i = v · tanh(W_q q + k_i),  a = softmax(e),  ctx = Σ_i a_i h_i   (i < S, the encoder's steps)
// q is slot t of the layer's states (the state before decoder step t); h_i is slot i + 1; the keys
// k_i = W_k h_i (S, B, A) come from one GEMM after the encoder's steps, and ctx reaches the decoder's input
// through another (gx_t += ctx W_cᵀ). A batch's sequences share S (batches hold one source length).
// attn = align (T, B, S) | qa (T, B, A) | ctx (T, B, H); dattn = dctx (T, B, H) | dq (T, B, A) | dv (T, B, A)
// | dk (S, B, A). Backward runs after the cell's backward step t (dctx = dgx_t W_c, a GEMM) and adds the
// direct part a_i dctx of ∂L/∂h_i into `dabove`'s encoder rows; dk accumulates over the decoder's steps
// (written at t = T − 1, the first backward step) for the GEMMs that finish ∂L/∂h_i and ∂L/∂W_k.

struct Att {
  B: u32,
  H: u32,
  S: u32,
  A: u32,
  T: u32,
  off_wq: u32,
  off_v: u32,
  off_qa: u32,
  off_ctx: u32,
  off_dq: u32,
  off_dv: u32,
  off_dk: u32,
}

struct Step {
  t: u32,
}

@group(0) @binding(0) var<uniform> u: Att;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> states: array<f32>; // (2, T+1, B, H): h half first
@group(0) @binding(4) var<storage, read> keys: array<f32>; // (S, B, A)
@group(0) @binding(5) var<storage, read_write> attn: array<f32>;
@group(0) @binding(6) var<storage, read_write> dattn: array<f32>;
@group(0) @binding(7) var<storage, read_write> dabove: array<f32>; // (T, B, H)

override WG: u32 = 64u;
const MAX_A: u32 = 1024u;
const MAX_S: u32 = 256u;

var<workgroup> qa_s: array<f32, MAX_A>;
var<workgroup> e_s: array<f32, MAX_S>;
var<workgroup> d_s: array<f32, MAX_S>;

// The h of slot `slot`, unit k, sequence b.
fn h_at(slot: u32, b: u32, k: u32) -> f32 {
  return states[(slot * u.B + b) * u.H + k];
}

@compute @workgroup_size(WG)
fn attention_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let t = step.t;
  let B = u.B;
  let A = u.A;
  let S = u.S;
  let row = t * B + b;
  for (var r = lid; r < A; r += WG) {
    var s = 0.0;
    for (var k = 0u; k < u.H; k++) {
      s += params[u.off_wq + r * u.H + k] * h_at(t, b, k);
    }
    qa_s[r] = s;
    attn[u.off_qa + row * A + r] = s;
  }
  workgroupBarrier();
  for (var i = lid; i < S; i += WG) {
    var s = 0.0;
    for (var r = 0u; r < A; r++) {
      s += params[u.off_v + r] * tanh_safe(qa_s[r] + keys[(i * B + b) * A + r]);
    }
    e_s[i] = s;
  }
  workgroupBarrier();
  // S ≤ 256: each invocation finds the max and the normaliser itself rather than synchronising a reduction.
  var m = e_s[0];
  for (var i = 1u; i < S; i++) {
    m = max(m, e_s[i]);
  }
  var z = 0.0;
  for (var i = 0u; i < S; i++) {
    z += exp(e_s[i] - m);
  }
  for (var i = lid; i < S; i += WG) {
    let a = exp(e_s[i] - m) / z;
    d_s[i] = a;
    attn[row * S + i] = a;
  }
  workgroupBarrier();
  for (var k = lid; k < u.H; k += WG) {
    var s = 0.0;
    for (var i = 0u; i < S; i++) {
      s += d_s[i] * h_at(i + 1u, b, k);
    }
    attn[u.off_ctx + row * u.H + k] = s;
  }
}

@compute @workgroup_size(WG)
fn attention_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let t = step.t;
  let B = u.B;
  let H = u.H;
  let A = u.A;
  let S = u.S;
  let row = t * B + b;
  // d_s[i] = ∂L/∂a_i = dctx · h_i; e_s[i] = a_i.
  for (var i = lid; i < S; i += WG) {
    var s = 0.0;
    for (var k = 0u; k < H; k++) {
      s += dattn[row * H + k] * h_at(i + 1u, b, k);
    }
    d_s[i] = s;
    e_s[i] = attn[row * S + i];
  }
  workgroupBarrier();
  var dot = 0.0;
  for (var i = 0u; i < S; i++) {
    dot += e_s[i] * d_s[i];
  }
  workgroupBarrier();
  // d_s[i] becomes ∂L/∂e_i = a_i (∂L/∂a_i − Σ_j a_j ∂L/∂a_j).
  for (var i = lid; i < S; i += WG) {
    d_s[i] = e_s[i] * (d_s[i] - dot);
  }
  for (var x = lid; x < S * H; x += WG) {
    let i = x / H;
    let k = x % H;
    dabove[(i * B + b) * H + k] += e_s[i] * dattn[row * H + k];
  }
  workgroupBarrier();
  let first = t == u.T - 1u;
  for (var r = lid; r < A; r += WG) {
    let qa = attn[u.off_qa + row * A + r];
    let v = params[u.off_v + r];
    var dq = 0.0;
    var dv = 0.0;
    for (var i = 0u; i < S; i++) {
      let uu = tanh_safe(qa + keys[(i * B + b) * A + r]);
      let dpre = d_s[i] * v * (1.0 - uu * uu);
      dq += dpre;
      dv += d_s[i] * uu;
      let at = u.off_dk + (i * B + b) * A + r;
      dattn[at] = select(dattn[at] + dpre, dpre, first);
    }
    dattn[u.off_dq + row * A + r] = dq;
    dattn[u.off_dv + row * A + r] = dv;
  }
}
