// The generated clients talk to an ICosmWasmClient / ISigningCosmWasmClient
// (contracts/baseClient.ts), which ts-codegen shapes after interchainjs. These
// adapters put a CosmJS 0.39 client behind those interfaces, so the generated
// clients run on CosmJS (what Keplr's offline signers plug into).
import type { CosmWasmClient, SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { calculateFee, GasPrice, type StdFee } from "@cosmjs/stargate";

import type { ICosmWasmClient, ISigningCosmWasmClient } from "./contracts/baseClient";

/** Options of {@link signingClient}. */
export interface SigningOptions {
  /**
   * Gas price for a fee given as a bare gas limit (a number). Without it such
   * a fee is refused. `"auto"` fees use the gas price the CosmJS client was
   * connected with.
   */
  gasPrice?: GasPrice | string;
  /** Multiplier of the simulated gas for `"auto"` fees (CosmJS default 1.4). */
  autoMultiplier?: number;
}

/** A read-only CosmJS client as the generated query clients' backend. */
export function queryClient(client: CosmWasmClient): ICosmWasmClient {
  return {
    queryContractSmart: (contract: string, query: unknown) => client.queryContractSmart(contract, query as object),
  };
}

/**
 * A signing CosmJS client as the generated execute clients' backend.
 * Resolves to CosmJS's ExecuteResult (transactionHash, height, events, gas).
 *
 * Fees, in the generated clients' vocabulary: `"auto"` (or none) simulates;
 * a number is a gas limit priced at `options.gasPrice` (unlike CosmJS, where
 * a number multiplies the simulated gas); a StdFee is used as it is.
 */
export function signingClient(client: SigningCosmWasmClient, options: SigningOptions = {}): ISigningCosmWasmClient {
  const gasPrice = typeof options.gasPrice === "string" ? GasPrice.fromString(options.gasPrice) : options.gasPrice;
  const toCosmjsFee = (fee: number | StdFee | "auto" | undefined): StdFee | "auto" | number => {
    if (fee === undefined || fee === "auto") return options.autoMultiplier ?? "auto";
    if (typeof fee === "number") {
      if (!gasPrice) throw new Error("a fee given as a gas limit needs SigningOptions.gasPrice");
      return calculateFee(fee, gasPrice);
    }
    return fee;
  };
  return {
    queryContractSmart: (contract: string, query: unknown) => client.queryContractSmart(contract, query as object),
    execute: (sender, contract, msg, fee, memo, funds) =>
      client.execute(sender, contract, msg as object, toCosmjsFee(fee), memo, funds),
  };
}
