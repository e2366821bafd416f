// Next-character distributions and sampling, one workgroup per row of logits (B rows of V).
// log_softmax_rows: temperature-scaled log-probabilities (probes, beam search).
// sample_rows: one draw per row with temperature, top-k and nucleus (top-p) filtering, from a uniform number
// given per (step, row); the token goes to the next step's input and to the output sequence, so a chunk of
// characters is generated in one submit with nothing read back in between. Greedy choices also write their
// log-probability (`chosen`: an encoder–decoder's greedy output is scored by it). Ranks break ties by index, and
// every sum runs in a fixed order, so a seed reproduces a sample exactly (reference/sampling.ts mirrors it).

struct Params {
  B: u32,
  V: u32,
  logits_off: u32, // element offset of row 0 in `logits`
  top_k: u32, // keep the k most likely (0: all)
  inv_temp: f32, // 1/τ
  top_p: f32, // keep the smallest head of mass ≥ p (≥ 1: all)
  greedy: u32, // argmax, lowest index on ties
  _pad: u32,
}

struct Step {
  s: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<uniform> step: Step;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> draws: array<f32>; // (S, B) uniform in [0, 1)
@group(0) @binding(4) var<storage, read_write> tokens: array<u32>; // (B) the next step's input
@group(0) @binding(5) var<storage, read_write> out: array<u32>; // (S, B) the sampled characters
@group(0) @binding(6) var<storage, read_write> work: array<f32>; // (B, 2V) weight | mass ranked above (−1: cut by top-k)
@group(0) @binding(7) var<storage, read_write> logp: array<f32>; // (B, V)
@group(0) @binding(8) var<storage, read_write> chosen: array<f32>; // (S, B) log-probability of each greedy token

const WG: u32 = 256u;

fn row_max(base: u32, lid: u32) -> f32 {
  var m = -3.4e38;
  for (var v = lid; v < p.V; v += WG) {
    m = max(m, logits[base + v] * p.inv_temp);
  }
  red[lid] = m;
  return workgroup_max(lid);
}

@compute @workgroup_size(WG)
fn log_softmax_rows(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let base = p.logits_off + b * p.V;
  let m = row_max(base, lid);
  var s = 0.0;
  for (var v = lid; v < p.V; v += WG) {
    s += exp(logits[base + v] * p.inv_temp - m);
  }
  red[lid] = s;
  let lse = m + log(workgroup_sum(lid));
  for (var v = lid; v < p.V; v += WG) {
    logp[b * p.V + v] = logits[base + v] * p.inv_temp - lse;
  }
}

@compute @workgroup_size(WG)
fn sample_rows(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wg.x;
  let V = p.V;
  let base = p.logits_off + b * V;
  let w0 = b * 2u * V; // weights of this row in `work`; masses follow at w0 + V
  let m = row_max(base, lid);
  if (p.greedy != 0u) {
    // Lowest index attaining the maximum (f32 holds every index below 2^24 exactly).
    var first = 3.4e38;
    for (var v = lid; v < V; v += WG) {
      if (logits[base + v] * p.inv_temp == m) {
        first = min(first, f32(v));
      }
    }
    red[lid] = -first;
    let tok = u32(-workgroup_max(lid));
    // The maximum's log-probability: m − (m + log Σ exp(x − m)).
    var z = 0.0;
    for (var v = lid; v < V; v += WG) {
      z += exp(logits[base + v] * p.inv_temp - m);
    }
    red[lid] = z;
    let lz = log(workgroup_sum(lid));
    if (lid == 0u) {
      chosen[step.s * p.B + b] = -lz;
      tokens[b] = tok;
      out[step.s * p.B + b] = tok;
    }
    return;
  }
  for (var v = lid; v < V; v += WG) {
    work[w0 + v] = exp(logits[base + v] * p.inv_temp - m);
  }
  storageBarrier();
  // Rank of v (how many come before it: larger weight, or equal weight and lower index) and the mass of
  // those; top-k cuts ranks ≥ k, top-p later cuts tokens whose mass above is already ≥ p of the kept total.
  var zk = 0.0;
  for (var v = lid; v < V; v += WG) {
    let wv = work[w0 + v];
    var rank = 0u;
    var above = 0.0;
    for (var u = 0u; u < V; u++) {
      let wu = work[w0 + u];
      if (wu > wv || (wu == wv && u < v)) {
        rank++;
        above += wu;
      }
    }
    let cut = p.top_k != 0u && rank >= p.top_k;
    work[w0 + V + v] = select(above, -1.0, cut);
    if (!cut) {
      zk += wv;
    }
  }
  red[lid] = zk;
  let z = workgroup_sum(lid);
  storageBarrier();
  if (lid != 0u) {
    return;
  }
  let limit = p.top_p * z;
  var total = 0.0;
  for (var v = 0u; v < V; v++) {
    let above = work[w0 + V + v];
    if (above >= 0.0 && (p.top_p >= 1.0 || above < limit)) {
      total += work[w0 + v];
    } else {
      work[w0 + V + v] = -1.0;
    }
  }
  let goal = draws[step.s * p.B + b] * total;
  var cum = 0.0;
  var tok = V;
  for (var v = 0u; v < V; v++) {
    if (work[w0 + V + v] >= 0.0) {
      cum += work[w0 + v];
      tok = v;
      if (cum > goal) {
        break;
      }
    }
  }
  tokens[b] = tok;
  out[step.s * p.B + b] = tok;
}
