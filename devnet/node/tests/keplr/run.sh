#!/usr/bin/env bash
# Keplr acceptance test: installs the locked @keplr-wallet/chain-validator
# (and CosmJS, to deploy the cw20 tokens) and runs keplr.test.mjs with node's
# test runner against the chain STARMINER_ENGINE names (devnet, the default,
# or wasmd; see ../run-acceptance.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../run-acceptance.sh"
# Keplr's RPC check opens the WebSocket with the global WebSocket, which
# node 20 has behind a flag (node 22 has it by default).
flags=()
if ! node -e 'process.exit(typeof WebSocket === "undefined" ? 1 : 0)'; then
    flags+=(--experimental-websocket)
fi
run_acceptance "$here" keplr "${flags[@]}"
