// The signing side, loaded only when the user connects a wallet (a separate
// chunk: read-only pages never download CosmJS's signing stack). Keplr is
// asked to add the chain (experimentalSuggestChain) from the dashboard's
// config, to enable it, and for its offline signer, which CosmJS's
// SigningCosmWasmClient uses for every transaction through the generated
// clients (packages/starminer-ts's CosmJS adapter).
import type { ChainInfo, Keplr } from "@keplr-wallet/types";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { GasPrice } from "@cosmjs/stargate";
import { signingClient } from "@starminer/contracts/cosmjs";
import { AgpuTokenClient } from "@starminer/contracts/contracts/AgpuToken.client";
import { AmaxTokenClient } from "@starminer/contracts/contracts/AmaxToken.client";
import { GovernanceClient } from "@starminer/contracts/contracts/Governance.client";
import type { DashboardConfig } from "./chain";

declare global {
  interface Window {
    keplr?: Keplr;
  }
}

export class NoKeplrError extends Error {
  constructor() {
    super("Keplr is not installed in this browser.");
  }
}

export function chainInfoFor(cfg: DashboardConfig, origin: string): ChainInfo {
  const p = cfg.prefix;
  const fee = { coinDenom: cfg.feeDenom.replace(/^u/, "").toUpperCase(), coinMinimalDenom: cfg.feeDenom, coinDecimals: 6 };
  const price = Number(cfg.gasPrice);
  return {
    chainId: cfg.chainId,
    chainName: `StarMiner ${cfg.chainName}`.slice(0, 36),
    // Keplr talks to the chain through the dashboard's same-origin proxies.
    rpc: new URL(cfg.rpc, origin).toString().replace(/\/$/, ""),
    rest: new URL(cfg.rest, origin).toString().replace(/\/$/, ""),
    bip44: { coinType: 118 },
    bech32Config: {
      bech32PrefixAccAddr: p,
      bech32PrefixAccPub: `${p}pub`,
      bech32PrefixValAddr: `${p}valoper`,
      bech32PrefixValPub: `${p}valoperpub`,
      bech32PrefixConsAddr: `${p}valcons`,
      bech32PrefixConsPub: `${p}valconspub`,
    },
    currencies: [fee],
    feeCurrencies: [{ ...fee, gasPriceStep: { low: price, average: price * 1.25, high: price * 2 } }],
    stakeCurrency: fee,
    features: ["cosmwasm"],
  };
}

export interface Session {
  address: string;
  name: string;
  cosmjs: SigningCosmWasmClient;
  /** AGPU transfers and sends (the cw20 hooks) as the connected account. */
  agpu: AgpuTokenClient;
  /** AMAX sends (staking, proposals) as the connected account. */
  amax: AmaxTokenClient;
  /** Votes, unstaking and claims as the connected account. */
  governance: GovernanceClient;
}

export async function connect(cfg: DashboardConfig): Promise<Session> {
  const keplr = window.keplr;
  if (!keplr) throw new NoKeplrError();
  await keplr.experimentalSuggestChain(chainInfoFor(cfg, location.origin));
  await keplr.enable(cfg.chainId);
  const key = await keplr.getKey(cfg.chainId);
  const signer = keplr.getOfflineSignerOnlyAmino
    ? key.isNanoLedger
      ? keplr.getOfflineSignerOnlyAmino(cfg.chainId)
      : keplr.getOfflineSigner(cfg.chainId)
    : keplr.getOfflineSigner(cfg.chainId);
  const rpc = new URL(cfg.rpc, location.origin).toString();
  const cosmjs = await SigningCosmWasmClient.connectWithSigner(rpc, signer, {
    gasPrice: GasPrice.fromString(`${cfg.gasPrice}${cfg.feeDenom}`),
  });
  const backend = signingClient(cosmjs, { autoMultiplier: cfg.gasAdjustment });
  const me = key.bech32Address;
  return {
    address: me,
    name: key.name,
    cosmjs,
    agpu: new AgpuTokenClient(backend, me, cfg.contracts.agpu_token),
    amax: new AmaxTokenClient(backend, me, cfg.contracts.amax_token),
    governance: new GovernanceClient(backend, me, cfg.contracts.governance),
  };
}
