#!/usr/bin/env bash
# Installs the system packages Wavesync builds and tests with, when they are missing (Debian), and
# Helm's engine for scripts/helm-chart.py in a venv.
set -euo pipefail

packages=(libgit2-dev libcurl4-openssl-dev libyaml-dev pkg-config git openssl openssh-server openssh-client time docker-registry umoci skopeo python3 python3-venv)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Helm's Go SDK from PyPI (no helm binary needed), for scripts/helm-chart.py.
helm_sdk=helm-python-sdk==0.2.2
helm_venv="${WAVESYNC_HELM_VENV:-$HOME/.cache/wavesync/helm-venv}"
if ! "$helm_venv/bin/python" -c 'import helm_python' 2>/dev/null; then
  echo "installing: $helm_sdk into $helm_venv" >&2
  python3 -m venv "$helm_venv"
  "$helm_venv/bin/python" -m pip install -q --disable-pip-version-check "$helm_sdk"
fi
command -v swift >/dev/null || { echo "swift is not on PATH (expected Swift 6 at /opt/swift)" >&2; exit 1; }
