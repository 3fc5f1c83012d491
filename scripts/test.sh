#!/usr/bin/env bash
# The test command: installs what the tests need, checks formatting, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== envtest binaries (etcd, kube-apiserver, kube-controller-manager; built once, then cached)" >&2
WAVESYNC_ENVTEST_BIN="$(bash scripts/envtest.sh)"
export WAVESYNC_ENVTEST_BIN
# Helm's engine for the chart's tests (the venv install-deps.sh makes).
export WAVESYNC_HELM_PYTHON="${WAVESYNC_HELM_VENV:-$HOME/.cache/wavesync/helm-venv}/bin/python"
echo "== swift format lint" >&2
swift format lint --strict --recursive Package.swift Sources Tests
echo "== swift build" >&2
swift build --build-tests
echo "== swift test" >&2
swift test --skip-build
