#!/usr/bin/env bash
# For a session that has the device (a real GPU, see docs/BENCHMARKS.md): packs everything the GPU machine
# needs into two git-excluded folders — .gpu-kit (node + Dawn, from ../shared/gpu) and .bench (the bundled
# self-test, benchmark and trainer, the benchmark corpus, scripts/gpu-run-all.sh) — and prints the one
# device command that measures issue 8 (and time to quality) in a single call. Run from the project root after npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d ../shared/gpu ] || { echo "gpu-prepare: ../shared/gpu (the kit's sources) is not here" >&2; exit 1; }
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")" && touch "$exclude"
for d in /.gpu-kit/ /.bench/; do grep -qxF "$d" "$exclude" || echo "$d" >> "$exclude"; done
[ -f .gpu-kit/setup.sh ] || bash ../shared/gpu/make-kit.sh .gpu-kit
mkdir -p .bench
for cmd in selftest bench train; do node scripts/bundle.mjs "src/cli/$cmd.ts" ".bench/$cmd.mjs"; done
cp scripts/gpu-run-all.sh .bench/
corpus=../shared/corpora/tinyshakespeare.txt
[ -f "$corpus" ] && cp "$corpus" .bench/ || echo "gpu-prepare: no $corpus; the quality runs will be skipped" >&2
cat <<'MSG'
Ready. Device tool call (carry [".gpu-kit", ".bench"], timeout_s 600; ~9.5 min of the session's 15):
  source .gpu-kit/setup.sh && bash .bench/gpu-run-all.sh
Everything lands in $OUT (summary.txt, log.txt, err.txt); give_back, then here
  node scripts/bench-report.mjs FILES_AT > /tmp/report.md
prints the tables to record in docs/BENCHMARKS.md (read err.txt too).
MSG
