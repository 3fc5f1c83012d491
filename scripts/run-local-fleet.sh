#!/usr/bin/env bash
# The main job on the embedded default: the retail-chain fleet in fixtures/retail-fleet, committed
# to a local Git repository, listed site by site and rendered for every site.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
swift build -c release --product wavesync >&2
wavesync="$(swift build -c release --show-bin-path)/wavesync"

work="$(mktemp -d -t wavesync-fleet-XXXXXX)"
trap 'rm -rf "$work"' EXIT
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
first_site="$(ls "$work/rendered" | head -n 1)"
echo "== Manifests of $first_site (first 40 lines)"
head -n 40 "$work/rendered/$first_site/manifests.yaml"
