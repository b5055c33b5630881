// The main user actions travel inside a cw20 `Send` as base64 JSON: a job is
// submitted by sending AGPU to the job market, a provider bonds by sending
// AGPU to the registry, AMAX is staked and proposals are made by sending AMAX
// to governance. These helpers type the inner message (the hook schemas in
// schema/<contract>/raw/receive_msg.json) and wrap it in the token's Send.
import type { AgpuTokenClient } from "./contracts/AgpuToken.client";
import type { AmaxTokenClient } from "./contracts/AmaxToken.client";
import type { ReceiveMsg as GovernanceReceiveMsg } from "./contracts/GovernanceHook.types";
import type { JobSpec, ReceiveMsg as JobMarketReceiveMsg } from "./contracts/JobMarketHook.types";
import type { ReceiveMsg as RegistryReceiveMsg } from "./contracts/RegistryHook.types";
import type { CosmosMsgForEmpty } from "./contracts/GovernanceHook.types";

type Fee = Parameters<AgpuTokenClient["send"]>[1];

/** base64 of the JSON of a hook message: the `msg` of a cw20 Send. */
export function encodeHook(msg: JobMarketReceiveMsg | RegistryReceiveMsg | GovernanceReceiveMsg): string {
  const bytes = new TextEncoder().encode(JSON.stringify(msg));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The inverse of {@link encodeHook}. */
export function decodeHook<T = unknown>(msg: string): T {
  const binary = atob(msg);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Submits a job: sends `amount` AGPU (at least the quote's total) to the job market. */
export function submitJob(agpu: AgpuTokenClient, jobMarket: string, amount: string, spec: JobSpec, fee?: Fee) {
  return agpu.send({ contract: jobMarket, amount, msg: encodeHook({ submit_job: { spec } }) }, fee);
}

/** Adds `amount` AGPU to the sender's bond in the registry. */
export function bond(agpu: AgpuTokenClient, registry: string, amount: string, fee?: Fee) {
  return agpu.send({ contract: registry, amount, msg: encodeHook({ bond: {} }) }, fee);
}

/** Stakes `amount` AMAX in governance. */
export function stake(amax: AmaxTokenClient, governance: string, amount: string, fee?: Fee) {
  return amax.send({ contract: governance, amount, msg: encodeHook({ stake: {} }) }, fee);
}

/** Creates a proposal with `deposit` AMAX as its deposit. */
export function propose(
  amax: AmaxTokenClient,
  governance: string,
  deposit: string,
  proposal: { title: string; description: string; msgs: CosmosMsgForEmpty[] },
  fee?: Fee,
) {
  return amax.send({ contract: governance, amount: deposit, msg: encodeHook({ propose: proposal }) }, fee);
}
