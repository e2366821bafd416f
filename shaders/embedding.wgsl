// Embedding lookup and its gradient. The gradient is deterministic without float atomics: each invocation
// owns one (vocabulary row v, column e) and walks all positions in order, adding those whose token is v
// (the token read is uniform across the workgroup, which shares v).

struct Params {
  N: u32, // positions T·B
  E: u32,
  V: u32,
  off_table: u32, // embedding.weight in params / grads
  first: u32, // the call covers positions [first, first + N): an encoder–decoder window has one call per stack
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> tokens: array<u32>; // (N)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // (N, E)
@group(0) @binding(4) var<storage, read> dout: array<f32>; // (N, E)
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;

override WG: u32 = 64u;

// out[n, :] = table[tokens[n], :]; grid (ceil(E / WG), N).
@compute @workgroup_size(WG)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x;
  let i = gid.y + gid.z * nwg.y;
  if (e >= p.E || i >= p.N) {
    return;
  }
  let n = p.first + i;
  let v = min(tokens[n], p.V - 1u);
  out[n * p.E + e] = params[p.off_table + v * p.E + e];
}

// grads[table][v, :] += Σ_{n: tokens[n] = v} dout[n, :]; grid (ceil(E / WG), V).
@compute @workgroup_size(WG)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3u) {
  let e = gid.x;
  let v = gid.y;
  if (e >= p.E) {
    return;
  }
  var s = 0.0;
  for (var n = p.first; n < p.first + p.N; n++) {
    if (tokens[n] == v) {
      s += dout[n * p.E + e];
    }
  }
  grads[p.off_table + v * p.E + e] += s;
}
