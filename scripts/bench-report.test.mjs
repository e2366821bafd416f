// The report a GPU session records must say what the run measured: the right ratios, the fastest variant,
// the goal's verdict, and nothing from lines a time limit cut off.
import { describe, expect, it } from 'vitest';
import { parseLog, ratio, report } from './bench-report.mjs';

const unroll = (cell, hidden, layers, batch, seq, ms, extra = {}) =>
  JSON.stringify({
    impl: 'unroll-webgpu',
    cell,
    hidden,
    layers,
    batch,
    seq,
    vocab: 65,
    ms_per_step: ms,
    host_ms_to_submit: 0.2,
    dispatches_per_step: 549,
    model_gflop: 4.0,
    device: 'NVIDIA H200',
    gpu_ms_by_phase: { step: ms - 0.5 },
    gpu_ms_total: ms - 0.5,
    gpu_memory_mib: 131,
    tiles: 'forward 8u×8b k32/1, backward 32u×8b k32/1',
    date: '2026-12-04',
    ...extra,
  });
const torch = (cell, hidden, layers, batch, seq, eager, graph) =>
  JSON.stringify({
    impl: 'pytorch-cudnn',
    cell,
    hidden,
    layers,
    batch,
    seq,
    ms_per_step: eager,
    ms_per_step_graph: graph,
    device: 'NVIDIA H200',
    torch: '2.11.0',
  });

const log = [
  '=== torch',
  torch('lstm', 256, 2, 32, 128, 15.0, 4.5),
  torch('rnn', 256, 2, 32, 128, 2.8, 1.5),
  '=== suite-default',
  'note: something on stderr that landed here',
  unroll('lstm', 256, 2, 32, 128, 6.0),
  unroll('rnn', 256, 2, 32, 128, 3.0),
  '=== suite-wave',
  unroll('lstm', 256, 2, 32, 128, 3.75, { dispatches_per_step: 295 }),
  '{"impl":"unroll-webgpu","cell":"rnn","hid', // cut off by the step's time limit
  '=== suite-tuned',
  '{"sweep":true,"cell":"lstm","hidden":256,"batch":32,"forward_tile":"8u×8b k32/1","backward_tile":"32u×8b k32/1","forward_ms_per_step":0.02,"backward_ms_per_step":0.05,"forward_error":0,"backward_error":0}',
  '{"sweep":true,"cell":"lstm","hidden":256,"batch":32,"forward_tile":"4u×8b k32/4","backward_tile":"16u×8b k128/8","forward_ms_per_step":0.012,"backward_ms_per_step":0.03,"forward_error":2e-7,"backward_error":3e-7}',
  '{"sweep":true,"cell":"lstm","hidden":256,"batch":32,"forward_tile":"8u×4b subgroups ×32","backward_tile":"8u×4b subgroups ×32","forward_ms_per_step":0.005,"backward_ms_per_step":0.01,"forward_error":0.41,"backward_error":0.5}',
  '{"sweep":true,"cell":"lstm","hidden":256,"batch":32,"wave_ms_per_step":0.06,"layer_by_layer_ms_per_step":0.084,"wave_error":0.25}',
  unroll('lstm', 256, 2, 32, 128, 4.5, { tiles: 'forward 4u×8b k32/4, backward 16u×8b k128/8, wavefront' }),
  '=== phases',
  unroll('lstm', 256, 2, 32, 128, 6.1, {
    gpu_ms_by_phase: { forward: 1, loss: 0.1, backward: 2, weight_grads: 0.3, optimizer: 0.05 },
  }),
  '=== decode',
  '{"impl":"unroll-webgpu","decode":true,"decoder":"chain","cell":"lstm","hidden":256,"layers":1,"batch":32,"window":19,"examples":40,"tokens":215,"decode_ms":2.5,"tokens_per_s":86000}',
  '{"impl":"unroll-webgpu","decode":true,"decoder":"step","cell":"lstm","hidden":256,"layers":1,"batch":32,"window":19,"examples":40,"tokens":215,"decode_ms":12.5,"tokens_per_s":17200}',
  '{"impl":"unroll-webgpu","decode":true,"decoder":"window","cell":"lstm","hidden":256,"layers":1,"batch":32,"window":19,"examples":40,"tokens":215,"decode_ms":50,"tokens_per_s":4300,"same_outputs":true}',
  '=== quality',
  '{"quality":1.55,"step":500,"train_s":9.1,"val_loss":1.549}',
  '{"impl":"unroll-webgpu","quality":true,"steps":1500,"best_val_loss":1.48,"ms_per_step":18.2,"tiles":"t"}',
].join('\n');

describe('bench report', () => {
  it('reads JSON lines per section and drops cut-off lines', () => {
    const s = parseLog(log);
    expect(s.get('suite-default')).toHaveLength(2);
    expect(s.get('suite-wave')).toHaveLength(1);
    expect(s.get('suite-tuned')).toHaveLength(5);
  });

  it('states ratios as PyTorch time over ours, faster or slower', () => {
    expect(ratio(3, 6)).toBe('**2.00× faster**');
    expect(ratio(6, 3)).toBe('2.00× slower');
    expect(ratio(6, undefined)).toBe('—');
  });

  it('compares the fastest variant with both PyTorch timings and the goal', () => {
    const md = report(
      log,
      'NVIDIA H200, 580.159.04\ntorch: exit 0 in 40 s (limit 75)\nsuite-wave: exit 124 in 75 s (limit 75)',
    );
    const row = md.split('\n').find((l) => l.startsWith('| LSTM 2×256 B32 T128 | 3.750'));
    expect(row).toBeDefined();
    expect(row).toContain('| wavefront |');
    expect(row).toContain('**4.00× faster**'); // 15 / 3.75
    expect(row).toContain('**1.20× faster**'); // 4.5 / 3.75 against the graph
    expect(row).toContain('1067'); // 4 GFLOP in 3.75 ms
    expect(row).toContain('≤ 4 (met)');
    const rnn = md.split('\n').find((l) => l.startsWith('| RNN 2×256 B32 T128 | 3.000'));
    expect(rnn).toContain('≤ 1.6 (not met)');
    expect(rnn).toContain('1.07× slower'); // 3.0 against 2.8 eager
    expect(rnn).toContain('2.00× slower'); // 3.0 against 1.5 in the graph
    // Every variant with its dispatches; the cut-off wave line leaves RNN's wave cell empty.
    expect(md).toContain(
      '| LSTM 2×256 B32 T128 | 6.000 (549) | 3.750 (295) | 4.500 (549) | 6.100 (549) | — |',
    );
    expect(md).toContain('| RNN 2×256 B32 T128 | 3.000 (549) | — | — | — | — |');
    // Phase times where the passes were per phase, else the one pass.
    expect(md).toContain(
      '| LSTM 2×256 B32 T128 | pass per phase | 6.100 | 5.600 | 1.000 / 0.100 / 2.000 / 0.300 / 0.050 |',
    );
    expect(md).toContain('| LSTM 2×256 B32 T128 | wavefront | 3.750 | 3.250 | one pass |');
    // The tuner: fastest tiles against the default (first line), and the wavefront's two times.
    expect(md).toContain('4u×8b k32/4 12.0 (default 20.0)');
    expect(md).toContain('16u×8b k128/8 30.0 (default 50.0)');
    expect(md).toContain('60.0 vs 84.0 (gradients 0.25 off: not chosen)');
    // A candidate that disagreed with the default on the GPU is named, and never the fastest.
    expect(md).toContain('8u×4b subgroups ×32/8u×4b subgroups ×32 (0.41, 0.5)');
    expect(md).toContain('| 1.55 | 500 | 9.10 | 8.7 |');
    expect(md).toContain(
      '| argmax on the GPU, one submit per batch | LSTM 1×256 B32 T19 | 40 | 215 | 2.50 | 86000 |  |',
    );
    expect(md).toContain(
      '| a step per token (carried state) | LSTM 1×256 B32 T19 | 40 | 215 | 12.50 | 17200 |  |',
    );
    expect(md).toContain('| window re-run per token | LSTM 1×256 B32 T19 | 40 | 215 | 50.00 | 4300 | yes |');
    expect(md).toContain('- suite-wave: exit 124 in 75 s (limit 75)');
    expect(md).toContain('### 2026-12-04 — NVIDIA H200 (driver 580.159.04), Dawn on Vulkan');
    expect(report(log)).toContain('### 2026-12-04 — NVIDIA H200, Dawn'); // no summary: the bench's device
  });
});
