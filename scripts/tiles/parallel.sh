#!/usr/bin/env bash
# Classify every tile listed in a file (one path per line) on this machine, JOBS at a time: one idempotent
# `cnnsentinel classify` per tile, so a rerun after a stop skips the finished tiles and redoes the rest.
#
#   scripts/tiles/parallel.sh TILES.txt MODEL OUT_DIR [JOBS]
#
# JOBS defaults to 1: classification is compute-bound, so one tile with all cores is as fast as several with
# fewer; each job gets nproc / JOBS torch threads. Uses GNU parallel where installed, xargs -P otherwise.
# CNNSENTINEL names the command (default: cnnsentinel; e.g. "dotnet cli/bin/Release/net10.0/cnnsentinel.dll").
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 TILES.txt MODEL OUT_DIR [JOBS]" >&2
    exit 2
fi
tiles=$1 model=$2 out=$3 jobs=${4:-1}
threads=$(( $(nproc) / jobs ))
[ "$threads" -ge 1 ] || threads=1
# Split on purpose: CNNSENTINEL may be a program and its arguments.
read -r -a cnnsentinel <<< "${CNNSENTINEL:-cnnsentinel}"
if command -v parallel > /dev/null; then
    # -q quotes every word, so paths with spaces survive parallel's shell; --halt stops starting tiles after a failure.
    parallel --jobs "$jobs" --halt soon,fail=1 -q "${cnnsentinel[@]}" classify {} --model "$model" --out "$out" --threads "$threads" :::: "$tiles"
else
    xargs -d '\n' -P "$jobs" -I{} "${cnnsentinel[@]}" classify {} --model "$model" --out "$out" --threads "$threads" < "$tiles"
fi
