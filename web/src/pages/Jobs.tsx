import { useEffect, useState } from "react";
import { useChain } from "../App";
import { fmtAmount, short } from "../chain";
import { useLoad } from "../usePoll";
import { SubmitJob } from "./SubmitJob";
import type { Job, JobStatus } from "@starminer/contracts/contracts/JobMarket.types";

const STATUSES: JobStatus[] = ["open", "assigned", "submitted", "revealing", "disputed", "settled", "failed", "expired", "cancelled"];

export function Jobs() {
  const { clients, feed } = useChain();
  const [filter, setFilter] = useState<JobStatus | "all">("all");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const off = feed.onJob(() => setTick((t) => t + 1));
    return () => void off();
  }, [feed]);
  const jobs = useLoad(async () => {
    const statuses = filter === "all" ? STATUSES : [filter];
    const lists = await Promise.all(statuses.map((status) => clients.jobMarket.jobsByStatus({ status, limit: 100 })));
    return lists.flatMap((l) => l.jobs).sort((a: Job, b: Job) => b.id - a.id);
  }, [filter, tick]);
  return (
    <>
      <h1>Jobs</h1>
      <SubmitJob />
      <label>
        Status{" "}
        <select value={filter} onChange={(e) => setFilter(e.target.value as JobStatus | "all")}>
          <option value="all">all</option>
          {STATUSES.map((s) => <option key={s}>{s}</option>)}
        </select>
      </label>
      {jobs.error && <p role="alert">{jobs.error}</p>}
      {jobs.data && (
        <table data-testid="jobs-table">
          <caption>{jobs.data.length} jobs, newest first; updated live</caption>
          <thead>
            <tr>
              <th scope="col">Job</th><th scope="col">Template</th><th scope="col">Status</th><th scope="col">Zone</th>
              <th scope="col">Tier</th><th scope="col">Units</th><th scope="col">Price</th><th scope="col">Requester</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data.map((j) => (
              <tr key={j.id} data-job={j.id}>
                <th scope="row"><a href={`#/jobs/${j.id}`}>#{j.id}</a></th>
                <td>{j.spec.template}</td>
                <td data-testid="status">{j.status}</td>
                <td>{j.spec.requirements.zone}</td>
                <td>{j.tier}</td>
                <td>{j.units}</td>
                <td>{fmtAmount(j.quote.total, "AGPU")}</td>
                <td><code>{short(j.requester)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
