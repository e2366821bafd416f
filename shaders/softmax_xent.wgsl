// Fused softmax + cross-entropy over rows of logits: per-row loss and dlogits = (softmax − onehot)/N in one
// pass (a workgroup per row, tree reductions in workgroup memory), then the mean loss by one workgroup
// summing rows in a fixed order, so the result is bitwise reproducible. A target ≥ V marks padding (the tail
// of a validation split): its loss and dlogits are 0.

struct Params {
  N: u32,
  V: u32,
  inv_n: f32,
  loss_index: u32, // where loss_mean writes the mean in `stats`
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>; // (N, V)
@group(0) @binding(2) var<storage, read> targets: array<u32>; // (N)
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>; // (N, V)
@group(0) @binding(4) var<storage, read_write> losses: array<f32>; // (N)
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

const WG: u32 = 256u;
@compute @workgroup_size(WG)
fn softmax_xent(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let row = wg.y * nwg.x + wg.x;
  let lid = lid3.x;
  // Rows past N still take part in the barriers; they just read and write nothing.
  let live = row < p.N;
  let base = row * p.V;
  var m = -3.4e38;
  if (live) {
    for (var v = lid; v < p.V; v += WG) {
      m = max(m, logits[base + v]);
    }
  }
  red[lid] = m;
  let mx = workgroup_max(lid);
  var s = 0.0;
  if (live) {
    for (var v = lid; v < p.V; v += WG) {
      s += exp(logits[base + v] - mx);
    }
  }
  red[lid] = s;
  let log_z = mx + log(workgroup_sum(lid));
  if (!live) {
    return;
  }
  let y = targets[row];
  let pad = y >= p.V;
  for (var v = lid; v < p.V; v += WG) {
    let prob = exp(logits[base + v] - log_z);
    dlogits[base + v] = select((prob - select(0.0, 1.0, v == y)) * p.inv_n, 0.0, pad);
  }
  if (lid == 0u) {
    losses[row] = select(log_z - logits[base + min(y, p.V - 1u)], 0.0, pad);
  }
}

@compute @workgroup_size(WG)
fn loss_mean(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  var s = 0.0;
  for (var r = lid; r < p.N; r += WG) {
    s += losses[r];
  }
  red[lid] = s;
  let total = workgroup_sum(lid);
  if (lid == 0u) {
    stats[p.loss_index] = total * p.inv_n;
  }
}
