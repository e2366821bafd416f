// Clip-and-update in one pass over the flat parameter buffer (override OPTIMIZER: 0 SGD with momentum,
// 1 RMSProp, 2 Adam), PyTorch's formulas. The clip factor and the non-finite flag come from `stats`
// (written by grad_norm.wgsl in the same submit); when the gradient is not finite nothing is updated, so a
// diverging step never corrupts the parameters or the optimiser state.

struct Params {
  n: u32,
  _pad: u32,
  lr: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  bc1: f32, // 1 − β1^step
  bc2: f32, // 1 − β2^step
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;

override OPTIMIZER: u32 = 2u;
const WG: u32 = 256u;

@compute @workgroup_size(WG)
fn optimizer_step(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = flat_index(wg, nwg, lid, WG);
  if (i >= p.n || stats[3] != 0.0) {
    return;
  }
  let w = params[i];
  let g = grads[i] * stats[2] + p.weight_decay * w;
  if (OPTIMIZER == 0u) {
    let mi = p.momentum * m[i] + g;
    m[i] = mi;
    params[i] = w - p.lr * mi;
  } else if (OPTIMIZER == 1u) {
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    v[i] = vi;
    params[i] = w - p.lr * g / (sqrt(vi) + p.eps);
  } else {
    let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = w - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps);
  }
}
