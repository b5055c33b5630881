#!/usr/bin/env bash
# The dashboard's browser tests: builds web/ (scripts/web.sh), then runs
# dashboard.test.mjs with node's test runner, playwright-core and Debian's
# chromium against a running chain with every contract deployed and provider
# agents computing. The wallet is a headless Keplr built from Keplr's npm
# code (keplr/headless-keplr.mjs).
#
# DASHBOARD_CLI_HOME names the CLI home of such a chain (scripts/test.sh
# passes the one `scripts/demo.sh --quick --keep` left); without it, this
# script runs that demo itself into target/demo-dashboard. Either way what
# the demo left running (its kept.pids and the devnet) is stopped at the end.
#
# Environment: STARMINER_CLI_BIN (default target/debug/starminer),
# DASHBOARD_BUILT=1 (web/dist is current: skip scripts/web.sh),
# DEMO_BIN (binaries for the demo; default: the demo builds them),
# DASHBOARD_OUT (screenshots and figures.json; default target/dashboard).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/lib.sh"
cd "$REPO_ROOT"
ensure_npm_tools
ensure_chromium
ensure_npm_folder "$REPO_ROOT/web/tests/keplr" headless-keplr
# scripts/test.sh has built web/dist in a step of its own just before.
[ "${DASHBOARD_BUILT:-}" = 1 ] || scripts/web.sh

export STARMINER_CLI_BIN="${STARMINER_CLI_BIN:-$REPO_ROOT/target/debug/starminer}"
export STARMINER_PASSPHRASE="${STARMINER_PASSPHRASE:-starminer-demo}"
export DASHBOARD_OUT="${DASHBOARD_OUT:-$REPO_ROOT/target/dashboard}"
if [ -z "${DASHBOARD_CLI_HOME:-}" ]; then
    demo_dir="$REPO_ROOT/target/demo-dashboard"
    DEMO_DIR="$demo_dir" scripts/demo.sh --quick --keep
    export DASHBOARD_CLI_HOME="$demo_dir/cli"
fi
demo_dir="$(dirname "$DASHBOARD_CLI_HOME")"
stop_demo() {
    local pid
    if [ -f "$demo_dir/kept.pids" ]; then
        while read -r pid; do
            [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
        done <"$demo_dir/kept.pids"
        rm -f "$demo_dir/kept.pids"
    fi
    "$STARMINER_CLI_BIN" --home "$DASHBOARD_CLI_HOME" devnet down >/dev/null 2>&1 || true
}
trap stop_demo EXIT
rm -rf "$DASHBOARD_OUT"
timeout --kill-after=10 600 node --test --test-force-exit web/tests/
log "screenshots and figures in $DASHBOARD_OUT"
cat "$DASHBOARD_OUT/figures.json" >&2
