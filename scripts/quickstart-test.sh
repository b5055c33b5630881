#!/usr/bin/env bash
# Runs the README's quick start as it is written: the shell block between
# `<!-- quickstart -->` and `<!-- /quickstart -->`, under `bash -e`, in a
# fresh HOME with the built binaries on PATH. It passes when every command
# succeeds (`job watch` exits non-zero unless the job settles) and the job
# ends settled, its provider paid and its output fetched and verified.
#
# Usage: scripts/quickstart-test.sh [BIN_DIR]   (default: target/debug)
# Needs the default ports free (26657, 1317, 9090, the agent's 8645), as a
# newcomer's machine has them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bin_dir=$(cd "${1:-target/debug}" && pwd)
for b in starminer starminer-devnet starminer-agent; do
    [ -x "$bin_dir/$b" ] || die "no $bin_dir/$b: build it first (cargo build -p starminer-cli -p starminer-devnet -p starminer-agent)"
done
[ -f artifacts/job_market.wasm ] || die "no wasm artifacts: run scripts/build-wasm.sh first"

block=$(awk '
    /^<!-- quickstart -->$/ { inside = 1; next }
    /^<!-- \/quickstart -->$/ { inside = 0 }
    inside && /^```/ { fence = !fence; next }
    inside && fence { print }
' README.md)
[ -n "$block" ] || die "README.md has no <!-- quickstart --> block"

work=$(mktemp -d /tmp/starminer-quickstart.XXXXXX)
log "running README.md's quick start in HOME=$work"
# The block's own lines, then what a newcomer's session would leave
# running is stopped: the provider (a background job of this shell) and the
# chain with its validator agent.
script="$work/quickstart.sh"
{
    echo 'set -euo pipefail'
    echo 'cleanup() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; starminer devnet down >/dev/null 2>&1 || true; }'
    echo 'trap cleanup EXIT'
    echo 'set -x'
    printf '%s\n' "$block"
    echo 'set +x'
    # What the test checks after the block, while the chain still runs.
    echo 'starminer job show 1 --json > job.json'
    echo 'starminer token balance "$addr" --json > provider-balance.json'
} > "$script"

# The README runs it from the repository root, for `artifacts/`; a folder
# of its own with that link keeps the files it writes out of the clone.
mkdir "$work/cwd"
ln -s "$REPO_ROOT/artifacts" "$work/cwd/artifacts"
t0=$SECONDS
(
    cd "$work/cwd"
    env -i PATH="$bin_dir:/usr/local/bin:/usr/bin:/bin" HOME="$work" TERM=dumb \
        RUST_LOG="${RUST_LOG:-}" bash "$script"
) > "$work/transcript.txt" 2>&1 || {
    tail -n 60 "$work/transcript.txt" >&2
    [ -f "$work/cwd/agent.log" ] && { echo "--- provider agent log (tail)" >&2; tail -n 30 "$work/cwd/agent.log" >&2; }
    vlog="$work/.starminer/devnet/validator-agent.log"
    [ -f "$vlog" ] && { echo "--- validator agent log (tail)" >&2; tail -n 30 "$vlog" >&2; }
    die "the README's quick start failed after $((SECONDS - t0)) s (transcript: $work/transcript.txt)"
}
python3 - "$work/cwd" <<'EOF' || die "the quick start's job is not settled, paid and fetched (see $work/cwd)"
import json, os, sys
work = sys.argv[1]
job = json.load(open(os.path.join(work, "job.json")))
j = job.get("job", job)
status = j["status"]
assert status == "settled", f"job 1 is {status}"
s = j["settlement"]
paid = sum(int(p["amount"]) for p in s["provider_payouts"]) if isinstance(s["provider_payouts"], list) else int(s["provider_payouts"])
assert paid > 0, "the provider was not paid"
png = os.path.join(work, "fractal.png")
assert os.path.getsize(png) > 0 and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "no fetched PNG"
print(f"job 1 settled; provider paid {paid} uagpu; fractal.png {os.path.getsize(png)} bytes")
EOF
log "the README's quick start ran in $((SECONDS - t0)) s (transcript: $work/transcript.txt)"
