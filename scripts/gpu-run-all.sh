#!/usr/bin/env bash
# Runs on the GPU machine (after `source .gpu-kit/setup.sh`; scripts/gpu-prepare.sh put this in .bench/):
# the self-test (every kernel and tile candidate against the reference), the training-step suite with the
# default tiles and tuned (with every candidate's time), PyTorch/cuDNN's suite in the same call, then — when
# the corpus came along — time to quality and issue 4's 1500-step LSTM 2×512 run. Each result goes to $OUT.
set -u
out=${OUT:-/tmp/out}
mkdir -p "$out"
cp .bench/*.mjs /tmp/kit/ && cp .gpu-kit/torch_rnn.py /tmp/kit/
[ -f .bench/tinyshakespeare.txt ] && cp .bench/tinyshakespeare.txt /tmp/kit/
cd /tmp/kit
step() { # name, command…: runs it, keeps stdout and stderr, notes the time and the exit status
  local name=$1; shift
  local t0=$SECONDS
  "$@" > "$out/$name.out" 2> "$out/$name.err"
  echo "$name: exit $? in $((SECONDS - t0)) s" | tee -a "$out/summary.txt"
}
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1
step selftest node selftest.mjs
step suite-default node bench.mjs --suite --tiles default
step suite-tuned node bench.mjs --suite --sweep
step torch python3 torch_rnn.py --suite
if [ -f tinyshakespeare.txt ]; then
  step quality node bench.mjs --quality --corpus tinyshakespeare.txt --steps 1500
  step issue4 node train.mjs --corpus tinyshakespeare.txt --cell lstm --hidden 512 --layers 2 --batch 32 \
    --seq 128 --lr 2e-3 --clip 5 --steps 1500 --val-every 100 --json --out run
fi
tail -n 3 "$out/selftest.out" >> "$out/summary.txt"
