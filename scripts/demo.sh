#!/usr/bin/env bash
# StarMiner end to end on this machine: set-up, build, a local chain with every
# contract deployed, two provider agents in two zones and one validator agent
# (OpenCL through PoCL, or a GPU's driver where one exists), a mix of jobs
# covering every template, all three verification modes, several urgencies
# and one job in a zone without a provider (Matrix Spillover), watched to
# settlement. Prints a summary table, the rendered images, unit prices per
# tier before and after, and the AGPU emissions paid. Exits 0 only when every
# job settled with its verified output.
#
# Usage: scripts/demo.sh [--quick] [--keep]
#   --quick   smaller jobs (what scripts/test.sh runs)
#   --keep    leave the devnet and agents running afterwards
# Environment:
#   DEMO_DIR       working directory (default: .demo/ in the repository)
#   DEMO_PROFILE   cargo profile of the binaries: debug (default: the same build
#                  as scripts/test.sh; dependencies are optimized in it and the
#                  kernels run in OpenCL either way) or release
#   DEMO_TIMEOUT   seconds to wait for every job to settle (default 480)
#   DEMO_BIN       use the three binaries in this directory instead of building
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

quick=0
keep=0
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $arg (see --help)" ;;
    esac
done

DEMO_DIR="${DEMO_DIR:-$REPO_ROOT/.demo}"
DEMO_PROFILE="${DEMO_PROFILE:-debug}"
DEMO_TIMEOUT="${DEMO_TIMEOUT:-480}"

# ---- set-up and build --------------------------------------------------------
if [ -n "${DEMO_BIN:-}" ]; then
    # scripts/test.sh passes the binaries `cargo test --workspace` built,
    # after its own set-up and wasm build.
    BIN="$DEMO_BIN"
    [ -f artifacts/job_market.wasm ] || die "no artifacts/: run scripts/build-wasm.sh"
else
    scripts/setup.sh
    scripts/build-wasm.sh
    profile_flag=()
    BIN="$REPO_ROOT/target/debug"
    if [ "$DEMO_PROFILE" = "release" ]; then
        profile_flag=(--release)
        BIN="$REPO_ROOT/target/release"
    fi
    log "building the devnet, the CLI and the agent ($DEMO_PROFILE)"
    cargo build --locked "${profile_flag[@]}" -p starminer-devnet -p starminer-cli -p starminer-agent \
        --bin starminer-devnet --bin starminer --bin starminer-agent
fi
for b in starminer-devnet starminer starminer-agent; do
    [ -x "$BIN/$b" ] || die "no $b in $BIN"
done
started=$SECONDS

# ---- a fresh devnet, deployed -------------------------------------------------
agent_pids=()
cleanup() {
    local rc=$?
    if [ "$keep" -eq 1 ] && [ "$rc" -eq 0 ]; then
        log "left running: devnet (starminer --home $CLI_HOME devnet down) and agents (pids ${agent_pids[*]:-})"
        return
    fi
    for pid in "${agent_pids[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${agent_pids[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    [ -n "${CLI_HOME:-}" ] && "$BIN/starminer" --home "$CLI_HOME" devnet down >/dev/null 2>&1 || true
    if [ "$rc" -ne 0 ]; then
        echo "demo failed (exit $rc); logs are in $DEMO_DIR/logs and $DEMO_DIR/cli/devnet/node.log" >&2
    fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR/logs" "$DEMO_DIR/out"
CLI_HOME="$DEMO_DIR/cli"
export STARMINER_PASSPHRASE="starminer-demo"
RPC_PORT=$(free_port)
REST_PORT=$(free_port)
sm() { "$BIN/starminer" --home "$CLI_HOME" "$@"; }

log "starting the devnet (1 s blocks) and deploying every contract"
# Short periods so that a few minutes show settlement, a pricing epoch and an
# emission epoch: 20 s challenge window, 60 s epochs, 20 s / 40 s spillover.
sm devnet up --fresh --devnet-bin "$BIN/starminer-devnet" \
    --rpc-port "$RPC_PORT" --rest-port "$REST_PORT" --block-time 1s \
    --challenge-window 20 --pricing-epoch 60 --incentives-epoch 60 \
    --spill-regional 20 --spill-global 40
RPC="http://127.0.0.1:$RPC_PORT"
MANIFEST="$CLI_HOME/manifest.json"
[ -f "$MANIFEST" ] || die "the deployment wrote no manifest at $MANIFEST"

# ---- agents ----------------------------------------------------------------------
# name zone role result-port
AGENTS=(
    "validator eu-central validator $(free_port)"
    "rig-eu eu-west provider $(free_port)"
    "rig-us us-east provider $(free_port)"
)
declare -A ADDR ZONE HOME_OF
for a in "${AGENTS[@]}"; do
    read -r name zone role port <<<"$a"
    home="$DEMO_DIR/agents/$name"
    flags=(--home "$home" --rpc "$RPC" --manifest "$MANIFEST" --zone "$zone"
           --moniker "$name" --listen "127.0.0.1:$port")
    if [ "$role" = validator ]; then
        flags+=(--validator --no-provider)
    else
        # A busy 2-core box may measure under tier 1's 100 units/s.
        flags+=(--claimed-score 150 --concurrency 2)
    fi
    "$BIN/starminer-agent" init "${flags[@]}" >"$DEMO_DIR/logs/$name-init.log"
    addr=$(awk '/^address:/ {print $2}' "$DEMO_DIR/logs/$name-init.log")
    [ -n "$addr" ] || die "agent $name printed no address"
    ADDR[$name]=$addr
    ZONE[$name]=$zone
    HOME_OF[$name]=$home
    log "agent $name ($role, $zone): $addr"
    # Fees and stake from the dev account that deployed.
    sm token send "$addr" 10000000 --denom ustar --from dev0 >/dev/null
    sm token send "$addr" 10000 --denom agpu --from dev0 >/dev/null
done

start_agent() {
    local name=$1
    "$BIN/starminer-agent" run --home "${HOME_OF[$name]}" >>"$DEMO_DIR/logs/$name.log" 2>&1 &
    agent_pids+=($!)
}

log "registering the validator (bond 5,000 AGPU) and starting it"
"$BIN/starminer-agent" register --home "${HOME_OF[validator]}" >>"$DEMO_DIR/logs/validator.log" 2>&1
start_agent validator
for name in rig-eu rig-us; do
    log "registering $name: hardware, bond, benchmark challenge verified by the validator"
    "$BIN/starminer-agent" register --home "${HOME_OF[$name]}" --wait-verified 180 \
        >>"$DEMO_DIR/logs/$name.log" 2>&1 || die "$name did not register (see $DEMO_DIR/logs/$name.log)"
    start_agent "$name"
done
sm provider list

# ---- jobs ------------------------------------------------------------------------
sm market prices --json >"$DEMO_DIR/prices-before.json"
# template | params | zone | verification | urgency [| latency class]
# Every job template, the three verification modes, four urgencies; the
# eu-central job has no provider in its zone and spills over to eu-west; the
# replicated job (on a bit-exact template: the job market refuses
# replication of tolerance templates) accepts a global route so the eu-west
# rig can take the second replica of a us-east job.
if [ "$quick" -eq 1 ]; then
    JOBS=(
        "render.fractal|width=256,height=192,max_iter=256|eu-west|spot:1|high"
        "render.pathtrace|width=64,height=48,samples=4,seed=5|us-east|spot:1|normal"
        "render.fractal|width=192,height=128,max_iter=128,julia=1|us-east|replicated:2|normal|global"
        "ai.inference.mlp|batch=64,width=64,layers=3,seed=3|us-east|none|low"
        "ai.training.sgd|samples=512,features=16,classes=4,blocks=4,seed=11|eu-west|spot:1|realtime"
        "hpc.sgemm|m=128,n=128,k=128,seed=7|eu-central|none|normal"
    )
else
    JOBS=(
        "render.fractal|width=1024,height=768,max_iter=512|eu-west|spot:1|high"
        "render.pathtrace|width=320,height=200,samples=16,seed=5|us-east|spot:1|normal"
        "render.fractal|width=640,height=480,max_iter=256,julia=1|us-east|replicated:2|normal|global"
        "ai.inference.mlp|batch=256,width=128,layers=4,seed=3|eu-west|none|low"
        "ai.training.sgd|samples=4096,features=32,classes=4,blocks=8,seed=11|eu-west|spot:1|realtime"
        "hpc.sgemm|m=512,n=512,k=512,seed=7|eu-central|none|normal"
    )
fi
JOB_IDS=()
for j in "${JOBS[@]}"; do
    IFS='|' read -r template params zone verification urgency latency <<<"$j"
    out=$(sm --json job submit --template "$template" --params "$params" --zone "$zone" \
        --verification "$verification" --urgency "$urgency" --latency "${latency:-regional}" --from dev1)
    id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])' <<<"$out")
    JOB_IDS+=("$id")
    log "job $id: $template in $zone, verification $verification, urgency $urgency"
done

# ---- watch to settlement ---------------------------------------------------------
log "waiting for ${#JOB_IDS[@]} jobs to settle (at most $DEMO_TIMEOUT s)"
deadline=$((SECONDS + DEMO_TIMEOUT))
while :; do
    statuses=()
    for id in "${JOB_IDS[@]}"; do
        statuses+=("$(sm --json job show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["job"]["status"])')")
    done
    line="$(paste -d: <(printf '%s\n' "${JOB_IDS[@]}") <(printf '%s\n' "${statuses[@]}") | tr '\n' ' ')"
    if [ "$line" != "${last_line:-}" ]; then
        printf '  [%4d s] %s\n' "$((SECONDS - started))" "$line" >&2
        last_line=$line
    fi
    pending=0
    for s in "${statuses[@]}"; do
        case "$s" in
            settled) ;;
            failed|expired|cancelled) die "a job ended $s" ;;
            *) pending=1 ;;
        esac
    done
    [ "$pending" -eq 0 ] && break
    [ "$SECONDS" -lt "$deadline" ] || die "jobs did not settle within $DEMO_TIMEOUT s"
    sleep 3
done

# ---- outputs, prices, emissions -----------------------------------------------
for id in "${JOB_IDS[@]}"; do
    sm --json job show "$id" >"$DEMO_DIR/out/job-$id.json"
    sm --json job fetch "$id" --out "$DEMO_DIR/out/job-$id.bin" >"$DEMO_DIR/out/job-$id.fetch.json" \
        || die "the output of job $id did not verify against its on-chain root"
done
# Let a pricing and an emission epoch close after the work; the agents claim
# their rewards of closed epochs themselves.
log "waiting for the pricing and emission epochs to close and the agents to claim"
sleep 75
sm market prices --json >"$DEMO_DIR/prices-after.json"
sm rewards history --json >"$DEMO_DIR/emissions.json"

agents_json="{"
for name in "${!ADDR[@]}"; do
    agents_json+="\"${ADDR[$name]}\": {\"name\": \"$name\", \"zone\": \"${ZONE[$name]}\", \"home\": \"${HOME_OF[$name]}\"},"
done
agents_json="${agents_json%,}}"
printf '%s' "$agents_json" >"$DEMO_DIR/agents.json"

python3 scripts/demo_summary.py "$DEMO_DIR" "${JOB_IDS[@]}"
log "demo finished in $((SECONDS - started)) s after the build"
