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
# Built with them for tests only (never deployed): a contract that panics on
# request, for the devnet-vs-wasmd differential test, and an IBC ping for the
# devnet's CosmWasm IBC module.
TEST_CONTRACTS=(panic-probe ibc-ping)

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

# wasmd, the reference CosmWasm chain, built from Go modules into a cache
# shared by every clone on this machine and keyed by version. The wrapper
# module in chain/wasmd pins wasmd with its own `replace` block (which
# `go install …@version` cannot honour) and a bytedance/sonic that links on
# current Go. The binary finds libwasmvm beside itself ($ORIGIN rpath).
# wasmd compiles its bech32 prefix in: WASMD_PREFIX=other builds a variant
# into wasmd-<version>-<prefix> (for `starminer chain up --prefix other`).
WASMD_VERSION="v0.55.1"
WASMD_PREFIX="${WASMD_PREFIX:-wasm}"
STARMINER_CACHE="${STARMINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/starminer}"
WASMD_HOME_DIR="$STARMINER_CACHE/wasmd-$WASMD_VERSION"
[ "$WASMD_PREFIX" = wasm ] || WASMD_HOME_DIR="$WASMD_HOME_DIR-$WASMD_PREFIX"
WASMD_BIN="$WASMD_HOME_DIR/bin/wasmd"

# Waits for the background build `pid` of `what`, logging progress every 30 s;
# on failure shows the end of `build_log` and stops with `failure`.
wait_for_build() {
    local pid="$1" what="$2" build_log="$3" failure="$4" start=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        sleep 30
        kill -0 "$pid" 2>/dev/null && log "  still building $what ($((SECONDS - start)) s; log: $build_log)"
    done
    if ! wait "$pid"; then
        tail -n 20 "$build_log" >&2
        die "$failure (full log: $build_log)"
    fi
}

wasmd_installed() {
    [ -x "$WASMD_BIN" ] && [ -f "$WASMD_HOME_DIR/bin/libwasmvm.x86_64.so" ] &&
        [ "$("$WASMD_BIN" version 2>/dev/null)" = "${WASMD_VERSION#v}" ]
}

ensure_wasmd() {
    wasmd_installed && return 0
    command -v go >/dev/null || die "go not found: wasmd is built from Go modules; install Go >= 1.24"
    local module="$REPO_ROOT/chain/wasmd" build_log="$WASMD_HOME_DIR/build.log"
    local tmp="$WASMD_HOME_DIR/bin/.wasmd.partial"
    mkdir -p "$WASMD_HOME_DIR/bin"
    log "building wasmd $WASMD_VERSION (prefix $WASMD_PREFIX) from Go modules into $WASMD_HOME_DIR"
    log "  (the first time takes ~4 min with the downloads on 2 cores; log: $build_log)"
    local start=$SECONDS
    (
        cd "$module"
        # The download is bounded separately so a stalled proxy fails instead of hanging.
        timeout 900 go mod download &&
            timeout 1800 go build -trimpath -o "$tmp" -ldflags "-s -w \
                -X github.com/cosmos/cosmos-sdk/version.Name=wasm \
                -X github.com/cosmos/cosmos-sdk/version.AppName=wasmd \
                -X github.com/cosmos/cosmos-sdk/version.Version=${WASMD_VERSION#v} \
                -X github.com/CosmWasm/wasmd/app.Bech32Prefix=$WASMD_PREFIX \
                -extldflags=-Wl,-rpath,\$ORIGIN" github.com/CosmWasm/wasmd/cmd/wasmd
    ) >"$build_log" 2>&1 &
    wait_for_build $! wasmd "$build_log" "building wasmd $WASMD_VERSION failed in $module"
    local wasmvm_dir
    wasmvm_dir="$(cd "$module" && go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v2)" ||
        die "cannot locate the wasmvm module (needed for libwasmvm.x86_64.so); log: $build_log"
    install -m 0644 "$wasmvm_dir/internal/api/libwasmvm.x86_64.so" "$WASMD_HOME_DIR/bin/libwasmvm.x86_64.so"
    mv -f "$tmp" "$WASMD_BIN"
    wasmd_installed || die "the built wasmd does not run or is not $WASMD_VERSION: try $WASMD_BIN version (log: $build_log)"
    log "wasmd $WASMD_VERSION ready in $((SECONDS - start)) s: $WASMD_BIN"
}

# Hermes, the IBC relayer nobody here wrote, against which the devnet's IBC
# host is proven (ibc-relayer-cli from crates.io, unmodified). 1.11.0: later
# versions pull in Penumbra crates whose build script downloads proving keys
# from a host these machines cannot reach. Built once into the machine-level
# cache; it needs protoc to build.
HERMES_VERSION="1.11.0"
HERMES_HOME_DIR="$STARMINER_CACHE/hermes-$HERMES_VERSION"
HERMES_BIN="$HERMES_HOME_DIR/bin/hermes"

hermes_installed() {
    [ -x "$HERMES_BIN" ] && "$HERMES_BIN" version 2>/dev/null | grep -q "$HERMES_VERSION"
}

ensure_hermes() {
    hermes_installed && return 0
    ensure_apt_packages protobuf-compiler
    local build_log="$HERMES_HOME_DIR/build.log" start=$SECONDS
    mkdir -p "$HERMES_HOME_DIR"
    log "building Hermes $HERMES_VERSION (ibc-relayer-cli from crates.io) into $HERMES_HOME_DIR"
    log "  (the first time takes ~30 min on 2 cores; log: $build_log)"
    # Its own target dir, kept in the cache, so a failed build resumes.
    CARGO_TARGET_DIR="$HERMES_HOME_DIR/target" timeout 3600 \
        cargo install --locked ibc-relayer-cli --version "=$HERMES_VERSION" \
        --bin hermes --root "$HERMES_HOME_DIR" >"$build_log" 2>&1 &
    wait_for_build $! Hermes "$build_log" "building Hermes $HERMES_VERSION failed"
    rm -rf "$HERMES_HOME_DIR/target"
    hermes_installed || die "the built hermes does not run or is not $HERMES_VERSION: try $HERMES_BIN version (log: $build_log)"
    log "Hermes $HERMES_VERSION ready in $((SECONDS - start)) s: $HERMES_BIN"
}

# The npm packages of a folder with a committed package-lock.json, installed
# once per lock into the machine-level cache (npm-<name>-<hash of package.json
# and lock>) and linked as <dir>/node_modules, so a clone holds no npm
# packages and every clone on the machine shares one install per lock.
ensure_npm_folder() {
    local dir="$1" name="$2"
    command -v npm >/dev/null || ensure_apt_packages nodejs npm
    local hash
    hash="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-16)"
    local cache="$STARMINER_CACHE/npm-$name-$hash"
    if [ ! -f "$cache/.installed" ]; then
        log "installing the npm packages of ${dir#"$REPO_ROOT"/} into $cache"
        local tmp="$cache.partial.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        cp "$dir/package.json" "$dir/package-lock.json" "$tmp/"
        (cd "$tmp" && timeout 900 npm ci --no-audit --no-fund --silent) ||
            { rm -rf "$tmp"; die "npm ci failed for ${dir#"$REPO_ROOT"/}"; }
        touch "$tmp/.installed"
        rm -rf "$cache"
        mv "$tmp" "$cache"
    fi
    if [ -e "$dir/node_modules" ] && [ ! -L "$dir/node_modules" ]; then
        rm -rf "$dir/node_modules"
    fi
    ln -sfn "$cache/node_modules" "$dir/node_modules"
}

# ts-codegen, TypeScript, playwright-core and axe-core (scripts/npm-tools).
NPM_TOOLS_DIR="$REPO_ROOT/scripts/npm-tools"
ensure_npm_tools() {
    ensure_npm_folder "$NPM_TOOLS_DIR" tools
}

# Debian's chromium, which the dashboard's browser tests drive through
# playwright-core (no browser download).
ensure_chromium() {
    ensure_apt_packages chromium fonts-liberation
}
