#!/usr/bin/env bash
# Generates packages/starminer-ts/src/contracts/ from schema/ with
# @cosmwasm/ts-codegen (client plugin only; every CLI option is passed, so it
# never prompts): one <Contract>.client.ts and <Contract>.types.ts per
# contract, and for the contracts with a cw20 hook (job-market, registry,
# governance) <Contract>Hook.types.ts from schema/<contract>/raw/receive_msg.json.
# With --check, generates into a scratch directory and fails if the committed
# client is stale, then type-checks the whole package (generated code, the
# CosmJS adapter, the hooks) with tsc against the interchainjs types the
# generated baseClient.ts imports. The package's own code (src/*.ts) is not
# generated.
#
# Usage: scripts/ts-client.sh [--check]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check=0
[ "${1:-}" = "--check" ] && check=1
cd "$REPO_ROOT"
ensure_npm_tools
codegen="$NPM_TOOLS_DIR/node_modules/.bin/cosmwasm-ts-codegen"
HOOKED=(job-market registry governance)

pascal() { # job-market -> JobMarket
    local out="" part
    IFS=- read -ra parts <<<"$1"
    for part in "${parts[@]}"; do out+="${part^}"; done
    printf '%s' "$out"
}

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
out="$scratch/contracts"
for c in "${CONTRACTS[@]}"; do
    "$codegen" generate --schema "schema/$c" --out "$out" --name "$(pascal "$c")" \
        --plugin client --no-bundle </dev/null >"$scratch/codegen.log" 2>&1 ||
        { cat "$scratch/codegen.log" >&2; die "ts-codegen failed for $c"; }
done
for c in "${HOOKED[@]}"; do
    # The hook schema alone in a folder: ts-codegen reads it as a plain JSON
    # schema (it warns that this mode is legacy) and writes its types.
    mkdir -p "$scratch/hooks/$c"
    cp "schema/$c/raw/receive_msg.json" "$scratch/hooks/$c/"
    "$codegen" generate --schema "$scratch/hooks/$c" --out "$out" --name "$(pascal "$c")Hook" \
        --typesOnly --no-bundle </dev/null >"$scratch/codegen.log" 2>&1 ||
        { cat "$scratch/codegen.log" >&2; die "ts-codegen failed for the hook of $c"; }
done

target="packages/starminer-ts/src/contracts"
if [ "$check" -eq 1 ]; then
    if ! diff -r -q "$out" "$target" >&2; then
        die "packages/starminer-ts is stale: run scripts/ts-client.sh and commit it"
    fi
    log "packages/starminer-ts/src/contracts is up to date"
    ensure_npm_folder "$REPO_ROOT/packages/starminer-ts" starminer-ts
    (cd packages/starminer-ts && node_modules/.bin/tsc -p tsconfig.json --noEmit) ||
        die "packages/starminer-ts does not type-check"
    log "packages/starminer-ts type-checks"
else
    rm -rf "$target"
    mkdir -p "$target"
    cp -r "$out/." "$target/"
    log "TypeScript client written to $target"
fi
