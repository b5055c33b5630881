import { useEffect, useState } from "react";
import { useChain } from "../App";
import { ageOf, fmtAmount, short } from "../chain";
import type { LiveJobEvent } from "../live";
import { useLoad } from "../usePoll";
import { JobOutput } from "./JobOutput";
import type { Provider } from "@starminer/contracts/contracts/Registry.types";

function verificationLabel(v: unknown): string {
  if (v === "none") return "none";
  if (v && typeof v === "object" && "spot_check" in v) return `spot checks by ${(v as { spot_check: { verifiers: number } }).spot_check.verifiers} verifier(s)`;
  if (v && typeof v === "object" && "replicated" in v) return `${(v as { replicated: { k: number } }).replicated.k} replicas (commit–reveal)`;
  return JSON.stringify(v);
}

export function JobDetail({ id }: { id: number }) {
  const { clients, feed } = useChain();
  const [live, setLive] = useState<LiveJobEvent[]>([]);
  useEffect(() => {
    const off = feed.onJob((e) => {
      if (e.jobId === id) setLive((l) => [...l, { ...e, seenAt: Date.now() } as LiveJobEvent]);
    });
    return () => void off();
  }, [feed, id]);
  // The job's own history is the authority; every live event of this job
  // reloads it, so the timeline cannot drift from the chain.
  const job = useLoad(() => clients.jobMarket.job({ jobId: id }), [id, live.length]);
  const providers = useLoad(async () => {
    const slots = job.data?.job.slots ?? [];
    const out: Provider[] = [];
    for (const s of slots) out.push(await clients.registry.provider({ address: s.provider }));
    return out;
  }, [job.data?.job.slots.map((s) => s.provider).join()]);

  if (job.error) return <><h1>Job #{id}</h1><p role="alert">{job.error}</p></>;
  if (!job.data) return <><h1>Job #{id}</h1><p>Loading…</p></>;
  const j = job.data.job;
  const q = j.quote;
  const liveHeights = new Set(live.map((e) => `${e.height}:${e.action}`));
  const v = j.verification;
  return (
    <>
      <h1>Job #{id}</h1>
      <p>
        <span className="status" data-testid="job-status">{j.status}</span> · template <code>{j.spec.template}</code> · zone{" "}
        {j.spec.requirements.zone} · tier {j.tier} · requester <code>{short(j.requester)}</code>
      </p>
      <section aria-labelledby="tl-h">
        <h2 id="tl-h">Lifecycle</h2>
        <ol className="timeline" data-testid="timeline" aria-live="polite">
          {job.data.history.map((e) => (
            <li key={e.seq} data-action={e.action}>
              <strong>{e.action.replace(/_/g, " ")}</strong> at block {e.height}
              {e.actor && <> by <code>{short(e.actor)}</code></>}
              {e.detail && <> · {e.detail}</>}
              {liveHeights.has(`${e.height}:${e.action}`) && <span className="tag"> live</span>}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="q-h">
        <h2 id="q-h">Quote</h2>
        <dl className="facts" data-testid="quote">
          <div><dt>Units</dt><dd>{q.units}</dd></div>
          <div><dt>Unit price</dt><dd>{q.unit_price}</dd></div>
          <div><dt>Compute</dt><dd>{fmtAmount(q.compute_cost, "AGPU")}</dd></div>
          <div><dt>Replication</dt><dd>×{q.replication}</dd></div>
          <div><dt>Verifier fee</dt><dd>{fmtAmount(q.verifier_fee, "AGPU")} ({q.verifiers} verifiers)</dd></div>
          <div><dt>Total</dt><dd data-testid="quote-total">{fmtAmount(q.total, "AGPU")}</dd></div>
          <div><dt>Escrow</dt><dd>{fmtAmount(j.escrow, "AGPU")}</dd></div>
        </dl>
      </section>
      <section aria-labelledby="v-h">
        <h2 id="v-h">Verification</h2>
        <p>Mode: {verificationLabel(j.spec.verification)}.</p>
        {j.result && <p>Result root <code className="wrap">{j.result.root}</code>, {j.result.chunk_count} chunks, {j.result.output_size} bytes.</p>}
        {v && (
          <p>
            Challenge window until {new Date(Number(BigInt(v.challenge_deadline) / 1_000_000n)).toLocaleTimeString()};{" "}
            {v.verifiers.length} verifier(s) drawn, {v.challenges.length} chunk challenge(s)
            {v.dispute ? ", in dispute" : ""}.
          </p>
        )}
        {j.settlement && (
          <p data-testid="settlement">
            Settled: {fmtAmount(j.settlement.provider_payouts, "AGPU")} to providers, {fmtAmount(j.settlement.verifier_fees, "AGPU")} to
            verifiers, {fmtAmount(j.settlement.refund, "AGPU")} refunded.
          </p>
        )}
      </section>
      <section aria-labelledby="o-h">
        <h2 id="o-h">Output</h2>
        <JobOutput job={j} />
      </section>
      <section aria-labelledby="p-h">
        <h2 id="p-h">Provider</h2>
        {j.slots.length === 0 && <p>Not claimed yet.</p>}
        {providers.data?.map((p) => (
          <div key={p.address} className="card" data-testid="job-provider">
            <p><strong>{p.moniker}</strong> <code>{short(p.address)}</code> · {p.zone} · tier {p.tier} · reputation {p.reputation / 100}%</p>
            <ul>
              {p.hardware.map((d, i) => (
                <li key={i}>{d.vendor} {d.name}: {d.compute_units} compute units, {(Number(d.global_mem_bytes) / 2 ** 30).toFixed(1)} GiB, OpenCL {d.opencl_version}</li>
              ))}
            </ul>
            <p>Heartbeat {ageOf(p.last_heartbeat)}.</p>
          </div>
        ))}
      </section>
    </>
  );
}
