// The submit form: built from the chosen template's parameter schema (the
// names its unit formula multiplies), with the chain's live quote, sent as
// the job market's cw20 hook (`submitJob` of packages/starminer-ts) through
// the connected wallet.
import { useState } from "react";
import { useChain, useSession } from "../App";
import { fmtAmount, rpcCall, type NodeStatus } from "../chain";
import { useLoad } from "../usePoll";
import type { Template } from "@starminer/contracts/contracts/JobMarket.types";
import type { Urgency } from "@starminer/contracts/contracts/Pricing.types";

/** The template's unit formula, as the contract evaluates it (rounded up). */
function unitsOf(t: Template, values: Record<string, string>): bigint | null {
  let product = BigInt(t.unit_formula.factor);
  for (const name of t.unit_formula.params) {
    const v = values[name];
    if (!v || !/^\d+$/.test(v) || BigInt(v) === 0n) return null;
    product *= BigInt(v);
  }
  const d = BigInt(t.unit_formula.divisor);
  return (product + d - 1n) / d;
}

export function SubmitJob() {
  const { cfg, clients } = useChain();
  const { session } = useSession();
  const templates = useLoad(() => clients.jobMarket.templates({ limit: 100 }), []);
  const zones = useLoad(() => clients.jobMarket.zones({ limit: 100 }), []);
  const [templateId, setTemplateId] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [zone, setZone] = useState("");
  const [urgency, setUrgency] = useState<Urgency>("normal");
  const [state, setState] = useState<{ busy?: boolean; error?: string; jobId?: number }>({});

  const list = (templates.data?.templates ?? []).filter((t) => t.enabled);
  const template = list.find((t) => t.id === templateId) ?? list[0];
  const zoneList = zones.data?.zones.map((z) => z.zone) ?? [];
  const chosenZone = zone || zoneList[0] || "";
  const units = template ? unitsOf(template, values) : null;
  // A formula may name a parameter twice (width · width): one field each.
  const names = [...new Set(template?.unit_formula.params ?? [])];
  const tier = Math.max(1, template?.min_hardware.min_tier ?? 1);
  const quote = useLoad(
    async () =>
      template && units !== null
        ? clients.pricing.quote({ class: template.class, tier, units: units.toString(), urgency, verification: "none" })
        : null,
    [template?.id, units?.toString(), urgency, tier],
  );

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!session || !template || !quote.data) return;
    setState({ busy: true });
    try {
      const { submitJob } = await import("@starminer/contracts/hooks");
      const status = await rpcCall<NodeStatus>(cfg, "status");
      const now = BigInt(Date.parse(status.sync_info.latest_block_time)) * 1_000_000n;
      const result = await submitJob(session.agpu, cfg.contracts.job_market, quote.data.total, {
        template: template.id,
        params: names.map((name) => ({ name, value: Number(values[name]) })),
        input: { inline: { data: "" } },
        requirements: {
          min_tier: tier,
          min_device_memory: template.min_hardware.min_device_memory,
          min_compute_units: template.min_hardware.min_compute_units,
          zone: chosenZone,
          urgency,
          latency: "regional",
        },
        max_price: quote.data.total,
        deadline: (now + 3600n * 1_000_000_000n).toString(),
        verification: "none",
      });
      const ev = (result.events as { type: string; attributes: { key: string; value: string }[] }[]).find((x) => x.type === "wasm-job");
      const id = Number(ev?.attributes.find((a) => a.key === "job_id")?.value);
      setState({ jobId: id });
    } catch (err) {
      setState({ error: err instanceof Error ? err.message : String(err) });
    }
  }

  if (!session) return <p>Connect a wallet on the <a href="#/wallet">Wallet</a> page to submit a job.</p>;
  if (!template) return <p>Loading templates…</p>;
  return (
    <form onSubmit={submit} aria-labelledby="submit-h" data-testid="submit-form">
      <h2 id="submit-h">Submit a job</h2>
      <p>
        <label>Template{" "}
          <select value={template.id} onChange={(e) => { setTemplateId(e.target.value); setValues({}); }}>
            {list.map((t) => <option key={t.id} value={t.id}>{t.id} ({t.class})</option>)}
          </select>
        </label>{" "}
        <label>Zone{" "}
          <select value={chosenZone} onChange={(e) => setZone(e.target.value)}>
            {zoneList.map((z) => <option key={z}>{z}</option>)}
          </select>
        </label>{" "}
        <label>Urgency{" "}
          <select value={urgency} onChange={(e) => setUrgency(e.target.value as Urgency)}>
            {["low", "normal", "high", "realtime"].map((u) => <option key={u}>{u}</option>)}
          </select>
        </label>
      </p>
      <fieldset>
        <legend>Parameters of {template.id} (units = {template.unit_formula.params.join(" × ")} × {template.unit_formula.factor} ÷ {template.unit_formula.divisor})</legend>
        {names.map((name) => (
          <label key={name}>{name}{" "}
            <input inputMode="numeric" required value={values[name] ?? ""} onChange={(e) => setValues({ ...values, [name]: e.target.value.replace(/\D/g, "") })} />{" "}
          </label>
        ))}
      </fieldset>
      <p aria-live="polite" data-testid="submit-quote">
        {units === null ? "Fill in every parameter for a quote." : quote.data ? <>{units.toString()} units: <strong>{fmtAmount(quote.data.total, "AGPU")}</strong> escrowed (tier {quote.data.tier}).</> : "Quoting…"}
      </p>
      <p><button type="submit" disabled={!quote.data || state.busy} data-testid="submit-job">{state.busy ? "Submitting…" : "Submit and pay"}</button></p>
      {state.error && <p role="alert">{state.error}</p>}
      {state.jobId !== undefined && <p role="status" data-testid="submitted">Submitted: <a href={`#/jobs/${state.jobId}`}>job #{state.jobId}</a></p>}
    </form>
  );
}
