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
# Usage: scripts/demo.sh [--quick] [--keep] [--chain devnet|wasmd]
#                        [--validators N] [--kill-validator]
#   --quick            smaller jobs (what scripts/test.sh runs)
#   --keep             leave the chain and agents running afterwards, start
#                      the web dashboard on them (when web/dist is built:
#                      scripts/web.sh) and print its URL; the pids of what
#                      was left running are in $DEMO_DIR/kept.pids
#   --chain wasmd      run on a real wasmd v0.55.1 chain (built by
#                      scripts/setup.sh) instead of the devnet: same
#                      artifacts, same agents, wasmd's own prefix and denom
#   --validators N     wasmd: N validator processes on loopback (default 1);
#                      agents and the CLI get every node's RPC and fail over
#   --kill-validator   wasmd with N >= 4: kill validator 0, the first RPC of
#                      every client, once the jobs are submitted; restart it
#                      after settlement and check that it caught up
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
engine=devnet
validators=1
kill_validator=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --keep) keep=1 ;;
        --chain) engine="${2:-}"; shift ;;
        --chain=*) engine="${1#--chain=}" ;;
        --validators) validators="${2:-}"; shift ;;
        --validators=*) validators="${1#--validators=}" ;;
        --kill-validator) kill_validator=1 ;;
        -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
case "$engine" in
    devnet|wasmd) ;;
    *) die "--chain must be devnet or wasmd, not '$engine'" ;;
esac
[[ "$validators" =~ ^[1-9][0-9]?$ ]] || die "--validators must be a number from 1 to 99, not '$validators'"
if [ "$engine" = devnet ] && [ "$validators" -ne 1 ]; then
    die "--validators needs --chain wasmd (the devnet has one validator)"
fi
if [ "$kill_validator" -eq 1 ] && [ "$validators" -lt 4 ]; then
    die "--kill-validator needs --chain wasmd --validators 4 or more (with fewer, one validator is over 1/3 of the power and the chain halts)"
fi

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

# ---- a fresh chain, deployed ---------------------------------------------------
WASMD_ID=starminer-demo-wasmd
agent_pids=()
chain_down() {
    if [ "$engine" = wasmd ]; then
        "$BIN/starminer" --home "$CLI_HOME" chain down --engine wasmd --chain-id "$WASMD_ID"
    else
        "$BIN/starminer" --home "$CLI_HOME" devnet down
    fi
}
cleanup() {
    local rc=$?
    if [ "$keep" -eq 1 ] && [ "$rc" -eq 0 ]; then
        log "left running: the $engine chain (starminer --home $CLI_HOME $([ "$engine" = wasmd ] && echo "chain down --engine wasmd --chain-id $WASMD_ID" || echo "devnet down")) and agents (pids ${agent_pids[*]:-})"
        return
    fi
    for pid in "${agent_pids[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${agent_pids[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    [ -n "${CLI_HOME:-}" ] && chain_down >/dev/null 2>&1 || true
    if [ "$rc" -ne 0 ]; then
        local node_log="$DEMO_DIR/cli/devnet/node.log"
        [ "$engine" = wasmd ] && node_log="$DEMO_DIR/cli/chains/$WASMD_ID/node*.log"
        echo "demo failed (exit $rc); logs are in $DEMO_DIR/logs and $node_log" >&2
    fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A base port B with B..B+10*N+3 free: validator i of a wasmd chain listens
# on B+10i (RPC), +1 (P2P), +2 (REST) and +3 (gRPC).
free_port_block() {
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(500):
    b = random.randrange(20000, 60000 - 10 * n, 10)
    if all(free(b + 10 * i + k) for i in range(n) for k in range(4)):
        print(b); break
else:
    sys.exit("no block of free ports")
PY
}

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR/logs" "$DEMO_DIR/out"
CLI_HOME="$DEMO_DIR/cli"
export STARMINER_PASSPHRASE="starminer-demo"
sm() { "$BIN/starminer" --home "$CLI_HOME" "$@"; }

# Short periods so that a few minutes show settlement, a pricing epoch and an
# emission epoch: 20 s challenge window, 60 s epochs, 20 s / 40 s spillover.
PERIODS=(--challenge-window 20 --pricing-epoch 60 --incentives-epoch 60
         --spill-regional 20 --spill-global 40)
if [ "$engine" = wasmd ]; then
    BASE=$(free_port_block "$validators")
    WASMD_UP=(chain up --engine wasmd --chain-id "$WASMD_ID" --name wasmd --validators "$validators"
              --rpc-port "$BASE" --p2p-port $((BASE + 1)) --rest-port $((BASE + 2))
              --grpc-port $((BASE + 3)) --block-time 1s)
    log "starting wasmd v0.55.1 ($validators validator(s), 1 s blocks) and deploying every contract"
    sm "${WASMD_UP[@]}" --fresh
    export STARMINER_CHAIN=wasmd
    # The same deployment `devnet up` makes: AGPU for dev1..dev3, StarMiner
    # governance at 10 s voting and 2 s timelock so the template proposal
    # passes within the demo.
    sm deploy --from dev0 --agpu dev1=1000000 --agpu dev2=1000000 --agpu dev3=1000000 \
        --voting-period 10 --timelock 2 "${PERIODS[@]}"
    RPCS=$(python3 -c 'import sys; b, n = int(sys.argv[1]), int(sys.argv[2]); print(",".join(f"http://127.0.0.1:{b + 10 * i}" for i in range(n)))' "$BASE" "$validators")
    CHAIN_FLAGS=(--chain-id "$WASMD_ID" --prefix wasm --fee-denom stake --gas-price 0.0025)
    FEE_DENOM=stake
else
    RPC_PORT=$(free_port)
    REST_PORT=$(free_port)
    log "starting the devnet (1 s blocks) and deploying every contract"
    # --no-validator-agent: the demo runs its own validator agent (below).
    sm devnet up --fresh --devnet-bin "$BIN/starminer-devnet" --no-validator-agent \
        --rpc-port "$RPC_PORT" --rest-port "$REST_PORT" --grpc-port 0 --block-time 1s "${PERIODS[@]}"
    RPCS="http://127.0.0.1:$RPC_PORT"
    CHAIN_FLAGS=()
    FEE_DENOM=ustar
fi
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
    flags=(--home "$home" --rpc "$RPCS" "${CHAIN_FLAGS[@]}" --manifest "$MANIFEST" --zone "$zone"
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
    sm token send "$addr" 10000000 --denom "$FEE_DENOM" --from dev0 >/dev/null
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

# ---- a validator dies (wasmd, --kill-validator) ---------------------------------
chain_status() { sm --json chain status --engine wasmd --chain-id "$WASMD_ID"; }
node_field() {  # node_field STATUS_JSON INDEX FIELD: empty when absent
    python3 -c 'import json, sys; v = json.loads(sys.argv[1])["nodes"][int(sys.argv[2])].get(sys.argv[3]); print("" if v is None else v)' "$1" "$2" "$3"
}
if [ "$kill_validator" -eq 1 ]; then
    victim=$(node_field "$(chain_status)" 0 pid)
    [ -n "$victim" ] || die "no pid for validator 0 in chain status"
    kill -9 "$victim"
    log "killed validator 0 (pid $victim), the first RPC endpoint of the CLI and every agent: the other $((validators - 1)) keep finalizing"
fi

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

if [ "$kill_validator" -eq 1 ]; then
    log "restarting validator 0; waiting for it to catch up"
    sm "${WASMD_UP[@]}" >/dev/null
    catch_up_deadline=$((SECONDS + 90))
    while :; do
        status=$(chain_status)
        h0=$(node_field "$status" 0 height)
        h1=$(node_field "$status" 1 height)
        # Caught up: within a block of validator 1 and out of block sync
        # (a node still block-syncing answers contract queries with a panic).
        syncing=$(python3 -c 'import json, sys, urllib.request
try:
    s = json.load(urllib.request.urlopen(sys.argv[1] + "/status", timeout=2))
    print(str(s["result"]["sync_info"]["catching_up"]).lower())
except Exception:
    print("unknown")' "http://127.0.0.1:$BASE")
        if [ -n "$h0" ] && [ -n "$h1" ] && [ $((h0 + 1)) -ge "$h1" ] && [ "$syncing" = false ]; then
            log "validator 0 caught up: height $h0 (validator 1: $h1), block sync done"
            break
        fi
        [ "$SECONDS" -lt "$catch_up_deadline" ] || die "validator 0 did not catch up in 90 s (height ${h0:-none}, validator 1 at ${h1:-none}, catching up: $syncing)"
        sleep 2
    done
    # The CLI's first endpoint is validator 0 again: it must answer contract
    # queries before the demo reads the outputs through it.
    for try in $(seq 1 15); do
        sm --json job show "${JOB_IDS[0]}" >/dev/null 2>&1 && break
        [ "$try" -lt 15 ] || die "validator 0 does not answer contract queries 30 s after catching up (see its node.log)"
        log "validator 0 does not answer contract queries yet; retrying"
        sleep 2
    done
fi

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

if [ "$keep" -eq 1 ]; then
    printf '%s\n' "${agent_pids[@]}" >"$DEMO_DIR/kept.pids"
    if [ -f web/dist/index.html ]; then
        "$BIN/starminer" --home "$CLI_HOME" dashboard --dir "$REPO_ROOT/web/dist" --listen 127.0.0.1:0 >"$DEMO_DIR/logs/dashboard.log" 2>&1 &
        echo $! >>"$DEMO_DIR/kept.pids"
        for _ in $(seq 50); do
            grep -q '^dashboard on ' "$DEMO_DIR/logs/dashboard.log" && break
            sleep 0.2
        done
        url=$(sed -n 's/^dashboard on \(http:[^ ]*\).*/\1/p' "$DEMO_DIR/logs/dashboard.log")
        [ -n "$url" ] || die "the dashboard did not start: $DEMO_DIR/logs/dashboard.log"
        log "dashboard: $url"
    else
        log "no dashboard: web/dist is not built (scripts/web.sh)"
    fi
fi
