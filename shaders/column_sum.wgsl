// Column sums of a row-major (R, C) matrix accumulated into a vector: bias and peephole gradients summed over
// all T·B positions. Two ordered passes, no atomics (bitwise reproducible): colsum_partial sums chunks of
// ROWS_PER_CHUNK rows per column (neighbouring invocations read neighbouring columns: coalesced), then
// colsum_final adds the chunk sums of each column in order into out[out_off + c].

struct Params {
  R: u32,
  C: u32,
  in_off: u32,
  out_off: u32,
  chunks: u32, // ceil(R / ROWS_PER_CHUNK)
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>; // (chunks, C)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 64u;
const ROWS_PER_CHUNK: u32 = 128u;

// Grid (ceil(C / WG), chunks).
@compute @workgroup_size(WG)
fn colsum_partial(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let chunk = gid.y;
  if (c >= p.C) {
    return;
  }
  let r0 = chunk * ROWS_PER_CHUNK;
  let r1 = min(p.R, r0 + ROWS_PER_CHUNK);
  var s = 0.0;
  for (var r = r0; r < r1; r++) {
    s += x[p.in_off + r * p.C + c];
  }
  partials[chunk * p.C + c] = s;
}

// Grid (ceil(C / WG)).
@compute @workgroup_size(WG)
fn colsum_final(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= p.C) {
    return;
  }
  var s = 0.0;
  for (var k = 0u; k < p.chunks; k++) {
    s += partials[k * p.C + c];
  }
  out[p.out_off + c] += s;
}
