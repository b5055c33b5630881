#!/usr/bin/env bash
# Keplr acceptance test of the devnet: installs the locked
# @keplr-wallet/chain-validator (and CosmJS, to deploy the cw20 tokens) and
# runs keplr.test.mjs with node's test runner against a devnet it starts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
# scripts/test.sh passes the binary `cargo test --workspace` already built.
if [ -z "${STARMINER_DEVNET_BIN:-}" ]; then
    cargo build --locked --quiet -p starminer-devnet --manifest-path "$root/Cargo.toml"
    STARMINER_DEVNET_BIN="$root/target/debug/starminer-devnet"
fi
[ -x "$STARMINER_DEVNET_BIN" ] || { echo "no devnet binary at $STARMINER_DEVNET_BIN" >&2; exit 1; }
export STARMINER_DEVNET_BIN
cd "$here"
npm ci --no-audit --no-fund --silent
# Keplr's RPC check opens the WebSocket with the global WebSocket, which
# node 20 has behind a flag (node 22 has it by default).
flags=()
if ! node -e 'process.exit(typeof WebSocket === "undefined" ? 1 : 0)'; then
    flags+=(--experimental-websocket)
fi
timeout 300 node "${flags[@]}" --test --test-force-exit
