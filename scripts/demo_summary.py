#!/usr/bin/env python3
"""Summary of a scripts/demo.sh run, from the JSON the `starminer` CLI wrote.

Usage: demo_summary.py DEMO_DIR JOB_ID...

Reads DEMO_DIR/out/job-<id>.json (`starminer job show --json`),
job-<id>.fetch.json (`starminer job fetch --json`), agents.json (address →
agent name and zone), prices-before.json / prices-after.json (`starminer
market prices --json`) and emissions.json (`starminer rewards history
--json`). Prints the tables and exits non-zero if a job did not settle with a
payout and a verified output.
"""

import json
import os
import sys

UAGPU = 1_000_000


def agpu(v):
    return f"{int(v) / UAGPU:,.6f}".rstrip("0").rstrip(".")


def seconds(ts):
    # cosmwasm Timestamp: nanoseconds as a decimal string.
    return int(ts) / 1e9


def verification(v):
    if v == "none":
        return "none"
    if "spot_check" in v:
        return f"spot:{v['spot_check']['verifiers']}"
    if "replicated" in v:
        return f"replicated:{v['replicated']['k']}"
    return json.dumps(v)


def table(headers, rows):
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(str(c))) for w, c in zip(widths, r)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def main():
    demo = sys.argv[1]
    ids = sys.argv[2:]
    with open(os.path.join(demo, "agents.json")) as f:
        agents = json.load(f)
    rows = []
    images = []
    failures = []
    for id_ in ids:
        with open(os.path.join(demo, "out", f"job-{id_}.json")) as f:
            resp = json.load(f)
        job = resp["job"]
        spec = job["spec"]
        fetched_path = os.path.join(demo, "out", f"job-{id_}.fetch.json")
        fetched = None
        if os.path.exists(fetched_path):
            with open(fetched_path) as f:
                fetched = json.load(f)
        providers = [s["provider"] for s in job.get("slots", [])]
        zones = sorted({agents.get(p, {}).get("zone", p[:16] + "…") for p in providers})
        settled_at = next(
            (e["time"] for e in reversed(resp["history"]) if e["action"] == "settled"),
            None,
        )
        settlement = job.get("settlement") or {}
        payout = int(settlement.get("provider_payouts", 0))
        root = (job.get("result") or {}).get("root", "")
        took = (
            f"{seconds(settled_at) - seconds(job['submitted_at']):.0f}"
            if settled_at
            else "-"
        )
        rows.append(
            [
                job["id"],
                spec["template"],
                f"{spec['requirements']['zone']} → {', '.join(zones) or '-'}",
                spec["requirements"]["urgency"],
                agpu(job["quote"]["total"]),
                verification(spec["verification"]),
                root[:16] + "…" if root else "-",
                agpu(payout),
                took,
            ]
        )
        if job["status"] != "settled" or payout == 0:
            failures.append(f"job {job['id']} is {job['status']} with payout {payout}")
        if not fetched or fetched.get("root") != root:
            failures.append(f"job {job['id']}: output not verified against root {root}")
        png = fetched and fetched.get("png")
        if png:
            images.append((job["id"], spec["template"], png))

    print()
    print("Jobs (prices and payouts in AGPU; seconds from submission to settlement)")
    table(
        [
            "job",
            "template",
            "zone → provider zone",
            "urgency",
            "price",
            "verification",
            "result root",
            "payout",
            "seconds",
        ],
        rows,
    )
    if images:
        print()
        print("Rendered images (outputs fetched from the providers, verified against the chain):")
        for id_, template, path in images:
            print(f"  job {id_} ({template}): {path}")

    with open(os.path.join(demo, "prices-before.json")) as f:
        before = json.load(f)
    with open(os.path.join(demo, "prices-after.json")) as f:
        after = json.load(f)
    print()
    print(
        f"Unit prices per tier (uagpu per unit), epoch {before['epoch']} → epoch {after['epoch']}"
    )
    prows = []
    after_by_tier = {t["tier"]: t for t in after["tiers"]}
    for t in before["tiers"]:
        a = after_by_tier.get(t["tier"], t)
        prow = [t["tier"]]
        for cls in ["render", "hpc", "inference", "training"]:
            prow.append(f"{t['prices'][cls]} → {a['prices'][cls]}")
        prows.append(prow)
    table(["tier", "render", "hpc", "inference", "training"], prows)

    with open(os.path.join(demo, "emissions.json")) as f:
        emissions = json.load(f)
    print()
    print("Emissions (AGPU minted by the incentives contract)")
    epochs = emissions.get("epochs", [])
    erows = [
        [e.get("epoch"), agpu(e.get("emitted", 0)), agpu(e.get("claimed", 0))]
        for e in epochs
    ]
    if erows:
        table(["epoch", "emitted", "claimed"], erows)
    for k in ["total_emitted", "total_claimed"]:
        if k in emissions:
            print(f"  {k.replace('_', ' ')}: {agpu(emissions[k])}")

    if failures:
        print()
        for f_ in failures:
            print(f"FAILED: {f_}", file=sys.stderr)
        sys.exit(1)
    print()
    print(f"All {len(rows)} jobs settled, paid and verified.")


if __name__ == "__main__":
    main()
