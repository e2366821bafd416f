// The head's input of a bidirectional model: cat (N, 2H) = [forward state; reverse state] per position n. The
// reverse direction read each sequence backwards, so position n's reverse state is row map[n] of its outputs
// (a tag: the mirrored step of the same sequence; a label: the same row, after the whole reversed sequence).
// `map` is a bijection on rows, so the backward writes every row of both gradients exactly once.

struct Params {
  N: u32,
  H: u32,
  off: u32, // first output row of each state buffer (slot 1 of (2, T+1, B, H))
  _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> fwd: array<f32>;
@group(0) @binding(2) var<storage, read> bwd: array<f32>;
@group(0) @binding(3) var<storage, read> map: array<u32>; // (N)
@group(0) @binding(4) var<storage, read_write> cat: array<f32>; // (N, 2H)
@group(0) @binding(5) var<storage, read> dcat: array<f32>; // (N, 2H)
@group(0) @binding(6) var<storage, read_write> dfwd: array<f32>; // (N, H)
@group(0) @binding(7) var<storage, read_write> dbwd: array<f32>; // (N, H)

override WG: u32 = 64u;

// grid (ceil(H / WG), N)
@compute @workgroup_size(WG)
fn concat_forward(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let n = gid.y;
  if (k >= p.H || n >= p.N) {
    return;
  }
  cat[n * 2u * p.H + k] = fwd[p.off + n * p.H + k];
  cat[n * 2u * p.H + p.H + k] = bwd[p.off + map[n] * p.H + k];
}

@compute @workgroup_size(WG)
fn concat_backward(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  let n = gid.y;
  if (k >= p.H || n >= p.N) {
    return;
  }
  dfwd[n * p.H + k] = dcat[n * 2u * p.H + k];
  dbwd[map[n] * p.H + k] = dcat[n * 2u * p.H + p.H + k];
}
