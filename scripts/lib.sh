# Shared helpers for StarMiner's scripts. Source it; do not run it.
# Every tool the project needs is installed here, idempotently, so that the
# README's two commands work on a fresh machine.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$REPO_ROOT/.tools"
BINARYEN_VERSION="132.0.0"
COSMWASM_CHECK_VERSION="2.2.10"
WASM_OPT="$TOOLS_DIR/node_modules/.bin/wasm-opt"

# The contracts, in deployment order. Crate names; artifacts use underscores.
CONTRACTS=(amax-token governance agpu-token registry pricing incentives job-market)

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

ensure_apt_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust_components() {
    command -v cargo >/dev/null || die "cargo not found: install Rust 1.95 with rustup first"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        log "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    for comp in rustfmt clippy; do
        if ! rustup component list --installed | grep -q "^$comp"; then
            log "adding rustup component $comp"
            rustup component add "$comp"
        fi
    done
}

# binaryen's wasm-opt from the npm registry: it lowers the bulk-memory and
# sign-extension instructions that Rust >= 1.87 emits and no CosmWasm VM accepts.
ensure_binaryen() {
    if [ -x "$WASM_OPT" ] && "$WASM_OPT" --version | grep -q "version ${BINARYEN_VERSION%%.*}"; then
        return 0
    fi
    command -v npm >/dev/null || ensure_apt_packages nodejs npm
    log "installing binaryen $BINARYEN_VERSION (wasm-opt) into .tools/"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION" >/dev/null)
    [ -x "$WASM_OPT" ] || die "wasm-opt did not install into $TOOLS_DIR"
}

# cosmwasm-check of the same line as the VM we run (cosmwasm-vm 2.2.10).
ensure_cosmwasm_check() {
    if command -v cosmwasm-check >/dev/null &&
        cosmwasm-check --version 2>/dev/null | grep -q "$COSMWASM_CHECK_VERSION"; then
        return 0
    fi
    log "installing cosmwasm-check $COSMWASM_CHECK_VERSION (compiles the VM once; several minutes)"
    cargo install --quiet --locked cosmwasm-check --version "=$COSMWASM_CHECK_VERSION"
}

# OpenCL on the CPU for the provider agent and its tests: PoCL through the
# ICD loader (the `ocl` crate links libOpenCL). clinfo helps diagnose.
ensure_opencl() {
    ensure_apt_packages ocl-icd-opencl-dev pocl-opencl-icd clinfo
}
