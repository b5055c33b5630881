// Keplr's own checks of a chain (npm @keplr-wallet/chain-validator, the
// package Keplr's chain registry validates suggested chains with, unmodified)
// against a fresh starminer-devnet and devnet/chain/keplr.json:
// the chain-info schema, RPC connectivity (/status and the /websocket
// upgrade), REST connectivity (node_info over the gateway) and the feature
// probes; then the AGPU and AMAX cw20 tokens, deployed with CosmJS, filled in
// by devnet/chain/with-tokens.mjs and validated again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import {
  checkChainFeatures,
  checkRestConnectivity,
  checkRPCConnectivity,
  validateBasicChainInfoType,
} from "@keplr-wallet/chain-validator";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const { findTokens, withTokens } = await import(join(root, "devnet/chain/with-tokens.mjs"));
const bin = process.env.STARMINER_DEVNET_BIN ?? join(root, "target/debug/starminer-devnet");
const port = 29000 + Math.floor(Math.random() * 2000);
const rpc = `http://127.0.0.1:${port}`;
const rest = `http://127.0.0.1:${port + 1}`;
const keplrJson = JSON.parse(readFileSync(join(root, "devnet/chain/keplr.json"), "utf8"));
const assetlist = JSON.parse(readFileSync(join(root, "devnet/chain/assetlist.json"), "utf8"));
const chainInfo = { ...keplrJson, rpc, rest };
let home;
let node;
let devs;

before(async () => {
  home = mkdtempSync(join(tmpdir(), "starminer-devnet-keplr-"));
  execFileSync(bin, ["init", "--home", home, "--dev-accounts", "2"]);
  devs = JSON.parse(readFileSync(join(home, "config/dev_accounts.json"), "utf8"));
  node = spawn(
    bin,
    ["start", "--home", home, "--rpc-addr", `127.0.0.1:${port}`, "--rest-addr", `127.0.0.1:${port + 1}`, "--block-time", "200ms"],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  for (let i = 0; i < 100; i++) {
    try {
      const s = await (await fetch(`${rpc}/status`)).json();
      const r = await fetch(`${rest}/cosmos/base/tendermint/v1beta1/syncing`);
      if (Number(s.result.sync_info.latest_block_height) >= 1 && r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the devnet did not start");
});

after(() => {
  node?.kill("SIGKILL");
  if (home) rmSync(home, { recursive: true, force: true });
});

test("Keplr's chain-info schema accepts devnet/chain/keplr.json", async () => {
  const validated = await validateBasicChainInfoType(chainInfo);
  assert.equal(validated.chainId, "starminer-devnet-1");
  assert.equal(validated.bip44.coinType, 118);
  assert.equal(validated.bech32Config.bech32PrefixAccAddr, "starminer");
  assert.equal(validated.feeCurrencies[0].coinMinimalDenom, "ustar");
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

test("Keplr's feature probes find what keplr.json declares, and nothing more", async () => {
  const found = await checkChainFeatures({ rpc, rest, features: ["cosmwasm"] });
  assert.ok(found.includes("wasmd_0.24+"), `found ${found}`);
  assert.ok(found.includes("query:/cosmos/bank/v1beta1/spendable_balances"), `found ${found}`);
  assert.ok(!found.includes("ibc-go") && !found.includes("ibc-transfer"), `found ${found}`);
  assert.deepEqual(await checkChainFeatures(chainInfo), []);
});

test("AGPU and AMAX, once deployed, are filled in as cw20 currencies Keplr accepts", async () => {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devs[0].mnemonic, { prefix: "starminer" });
  const [{ address: alice }] = await wallet.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(rpc, wallet, {
    gasPrice: GasPrice.fromString("0.0025ustar"),
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
  const filled = withTokens(keplrJson, assetlist, tokens, { rpc, rest });
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
    ["STAR", "AGPU", "AMAX"],
  );
  await checkRestConnectivity(filled.keplr.chainId, filled.keplr.rest);
  client.disconnect();
});
