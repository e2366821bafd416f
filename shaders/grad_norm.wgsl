// Gradient norms without atomics, in a fixed order (bitwise reproducible): sums of squares per chunk of a
// tensor (a workgroup per chunk), then one workgroup folds chunks into per-tensor norms, the global norm,
// the clip factor min(1, C / (‖g‖ + 1e-6)) and a non-finite flag, all written to `stats`.
// segment_norms gives ‖x‖ of equal-length segments (‖∂L/∂h_t‖ per time step).
// stats: [0] loss, [1] global norm, [2] clip scale, [3] non-finite (0/1), [4 …] per-tensor norms.

struct Params {
  count: u32, // chunks (partial_sumsq), tensors (finalize_norms) or segments (segment_norms)
  seg_len: u32,
  in_off: u32,
  out_off: u32,
  clip: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
// partial_sumsq: chunks as (start, end) pairs; finalize_norms: tensors as (first chunk, chunk count) pairs.
@group(0) @binding(1) var<storage, read> table: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;
@compute @workgroup_size(WG)
fn partial_sumsq(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let chunk = wg.y * nwg.x + wg.x;
  let lid = lid3.x;
  var s = 0.0;
  if (chunk < p.count) {
    let start = table[2u * chunk];
    let end = table[2u * chunk + 1u];
    for (var i = start + lid; i < end; i += WG) {
      let g = x[i];
      s = fma(g, g, s);
    }
  }
  red[lid] = s;
  let total = workgroup_sum(lid);
  if (lid == 0u && chunk < p.count) {
    out[p.out_off + chunk] = total;
  }
}

// One workgroup: `x` holds the partial sums; `out` is stats.
@compute @workgroup_size(WG)
fn finalize_norms(@builtin(local_invocation_id) lid3: vec3u) {
  let lid = lid3.x;
  var s = 0.0;
  if (lid < p.count) {
    let first = table[p.in_off + 2u * lid];
    let n = table[p.in_off + 2u * lid + 1u];
    for (var c = 0u; c < n; c++) {
      s += x[first + c];
    }
    out[4u + lid] = sqrt(s);
  }
  red[lid] = s;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0.0;
    for (var i = 0u; i < p.count; i++) {
      total += red[i];
    }
    let norm = sqrt(total);
    let bad = is_non_finite(total);
    out[1] = norm;
    out[2] = select(1.0, min(1.0, p.clip / (norm + 1e-6)), p.clip > 0.0);
    out[3] = select(0.0, 1.0, bad);
  }
}

// ‖x[in_off + s·seg_len … + seg_len]‖ → out[out_off + s], a workgroup per segment.
@compute @workgroup_size(WG)
fn segment_norms(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let seg = wg.x;
  let lid = lid3.x;
  var s = 0.0;
  let base = p.in_off + seg * p.seg_len;
  for (var i = lid; i < p.seg_len; i += WG) {
    let v = x[base + i];
    s = fma(v, v, s);
  }
  red[lid] = s;
  let total = workgroup_sum(lid);
  if (lid == 0u) {
    out[p.out_off + seg] = sqrt(total);
  }
}
