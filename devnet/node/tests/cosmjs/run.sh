#!/usr/bin/env bash
# CosmJS acceptance test of the devnet: builds starminer-devnet, installs the
# locked CosmJS packages and runs devnet.test.mjs with node's test runner.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cargo build --locked --quiet -p starminer-devnet --manifest-path "$root/Cargo.toml"
cd "$here"
npm ci --no-audit --no-fund --silent
STARMINER_DEVNET_BIN="${STARMINER_DEVNET_BIN:-$root/target/debug/starminer-devnet}" node --test
