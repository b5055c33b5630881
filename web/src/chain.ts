// Reading the chain: the dashboard's config (/config.json, written by
// `starminer dashboard` from the CLI's config and manifest), contract queries
// over the REST gateway, and CometBFT JSON-RPC, both through the dashboard's
// same-origin proxies. Nothing here signs; the signing code is loaded on
// connect (signing.ts).
import { AgpuTokenQueryClient } from "@starminer/contracts/contracts/AgpuToken.client";
import { AmaxTokenQueryClient } from "@starminer/contracts/contracts/AmaxToken.client";
import { GovernanceQueryClient } from "@starminer/contracts/contracts/Governance.client";
import { IncentivesQueryClient } from "@starminer/contracts/contracts/Incentives.client";
import { JobMarketQueryClient } from "@starminer/contracts/contracts/JobMarket.client";
import { PricingQueryClient } from "@starminer/contracts/contracts/Pricing.client";
import { RegistryQueryClient } from "@starminer/contracts/contracts/Registry.client";
import type { ICosmWasmClient } from "@starminer/contracts/contracts/baseClient";

export interface DashboardConfig {
  chainName: string;
  chainId: string;
  prefix: string;
  feeDenom: string;
  gasPrice: string;
  gasAdjustment: number;
  /** Same-origin JSON-RPC proxy of the chain's CometBFT RPC. */
  rpc: string;
  /** Same-origin proxy of the chain's REST gateway. */
  rest: string;
  /** The chain's CometBFT WebSocket (browsers do not apply CORS to WebSockets). */
  websocket: string;
  /** Contract addresses by artifact name (job_market, registry, ...). */
  contracts: Record<string, string>;
}

export async function loadConfig(): Promise<DashboardConfig> {
  const r = await fetch("/config.json");
  if (!r.ok) throw new Error(`/config.json: HTTP ${r.status}`);
  return (await r.json()) as DashboardConfig;
}

function toBase64(text: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The generated query clients' backend: smart queries over REST. */
export function restBackend(rest: string): ICosmWasmClient {
  return {
    async queryContractSmart(contract: string, query: unknown) {
      const path = `${rest}/cosmwasm/wasm/v1/contract/${contract}/smart/${encodeURIComponent(toBase64(JSON.stringify(query)))}`;
      const r = await fetch(path);
      const body = await r.json();
      if (!r.ok) throw new Error(body?.message ?? `query failed: HTTP ${r.status}`);
      return body.data;
    },
  };
}

export async function rpcCall<T>(cfg: DashboardConfig, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const r = await fetch(cfg.rpc, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: Date.now(), method, params }),
  });
  const body = await r.json();
  if (body.error) throw new Error(`${method}: ${body.error.message} ${body.error.data ?? ""}`);
  return body.result as T;
}

export interface NodeStatus {
  node_info: { network: string; version: string; moniker: string };
  sync_info: { latest_block_height: string; latest_block_time: string; catching_up: boolean };
}

export function contractClients(cfg: DashboardConfig) {
  const q = restBackend(cfg.rest);
  const c = cfg.contracts;
  return {
    jobMarket: new JobMarketQueryClient(q, c.job_market),
    registry: new RegistryQueryClient(q, c.registry),
    pricing: new PricingQueryClient(q, c.pricing),
    incentives: new IncentivesQueryClient(q, c.incentives),
    governance: new GovernanceQueryClient(q, c.governance),
    agpu: new AgpuTokenQueryClient(q, c.agpu_token),
    amax: new AmaxTokenQueryClient(q, c.amax_token),
  };
}
export type Clients = ReturnType<typeof contractClients>;

/** A token amount with 6 decimals (AGPU, AMAX, ustar) for display. */
export function fmtAmount(raw: string | number | undefined, symbol = ""): string {
  if (raw === undefined) return "—";
  const n = BigInt(raw);
  const whole = n / 1_000_000n;
  const frac = (n % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  const text = `${whole.toLocaleString("en-US")}${frac ? "." + frac : ""}`;
  return symbol ? `${text} ${symbol}` : text;
}

/** Seconds (chain timestamps are nanoseconds as strings) ago, for display. */
export function ageOf(nanos: string | null | undefined, now = Date.now()): string {
  if (!nanos) return "never";
  const s = Math.max(0, Math.round(now / 1000 - Number(BigInt(nanos) / 1_000_000_000n)));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function short(addr: string): string {
  return addr.length > 20 ? `${addr.slice(0, 12)}…${addr.slice(-6)}` : addr;
}
