#!/usr/bin/env bash
# CosmJS acceptance test: installs the locked CosmJS packages and runs
# devnet.test.mjs with node's test runner against the chain STARMINER_ENGINE
# names (devnet, the default, or wasmd; see ../run-acceptance.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../run-acceptance.sh"
run_acceptance "$here" cosmjs
