// Subgroup tiles (core/tiles.ts `subgroups`): a forward step for small batches without workgroup memory or
// barriers. src/gpu/shaders.ts compiles this after recurrent_cell.wgsl (its bindings, `layer`, `step` and
// cell_update) behind `enable subgroups;`, only on devices with the subgroups feature. One subgroup computes
// the G gate rows of a unit for FWD_TB (≤ 4) sequences: its lanes stride over K reading W_hh's rows
// coalesced and h_{t−1} from cache, and subgroupAdd sums the lanes in the hardware's fixed order. Subgroups
// walk the workgroup's FWD_TJ units, so any subgroup size and count covers them all.

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
    rows[bb] = (t * B + min(b0 + bb, B - 1u)) * H;
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
      cell_update(pre, j, b0 + lane, t);
    }
  }
}
