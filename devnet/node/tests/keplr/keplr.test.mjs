// Keplr's own checks of a chain (npm @keplr-wallet/chain-validator, the
// package Keplr's chain registry validates suggested chains with, unmodified)
// against a fresh chain and its chain info: the chain-info schema, RPC
// connectivity (/status and the /websocket upgrade), REST connectivity
// (node_info over the gateway) and the feature probes; then the AGPU and AMAX
// cw20 tokens, deployed with CosmJS, filled in by
// devnet/chain/with-tokens.mjs and validated again.
//
// STARMINER_ENGINE picks the chain (default `devnet`):
// - devnet: starts starminer-devnet itself (STARMINER_DEVNET_BIN, default
//   target/debug/starminer-devnet); the chain info is devnet/chain/keplr.json
//   as committed.
// - wasmd: starts a real wasmd v0.55.1 node through the CLI
//   (`starminer chain up --engine wasmd`; STARMINER_CLI_BIN, default
//   target/debug/starminer; STARMINER_WASMD_BIN, default
//   ~/.cache/starminer/wasmd-v0.55.1/bin/wasmd) and stops it afterwards; the
//   chain info is keplr.json with wasmd's chain id, prefix and denom put in.
//   wasmd is the reference: where the devnet answers the same checks
//   differently, it shows here.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import {
  checkChainFeatures,
  checkRestConnectivity,
  checkRPCConnectivity,
  validateBasicChainInfoType,
} from "@keplr-wallet/chain-validator";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { Bip39, sha256 } from "@cosmjs/crypto";
import { toUtf8 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";

import { engines } from "../engines.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const { findTokens, withTokens } = await import(join(root, "devnet/chain/with-tokens.mjs"));
const engineName = process.env.STARMINER_ENGINE || "devnet";
if (!["devnet", "wasmd"].includes(engineName)) {
  throw new Error(`STARMINER_ENGINE=${engineName}: expected devnet or wasmd`);
}
const keplrJson = JSON.parse(readFileSync(join(root, "devnet/chain/keplr.json"), "utf8"));
const assetlistJson = JSON.parse(readFileSync(join(root, "devnet/chain/assetlist.json"), "utf8"));

// The chain under test (../engines.mjs: the same for the Keplr test).
const startEngineOf = engines(root, { Bip39, sha256, toUtf8, DirectSecp256k1HdWallet });
const startEngine = (label) => startEngineOf(engineName, label);

/**
 * The chain info and asset list Keplr is given. On the devnet: keplr.json and
 * assetlist.json as committed (the test checks they describe the running
 * devnet). On wasmd: the same documents with wasmd's chain id, bech32
 * prefixes, native denom and gas price in place of the devnet's.
 */
function chainInfoFor(engine) {
  const info = structuredClone(keplrJson);
  const assetlist = structuredClone(assetlistJson);
  info.rpc = engine.rpc;
  info.rest = engine.rest;
  if (engine.name === "devnet") return { info, assetlist };
  const native = keplrJson.stakeCurrency.coinMinimalDenom;
  const symbol = engine.denom.toUpperCase();
  const p = engine.prefix;
  info.chainId = engine.chainId;
  info.chainName = "StarMiner local wasmd"; // Keplr allows 36 characters
  info.bech32Config = {
    bech32PrefixAccAddr: p,
    bech32PrefixAccPub: `${p}pub`,
    bech32PrefixValAddr: `${p}valoper`,
    bech32PrefixValPub: `${p}valoperpub`,
    bech32PrefixConsAddr: `${p}valcons`,
    bech32PrefixConsPub: `${p}valconspub`,
  };
  for (const c of [info.stakeCurrency, ...info.currencies, ...info.feeCurrencies]) {
    if (c.coinMinimalDenom === native) {
      c.coinMinimalDenom = engine.denom;
      c.coinDenom = symbol;
    }
  }
  for (const c of info.feeCurrencies) {
    if (c.coinMinimalDenom === engine.denom && c.gasPriceStep) c.gasPriceStep.low = Number(engine.gasPrice);
  }
  for (const a of assetlist.assets) {
    if (a.base === native) {
      a.base = engine.denom;
      a.display = engine.denom;
      a.denom_units = [{ denom: engine.denom, exponent: 0 }];
      a.symbol = symbol;
      a.name = `wasmd ${symbol}`;
      a.description = "The local wasmd chain's native fee and staking token.";
    }
  }
  return { info, assetlist };
}

let engine;
let chainInfo;
let assetlist;

before(async () => {
  engine = await startEngine("keplr");
  ({ info: chainInfo, assetlist } = chainInfoFor(engine));
});

after(() => {
  engine?.stop();
});

test(`Keplr's chain-info schema accepts the ${engineName} chain info`, async () => {
  const validated = await validateBasicChainInfoType(chainInfo);
  assert.equal(validated.chainId, engine.chainId);
  assert.equal(validated.bip44.coinType, 118);
  assert.equal(validated.bech32Config.bech32PrefixAccAddr, engine.prefix);
  assert.equal(validated.feeCurrencies[0].coinMinimalDenom, engine.denom);
  assert.ok(validated.features.includes("cosmwasm"));
  // The schema is not a rubber stamp: a broken gas price step is refused.
  const broken = structuredClone(chainInfo);
  broken.feeCurrencies[0].gasPriceStep = { low: 1, average: 0.5, high: 2 };
  await assert.rejects(validateBasicChainInfoType(broken));
});

test("Keplr's RPC (status and WebSocket) and REST connectivity checks pass", async () => {
  await checkRPCConnectivity(chainInfo.chainId, chainInfo.rpc);
  await checkRestConnectivity(chainInfo.chainId, chainInfo.rest);
  // And they do fail for another chain id.
  await assert.rejects(checkRestConnectivity("otherchain-1", chainInfo.rest));
  await assert.rejects(checkRPCConnectivity("otherchain-1", chainInfo.rpc));
});

test("Keplr's feature probes find what the chain info declares, and IBC only where the chain has it", async () => {
  const { rpc, rest } = engine;
  const found = await checkChainFeatures({ rpc, rest, features: ["cosmwasm"] });
  assert.ok(found.includes("wasmd_0.24+"), `found ${found}`);
  assert.ok(found.includes("query:/cosmos/bank/v1beta1/spendable_balances"), `found ${found}`);
  const ibc = found.filter((f) => f.startsWith("ibc"));
  if (engine.name === "devnet") {
    // DEVNET DIFFERS: the devnet has no IBC modules: GET
    // /ibc/apps/transfer/v1/params answers 501 {"code":12,"message":"Not
    // Implemented"} there, so Keplr's probes find no IBC feature; wasmd
    // v0.55.1 answers 200 {"params":{"send_enabled":true,
    // "receive_enabled":true}} and the probes find ibc-go, ibc-transfer and
    // ibc-v2. On the devnet the test checks the opposite instead: keplr.json
    // must not claim IBC.
    assert.deepEqual(ibc, [], `found ${found}`);
  } else {
    assert.deepEqual(ibc, ["ibc-go", "ibc-transfer", "ibc-v2"], `found ${found}`);
  }
  // The chain info declares everything else the probes find (keplr.json,
  // written for the devnet, declares no IBC).
  assert.deepEqual(await checkChainFeatures(chainInfo), ibc);
});

test("The REST answers Keplr's probes read have wasmd's status codes and bodies", async () => {
  const get = async (path) => {
    const r = await fetch(`${engine.rest}${path}`);
    return { status: r.status, type: r.headers.get("content-type"), body: await r.json() };
  };
  // wasmd_0.24+: a smart query of a malformed address with malformed query
  // data is a 400 (gRPC InvalidArgument, code 3); wasmd checks the query
  // data first.
  const smart = await get("/cosmwasm/wasm/v1/contract/test/smart/test");
  assert.deepEqual([smart.status, smart.type, smart.body.code], [400, "application/json", 3]);
  if (engine.name !== "devnet") {
    // DEVNET DIFFERS: the devnet checks the address first and answers
    // {"code":3,"message":"invalid address: invalid address test: parsing
    // failed: invalid request","details":[]}.
    assert.deepEqual(smart.body, { code: 3, message: "invalid query data", details: [] });
  }
  // query:/cosmos/bank/v1beta1/spendable_balances: likewise a 400.
  const spendable = await get("/cosmos/bank/v1beta1/spendable_balances/test");
  assert.deepEqual([spendable.status, spendable.type, spendable.body.code], [400, "application/json", 3]);
  if (engine.name !== "devnet") {
    // DEVNET DIFFERS: the devnet words the bech32 error its own way:
    // "invalid address: invalid address test: parsing failed: invalid request".
    assert.deepEqual(spendable.body, {
      code: 3,
      message: "invalid address: decoding bech32 failed: invalid bech32 string length 4",
      details: [],
    });
  }
  // A route the node does not serve (feemarket, the legacy IBC transfer
  // path): 501 Not Implemented (gRPC code 12), which Keplr reads as "no".
  for (const path of ["/feemarket/v1/params", "/ibc/applications/transfer/v1beta1/params"]) {
    assert.deepEqual(await get(path), {
      status: 501,
      type: "application/json",
      body: { code: 12, message: "Not Implemented", details: [] },
    }, path);
  }
  // with-tokens.mjs lists contracts by code: a code without contracts (or
  // none at all) answers an empty page.
  assert.deepEqual(await get("/cosmwasm/wasm/v1/code/999999/contracts"), {
    status: 200,
    type: "application/json",
    body: { contracts: [], pagination: { next_key: null, total: "0" } },
  });
});

test("AGPU and AMAX, once deployed, are filled in as cw20 currencies Keplr accepts", async () => {
  const { prefix, denom, devs, rpc, rest } = engine;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devs[0].mnemonic, { prefix });
  const [{ address: alice }] = await wallet.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(rpc, wallet, {
    gasPrice: GasPrice.fromString(`${engine.gasPrice}${denom}`),
  });
  const deploy = async (artifact, msg, label) => {
    const { codeId } = await client.upload(alice, readFileSync(join(root, "artifacts", artifact)), "auto");
    const { contractAddress } = await client.instantiate(alice, codeId, msg, label, "auto", { admin: alice });
    return contractAddress;
  };
  const agpu = await deploy(
    "agpu_token.wasm",
    {
      name: "Starminer GPU", symbol: "AGPU", initial_balances: [{ address: alice, amount: "1000000" }],
      minter: alice, cap: "1000000000000", governance: alice, marketing: null,
    },
    "agpu",
  );
  const amax = await deploy(
    "amax_token.wasm",
    { name: "StarMiner Governance", symbol: "AMAX", initial_balances: [{ address: alice, amount: "5000000" }], marketing: null },
    "amax",
  );
  const tokens = await findTokens(rest, ["AGPU", "AMAX"]);
  assert.equal(tokens.AGPU.address, agpu);
  assert.equal(tokens.AMAX.address, amax);
  const filled = withTokens(chainInfo, assetlist, tokens, { rpc, rest });
  const validated = await validateBasicChainInfoType(filled.keplr);
  const cw20 = validated.currencies.filter((c) => c.type === "cw20");
  assert.deepEqual(
    cw20.map((c) => [c.coinDenom, c.contractAddress, c.coinMinimalDenom, c.coinDecimals]),
    [
      ["AGPU", agpu, `cw20:${agpu}:uagpu`, 6],
      ["AMAX", amax, `cw20:${amax}:uamax`, 6],
    ],
  );
  assert.deepEqual(
    filled.assetlist.assets.map((a) => a.symbol),
    [assetlist.assets[0].symbol, "AGPU", "AMAX"],
  );
  await checkRestConnectivity(filled.keplr.chainId, filled.keplr.rest);
  client.disconnect();
});
