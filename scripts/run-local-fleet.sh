#!/usr/bin/env bash
# The main job on the embedded default: the retail-chain fleet of fixtures/retail-fleet,
# committed to a local Git repository, rendered for every store, and applied to a local fleet of
# real Kubernetes API servers (three EMEA stores) with simulated kubelets.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
WAVESYNC_ENVTEST_BIN="$(bash scripts/envtest.sh)"
export WAVESYNC_ENVTEST_BIN
swift build -c release --product wavesync >&2
wavesync="$(swift build -c release --show-bin-path)/wavesync"

work="$(mktemp -d -t wavesync-demo-XXXXXX)"
fleet_pid=""
cleanup() {
  [ -n "$fleet_pid" ] && kill "$fleet_pid" 2>/dev/null && wait "$fleet_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

repo="$work/fleet.git"
cp -r fixtures/retail-fleet "$work/fleet"
git -C "$work/fleet" init -q -b main
git -C "$work/fleet" add -A
git -C "$work/fleet" -c user.name=wavesync -c user.email=wavesync@localhost commit -q -m "Retail fleet"
git clone -q --bare "$work/fleet" "$repo"
export WAVESYNC_CACHE_DIR="$work/cache"

echo "== Sites of the fleet (file://$repo)"
"$wavesync" sites --repo "file://$repo"
echo
echo "== Rendering every site"
"$wavesync" render --repo "file://$repo" --all-sites --out "$work/rendered"
echo

sites="paris-opera,lyon-part-dieu,berlin-alexanderplatz"
echo "== Starting a local fleet: $sites"
"$wavesync" local-fleet --sites "$sites" --kubeconfig "$work/kubeconfig" >"$work/fleet.log" 2>&1 &
fleet_pid=$!
for _ in $(seq 240); do
  grep -q "local fleet ready" "$work/fleet.log" 2>/dev/null && break
  kill -0 "$fleet_pid" 2>/dev/null || { cat "$work/fleet.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "local fleet ready" "$work/fleet.log" || { echo "the local fleet did not start" >&2; exit 1; }
echo

for site in ${sites//,/ }; do
  echo "== wavesync diff --site $site (before)"
  "$wavesync" diff --repo "file://$repo" --site "$site" --kubeconfig "$work/kubeconfig" | tail -n 1 || true
done
echo
echo "== wavesync apply, one site after another"
for site in ${sites//,/ }; do
  "$wavesync" apply --repo "file://$repo" --site "$site" --kubeconfig "$work/kubeconfig" --prune
done
echo
for site in ${sites//,/ }; do
  echo "== wavesync diff --site $site (after: nothing to change)"
  "$wavesync" diff --repo "file://$repo" --site "$site" --kubeconfig "$work/kubeconfig" | tail -n 1
done
