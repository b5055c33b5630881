import { useState } from "react";
import { useChain, useHeight } from "../App";
import { fmtAmount } from "../chain";
import { useLoad } from "../usePoll";
import type { JobClass, Urgency } from "@starminer/contracts/contracts/Pricing.types";

const TIERS = [1, 2, 3, 4];

/** A small SVG line of a tier's multiplier per epoch; the table below has the numbers. */
function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return null;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const pts = values.map((v, i) => `${(i / (values.length - 1)) * 300},${60 - ((v - min) / span) * 55}`).join(" ");
  return (
    <svg className="chart" width="300" height="64" role="img" aria-label={`multiplier per epoch, from ${values[0]} to ${values[values.length - 1]}`}>
      <polyline points={pts} fill="none" stroke="#0b57b5" strokeWidth="2" />
    </svg>
  );
}

export function Market() {
  const { clients } = useChain();
  const height = useHeight();
  const epoch = Math.floor(height / 10);
  const [tier, setTier] = useState(1);
  const history = useLoad(() => clients.pricing.priceHistory({ tier, limit: 30 }), [tier, epoch]);
  const util = useLoad(() => Promise.all(TIERS.map((t) => clients.pricing.utilization({ tier: t }))), [epoch]);
  const [form, setForm] = useState({ class: "render" as JobClass, units: "1000", urgency: "normal" as Urgency, tier: 1 });
  const quote = useLoad(
    () => clients.pricing.quote({ class: form.class, tier: form.tier, units: form.units || "0", urgency: form.urgency, verification: "none" }),
    [form.class, form.tier, form.units, form.urgency],
  );
  return (
    <>
      <h1>Market</h1>
      <section aria-labelledby="u-h">
        <h2 id="u-h">Utilization per tier (current epoch)</h2>
        {util.data && (
          <table data-testid="utilization">
            <thead><tr><th scope="col">Tier</th><th scope="col">Demand</th><th scope="col">Supply</th><th scope="col">Utilization</th></tr></thead>
            <tbody>
              {util.data.map((u) => (
                <tr key={u.tier}><th scope="row">{u.tier}</th><td>{u.demand}</td><td>{u.supply}</td><td>{(Number(u.utilization) * 100).toFixed(1)}%</td></tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="h-h">
        <h2 id="h-h">Price history</h2>
        <label>Tier{" "}
          <select value={tier} onChange={(e) => setTier(Number(e.target.value))}>
            {TIERS.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        {history.data && (
          <>
            <Sparkline values={[...history.data.epochs].sort((a, b) => a.epoch - b.epoch).map((e) => Number(e.multiplier))} />
            <table data-testid="price-history">
              <caption>Tier {tier}: closed pricing epochs (the chart above shows the multiplier)</caption>
              <thead><tr><th scope="col">Epoch</th><th scope="col">Demand</th><th scope="col">Supply</th><th scope="col">Utilization</th><th scope="col">Multiplier</th><th scope="col">Next multiplier</th></tr></thead>
              <tbody>
                {history.data.epochs.map((e) => (
                  <tr key={e.epoch}><th scope="row">{e.epoch}</th><td>{e.demand}</td><td>{e.supply}</td><td>{(Number(e.utilization) * 100).toFixed(1)}%</td><td>{e.multiplier}</td><td>{e.next_multiplier}</td></tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section aria-labelledby="q-h">
        <h2 id="q-h">Quote calculator</h2>
        <form className="calc" onSubmit={(e) => e.preventDefault()}>
          <label>Class{" "}
            <select value={form.class} onChange={(e) => setForm({ ...form, class: e.target.value as JobClass })}>
              {["render", "hpc", "inference", "training"].map((c) => <option key={c}>{c}</option>)}
            </select>
          </label>{" "}
          <label>Tier{" "}
            <select value={form.tier} onChange={(e) => setForm({ ...form, tier: Number(e.target.value) })}>
              {TIERS.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>{" "}
          <label>Units <input inputMode="numeric" value={form.units} onChange={(e) => setForm({ ...form, units: e.target.value.replace(/\D/g, "") })} /></label>{" "}
          <label>Urgency{" "}
            <select value={form.urgency} onChange={(e) => setForm({ ...form, urgency: e.target.value as Urgency })}>
              {["low", "normal", "high", "realtime"].map((u) => <option key={u}>{u}</option>)}
            </select>
          </label>
        </form>
        {quote.error && <p role="alert">{quote.error}</p>}
        {quote.data && (
          <p data-testid="calc-quote" aria-live="polite">
            {quote.data.units} units at {quote.data.unit_price} = <strong>{fmtAmount(quote.data.total, "AGPU")}</strong> (compute{" "}
            {fmtAmount(quote.data.compute_cost)}, verifier fee {fmtAmount(quote.data.verifier_fee)}).
          </p>
        )}
      </section>
    </>
  );
}
