// Helpers shared by the kernels; src/gpu/shaders.ts prepends this file to every shader that uses it, so it
// declares no bindings and no entry points.

// Logistic sigmoid; exp(−x) overflowing to +inf for very negative x still yields exactly 0.
fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// tanh that stays finite for any input: some drivers evaluate tanh as a ratio of exponentials that turns
// into inf/inf = NaN for |x| above ~44. tanh(±15) already rounds to ±1 in f32.
fn tanh_safe(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

// NaN or ±inf, read from the bits so no compiler's fast-math can fold the test away.
fn is_non_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u;
}

// A flat invocation index over a 2D grid of 1D workgroups of size `wg_size`, for element counts that need
// more than 65 535 workgroups in x.
fn flat_index(wg: vec3u, num_wg: vec3u, lid: vec3u, wg_size: u32) -> u32 {
  return (wg.y * num_wg.x + wg.x) * wg_size + lid.x;
}

// Tree reductions over a 256-invocation workgroup through `red` (only modules that call these allocate it).
// Every invocation must call them (they contain barriers) after writing its own value to red[lid].
const RED_SIZE: u32 = 256u;
var<workgroup> red: array<f32, 256>;

fn workgroup_sum(lid: u32) -> f32 {
  for (var s = RED_SIZE / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) {
      red[lid] += red[lid + s];
    }
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn workgroup_max(lid: u32) -> f32 {
  for (var s = RED_SIZE / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) {
      red[lid] = max(red[lid], red[lid + s]);
    }
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}
