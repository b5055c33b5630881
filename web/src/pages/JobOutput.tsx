// A settled or submitted job's output, fetched from its provider through the
// dashboard (/results/{job}/output) and checked here against the Merkle root
// on chain; render templates also show their image.
import { useEffect, useState } from "react";
import { useChain } from "../App";
import { rootOf, toHex } from "../merkle";
import type { Job } from "@starminer/contracts/contracts/JobMarket.types";

type Check = { state: "checking" } | { state: "verified"; bytes: number } | { state: "mismatch"; got: string } | { state: "error"; message: string };

export function JobOutput({ job }: { job: Job }) {
  const { clients } = useChain();
  const [check, setCheck] = useState<Check>({ state: "checking" });
  const root = job.result?.root;
  useEffect(() => {
    if (!root) return;
    let live = true;
    (async () => {
      const template = await clients.jobMarket.template({ id: job.spec.template });
      const r = await fetch(`/results/${job.id}/output`);
      if (!r.ok) throw new Error(`the provider answered HTTP ${r.status}: ${await r.text()}`);
      const data = new Uint8Array(await r.arrayBuffer());
      const got = toHex(await rootOf(data, template.chunk_size));
      if (live) setCheck(got === root.toLowerCase() ? { state: "verified", bytes: data.length } : { state: "mismatch", got });
    })().catch((e) => live && setCheck({ state: "error", message: String(e?.message ?? e) }));
    return () => {
      live = false;
    };
  }, [root, job.id, job.spec.template, clients]);
  if (!root) return <p>No result yet.</p>;
  return (
    <>
      <p data-testid="output-check" data-state={check.state}>
        {check.state === "checking" && "Fetching the output and checking it against the root on chain…"}
        {check.state === "verified" && <>Output verified in this browser: its {check.bytes} bytes hash to the root on chain.</>}
        {check.state === "mismatch" && <>The provider's output does not match the root on chain (it hashes to <code className="wrap">{check.got}</code>).</>}
        {check.state === "error" && <>Could not check the output: {check.message}</>}
      </p>
      {check.state === "verified" && job.class === "render" && (
        <img src={`/results/${job.id}/preview.png`} alt={`The image job ${job.id} rendered`} className="preview" data-testid="output-preview" />
      )}
    </>
  );
}
