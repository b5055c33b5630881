import { useState } from "react";
import { useChain, useHeight, useSession } from "../App";
import { fmtAmount } from "../chain";
import { useLoad } from "../usePoll";

export function Wallet() {
  const { cfg, clients } = useChain();
  const height = useHeight();
  const { session, setSession } = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onConnect() {
    setBusy(true);
    setProblem(null);
    try {
      // The signing bundle is fetched here, on the first connect.
      const { connect } = await import("../signing");
      setSession(await connect(cfg));
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  const address = session?.address;
  const balances = useLoad(async () => {
    if (!address) return null;
    const [bank, agpu, amax, rewards, staked] = await Promise.all([
      fetch(`${cfg.rest}/cosmos/bank/v1beta1/balances/${address}`).then((r) => r.json()),
      clients.agpu.balance({ address }),
      clients.amax.balance({ address }),
      clients.incentives.pendingRewards({ address }),
      clients.governance.staked({ address }),
    ]);
    const native = (bank.balances as { denom: string; amount: string }[]).find((b) => b.denom === cfg.feeDenom)?.amount ?? "0";
    return { native, agpu: agpu.balance, amax: amax.balance, rewards: rewards.amount, staked: staked.staked };
  }, [address, height]);

  return (
    <>
      <h1>Wallet</h1>
      {!session && (
        <p>
          <button type="button" onClick={onConnect} disabled={busy} data-testid="connect">
            {busy ? "Connecting…" : "Connect Keplr"}
          </button>
        </p>
      )}
      {problem && (
        <p role="alert" data-testid="wallet-problem">
          {problem}
          {problem.includes("not installed") && <> Install the Keplr extension, then reload this page.</>}
        </p>
      )}
      {session && (
        <section aria-labelledby="acc-h">
          <h2 id="acc-h">Account {session.name}</h2>
          <p><code data-testid="address">{session.address}</code></p>
          {balances.data && (
            <dl className="facts" data-testid="balances">
              <div><dt>{cfg.feeDenom}</dt><dd data-testid="bal-native">{fmtAmount(balances.data.native)}</dd></div>
              <div><dt>AGPU</dt><dd data-testid="bal-agpu">{fmtAmount(balances.data.agpu)}</dd></div>
              <div><dt>AMAX</dt><dd data-testid="bal-amax">{fmtAmount(balances.data.amax)}</dd></div>
              <div><dt>AMAX staked</dt><dd data-testid="bal-staked">{fmtAmount(balances.data.staked)}</dd></div>
              <div><dt>Claimable rewards</dt><dd>{fmtAmount(balances.data.rewards, "AGPU")}</dd></div>
            </dl>
          )}
          <StakeForm />
        </section>
      )}
    </>
  );
}

/** Stakes AMAX in governance: the hook `stake` of packages/starminer-ts, signed in the wallet. */
function StakeForm() {
  const { cfg } = useChain();
  const { session } = useSession();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState<string | null>(null);
  if (!session) return null;
  const micro = /^\d+(\.\d{1,6})?$/.test(amount) ? toMicro(amount) : null;
  async function onStake(e: React.FormEvent) {
    e.preventDefault();
    if (!session || micro === null) return;
    setNote("Waiting for the wallet…");
    try {
      const { stake } = await import("@starminer/contracts/hooks");
      const r = await stake(session.amax, cfg.contracts.governance, micro);
      setNote(`Staked ${amount} AMAX (transaction ${r.transactionHash}).`);
    } catch (err) {
      setNote(`Not staked: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return (
    <form onSubmit={onStake} aria-labelledby="stake-h">
      <h2 id="stake-h">Stake AMAX</h2>
      <label>Amount (AMAX) <input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value.trim())} /></label>{" "}
      <button type="submit" disabled={micro === null} data-testid="stake">Stake</button>
      {note && <p role="status" data-testid="stake-note">{note}</p>}
    </form>
  );
}

function toMicro(amount: string): string {
  const [whole, frac = ""] = amount.split(".");
  return (BigInt(whole) * 1_000_000n + BigInt((frac + "000000").slice(0, 6))).toString();
}
