#!/usr/bin/env bash
# Runs on the GPU machine (after `source .gpu-kit/setup.sh`; scripts/gpu-prepare.sh put this in .bench/):
# PyTorch/cuDNN's suite; Unroll's training-step suite with default tiles, with the layer wavefront
# (EngineOptions.wave; default tiles), tuned (every candidate's time), LSTM 2×256 with a compute pass per
# phase (Engine.phasePasses: the per-phase breakdown) and the suite with each iteration recorded at its
# step instead of ahead (Engine.encodeAhead); the self-test (every kernel and tile candidate against the
# reference); greedy decoding both ways (with and without attention); then — when the corpus came along —
# time to quality. Sized for the device tool's limits: one command of at most 600 s (each step has its own
# time limit, most informative first) and at most 8 files back, so everything is appended as it comes to
# $OUT/summary.txt (a line per step), $OUT/log.txt (stdout) and $OUT/err.txt (stderr): a run cut short still
# returns what it measured.
set -u
out=${OUT:-/tmp/out}
mkdir -p "$out"
cp .bench/*.mjs /tmp/kit/ && cp .gpu-kit/torch_rnn.py /tmp/kit/
[ -f .bench/tinyshakespeare.txt ] && cp .bench/tinyshakespeare.txt /tmp/kit/
cd /tmp/kit
step() { # name, seconds, command…: runs it under a time limit, appends its output, notes time and status
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  echo "=== $name" >> "$out/log.txt"
  echo "=== $name" >> "$out/err.txt"
  timeout "$limit" "$@" >> "$out/log.txt" 2>> "$out/err.txt"
  echo "$name: exit $? in $((SECONDS - t0)) s (limit $limit)" | tee -a "$out/summary.txt"
}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader >> "$out/summary.txt" 2>&1
step torch 70 python3 torch_rnn.py --suite
step suite-default 90 node bench.mjs --suite --tiles default
step suite-wave 70 node bench.mjs --suite --tiles default --wave on
step suite-tuned 105 node bench.mjs --suite --sweep
# The per-phase breakdown (a compute pass per phase) for LSTM 2×256, beside its one-pass time in suite-default.
step phases 20 node bench.mjs --cell lstm --hidden 256 --layers 2 --batch 32 --seq 128 --tiles default --phase-passes on
step suite-at-step 40 node bench.mjs --suite --tiles default --record-ahead off
step selftest 70 node selftest.mjs
# Greedy decoding of an encoder–decoder's validation set: the GPU's argmax chain, a readback per token, the
# window re-run.
step decode 15 bash -c 'node bench.mjs --decode --hidden 256 --batch 32 --train-steps 100 && node bench.mjs --decode --attention --hidden 256 --batch 32 --train-steps 100'
[ -f tinyshakespeare.txt ] && step quality 85 node bench.mjs --quality --corpus tinyshakespeare.txt --steps 1500
grep -E "^[0-9]+ passed, [0-9]+ failed" "$out/log.txt" >> "$out/summary.txt"
