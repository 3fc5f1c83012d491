#!/usr/bin/env bash
# Installs the system packages Wavesync builds and tests with, when they are missing (Debian).
set -euo pipefail

packages=(libgit2-dev libcurl4-openssl-dev libyaml-dev pkg-config git openssl openssh-server openssh-client time docker-registry umoci skopeo)
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
command -v swift >/dev/null || { echo "swift is not on PATH (expected Swift 6 at /opt/swift)" >&2; exit 1; }
