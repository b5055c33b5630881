import { useChain, useHeight } from "../App";
import { ageOf, fmtAmount, short } from "../chain";
import { useLoad } from "../usePoll";

export function Providers() {
  const { clients } = useChain();
  const height = useHeight();
  const epoch = Math.floor(height / 5);
  const providers = useLoad(async () => {
    const [list, cfg] = await Promise.all([clients.registry.providers({ limit: 100 }), clients.registry.config()]);
    return { list: list.providers, cfg };
  }, [epoch]);
  const zones = new Map<string, number>();
  for (const p of providers.data?.list ?? []) zones.set(p.zone, (zones.get(p.zone) ?? 0) + 1);
  const now = Date.now();
  return (
    <>
      <h1>Providers</h1>
      {providers.error && <p role="alert">{providers.error}</p>}
      <section aria-labelledby="z-h">
        <h2 id="z-h">Zones</h2>
        <ul className="zones" data-testid="zones">
          {[...zones.entries()].sort().map(([z, n]) => (
            <li key={z}><strong>{z}</strong> {n} provider{n === 1 ? "" : "s"}</li>
          ))}
        </ul>
      </section>
      {providers.data && (
        <table data-testid="providers-table">
          <caption>{providers.data.list.length} registered identities</caption>
          <thead>
            <tr>
              <th scope="col">Moniker</th><th scope="col">Address</th><th scope="col">Zone</th><th scope="col">Status</th>
              <th scope="col">Tier</th><th scope="col">Reputation</th><th scope="col">Bond</th><th scope="col">Collateral locked</th>
              <th scope="col">Heartbeat</th><th scope="col">Jobs done / failed</th><th scope="col">Hardware</th>
            </tr>
          </thead>
          <tbody>
            {providers.data.list.map((p) => (
              <tr key={p.address} data-provider={p.address}>
                <th scope="row">{p.moniker}</th>
                <td><code>{short(p.address)}</code></td>
                <td>{p.zone}</td>
                <td>{typeof p.status === "string" ? p.status : Object.keys(p.status)[0]}</td>
                <td>{p.tier}</td>
                <td>{(p.reputation / 100).toFixed(2)}%</td>
                <td data-testid="bonded">{fmtAmount(p.bonded, "AGPU")}</td>
                <td>{fmtAmount(p.locked, "AGPU")}</td>
                <td>{ageOf(p.last_heartbeat, now)}</td>
                <td>{p.counters.jobs_done} / {p.counters.jobs_failed}</td>
                <td>{p.hardware.map((d) => d.name).join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
