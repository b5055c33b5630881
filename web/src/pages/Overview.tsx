import { useEffect, useRef, useState } from "react";
import { useChain, useHeight } from "../App";
import { fmtAmount, rpcCall, type NodeStatus } from "../chain";
import { useLoad } from "../usePoll";

const CLASSES = ["render", "hpc", "inference", "training"] as const;

export function Overview() {
  const { cfg, clients, feed } = useChain();
  const height = useHeight();
  // Contract state changes only with transactions: reload every 5 blocks,
  // and at once when a job event arrives.
  const epoch = Math.floor(height / 5);
  const [jobTick, setJobTick] = useState(0);
  useEffect(() => {
    const off = feed.onJob(() => setJobTick((t) => t + 1));
    return () => void off();
  }, [feed]);
  const status = useLoad(() => rpcCall<NodeStatus>(cfg, "status"), [epoch]);
  const stats = useLoad(() => clients.jobMarket.stats(), [epoch, jobTick]);
  const prices = useLoad(() => clients.pricing.prices(), [epoch]);
  const emission = useLoad(() => clients.incentives.currentEpoch(), [epoch]);
  const emissions = useLoad(() => clients.incentives.emissions({ limit: 5 }), [epoch]);

  // Throughput, measured while the page is open: jobs settled per minute.
  const first = useRef<{ t: number; settled: number } | null>(null);
  const settled = stats.data?.by_status.find((s) => s.status === "settled")?.count ?? 0;
  if (stats.data && !first.current) first.current = { t: Date.now(), settled };
  const minutes = first.current ? (Date.now() - first.current.t) / 60000 : 0;
  const throughput = first.current && minutes > 0.2 ? ((settled - first.current.settled) / minutes).toFixed(2) : null;

  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="node-h">
        <h2 id="node-h">Node</h2>
        {status.error && <p role="alert">Node unreachable: {status.error}</p>}
        {status.data && (
          <dl className="facts">
            <div><dt>Chain</dt><dd>{status.data.node_info.network}</dd></div>
            <div><dt>Height</dt><dd data-testid="node-height">{status.data.sync_info.latest_block_height}</dd></div>
            <div><dt>Last block</dt><dd>{new Date(status.data.sync_info.latest_block_time).toLocaleTimeString()}</dd></div>
            <div><dt>Syncing</dt><dd>{status.data.sync_info.catching_up ? "catching up" : "in sync"}</dd></div>
            <div><dt>Version</dt><dd>{status.data.node_info.version}</dd></div>
          </dl>
        )}
      </section>
      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Jobs by status</h2>
        {stats.error && <p role="alert">{stats.error}</p>}
        {stats.data && (
          <>
            <dl className="facts" data-testid="jobs-by-status">
              <div><dt>All jobs</dt><dd data-testid="jobs-total">{stats.data.jobs}</dd></div>
              {stats.data.by_status.map((s) => (
                <div key={s.status}><dt>{s.status}</dt><dd data-status={s.status}>{s.count}</dd></div>
              ))}
            </dl>
            <p>
              Throughput since this page opened:{" "}
              {throughput === null ? "measuring…" : `${throughput} jobs settled per minute`}.
              Escrow held now: {fmtAmount(stats.data.totals.live_escrow, "AGPU")}; paid to providers:{" "}
              {fmtAmount(stats.data.totals.provider_payouts, "AGPU")}.
            </p>
          </>
        )}
      </section>
      <section aria-labelledby="prices-h">
        <h2 id="prices-h">Unit prices per tier</h2>
        {prices.data && (
          <table>
            <caption>AGPU per unit, pricing epoch {prices.data.epoch}</caption>
            <thead>
              <tr><th scope="col">Tier</th>{CLASSES.map((c) => <th scope="col" key={c}>{c}</th>)}<th scope="col">Multiplier</th></tr>
            </thead>
            <tbody>
              {prices.data.tiers.map((t) => (
                <tr key={t.tier}>
                  <th scope="row">{t.tier}</th>
                  {CLASSES.map((c) => <td key={c}>{t.prices[c]}</td>)}
                  <td>{t.multiplier}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="em-h">
        <h2 id="em-h">Emissions</h2>
        {emission.data && (
          <p>
            Epoch {emission.data.epoch} emits {fmtAmount(emission.data.emission, "AGPU")}, ending{" "}
            {new Date(Number(BigInt(emission.data.ends_at) / 1_000_000n)).toLocaleTimeString()}.
          </p>
        )}
        {emissions.data && emissions.data.epochs.length > 0 && (
          <table>
            <caption>Closed emission epochs</caption>
            <thead><tr><th scope="col">Epoch</th><th scope="col">Emitted</th><th scope="col">Claimed</th></tr></thead>
            <tbody>
              {emissions.data.epochs.map((e) => (
                <tr key={e.epoch}><th scope="row">{e.epoch}</th><td>{fmtAmount(e.emitted)}</td><td>{fmtAmount(e.claimed)}</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
