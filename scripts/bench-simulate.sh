#!/usr/bin/env bash
# Prints `wavesync simulate` figures (makespans, ratios to the lower bound, bytes, time over the
# uplink) for 10,000 and 100,000 sites, and how long each simulation took (figures only; no
# pass/fail). SITES="10000 100000" and SEED=1 by default; extra arguments go to every run.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product wavesync >&2
wavesync="$(swift build -c release --show-bin-path)/wavesync"
for sites in ${SITES:-10000 100000}; do
  start=$(date +%s%N)
  "$wavesync" simulate --sites "$sites" --seed "${SEED:-1}" "$@"
  end=$(date +%s%N)
  echo "(simulated in $(( (end - start) / 1000000 )) ms, process start included)"
  echo
done
