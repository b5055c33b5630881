// StarMiner's contract clients (generated into contracts/ by scripts/ts-client.sh),
// one namespace per contract so that the types the schemas share (Uint128,
// Binary, ...) do not collide, plus the CosmJS adapter and the cw20 hooks.
export * from "./cosmjs";
export * from "./hooks";
export type { ICosmWasmClient, ISigningCosmWasmClient } from "./contracts/baseClient";
export * as AgpuToken from "./contracts/AgpuToken.client";
export * as AgpuTokenTypes from "./contracts/AgpuToken.types";
export * as AmaxToken from "./contracts/AmaxToken.client";
export * as AmaxTokenTypes from "./contracts/AmaxToken.types";
export * as Governance from "./contracts/Governance.client";
export * as GovernanceTypes from "./contracts/Governance.types";
export * as Registry from "./contracts/Registry.client";
export * as RegistryTypes from "./contracts/Registry.types";
export * as Pricing from "./contracts/Pricing.client";
export * as PricingTypes from "./contracts/Pricing.types";
export * as Incentives from "./contracts/Incentives.client";
export * as IncentivesTypes from "./contracts/Incentives.types";
export * as JobMarket from "./contracts/JobMarket.client";
export * as JobMarketTypes from "./contracts/JobMarket.types";
export * as JobMarketHook from "./contracts/JobMarketHook.types";
export * as RegistryHook from "./contracts/RegistryHook.types";
export * as GovernanceHook from "./contracts/GovernanceHook.types";
