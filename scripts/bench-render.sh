#!/usr/bin/env bash
# Prints how long rendering takes: every site of the retail fleet, and one kustomization, timed
# over repeated runs of the release binary (figures only; no pass/fail).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-20}"
swift build -c release --product wavesync >&2
wavesync="$(swift build -c release --show-bin-path)/wavesync"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
sites=$(ls fixtures/retail-fleet/sites | wc -l)

time_runs() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000000 ))
}

all_ms=$(time_runs "$wavesync" render --repo fixtures/retail-fleet --all-sites --out "$out")
site_count=$("$wavesync" render --repo fixtures/retail-fleet --all-sites --out "$out" 2>/dev/null | wc -l)
one_ms=$(time_runs "$wavesync" render --repo fixtures/retail-fleet --site paris-opera)
kust_ms=$(time_runs "$wavesync" render --kustomize fixtures/kustomize-cases/61-full-store-overlay/input/stores/store-0042)
echo "render --all-sites: ${all_ms} ms for ${site_count} sites (process start included; ${runs} runs)"
echo "render --site:      ${one_ms} ms per run"
echo "render --kustomize: ${kust_ms} ms per run (4-level overlay with components)"
if command -v kubectl >/dev/null; then
  k_ms=$(time_runs kubectl kustomize fixtures/kustomize-cases/61-full-store-overlay/input/stores/store-0042)
  echo "kubectl kustomize:  ${k_ms} ms per run (same overlay, for comparison)"
fi
