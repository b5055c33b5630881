#!/usr/bin/env bash
# CosmJS acceptance test of the devnet: builds starminer-devnet, installs the
# locked CosmJS packages and runs devnet.test.mjs with node's test runner.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
# scripts/test.sh passes the binary `cargo test --workspace` already built
# (building it again alone would recompile wasmer with other features).
if [ -z "${STARMINER_DEVNET_BIN:-}" ]; then
    cargo build --locked --quiet -p starminer-devnet --manifest-path "$root/Cargo.toml"
    STARMINER_DEVNET_BIN="$root/target/debug/starminer-devnet"
fi
[ -x "$STARMINER_DEVNET_BIN" ] || { echo "no devnet binary at $STARMINER_DEVNET_BIN" >&2; exit 1; }
export STARMINER_DEVNET_BIN
cd "$here"
npm ci --no-audit --no-fund --silent
# --test-force-exit: a client library's socket left open must not keep the
# runner alive after the test has finished; timeout bounds the whole run.
timeout 300 node --test --test-force-exit
