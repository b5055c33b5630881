import { useState } from "react";
import { useChain, useHeight, useSession } from "../App";
import type { VoteOption } from "@starminer/contracts/contracts/Governance.types";
import { fmtAmount, short } from "../chain";
import { standing } from "../tally";
import { useLoad } from "../usePoll";

const pct = (num: bigint, den: bigint) => (den === 0n ? "0" : (Number((num * 10000n) / den) / 100).toFixed(2));

export function Governance() {
  const { clients } = useChain();
  const height = useHeight();
  // Every block: an open proposal's voting period may be seconds long.
  const epoch = height;
  const data = useLoad(async () => {
    const [proposals, config, treasury, power] = await Promise.all([
      clients.governance.proposals({ limit: 30 }),
      clients.governance.config(),
      clients.governance.treasury(),
      clients.governance.totalPower({}),
    ]);
    return { proposals: proposals.proposals.sort((a, b) => b.id - a.id), config, treasury, power };
  }, [epoch]);
  if (data.error) return <><h1>Governance</h1><p role="alert">{data.error}</p></>;
  if (!data.data) return <><h1>Governance</h1><p>Loading…</p></>;
  const { proposals, config, treasury, power } = data.data;
  const p = config.params;
  return (
    <>
      <h1>Governance</h1>
      <section aria-labelledby="rules-h">
        <h2 id="rules-h">Rules</h2>
        <dl className="facts">
          <div><dt>Staked AMAX (voting power)</dt><dd data-testid="total-power">{fmtAmount(power.power)}</dd></div>
          <div><dt>Quorum</dt><dd>{Number(p.quorum) * 100}%</dd></div>
          <div><dt>Threshold</dt><dd>{Number(p.threshold) * 100}%</dd></div>
          <div><dt>Veto</dt><dd>{Number(p.veto_threshold) * 100}%</dd></div>
          <div><dt>Voting period</dt><dd>{p.voting_period} s</dd></div>
          <div><dt>Timelock</dt><dd>{p.timelock} s</dd></div>
          <div><dt>Minimum deposit</dt><dd>{fmtAmount(p.min_deposit, "AMAX")}</dd></div>
        </dl>
      </section>
      <section aria-labelledby="props-h">
        <h2 id="props-h">Proposals</h2>
        {proposals.length === 0 && <p>No proposals yet.</p>}
        {proposals.map((x) => {
          const s = standing(x);
          const status = typeof x.status === "string" ? x.status : "execution failed";
          // The contract records the outcome when the proposal is next acted on.
          const ended = status === "open" && Number(BigInt(x.voting_end) / 1_000_000n) < Date.now();
          const total = BigInt(x.total_power);
          const deciding = s.turnout - BigInt(x.tally.abstain);
          return (
            <article key={x.id} className="card" data-proposal={x.id} aria-labelledby={`prop-${x.id}`}>
              <h3 id={`prop-${x.id}`}>#{x.id} {x.title}</h3>
              <p>
                <span className="status" data-testid="proposal-status">{status}</span>
                {ended && " (voting has ended; the outcome is recorded when it is next acted on)"} · by <code>{short(x.proposer)}</code> · voting ends{" "}
                {new Date(Number(BigInt(x.voting_end) / 1_000_000n)).toLocaleString()} · executable from{" "}
                {new Date(Number(BigInt(x.executable_at) / 1_000_000n)).toLocaleString()} (timelock)
              </p>
              <table>
                <caption>Tally against the proposal's rules (voting power at its start height {x.start_height})</caption>
                <thead>
                  <tr><th scope="col">Yes</th><th scope="col">No</th><th scope="col">No with veto</th><th scope="col">Abstain</th><th scope="col">Turnout / quorum</th><th scope="col">Yes share / threshold</th><th scope="col">Veto share / limit</th></tr>
                </thead>
                <tbody>
                  <tr>
                    <td data-testid="tally-yes">{fmtAmount(x.tally.yes)}</td>
                    <td data-testid="tally-no">{fmtAmount(x.tally.no)}</td>
                    <td>{fmtAmount(x.tally.no_with_veto)}</td>
                    <td>{fmtAmount(x.tally.abstain)}</td>
                    <td>{pct(s.turnout, total)}% / {Number(x.rules.quorum) * 100}%</td>
                    <td>{pct(BigInt(x.tally.yes), deciding)}% / {Number(x.rules.threshold) * 100}%</td>
                    <td>{pct(BigInt(x.tally.no_with_veto), s.turnout)}% / {Number(x.rules.veto_threshold) * 100}%</td>
                  </tr>
                </tbody>
              </table>
              {status === "open" && !ended && <VoteButtons proposalId={x.id} />}
              {status === "open" && (
                <p data-testid="distance">
                  If voting closed now: <strong>{s.ifClosedNow}</strong>.{" "}
                  {s.yesNeeded === 0n
                    ? "It passes as things stand."
                    : s.yesNeeded < 0n
                      ? "Even if all power that has not voted voted Yes, it would not pass."
                      : `${fmtAmount(s.yesNeeded.toString())} more AMAX voting Yes would pass it.`}
                </p>
              )}
            </article>
          );
        })}
      </section>
      <section aria-labelledby="tr-h">
        <h2 id="tr-h">Treasury</h2>
        <dl className="facts" data-testid="treasury">
          <div><dt>AMAX spendable</dt><dd>{fmtAmount(treasury.amax.spendable)}</dd></div>
          <div><dt>AMAX held as deposits</dt><dd>{fmtAmount(treasury.amax.held_deposits)}</dd></div>
          {treasury.cw20s.map((c) => <div key={c.token}><dt>cw20 <code>{short(c.token)}</code></dt><dd>{fmtAmount(c.balance)}</dd></div>)}
          {treasury.native.map((c) => <div key={c.denom}><dt>{c.denom}</dt><dd>{fmtAmount(c.amount)}</dd></div>)}
        </dl>
      </section>
    </>
  );
}

const BALLOTS: [VoteOption, string][] = [["yes", "Yes"], ["no", "No"], ["abstain", "Abstain"], ["no_with_veto", "No with veto"]];

/** Votes on an open proposal through the connected wallet. */
function VoteButtons({ proposalId }: { proposalId: number }) {
  const { session } = useSession();
  const [note, setNote] = useState<string | null>(null);
  if (!session) return <p>Connect a wallet on the <a href="#/wallet">Wallet</a> page to vote.</p>;
  async function vote(option: VoteOption, label: string) {
    if (!session) return;
    setNote("Waiting for the wallet…");
    try {
      await session.governance.vote({ proposalId, vote: option });
      setNote(`Voted ${label}.`);
    } catch (err) {
      setNote(`Vote not cast: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return (
    <div role="group" aria-label={`Vote on proposal ${proposalId}`}>
      {BALLOTS.map(([option, label]) => (
        <button key={option} type="button" onClick={() => vote(option, label)} data-vote={option}>
          Vote {label}
        </button>
      ))}
      {note && <p role="status" data-testid="vote-note">{note}</p>}
    </div>
  );
}
