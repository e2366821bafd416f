// Layer wavefront (engine/plan.ts `wave`): one dispatch advances every layer of a stack by a step, layer l
// forward at t = s − l (it reads the h_t the layer below wrote one dispatch earlier), backward at
// t = T − 1 − s + (L − 1 − l) (it reads the dgx_t the layer above wrote one dispatch earlier), so a window
// takes T + L − 1 dispatches each way instead of L·T, and each carries every layer's workgroups. A layer
// outside its range at s (the wave's head and tail) returns at once. src/gpu/shaders.ts compiles this after
// recurrent_cell.wgsl: the tiles and updates are that file's, with the fused input projection (WAVE_IN)
// and gradient from above (WAVE_UP) switched on by each layer's uniform block. Step record s is (s, L).

@group(0) @binding(11) var<uniform> waves: array<Layer, 4>; // core/config.ts MAX_LAYERS

@compute @workgroup_size(FWD_THREADS)
fn cell_forward_wave(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ly = waves[wg.z];
  let s = step.t;
  if (s < wg.z || s - wg.z >= ly.T) {
    return;
  }
  forward_tile(ly, wg.x, wg.y, s - wg.z, lid);
}

@compute @workgroup_size(BWD_THREADS)
fn cell_backward_wave(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let ly = waves[wg.z];
  let lag = step.n - 1u - wg.z;
  let s = step.t;
  if (s < lag || s - lag >= ly.T) {
    return;
  }
  backward_tile(ly, wg.x, wg.y, ly.T - 1u - (s - lag), lid);
}
