// Subgroup tiles (core/tiles.ts `subgroups`): forward and backward steps for small batches without
// workgroup memory or barriers. src/gpu/shaders.ts compiles this after recurrent_cell.wgsl (its bindings,
// `layer`, `step`, cell_update and backward_update) behind `enable subgroups;`, only on devices with the
// subgroups feature. One subgroup computes a unit for up to 4 sequences: its lanes stride over K reading a
// weight row coalesced (W_hh's gate rows forward; W_hhᵀ's row, transposed once per window, backward) and
// the state or gradient rows from cache, and subgroupAdd sums the lanes in the hardware's fixed order.
// Subgroups walk the workgroup's units, so any subgroup size and count covers them all.

@compute @workgroup_size(FWD_THREADS)
fn cell_forward_sg(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(subgroup_id) sid: u32,
  @builtin(num_subgroups) nsg: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) width: u32,
) {
  let H = layer.H;
  let B = layer.B;
  let G = gates();
  let t = step.t;
  let b0 = wg.y * FWD_TB;
  // Rows of h_{t−1} for the tile's sequences; a sequence past B reads the last one and is never written.
  var rows: array<u32, 4>;
  for (var bb = 0u; bb < FWD_TB; bb++) {
    rows[bb] = layer.st + (t * B + min(b0 + bb, B - 1u)) * H;
  }
  for (var u = sid; u < FWD_TJ; u += nsg) {
    let j = wg.x * FWD_TJ + u;
    if (j >= H) {
      break;
    }
    var a: array<vec4f, 4>; // a[g][bb]
    for (var g = 0u; g < G; g++) {
      let w0 = layer.off_whh + (g * H + j) * H;
      var acc = vec4f(0.0);
      for (var k = lane; k < H; k += width) {
        let w = params[w0 + k];
        for (var bb = 0u; bb < FWD_TB; bb++) {
          acc[bb] = fma(w, states[rows[bb] + k], acc[bb]);
        }
      }
      a[g] = subgroupAdd(acc) + vec4f(params[layer.off_bhh + g * H + j]);
    }
    // Lane bb applies sequence bb's update (a subgroup has at least 4 lanes).
    if (lane < FWD_TB && b0 + lane < B) {
      var pre: array<f32, 4>;
      for (var g = 0u; g < G; g++) {
        pre[g] = a[g][lane];
      }
      cell_update(layer, input_row(layer, j, b0 + lane, t), pre, j, b0 + lane, t);
    }
  }
}

// W_hh (G·H, H) → W_hhᵀ (H, G·H) in scratch at whh_t_off, before a window's subgroup backward steps: there
// the unit j's column of W_hh is a contiguous row.
@compute @workgroup_size(WG)
fn cell_transpose_whh(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let H = layer.H;
  let GH = gates() * H;
  let i = flat_index(wg, nwg, lid, WG);
  if (i >= GH * H) {
    return;
  }
  scratch[layer.sc + layer.whh_t_off + (i % H) * GH + i / H] = params[layer.off_whh + i];
}

// Backward step t: one subgroup per unit j, lanes striding over the G·H terms of dgh_{t+1}·W_hh[:, j] (a
// row of W_hhᵀ), subgroupAdd, then lane bb runs sequence bb's backward_update.
@compute @workgroup_size(BWD_THREADS)
fn cell_backward_sg(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(subgroup_id) sid: u32,
  @builtin(num_subgroups) nsg: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) width: u32,
) {
  let H = layer.H;
  let B = layer.B;
  let GH = gates() * H;
  let t = step.t;
  let last = t + 1u == layer.T;
  let b0 = wg.y * BWD_TB;
  // Rows of dgh_{t+1} for the tile's sequences (none on the last step); a sequence past B reads the last one.
  var rows: array<u32, 4>;
  for (var bb = 0u; bb < BWD_TB; bb++) {
    rows[bb] = layer.dgb + layer.dgh_off + ((t + 1u) * B + min(b0 + bb, B - 1u)) * GH;
  }
  for (var u = sid; u < BWD_TJ; u += nsg) {
    let j = wg.x * BWD_TJ + u;
    if (j >= H) {
      break;
    }
    var acc = vec4f(0.0);
    if (!last) {
      let w0 = layer.sc + layer.whh_t_off + j * GH;
      for (var k = lane; k < GH; k += width) {
        let w = scratch[w0 + k];
        for (var bb = 0u; bb < BWD_TB; bb++) {
          acc[bb] = fma(w, dg[rows[bb] + k], acc[bb]);
        }
      }
    }
    let rec = subgroupAdd(acc);
    if (lane < BWD_TB && b0 + lane < B) {
      let b = b0 + lane;
      backward_update(layer, j, b, t, dabove[layer.dab + (t * B + b) * H + j], rec[lane]);
    }
  }
}
