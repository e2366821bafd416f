// Turns what scripts/gpu-run-all.sh brought back from the GPU machine (log.txt: one `=== step` header per
// step, then the JSON lines torch_rnn.py and the benchmark print; summary.txt: each step's exit status) into
// the Markdown section docs/BENCHMARKS.md records: Unroll against PyTorch eager and CUDA graph in the same run
// (both ratios, achieved GFLOP/s, issue 8's goal), every variant the script ran (default tiles, wavefront,
// tuned, recorded at each step), the per-phase GPU breakdown, the tuner's choices, time to quality and
// greedy decoding both ways.
// A GPU session has 15 minutes of device time and this turns its output into the record without hand copying.
// Usage: node scripts/bench-report.mjs DIR   (DIR holds log.txt and summary.txt; prints Markdown)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Issue 8's goal and stretch per configuration, ms per step (PyTorch CUDA graph on the H100: 0.61 … 16.97). */
export const GOALS = {
  'LSTM 1×128 B32 T64': [1.0, 0.6],
  'LSTM 2×256 B32 T128': [4, 2.5],
  'LSTM 2×512 B32 T128': [8, 5],
  'LSTM 2×512 B1 T128': [3, 1.5],
  'LSTM 1×1024 B64 T128': [21, 17],
  'GRU 2×512 B32 T128': [6.5, 4],
  'RNN 2×256 B32 T128': [1.6, 1.0],
  'LSTM 1×256 B1 T64': [1, 0.5],
};

/** The variants gpu-run-all.sh runs, in its order: section name → column title. */
const VARIANTS = {
  'suite-default': 'default tiles',
  'suite-wave': 'wavefront',
  'suite-tuned': 'tuned',
  phases: 'pass per phase',
  'suite-at-step': 'recorded at step',
};

export const configName = (r) => `${r.cell.toUpperCase()} ${r.layers}×${r.hidden} B${r.batch} T${r.seq}`;

/** The log's sections: name → the JSON objects printed in it (other lines, notes and errors, are skipped). */
export function parseLog(text) {
  const sections = new Map();
  let current = null;
  for (const line of text.split('\n')) {
    const header = /^=== (\S+)/.exec(line);
    if (header) {
      current = header[1];
      if (!sections.has(current)) sections.set(current, []);
    } else if (current && line.startsWith('{')) {
      try {
        sections.get(current).push(JSON.parse(line));
      } catch {
        // a line cut off by the step's time limit
      }
    }
  }
  return sections;
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** "1.8× slower" / "1.3× faster": PyTorch's time over ours. */
export function ratio(ours, theirs) {
  if (!(ours > 0) || !(theirs > 0)) return '—';
  const r = theirs / ours;
  return r >= 1 ? `**${r.toFixed(2)}× faster**` : `${(1 / r).toFixed(2)}× slower`;
}

const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** The fastest variant's line per configuration, and every variant's line. */
function unrollRuns(sections) {
  const byConfig = new Map();
  for (const [section, title] of Object.entries(VARIANTS))
    for (const r of sections.get(section) ?? []) {
      if (r.impl !== 'unroll-webgpu' || r.sweep || !Number.isFinite(r.ms_per_step)) continue;
      const name = configName(r);
      if (!byConfig.has(name)) byConfig.set(name, {});
      byConfig.get(name)[title] = r;
    }
  return byConfig;
}

export function report(logText, summaryText = '') {
  const sections = parseLog(logText);
  const torch = new Map(
    (sections.get('torch') ?? []).filter((r) => r.impl === 'pytorch-cudnn').map((r) => [configName(r), r]),
  );
  const runs = unrollRuns(sections);
  const any = [...runs.values()].flatMap((v) => Object.values(v))[0];
  const out = [];
  const t0 = [...torch.values()][0];
  // nvidia-smi's "name, driver" line opens summary.txt; the steps' "name: exit …" lines follow.
  const gpu = summaryText.split('\n').find((l) => /^[^:,]+, [\d.]+$/.test(l.trim()));
  const [gpuName, driver] = gpu ? gpu.split(',').map((x) => x.trim()) : [];
  const device = gpu ? `${gpuName} (driver ${driver})` : any?.device;
  out.push(
    `### ${any?.date ?? 'date unknown'} — ${device ?? 'device unknown'}, Dawn on Vulkan, fp32, V 65, Adam, clip 5`,
    '',
    'Command: `bash scripts/gpu-prepare.sh`, then in one device call `source .gpu-kit/setup.sh && bash ' +
      '.bench/gpu-run-all.sh`; tables by `node scripts/bench-report.mjs DIR`' +
      (t0
        ? ` (PyTorch ${t0.torch} on ${t0.device}, TF32 off, same run).`
        : ' (no PyTorch figures in this run).'),
    '',
  );

  // 1. Against PyTorch: the fastest variant per configuration.
  const rows = [];
  for (const [name, variants] of runs) {
    const [how, best] = Object.entries(variants).sort((a, b) => a[1].ms_per_step - b[1].ms_per_step)[0];
    const t = torch.get(name);
    const goal = GOALS[name];
    const met = goal
      ? best.ms_per_step <= goal[1]
        ? 'stretch met'
        : best.ms_per_step <= goal[0]
          ? 'met'
          : 'not met'
      : '';
    rows.push([
      name,
      fmt(best.ms_per_step, 3),
      how === 'tuned' ? `tuned (${best.tiles})` : how,
      fmt(t?.ms_per_step, 3),
      fmt(t?.ms_per_step_graph, 3),
      ratio(best.ms_per_step, t?.ms_per_step),
      ratio(best.ms_per_step, t?.ms_per_step_graph),
      fmt(best.model_gflop / (best.ms_per_step / 1e3), 0),
      goal ? `≤ ${goal[0]} (${met})` : '—',
    ]);
  }
  out.push(
    table(
      [
        'config',
        'Unroll ms/step',
        'fastest variant',
        'PyTorch eager',
        'PyTorch graph',
        'vs eager',
        'vs graph',
        'GFLOP/s',
        'goal ms',
      ],
      rows,
    ),
    '',
  );

  // 2. Every variant: what the wavefront, the tuner and recording ahead each buy.
  const titles = Object.values(VARIANTS);
  out.push(
    table(
      ['config', ...titles.map((t) => `${t} ms (dispatches)`)],
      [...runs].map(([name, v]) => [
        name,
        ...titles.map((t) => (v[t] ? `${fmt(v[t].ms_per_step, 3)} (${v[t].dispatches_per_step})` : '—')),
      ]),
    ),
    '',
  );

  // 3. Where the time goes: GPU timestamps per phase, host time before the submit, memory.
  const phases = ['forward', 'loss', 'backward', 'weight_grads', 'optimizer'];
  const phaseRows = [];
  for (const [name, v] of runs)
    for (const [title, r] of Object.entries(v)) {
      if (title === 'recorded at step') continue;
      const p = r.gpu_ms_by_phase ?? {};
      phaseRows.push([
        name,
        title,
        fmt(r.ms_per_step, 3),
        fmt(r.gpu_ms_total, 3),
        'forward' in p ? phases.map((k) => fmt(p[k], 3)).join(' / ') : 'one pass',
        fmt(r.host_ms_to_submit, 3),
        fmt(r.gpu_memory_mib, 0),
      ]);
    }
  out.push(
    table(
      [
        'config',
        'variant',
        'ms/step',
        'GPU ms',
        'fwd / loss / bwd / wgrad / opt ms',
        'host ms to submit',
        'MiB',
      ],
      phaseRows,
    ),
    '',
  );

  // 4. The tuner: per configuration the fastest candidate each way against the default, and the wavefront.
  const sweep = (sections.get('suite-tuned') ?? []).filter((r) => r.sweep);
  if (sweep.length) {
    const shapeOf = (r) => `${r.cell.toUpperCase()} H${r.hidden} B${r.batch}`; // what the tuner tunes
    const tunerRows = [...new Set(sweep.map(shapeOf))].map((key) => {
      const lines = sweep.filter((r) => shapeOf(r) === key);
      const tiles = lines.filter((r) => r.forward_tile);
      // Candidates whose outputs differed from the default tile's on the GPU were never a choice (the tuner's
      // rule: a backward counts only where its forward agreed too). Lines from before the check all count.
      const ok = (e) => !(e > 1e-3);
      const agrees = (r, k) => ok(r.forward_error) && (k === 'forward' || ok(r.backward_error));
      const bad = tiles.filter((r) => !agrees(r, 'backward'));
      const fastest = (k) =>
        tiles.filter((r) => agrees(r, k)).sort((a, b) => a[`${k}_ms_per_step`] - b[`${k}_ms_per_step`])[0];
      const first = tiles[0]; // the tuner times DEFAULT_TILES first
      const f = fastest('forward');
      const b = fastest('backward');
      const w = lines.find((r) => 'wave_ms_per_step' in r);
      const us = (x) => fmt(x * 1e3, 1);
      const worst = Math.max(0, ...tiles.map((r) => Math.max(r.forward_error ?? 0, r.backward_error ?? 0)));
      return [
        key,
        `${f?.forward_tile} ${us(f?.forward_ms_per_step)} (default ${us(first?.forward_ms_per_step)})`,
        `${b?.backward_tile} ${us(b?.backward_ms_per_step)} (default ${us(first?.backward_ms_per_step)})`,
        w
          ? `${us(w.wave_ms_per_step)} vs ${us(w.layer_by_layer_ms_per_step)}` +
            (w.wave_error > 1e-3 ? ` (gradients ${w.wave_error} off: not chosen)` : '')
          : '—',
        String(tiles.length),
        bad.length
          ? bad
              .map((r) => `${r.forward_tile}/${r.backward_tile} (${r.forward_error}, ${r.backward_error})`)
              .join('; ')
          : `none (largest difference ${worst.toPrecision(2)})`,
      ];
    });
    out.push(
      table(
        [
          'shape',
          'fastest forward tile, µs/step',
          'fastest backward tile, µs/step',
          'wavefront vs layer by layer, µs/step (2 layers)',
          'candidates',
          'disagreeing with the default (forward, backward error)',
        ],
        tunerRows,
      ),
      '',
    );
  }

  // 5. Time to quality (issue 4's model on tinyshakespeare) against PyTorch eager on the H100.
  const quality = (sections.get('quality') ?? []).find((r) => r.quality === true);
  const reachedLines = (sections.get('quality') ?? []).filter((r) => typeof r.quality === 'number');
  if (quality || reachedLines.length) {
    const pytorch = { 1.55: 8.7, '1.50': 15.6 };
    out.push(
      table(
        ['validation loss', 'step', 'train s', 'PyTorch eager s (H100)'],
        reachedLines.map((r) => [
          fmt(r.quality),
          String(r.step),
          fmt(r.train_s),
          pytorch[fmt(r.quality)] ?? '—',
        ]),
      ),
      '',
    );
    if (quality)
      out.push(
        `Quality run: ${quality.steps} steps, best validation ${quality.best_val_loss}, ${quality.ms_per_step} ms/step, tiles ${quality.tiles}.`,
        '',
      );
  }

  // 6. Greedy decoding of an encoder–decoder task's validation set: the GPU's argmax chain, a readback per
  // token from carried states, the window re-run.
  const ways = {
    chain: 'argmax on the GPU, one submit per batch',
    step: 'a step per token (carried state)',
    window: 'window re-run per token',
  };
  const decode = (sections.get('decode') ?? []).filter((r) => r.decode === true);
  if (decode.length) {
    out.push(
      table(
        ['decoder', 'model', 'examples', 'tokens', 'ms', 'tokens/s', 'same outputs'],
        decode.map((r) => [
          ways[r.decoder] ?? r.decoder,
          `${r.cell.toUpperCase()} ${r.layers}×${r.hidden} B${r.batch} T${r.window}${r.attention ? ' attention' : ''}`,
          String(r.examples),
          String(r.tokens),
          fmt(r.decode_ms),
          String(Math.round(r.tokens_per_s)),
          r.same_outputs === undefined ? '' : r.same_outputs ? 'yes' : '**no**',
        ]),
      ),
      '',
    );
  }

  // 7. What each step of the script did (a step cut off by its time limit shows exit 124).
  const status = summaryText.split('\n').filter((l) => l.trim());
  if (status.length) out.push('Run (summary.txt):', '', ...status.map((l) => `- ${l}`), '');
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/bench-report.mjs DIR   (DIR holds log.txt and summary.txt)');
    process.exit(2);
  }
  const read = (f) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const log = read('log.txt');
  if (!log) {
    console.error(`bench-report: no ${join(dir, 'log.txt')}`);
    process.exit(1);
  }
  process.stdout.write(report(log, read('summary.txt')));
}
