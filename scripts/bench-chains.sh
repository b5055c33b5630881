#!/usr/bin/env bash
# The devnet and a real wasmd v0.55.1 node side by side under the same cw20
# transfer load: runs tx-bench once per engine with the same arguments
# (`--json`), then prints one table with each chain's sustained tx/s, p50/p99
# broadcast→commit latency (ms and blocks), the node's peak RSS and its CPU
# time per transaction, and the devnet/wasmd ratio of each figure.
#
# Usage: scripts/bench-chains.sh [TX-BENCH ARGUMENTS...]
#   With no arguments the load is modest: --txs 5000 --accounts 200 --rate 250.
#   Any arguments replace that default entirely and go to both runs as they
#   are, e.g. each chain's ceiling (no --rate: every account sends as fast as
#   CheckTx accepts):
#     scripts/bench-chains.sh --txs 10000 --accounts 400
#   See `target/debug/tx-bench --help` for the arguments (--block-time-ms,
#   --min-tps, --max-p99-blocks, --max-rss-mib, ...). --engine and --json
#   are set by this script.
# Environment:
#   BENCH_BIN           the directory holding tx-bench, starminer-devnet and
#                       starminer (default: target/debug; build them with
#                       `cargo build --workspace --bins`)
#   STARMINER_WASMD_BIN the wasmd binary (default: the cache scripts/setup.sh
#                       builds, ~/.cache/starminer/wasmd-v0.55.1/bin/wasmd)
#   BENCH_OUT           keep the two JSON reports in this directory (default:
#                       a temporary one, removed afterwards)
# Exit status: 0 when both runs passed, 1 when a run missed a bar it was
# given (--min-tps, ...), 2 when a run failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

args=()
for a in "$@"; do
    case "$a" in
        -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --json) ;; # always on
        --engine|--engine=*) die "--engine is set by this script: it runs both engines" ;;
        *) args+=("$a") ;;
    esac
done
[ ${#args[@]} -gt 0 ] || args=(--txs 5000 --accounts 200 --rate 250)

# ---- what the runs need ----------------------------------------------------
BIN="${BENCH_BIN:-$REPO_ROOT/target/debug}"
for b in tx-bench starminer-devnet starminer; do
    [ -x "$BIN/$b" ] ||
        die "no $b in $BIN: build the workspace (cargo build --workspace --bins) or point BENCH_BIN at the directory holding tx-bench, starminer-devnet and starminer"
done
wasmd="${STARMINER_WASMD_BIN:-$WASMD_BIN}"
[ -x "$wasmd" ] ||
    die "no wasmd $WASMD_VERSION at $wasmd: build it with scripts/setup.sh (about 4 minutes the first time) or set STARMINER_WASMD_BIN"
artifact_given=0
for a in "${args[@]}"; do
    case "$a" in --artifact|--artifact=*) artifact_given=1 ;; esac
done
if [ "$artifact_given" -eq 0 ] && [ ! -f artifacts/agpu_token.wasm ]; then
    die "no artifacts/agpu_token.wasm: build the contracts with scripts/build-wasm.sh (or pass --artifact PATH)"
fi
command -v python3 >/dev/null || die "python3 not found: it prints the table"

if [ -n "${BENCH_OUT:-}" ]; then
    out="$BENCH_OUT"
    mkdir -p "$out"
else
    out="$(mktemp -d "${TMPDIR:-/tmp}/bench-chains.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
fi

# ---- the two runs ----------------------------------------------------------
status=0
for engine in devnet wasmd; do
    log "tx-bench --engine $engine ${args[*]}"
    rc=0
    STARMINER_WASMD_BIN="$wasmd" "$BIN/tx-bench" --engine "$engine" --json \
        --node-bin "$BIN/starminer-devnet" --cli-bin "$BIN/starminer" \
        "${args[@]}" >"$out/$engine.json" || rc=$?
    case "$rc" in
        0) ;;
        1) log "tx-bench --engine $engine missed a bar (see above); its figures are in the table" ;;
        *) log "tx-bench --engine $engine failed (exit $rc)"; rm -f "$out/$engine.json" ;;
    esac
    if [ "$rc" -gt "$status" ]; then status=$rc; fi
done

# ---- side by side ----------------------------------------------------------
python3 - "$out/devnet.json" "$out/wasmd.json" <<'PY'
import json, os, sys

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

dev, wd = load(sys.argv[1]), load(sys.argv[2])
any_run = dev or wd
if not any_run:
    print("no report: both runs failed", file=sys.stderr)
    sys.exit(0)
rate = any_run.get("offered_tx_per_s")
print()
print(
    f"{any_run['txs']} cw20 transfers from {any_run['accounts']} accounts, "
    f"{any_run['block_time_ms']} ms blocks, offered "
    + (f"{rate:.0f} tx/s" if rate else "as fast as CheckTx accepts")
)

# (label, key, decimals, which way is better)
rows = [
    ("sustained throughput, tx/s", "tx_per_s", 0, "higher"),
    ("broadcast (CheckTx) rate, tx/s", "broadcast_tx_per_s", 0, "higher"),
    ("latency p50, ms", "latency_ms_p50", 0, "lower"),
    ("latency p99, ms", "latency_ms_p99", 0, "lower"),
    ("latency p50, blocks", "latency_blocks_p50", 0, "lower"),
    ("latency p99, blocks", "latency_blocks_p99", 0, "lower"),
    ("node peak RSS, MiB", "node_peak_rss_mib", 0, "lower"),
    ("node CPU, ms/tx", "node_cpu_ms_per_tx", 3, "lower"),
    ("node CPU, s", "node_cpu_s", 2, "lower"),
    ("gas limit per transfer", "gas_per_tx", 0, "lower"),
    ("blocks with txs", "blocks", 0, None),
    ("most txs in a block", "max_txs_per_block", 0, None),
    ("'mempool is full' retries", "mempool_full_retries", 0, None),
    ("failed in DeliverTx", "failed_txs", 0, "lower"),
]

def cell(report, key, decimals):
    if report is None or report.get(key) is None:
        return "failed" if report is None else "-"
    return f"{report[key]:,.{decimals}f}"

def ratio(key):
    if dev is None or wd is None:
        return "-"
    a, b = dev.get(key), wd.get(key)
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"

header = ("", "devnet", "wasmd", "devnet/wasmd", "better")
table = [header] + [
    (label, cell(dev, k, d), cell(wd, k, d), ratio(k), better or "")
    for label, k, d, better in rows
]
widths = [max(len(r[i]) for r in table) for i in range(len(header))]
for n, r in enumerate(table):
    print(
        "  "
        + r[0].ljust(widths[0])
        + "".join("  " + c.rjust(w) for c, w in zip(r[1:4], widths[1:4]))
        + ("  " + r[4]).rstrip()
    )
    if n == 0:
        print("  " + "-" * (sum(widths) + 2 * (len(widths) - 1)))
PY

if [ -n "${BENCH_OUT:-}" ]; then
    log "reports: $out/devnet.json, $out/wasmd.json"
fi
exit "$status"
