import { useState } from "react";
import { useChain } from "../App";
import { restBackend } from "../chain";

export function Developer() {
  const { cfg } = useChain();
  const names = Object.keys(cfg.contracts).sort();
  const [contract, setContract] = useState(names.includes("job_market") ? "job_market" : names[0]);
  const [text, setText] = useState('{"stats": {}}');
  const [answer, setAnswer] = useState<string>("");
  const [problem, setProblem] = useState<string | null>(null);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const addr = cfg.contracts[contract];
  const curl = `curl -s "${location.origin}${cfg.rest}/cosmwasm/wasm/v1/contract/${addr}/smart/$(printf '%s' '${JSON.stringify(parsed)}' | base64 -w0)"`;
  const ts = `import { CosmWasmClient } from "@cosmjs/cosmwasm-stargate";\nconst client = await CosmWasmClient.connect(RPC);\nawait client.queryContractSmart("${addr}", ${JSON.stringify(parsed)});`;
  async function run() {
    setProblem(null);
    try {
      setAnswer(JSON.stringify(await restBackend(cfg.rest).queryContractSmart(addr, parsed), null, 2));
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <>
      <h1>Developer</h1>
      <section aria-labelledby="c-h">
        <h2 id="c-h">Contracts on {cfg.chainId}</h2>
        <table data-testid="contracts">
          <thead><tr><th scope="col">Contract</th><th scope="col">Address</th></tr></thead>
          <tbody>{names.map((n) => <tr key={n}><th scope="row">{n}</th><td><code className="wrap">{cfg.contracts[n]}</code></td></tr>)}</tbody>
        </table>
      </section>
      <section aria-labelledby="qc-h">
        <h2 id="qc-h">Query console</h2>
        <p>
          <label>Contract{" "}
            <select value={contract} onChange={(e) => setContract(e.target.value)}>
              {names.map((n) => <option key={n}>{n}</option>)}
            </select>
          </label>
        </p>
        <p>
          <label htmlFor="q-text">Query (JSON, as in schema/{contract.replace(/_/g, "-")}/raw/query.json)</label>
          <br />
          <textarea id="q-text" rows={4} cols={70} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={parsed === null} />
        </p>
        <p><button type="button" onClick={run} disabled={parsed === null} data-testid="run-query">Run query</button></p>
        {problem && <p role="alert">{problem}</p>}
        {answer && <pre data-testid="query-answer">{answer}</pre>}
        <h3>Copy as TypeScript</h3>
        <pre data-testid="copy-ts">{ts}</pre>
        <h3>Copy as a shell command</h3>
        <pre>{curl}</pre>
      </section>
    </>
  );
}
