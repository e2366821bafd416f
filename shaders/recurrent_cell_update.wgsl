// The cell math of recurrent_cell.wgsl's steps, for every cell type (override CELL): the gate
// nonlinearities and state update of one (unit, sequence) forward, and its backward. src/gpu/shaders.ts
// compiles this with recurrent_cell.wgsl (its bindings, `Layer`, gates() and acts()); the tiles, GEMMs and
// entry points there only gather the sums these take. No bindings, no entry points.

// Peephole weights (i, f, o) of unit j; zero for cells without peepholes.
fn peepholes(ly: Layer, j: u32) -> vec3f {
  if (CELL != 3u) {
    return vec3f(0.0);
  }
  let H = ly.H;
  return vec3f(params[ly.off_peep + j], params[ly.off_peep + H + j], params[ly.off_peep + 2u * H + j]);
}

// The input pre-activations x_t·W_ihᵀ + b_ih of unit j, sequence b at step t per gate, from gx.
fn input_row(ly: Layer, j: u32, b: u32, t: u32) -> array<f32, 4> {
  var x: array<f32, 4>;
  let at = ly.gxb + (t * ly.B + b) * gates() * ly.H + j;
  for (var g = 0u; g < gates(); g++) {
    x[g] = gx[at + g * ly.H];
  }
  return x;
}

// The gates and state update of unit j (< H), sequence b (< B) at step t, given its input pre-activations
// x_t·W_ihᵀ + b_ih and its recurrent pre-activations h_{t−1}·W_hhᵀ + b_hh per gate.
fn cell_update(ly: Layer, x: array<f32, 4>, a: array<f32, 4>, j: u32, b: u32, t: u32) {
  let H = ly.H;
  let B = ly.B;
  let h_prev = ly.st + (t * B + b) * H; // row of h_{t−1} in states
  let out = ly.ac + (t * B + b) * acts() * H + j;
  let hp = states[h_prev + j];
  let next = ly.st + ((t + 1u) * B + b) * H + j;
  var h: f32;
  if (CELL == 0u) {
    h = tanh_safe(x[0] + a[0]);
    act[out] = h;
  } else if (CELL == 2u) {
    let r = sigmoid(x[0] + a[0]);
    let z = sigmoid(x[1] + a[1]);
    let hn = a[2];
    let n = tanh_safe(x[2] + r * hn);
    h = (1.0 - z) * n + z * hp;
    act[out] = r;
    act[out + H] = z;
    act[out + 2u * H] = n;
    act[out + 3u * H] = hn;
  } else {
    let cp = states[ly.c_off + h_prev + j];
    let p = peepholes(ly, j);
    let pi = p.x;
    let pf = p.y;
    let po = p.z;
    let i = sigmoid(x[0] + a[0] + pi * cp);
    let f = sigmoid(x[1] + a[1] + pf * cp);
    let g = tanh_safe(x[2] + a[2]);
    let c = f * cp + i * g;
    let o = sigmoid(x[3] + a[3] + po * c);
    h = o * tanh_safe(c);
    states[ly.c_off + next] = c;
    act[out] = i;
    act[out + H] = f;
    act[out + 2u * H] = g;
    act[out + 3u * H] = o;
  }
  states[next] = h;
}

// The backward of unit j (< H), sequence b (< B) at step t, given its recurrent gradient dgh_{t+1}·W_hh
// (0 on the window's last step) and the gradient from above: the total gradient on h_t, then dgx_t, dgh_t
// and the carries.
fn backward_update(ly: Layer, j: u32, b: u32, t: u32, from_above: f32, rec: f32) {
  let H = ly.H;
  let B = ly.B;
  let GH = gates() * H;
  let last = t + 1u == ly.T;
  let bj = ly.sc + b * H + j;
  var dh = from_above + rec;
  var dc_next = 0.0;
  if (!last) {
    dh += scratch[bj];
    dc_next = scratch[ly.carry_c_off + bj];
  }
  scratch[ly.sc + ly.dh_full_off + (t * B + b) * H + j] = dh;
  let a = ly.ac + (t * B + b) * acts() * H + j;
  let o_x = ly.dgb + (t * B + b) * GH + j; // gate 0 of unit j in dgx
  let o_h = ly.dgh_off + o_x;
  var dh_direct = 0.0;
  var dc_prev = 0.0;
  if (CELL == 0u) {
    let h = act[a];
    let da = dh * (1.0 - h * h);
    dg[o_x] = da;
    dg[o_h] = da;
  } else if (CELL == 2u) {
    let r = act[a];
    let z = act[a + H];
    let n = act[a + 2u * H];
    let hn = act[a + 3u * H];
    let hp = states[ly.st + (t * B + b) * H + j];
    let dan = dh * (1.0 - z) * (1.0 - n * n);
    let dar = dan * hn * r * (1.0 - r);
    let daz = dh * (hp - n) * z * (1.0 - z);
    dg[o_x] = dar;
    dg[o_x + H] = daz;
    dg[o_x + 2u * H] = dan;
    dg[o_h] = dar;
    dg[o_h + H] = daz;
    dg[o_h + 2u * H] = dan * r;
    dh_direct = dh * z;
  } else {
    let i = act[a];
    let f = act[a + H];
    let g = act[a + 2u * H];
    let o = act[a + 3u * H];
    let c = states[ly.st + ly.c_off + ((t + 1u) * B + b) * H + j];
    let cp = states[ly.st + ly.c_off + (t * B + b) * H + j];
    let p = peepholes(ly, j);
    let pi = p.x;
    let pf = p.y;
    let po = p.z;
    let tc = tanh_safe(c);
    let dao = dh * tc * o * (1.0 - o);
    let dc = dc_next + dh * o * (1.0 - tc * tc) + dao * po;
    let dai = dc * g * i * (1.0 - i);
    let daf = dc * cp * f * (1.0 - f);
    let dag = dc * i * (1.0 - g * g);
    dg[o_x] = dai;
    dg[o_x + H] = daf;
    dg[o_x + 2u * H] = dag;
    dg[o_x + 3u * H] = dao;
    dg[o_h] = dai;
    dg[o_h + H] = daf;
    dg[o_h + 2u * H] = dag;
    dg[o_h + 3u * H] = dao;
    dc_prev = dc * f + dai * pi + daf * pf;
    if (CELL == 3u) {
      let q = ly.sc + ly.dpeep_off + (t * B + b) * 3u * H + j;
      scratch[q] = dai * cp;
      scratch[q + H] = daf * cp;
      scratch[q + 2u * H] = dao * c;
    }
  }
  scratch[bj] = dh_direct;
  scratch[ly.carry_c_off + bj] = dc_prev;
}
