// The governance contract's tally rules (contracts/governance/src/tally.rs:
// Cosmos SDK x/gov semantics), in exact integer arithmetic, for showing where
// an open proposal stands and how far it is from passing.
import type { ProposalResponse } from "@starminer/contracts/contracts/Governance.types";

const ONE = 10n ** 18n;

/** A cosmwasm Decimal string ("0.334") as 18-decimal atomics. */
export function decimalAtomics(d: string): bigint {
  const [whole, frac = ""] = d.split(".");
  return BigInt(whole) * ONE + BigInt((frac + "0".repeat(18)).slice(0, 18));
}

export type Outcome = "passed" | "rejected" | "vetoed";

export interface Standing {
  turnout: bigint;
  /** The status the proposal would end in if voting closed now. */
  ifClosedNow: Outcome;
  quorumMet: boolean;
  /**
   * Yes votes (power units) still needed to pass from power that has not
   * voted: 0 when it would pass now, -1 when even all of it would not do.
   */
  yesNeeded: bigint;
}

export function standing(p: Pick<ProposalResponse, "tally" | "total_power" | "rules">): Standing {
  const yes = BigInt(p.tally.yes);
  const no = BigInt(p.tally.no);
  const abstain = BigInt(p.tally.abstain);
  const veto = BigInt(p.tally.no_with_veto);
  const total = BigInt(p.total_power);
  const q = decimalAtomics(p.rules.quorum);
  const t = decimalAtomics(p.rules.threshold);
  const v = decimalAtomics(p.rules.veto_threshold);
  const outcomeWith = (extraYes: bigint): Outcome => {
    const all = yes + no + abstain + veto + extraYes;
    if (total === 0n || all === 0n) return "rejected";
    if (all * ONE < total * q) return "rejected";
    if (veto * ONE >= all * v) return "vetoed";
    const deciding = all - abstain;
    if (deciding === 0n) return "rejected";
    return (yes + extraYes) * ONE > deciding * t ? "passed" : "rejected";
  };
  const turnout = yes + no + abstain + veto;
  let yesNeeded = 0n;
  // Only power that has not voted yet can add Yes votes.
  const remaining = total > turnout ? total - turnout : 0n;
  if (outcomeWith(0n) !== "passed") {
    if (outcomeWith(remaining) !== "passed") {
      yesNeeded = -1n;
    } else {
      // More Yes only helps (quorum, veto share and threshold alike): bisect
      // for the least that passes.
      let lo = 0n;
      let hi = remaining;
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (outcomeWith(mid) === "passed") hi = mid;
        else lo = mid;
      }
      yesNeeded = hi;
    }
  }
  return { turnout, ifClosedNow: outcomeWith(0n), quorumMet: turnout * ONE >= total * q, yesNeeded };
}
