# Sourced by cosmjs/run.sh and keplr/run.sh: picks the chain engine
# (STARMINER_ENGINE=devnet|wasmd) and checks its binaries, installs the
# calling folder's locked npm packages and runs its node tests, with every
# chain home under a scratch TMPDIR that is cleaned up (a wasmd node left
# behind by a killed run included).
#
# run_acceptance DIR NAME [NODE FLAGS...]
#   DIR   the test folder (its package.json and *.test.mjs)
#   NAME  a short name for the scratch folder
#
#   STARMINER_ENGINE=devnet (default)  against starminer-devnet; builds it
#                                      unless STARMINER_DEVNET_BIN is given.
#   STARMINER_ENGINE=wasmd             against a real wasmd v0.55.1 node that
#                                      the test starts with `starminer chain up
#                                      --engine wasmd`; needs the CLI
#                                      (STARMINER_CLI_BIN; built here only when
#                                      not given) and wasmd (STARMINER_WASMD_BIN,
#                                      default ~/.cache/starminer/wasmd-v0.55.1/bin/wasmd).
run_acceptance() {
    local here="$1" name="$2"
    shift 2
    root="$(cd "$here/../../../.." && pwd)"
    engine="${STARMINER_ENGINE:-devnet}"
    case "$engine" in
    devnet)
        # scripts/test.sh passes the binary `cargo test --workspace` already built
        # (building it again alone would recompile wasmer with other features).
        if [ -z "${STARMINER_DEVNET_BIN:-}" ]; then
            cargo build --locked --quiet -p starminer-devnet --manifest-path "$root/Cargo.toml"
            STARMINER_DEVNET_BIN="$root/target/debug/starminer-devnet"
        fi
        [ -x "$STARMINER_DEVNET_BIN" ] || { echo "no devnet binary at $STARMINER_DEVNET_BIN" >&2; return 1; }
        export STARMINER_DEVNET_BIN
        ;;
    wasmd)
        if [ -z "${STARMINER_CLI_BIN:-}" ]; then
            cargo build --locked --quiet -p starminer-cli --manifest-path "$root/Cargo.toml"
            STARMINER_CLI_BIN="$root/target/debug/starminer"
        fi
        [ -x "$STARMINER_CLI_BIN" ] || {
            echo "no starminer CLI at $STARMINER_CLI_BIN: build it with \`cargo build -p starminer-cli\` (or set STARMINER_CLI_BIN)" >&2
            return 1
        }
        STARMINER_WASMD_BIN="${STARMINER_WASMD_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/starminer/wasmd-v0.55.1/bin/wasmd}"
        [ -x "$STARMINER_WASMD_BIN" ] || {
            echo "no wasmd at $STARMINER_WASMD_BIN: build it with scripts/setup.sh (or set STARMINER_WASMD_BIN)" >&2
            return 1
        }
        export STARMINER_CLI_BIN STARMINER_WASMD_BIN
        ;;
    *)
        echo "STARMINER_ENGINE=$engine: expected devnet or wasmd" >&2
        return 1
        ;;
    esac
    export STARMINER_ENGINE="$engine"
    cd "$here"
    npm ci --no-audit --no-fund --silent

    # The test makes its chain homes under TMPDIR; pointing that at a scratch
    # folder lets the trap below stop a wasmd node the test could not stop itself
    # (the runner killed by the timeout, a crash) and remove what is left.
    scratch="$(mktemp -d "${TMPDIR:-/tmp}/starminer-$name-test.XXXXXX")"
    cleanup() {
        local pidfile pid
        for pidfile in "$scratch"/*/chains/*/wasmd.pid "$scratch"/*/chains/*/node*/wasmd.pid; do
            [ -f "$pidfile" ] || continue
            pid="$(cat "$pidfile")"
            if [ -n "$pid" ] && grep -q wasmd "/proc/$pid/cmdline" 2>/dev/null; then
                echo "stopping wasmd pid $pid left by the test" >&2
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done
        rm -rf "$scratch"
    }
    trap cleanup EXIT
    # --test-force-exit: a client library's socket left open must not keep the
    # runner alive after the test has finished; timeout bounds the whole run
    # (wasmd's start-up, with its genesis ceremony, takes longer than the devnet's).
    limit=300
    [ "$engine" = wasmd ] && limit=480
    TMPDIR="$scratch" timeout --kill-after=10 "$limit" node "$@" --test --test-force-exit
}
