#!/usr/bin/env bash
# Builds every StarMiner contract into a deployable artifact:
#   cargo (wasm profile) -> wasm-opt lowering -> cosmwasm-check -> artifacts/
# Prints each artifact's size and fails if one exceeds wasmd's 800 KiB limit.
#
# Usage: scripts/build-wasm.sh [crate ...]   (default: every contract, and the
# test-only ones of TEST_CONTRACTS in lib.sh)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAX_BYTES=$((800 * 1024))
ensure_rust_components
ensure_binaryen
ensure_cosmwasm_check

cd "$REPO_ROOT"
crates=("$@")
[ ${#crates[@]} -eq 0 ] && crates=("${CONTRACTS[@]}" "${TEST_CONTRACTS[@]}")

# The deployed contracts build together; each test contract builds alone,
# so that a test contract's cosmwasm-std features (ibc-ping's stargate)
# never reach a deployed artifact through feature unification.
deployed=()
tests=()
for c in "${crates[@]}"; do
    if [[ " ${TEST_CONTRACTS[*]} " == *" $c "* ]]; then tests+=("$c"); else deployed+=(-p "$c"); fi
done
log "compiling ${crates[*]} for wasm32-unknown-unknown"
if [ ${#deployed[@]} -gt 0 ]; then
    cargo build --locked --quiet --profile wasm \
        --target wasm32-unknown-unknown --lib "${deployed[@]}"
fi
for c in "${tests[@]}"; do
    cargo build --locked --quiet --profile wasm \
        --target wasm32-unknown-unknown --lib -p "$c"
done

mkdir -p artifacts
failed=0
printf '%-22s %10s %10s\n' "artifact" "raw" "lowered" >&2
for c in "${crates[@]}"; do
    name="${c//-/_}"
    raw="target/wasm32-unknown-unknown/wasm/$name.wasm"
    out="artifacts/$name.wasm"
    [ -f "$raw" ] || die "cargo produced no $raw"
    # -Oz plus the two lowerings; the features flags let binaryen parse what
    # rustc emitted, the lowering passes then remove those instructions.
    # Inlining functions that have one caller is capped: unbounded, binaryen
    # merged the job market's handlers into a function of 102 locals, over
    # the VM's limit of 100 (with the cap: 69 locals, and 8 KB smaller).
    "$WASM_OPT" -Oz --one-caller-inline-max-function-size=500 \
        --enable-bulk-memory --enable-sign-ext \
        --signext-lowering --llvm-memory-copy-fill-lowering \
        --strip-debug --strip-producers --strip-target-features \
        "$raw" -o "$out"
    size=$(stat -c %s "$out")
    printf '%-22s %10s %10s\n' "$name.wasm" "$(stat -c %s "$raw")" "$size" >&2
    if [ "$size" -gt "$MAX_BYTES" ]; then
        echo "  $out is $size bytes, above wasmd's limit of $MAX_BYTES" >&2
        failed=1
    fi
done
[ "$failed" -eq 0 ] || die "artifact size limit exceeded"

artifacts=()
for c in "${crates[@]}"; do artifacts+=("artifacts/${c//-/_}.wasm"); done
log "cosmwasm-check ${artifacts[*]}"
cosmwasm-check "${artifacts[@]}" >/dev/null || cosmwasm-check "${artifacts[@]}"

# checksums.txt covers every artifact present, like cw-optimizoor's output.
(cd artifacts && sha256sum -- *.wasm > checksums.txt)
log "artifacts written: $(ls artifacts/*.wasm | wc -l) contracts, checksums in artifacts/checksums.txt"
