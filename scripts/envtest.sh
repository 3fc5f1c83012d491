#!/usr/bin/env bash
# Installs and caches the binaries of the local test fleet, idempotently:
#   etcd                                      Debian's etcd-server
#   kube-apiserver, kube-controller-manager   built from Debian's `kubernetes` source package
#                                             (v1.20.2) with Debian's Go 1.19
# Prints the folder holding all three (export it as WAVESYNC_ENVTEST_BIN).
set -euo pipefail

version=1.20.2
cache="${WAVESYNC_ENVTEST_CACHE:-$HOME/.cache/wavesync/envtest}"
bin="$cache/v$version/bin"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

log() { echo "envtest: $*" >&2; }

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  log "installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Source entries mirroring the machine's own binary entries, so `apt-get source` finds bookworm.
enable_sources() {
  local list=/etc/apt/sources.list.d/wavesync-deb-src.sources
  [ -f "$list" ] && return 0
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      | "${sudo_cmd[@]}" tee "$list" >/dev/null
  else
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
      | "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/wavesync-deb-src.list >/dev/null
    "${sudo_cmd[@]}" touch "$list"
  fi
  "${sudo_cmd[@]}" apt-get update -qq
}

apt_install etcd-server openssl
mkdir -p "$bin"
ln -sf "$(command -v etcd || echo /usr/bin/etcd)" "$bin/etcd"

if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ]; then
  echo "$bin"
  exit 0
fi

apt_install golang-1.19-go rsync make dpkg-dev golang-github-modern-go-reflect2-dev
enable_sources
work="$(mktemp -d -t wavesync-k8s-build-XXXXXX)"
trap 'rm -rf "$work"' EXIT
log "fetching the kubernetes source package"
(cd "$work" && apt-get source --download-only kubernetes >/dev/null 2>&1)
tarball="$(ls "$work"/kubernetes_*.orig.tar.gz | head -n 1)"
tar -xzf "$tarball" -C "$work"
src="$(find "$work" -maxdepth 1 -type d -name "kubernetes-$version*" | head -n 1)"
[ -n "$src" ] || { log "no kubernetes-$version folder in $tarball"; exit 1; }

# The vendored reflect2 1.0.1 crashes under Go 1.18+ (SIGSEGV iterating maps on the first
# custom-resource request); Debian's reflect2 1.0.2 is the fix.
reflect2="$src/vendor/github.com/modern-go/reflect2"
rm -f "$reflect2"/*.go "$reflect2"/*.s
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$reflect2"/
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$reflect2"/ 2>/dev/null || true
rm -f "$reflect2"/*_test.go

log "building kube-apiserver and kube-controller-manager (a few minutes)"
(cd "$src" && PATH=/usr/lib/go-1.19/bin:$PATH CGO_ENABLED=0 GOFLAGS=-mod=vendor \
  make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >"$work/build.log" 2>&1) || {
  tail -n 40 "$work/build.log" >&2
  exit 1
}
install -m 0755 "$src/_output/bin/kube-apiserver" "$src/_output/bin/kube-controller-manager" "$bin/"
log "cached in $bin"
echo "$bin"
