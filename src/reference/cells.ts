// Float64 reference of one recurrent step, forward and backward side by side, for every cell type — the
// oracle for shaders/recurrent_cell.wgsl. Gate order and formulas are PyTorch's (DESIGN.md §4):
//   rnn   h' = tanh(a),                       act = [h']
//   lstm  (i, f, g, o); c' = f⊙c + i⊙g; h' = o⊙tanh(c'),   act = [i, f, g, o]
//   gru   (r, z, n); n = tanh(a_n + r⊙hn), hn = W_hn h + b_hn; h' = (1−z)⊙n + z⊙h,   act = [r, z, n, hn]
//   lstm-peephole: a_i, a_f += p_{i,f}⊙c; a_o += p_o⊙c' (Gers 2000; not in PyTorch).
import { type CellType, actCount, gateCount, isLstm } from '../core/config';

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** One layer's weights as the step sees them (views into the flat parameter vector). */
export interface CellWeights {
  /** (G·H, H) */
  whh: ArrayLike<number>;
  /** (G·H) */
  bhh: ArrayLike<number>;
  /** (3, H) peephole weights (i, f, o), lstm-peephole only. */
  peep?: ArrayLike<number>;
}

export interface StepForward {
  /** (B, H) */
  h: Float64Array;
  /** (B, H), LSTMs only (zeros otherwise) */
  c: Float64Array;
  /** (B, A·H) saved activations, A = actCount(cell) */
  act: Float64Array;
}

/**
 * Forward step for the whole batch.
 * @param gx (B, G·H) input projection x·W_ihᵀ + b_ih for this step
 * @param hPrev (B, H); cPrev (B, H) for LSTMs
 */
export function cellForwardStep(
  cell: CellType,
  B: number,
  H: number,
  gx: ArrayLike<number>,
  w: CellWeights,
  hPrev: ArrayLike<number>,
  cPrev: ArrayLike<number>,
): StepForward {
  const G = gateCount(cell);
  const A = actCount(cell);
  const h = new Float64Array(B * H);
  const c = new Float64Array(B * H);
  const act = new Float64Array(B * A * H);
  const gh = new Float64Array(G);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      for (let g = 0; g < G; g++) {
        const row = g * H + j;
        let s = w.bhh[row] as number;
        for (let k = 0; k < H; k++) s += (w.whh[row * H + k] as number) * (hPrev[b * H + k] as number);
        gh[g] = s;
      }
      const x = (g: number): number => gx[b * G * H + g * H + j] as number;
      const hp = hPrev[b * H + j] as number;
      const out = (g: number, v: number): void => {
        act[b * A * H + g * H + j] = v;
      };
      let hv: number;
      if (cell === 'rnn') {
        hv = Math.tanh(x(0) + (gh[0] as number));
        out(0, hv);
      } else if (cell === 'gru') {
        const r = sigmoid(x(0) + (gh[0] as number));
        const z = sigmoid(x(1) + (gh[1] as number));
        const hn = gh[2] as number;
        const n = Math.tanh(x(2) + r * hn);
        hv = (1 - z) * n + z * hp;
        out(0, r);
        out(1, z);
        out(2, n);
        out(3, hn);
      } else {
        const cp = cPrev[b * H + j] as number;
        const peep = (k: number): number => (w.peep ? (w.peep[k * H + j] as number) : 0);
        const i = sigmoid(x(0) + (gh[0] as number) + peep(0) * cp);
        const f = sigmoid(x(1) + (gh[1] as number) + peep(1) * cp);
        const gg = Math.tanh(x(2) + (gh[2] as number));
        const cv = f * cp + i * gg;
        const o = sigmoid(x(3) + (gh[3] as number) + peep(2) * cv);
        hv = o * Math.tanh(cv);
        c[b * H + j] = cv;
        out(0, i);
        out(1, f);
        out(2, gg);
        out(3, o);
      }
      h[b * H + j] = hv;
    }
  }
  return { h, c, act };
}

export interface StepBackward {
  /** (B, G·H) gradient w.r.t. the input-side pre-activations (for dW_ih, db_ih, dx) */
  dgx: Float64Array;
  /** (B, G·H) gradient w.r.t. the recurrent pre-activations (for dW_hh, db_hh, dh_{t−1}); ≠ dgx only for GRU */
  dgh: Float64Array;
  /** (B, H) the part of dh_{t−1} that bypasses W_hh: z⊙dh for GRU, zero otherwise */
  dhDirect: Float64Array;
  /** (B, H) dc_{t−1} for LSTMs */
  dcPrev: Float64Array;
  /** (B, 3, H) per-sample peephole gradients (i, f, o), lstm-peephole only */
  dpeep: Float64Array;
}

/**
 * Backward step for the whole batch, from the total gradient on h_t (and the carried gradient on c_t) to the
 * gate pre-activation gradients and what flows to t−1 elementwise. The W_hh part of dh_{t−1} is dgh·W_hh.
 */
export function cellBackwardStep(
  cell: CellType,
  B: number,
  H: number,
  dh: ArrayLike<number>,
  dcNext: ArrayLike<number>,
  act: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  c: ArrayLike<number>,
  peepW?: ArrayLike<number>,
): StepBackward {
  const G = gateCount(cell);
  const A = actCount(cell);
  const dgx = new Float64Array(B * G * H);
  const dgh = new Float64Array(B * G * H);
  const dhDirect = new Float64Array(B * H);
  const dcPrev = new Float64Array(B * H);
  const dpeep = new Float64Array(B * 3 * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const a = (g: number): number => act[b * A * H + g * H + j] as number;
      const d = dh[b * H + j] as number;
      const set = (g: number, vx: number, vh = vx): void => {
        dgx[b * G * H + g * H + j] = vx;
        dgh[b * G * H + g * H + j] = vh;
      };
      if (cell === 'rnn') {
        const hv = a(0);
        set(0, d * (1 - hv * hv));
      } else if (cell === 'gru') {
        const [r, z, n, hn] = [a(0), a(1), a(2), a(3)];
        const hp = hPrev[b * H + j] as number;
        const dan = d * (1 - z) * (1 - n * n);
        const dar = dan * hn * r * (1 - r);
        const daz = d * (hp - n) * z * (1 - z);
        set(0, dar);
        set(1, daz);
        set(2, dan, dan * r);
        dhDirect[b * H + j] = d * z;
      } else {
        const [i, f, g, o] = [a(0), a(1), a(2), a(3)];
        const cv = c[b * H + j] as number;
        const cp = cPrev[b * H + j] as number;
        const peep = (k: number): number => (peepW ? (peepW[k * H + j] as number) : 0);
        const tc = Math.tanh(cv);
        const dao = d * tc * o * (1 - o);
        const dc = (dcNext[b * H + j] as number) + d * o * (1 - tc * tc) + dao * peep(2);
        const dai = dc * g * i * (1 - i);
        const daf = dc * cp * f * (1 - f);
        const dag = dc * i * (1 - g * g);
        set(0, dai);
        set(1, daf);
        set(2, dag);
        set(3, dao);
        dcPrev[b * H + j] = dc * f + dai * peep(0) + daf * peep(1);
        if (cell === 'lstm-peephole') {
          dpeep[b * 3 * H + j] = dai * cp;
          dpeep[b * 3 * H + H + j] = daf * cp;
          dpeep[b * 3 * H + 2 * H + j] = dao * cv;
        }
      }
    }
  }
  if (!isLstm(cell)) dcPrev.fill(0);
  return { dgx, dgh, dhDirect, dcPrev, dpeep };
}
