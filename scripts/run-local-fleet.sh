#!/usr/bin/env bash
# The main job on the embedded default: the retail-chain fleet of fixtures/retail-fleet in a
# local Git repository, and a local fleet of real Kubernetes API servers (the EMEA stores plus
# their regional cluster) with simulated kubelets. Wavesync rolls a revision out wave by wave,
# then a broken one, which fails in the first wave and is rolled back automatically; then the
# regional controller takes the Fleet over and rolls the fix out by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
WAVESYNC_ENVTEST_BIN="$(bash scripts/envtest.sh)"
export WAVESYNC_ENVTEST_BIN
swift build -c release --product wavesync >&2
wavesync="$(swift build -c release --show-bin-path)/wavesync"

work="$(mktemp -d -t wavesync-demo-XXXXXX)"
fleet_pid=""
rollout_pid=""
controller_pid=""
cleanup() {
  [ -n "$rollout_pid" ] && kill "$rollout_pid" 2>/dev/null && wait "$rollout_pid" 2>/dev/null
  [ -n "$controller_pid" ] && kill "$controller_pid" 2>/dev/null && wait "$controller_pid" 2>/dev/null
  [ -n "$fleet_pid" ] && kill "$fleet_pid" 2>/dev/null && wait "$fleet_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

commit() {
  git -C "$work/fleet" add -A
  git -C "$work/fleet" -c user.name=wavesync -c user.email=wavesync@localhost commit -q -m "$1"
  git -C "$work/fleet" push -q origin main
}

# The fleet repository, served from a bare repository as a remote would be.
repo="$work/fleet.git"
cp -r fixtures/retail-fleet "$work/fleet"
git -C "$work/fleet" init -q -b main
git init -q --bare -b main "$repo"
git -C "$work/fleet" remote add origin "$repo"
commit "Retail fleet"
export WAVESYNC_CACHE_DIR="$work/cache"
url="file://$repo"
region="region=emea,store-type!=express"

echo "== wavesync plan --waves-only: when each EMEA store would change, in its maintenance window"
"$wavesync" plan --repo "$url" --selector "$region" --waves-only
echo

# The demo has minutes, not hours: the same waves, paced in seconds, and every store's window
# open all day (a rollout waits for closed windows; an urgent commit or a rollback does not).
sed -i -e 's/soak: 30m/soak: 5s/; s/soak: 1h/soak: 5s/; s/soak: 5m/soak: 3s/' \
  -e 's/healthTimeout: 10m/healthTimeout: 90s/; s/healthTimeout: 45m/healthTimeout: 90s/' \
  "$work/fleet/fleet.yaml"
sed -i -E 's/duration: [0-9hm]+$/duration: 24h/' "$work"/fleet/sites/*.yaml
commit "Demo pace: soaks and health timeouts in seconds, windows open all day"

echo "== The fleet's sites (EMEA: $region)"
"$wavesync" sites --repo "$url" --selector "$region"
echo
echo "== Rendering every site of the fleet"
"$wavesync" render --repo "$url" --all-sites --out "$work/rendered"
echo

# One cluster per EMEA store (the lab uses its own context name) and the regional cluster.
clusters="lab-dublin-k3s,lyon-part-dieu,paris-opera,london-oxford-street,berlin-alexanderplatz,madrid-gran-via"
echo "== Starting a local fleet: regional cluster + $clusters"
# --links: each store is reached through a proxy with its link from the repository (rates of
# spec.link, the latency label), so transfers and round trips cost what they would.
"$wavesync" local-fleet --sites "$clusters" --kubeconfig "$work/kubeconfig" \
  --links --repo "$url" >"$work/fleet.log" 2>&1 &
fleet_pid=$!
# Up to 15 minutes: on a busy machine a server may be started again (local-fleet says so).
for _ in $(seq 1800); do
  grep -q "local fleet ready" "$work/fleet.log" 2>/dev/null && break
  kill -0 "$fleet_pid" 2>/dev/null || { cat "$work/fleet.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "local fleet ready" "$work/fleet.log" || { echo "the local fleet did not start" >&2; exit 1; }
export KUBECONFIG="$work/kubeconfig"
grep "^warning:" "$work/fleet.log" >&2 || true
grep -E "^(links |  [a-z0-9-]+: down )" "$work/fleet.log" || true
echo

echo "== wavesync install: Wavesync's resources in the regional cluster"
"$wavesync" install
echo

echo "== wavesync plan: the waves and what each site would change"
"$wavesync" plan --repo "$url" --selector "$region"
echo

echo "== wavesync rollout (the flagships wave waits for 'wavesync promote')"
# The Fleet this creates names the sites' kubeconfig Secret the local fleet wrote, so the
# controller can take it over later.
"$wavesync" rollout --repo "$url" --selector "$region" --tick-interval 0.5 \
  --kubeconfig-secret local-fleet-sites &
rollout_pid=$!
for _ in $(seq 600); do
  kill -0 "$rollout_pid" 2>/dev/null || break
  if "$wavesync" history 2>/dev/null | grep -q "waiting for promotion"; then
    echo "== wavesync promote"
    "$wavesync" promote
    break
  fi
  sleep 0.5
done
wait "$rollout_pid"
rollout_pid=""
echo
"$wavesync" history --sites
echo

echo "== A broken commit: a pricing-engine image that crashes on start"
sed -i "s|image: registry.retail.internal/pricing-engine:.*|image: registry.retail.internal/pricing-engine:7.5.0-broken|" \
  "$work/fleet/apps/pricing/base/pricing-engine.yaml"
commit "pricing-engine 7.5.0"
status=0
"$wavesync" rollout --repo "$url" --selector "$region" --tick-interval 0.5 || status=$?
[ "$status" -eq 4 ] || { echo "expected the broken revision to be rolled back (exit 4), got $status" >&2; exit 1; }
echo
"$wavesync" history
echo
good="$(git -C "$work/fleet" rev-parse HEAD~1)"
for site in lab-dublin paris-opera berlin-alexanderplatz; do
  echo "== wavesync diff --site $site at the last good revision (nothing differs)"
  "$wavesync" diff --repo "$url" --ref "$good" --site "$site" | tail -n 1
done
echo

echo "== The regional controller takes the Fleet over; a fixed image is committed"
sed -i "s|image: registry.retail.internal/pricing-engine:.*|image: registry.retail.internal/pricing-engine:7.5.1|" \
  "$work/fleet/apps/pricing/base/pricing-engine.yaml"
commit "pricing-engine 7.5.1"
fixed="$(git -C "$work/fleet" rev-parse HEAD)"
"$wavesync" controller --tick-interval 0.5 --lease-duration 6 >"$work/controller.log" 2>&1 &
controller_pid=$!
rolled_out=""
for _ in $(seq 600); do
  kill -0 "$controller_pid" 2>/dev/null || { cat "$work/controller.log" >&2; exit 1; }
  if "$wavesync" history 2>/dev/null | grep -q "^Last good revision: ${fixed:0:12}"; then
    rolled_out=yes
    break
  fi
  if "$wavesync" history 2>/dev/null | grep -q "waiting for promotion"; then
    "$wavesync" promote >/dev/null && echo "(wavesync promote: the flagships gate)"
  fi
  sleep 0.5
done
# The controller's log, without timestamps and labels.
grep -E "leading|rolled out|wave |applying|healthy" "$work/controller.log" | sed -E 's/^[^[]*\[wavesync\] //' | head -40
[ -n "$rolled_out" ] || { echo "the controller did not roll ${fixed:0:12} out" >&2; cat "$work/controller.log" >&2; exit 1; }
echo
echo "== wavesync status --sites: the Fleet and its FleetSites in the regional cluster"
"$wavesync" status --sites
echo
kill -TERM "$controller_pid"
wait "$controller_pid"
controller_pid=""
echo "== wavesync controller stopped cleanly (SIGTERM)"
