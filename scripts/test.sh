#!/usr/bin/env bash
# The test command: installs what the tests need, checks formatting, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
echo "== swift format lint" >&2
swift format lint --strict --recursive Package.swift Sources Tests
echo "== swift build" >&2
swift build --build-tests
echo "== swift test" >&2
swift test --skip-build
