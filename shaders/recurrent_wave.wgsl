// Layer wavefront (engine/plan.ts `wave`): one dispatch advances a whole stack. Its workgroups play 2L − 1
// roles (grid z): role 2l is layer l's step, role 2l ± 1 the projection between layers l and l ± 1 —
// forward gx_t of layer l + 1 = h_t of layer l through W_ihᵀ + b_ih, backward dabove_t of layer l = dgx_t of
// layer l + 1 through that layer's W_ih. Each role runs one step behind the role it reads, so every
// dispatch reads only what the one before wrote: a window takes T + 2L − 2 dispatches each way instead of
// L·T, a dispatch lasts one GEMM tile (not two), and all roles' workgroups share the GPU at once. A role
// outside its range at s (the wave's head and tail) returns at once. src/gpu/shaders.ts compiles this after
// recurrent_cell.wgsl (tiles, GEMMs and updates are that file's). Step record s is (s, 2L − 1).

@group(0) @binding(11) var<uniform> waves: array<Layer, 4>; // core/config.ts MAX_LAYERS

// Forward, role r runs step t = s − r: role 2l is layer l's step; role 2l − 1 projects into layer l.
@compute @workgroup_size(FWD_THREADS)
fn cell_forward_wave(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  let s = step.t;
  let ly = waves[(r + 1u) / 2u];
  if (s < r || s - r >= ly.T) {
    return;
  }
  if (r % 2u == 0u) {
    forward_tile(ly, wg.x, wg.y, s - r, lid);
  } else {
    project_forward(ly, wg.x, wg.y, s - r, lid);
  }
}

// Backward, role r runs the (s − lag)-th step from the end, lag = 2L − 2 − r: the top layer's first; role
// 2l is layer l's step, role 2l + 1 projects into layer l from layer l + 1.
@compute @workgroup_size(BWD_THREADS)
fn cell_backward_wave(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wg.z;
  let lag = step.n - 1u - r;
  let s = step.t;
  let ly = waves[r / 2u];
  if (s < lag || s - lag >= ly.T) {
    return;
  }
  let t = ly.T - 1u - (s - lag);
  if (r % 2u == 0u) {
    backward_tile(ly, wg.x, wg.y, t, lid);
  } else {
    project_backward(ly, wg.x, wg.y, t, lid);
  }
}

// gx_t of layer ly (its region at gxb) = h_t of the layer below (slot t + 1 of its states) · W_ihᵀ + b_ih,
// for the forward tile's gate rows and sequences.
fn project_forward(ly: Layer, jt: u32, bt: u32, t: u32, lid: u32) {
  let H = ly.H;
  let B = ly.B;
  let sum = forward_gemm(ly, ly.off_wih, ly.below + (t + 1u) * B * H, H, jt, bt, lid);
  let rows = gates() * FWD_TJ;
  let r = (lid / FWD_TB) % rows;
  let g = r / FWD_TJ;
  let j = jt * FWD_TJ + r % FWD_TJ;
  let b = bt * FWD_TB + lid % FWD_TB;
  if (lid / (FWD_TB * rows) == 0u && j < H && b < B) {
    gx[ly.gxb + (t * B + b) * gates() * H + g * H + j] = sum + params[ly.off_bih + g * H + j];
  }
}

// dabove_t of layer ly (its region at dab) = dgx_t of the layer above · that layer's W_ih, for the
// backward tile's units and sequences.
fn project_backward(ly: Layer, jt: u32, bt: u32, t: u32, lid: u32) {
  let H = ly.H;
  let B = ly.B;
  let d = backward_gemm(ly, ly.above_wih, ly.above_dg + t * B * gates() * H, jt, bt, lid);
  let j = jt * BWD_TJ + lid % BWD_TJ;
  let b = bt * BWD_TB + (lid / BWD_TJ) % BWD_TB;
  if (lid / (BWD_TJ * BWD_TB) == 0u && j < H && b < B) {
    dabove[ly.dab + (t * B + b) * H + j] = d;
  }
}
