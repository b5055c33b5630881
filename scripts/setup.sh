#!/usr/bin/env bash
# Installs everything StarMiner's builds and tests need, idempotently:
# the wasm32 target, rustfmt and clippy, binaryen's wasm-opt (npm) and
# cosmwasm-check, wasmd (built from Go modules into a machine-level
# cache, see ensure_wasmd), the Hermes relayer (built from crates.io into
# the same cache, see ensure_hermes), the npm tools (ts-codegen,
# TypeScript, playwright-core, axe-core; machine-level cache, see
# ensure_npm_folder) and Debian's chromium for the dashboard's browser
# tests. Safe to run any number of times.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_apt_packages ca-certificates pkg-config
ensure_rust_components
ensure_binaryen
ensure_cosmwasm_check
ensure_opencl
ensure_wasmd
ensure_hermes
ensure_npm_tools
ensure_chromium
log "set-up complete"
