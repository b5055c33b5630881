#!/usr/bin/env bash
# Writes each contract's JSON schema (cosmwasm-schema's write_api!) into
# schema/<contract>/. With --check, regenerates into a scratch directory and
# fails if the committed schema is stale. Either way it then does the same for
# the TypeScript client generated from it (scripts/ts-client.sh).
#
# Usage: scripts/schema.sh [--check]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check=0
[ "${1:-}" = "--check" ] && check=1
cd "$REPO_ROOT"

# Only the contracts' packages, as scripts/build-wasm.sh builds them: built
# beside the whole workspace, cosmwasm-std would get the wasm host's
# features (staking, stargate) and the schemas would list messages the
# deployed contracts cannot read.
bins=()
for c in "${CONTRACTS[@]}"; do bins+=(-p "$c" --bin "$c-schema"); done
cargo build --locked --quiet "${bins[@]}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for c in "${CONTRACTS[@]}"; do
    mkdir -p "$scratch/$c"
    # write_api! writes into ./schema of the working directory.
    (cd "$scratch/$c" && "$REPO_ROOT/target/debug/$c-schema" >/dev/null)
done

if [ "$check" -eq 1 ]; then
    stale=0
    for c in "${CONTRACTS[@]}"; do
        if ! diff -r -q "$scratch/$c/schema" "schema/$c" >/dev/null 2>&1; then
            echo "schema/$c is stale" >&2
            stale=1
        fi
    done
    [ "$stale" -eq 0 ] || die "run scripts/schema.sh and commit schema/"
    log "schema/ is up to date"
    "$REPO_ROOT/scripts/ts-client.sh" --check
else
    for c in "${CONTRACTS[@]}"; do
        rm -rf "schema/$c"
        mkdir -p "schema/$c"
        cp -r "$scratch/$c/schema/." "schema/$c/"
    done
    log "schema written to schema/ for ${CONTRACTS[*]}"
    "$REPO_ROOT/scripts/ts-client.sh"
fi
