// The equations of each cell, PyTorch's forms and gate order (DESIGN.md §4), with what the cell is for.
import type { CellType } from '../../core/config';

export const CELL_NOTES: Record<CellType, { name: string; note: string; eq: string[] }> = {
  rnn: {
    name: 'Vanilla RNN',
    note: 'One tanh layer fed back on itself: the simplest memory, and the one whose gradients vanish fastest.',
    eq: ['hₜ = tanh(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh)'],
  },
  lstm: {
    name: 'LSTM',
    note: 'A cell state c with input, forget and output gates: the forget gate lets gradients flow over long gaps.',
    eq: [
      'iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi)',
      'fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf)',
      'gₜ = tanh(W_ig xₜ + b_ig + W_hg hₜ₋₁ + b_hg)',
      'oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho)',
      'cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ    hₜ = oₜ ⊙ tanh(cₜ)',
    ],
  },
  gru: {
    name: 'GRU',
    note: 'Reset and update gates, no separate cell state: nearly an LSTM’s memory with three gates instead of four. PyTorch’s z is the textbook’s 1 − z.',
    eq: [
      'rₜ = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr)',
      'zₜ = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)',
      'nₜ = tanh(W_in xₜ + b_in + rₜ ⊙ (W_hn hₜ₋₁ + b_hn))',
      'hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁',
    ],
  },
  'lstm-peephole': {
    name: 'LSTM with peepholes',
    note: 'Gates also see the cell state (Gers 2000). Unroll’s own: PyTorch has no such module, so it cannot be exported.',
    eq: [
      'iₜ = σ(W_ii xₜ + W_hi hₜ₋₁ + p_i ⊙ cₜ₋₁ + b)    fₜ = σ(… + p_f ⊙ cₜ₋₁)',
      'cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ    oₜ = σ(… + p_o ⊙ cₜ)    hₜ = oₜ ⊙ tanh(cₜ)',
    ],
  },
};

/** The gates a cell's activations hold, in PyTorch's order (an RNN has none). */
export function gateNames(cell: string | undefined): string[] {
  if (cell === 'gru') return ['r (reset)', 'z (update)', 'n (candidate)'];
  if (cell === 'rnn') return [];
  return ['i (input)', 'f (forget)', 'g (candidate)', 'o (output)'];
}
