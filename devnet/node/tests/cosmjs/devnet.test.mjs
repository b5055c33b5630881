// Acceptance test: unmodified CosmJS 0.39 against a fresh chain.
//
// STARMINER_ENGINE picks the chain (default `devnet`):
// - devnet: starts starminer-devnet itself (binary from STARMINER_DEVNET_BIN,
//   default target/debug/starminer-devnet) in a temporary home.
// - wasmd: starts a real wasmd v0.55.1 node through the CLI
//   (`starminer chain up --engine wasmd`; CLI from STARMINER_CLI_BIN, default
//   target/debug/starminer; wasmd from STARMINER_WASMD_BIN, default
//   ~/.cache/starminer/wasmd-v0.55.1/bin/wasmd) in a temporary home on free
//   ports, and stops it afterwards. wasmd is the reference: the same test body
//   runs against both, so where the devnet answers differently it shows here.
//
// The body connects, reads an account and a balance, sends the fee denom,
// uploads artifacts/agpu_token.wasm, instantiates it, executes a cw20
// transfer, queries it, reads the tx by hash, searches by event and receives
// new blocks over the WebSocket. Chain id, prefix, denom, account numbers and
// genesis balances come from the chain's own genesis and records.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { Bip39, sha256 } from "@cosmjs/crypto";
import { toHex, toUtf8 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";

import { engines } from "../engines.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const engineName = process.env.STARMINER_ENGINE || "devnet";
if (!["devnet", "wasmd"].includes(engineName)) {
  throw new Error(`STARMINER_ENGINE=${engineName}: expected devnet or wasmd`);
}

// The chain under test (../engines.mjs: the same for the Keplr test).
const startEngineOf = engines(root, { Bip39, sha256, toUtf8, DirectSecp256k1HdWallet });
const startEngine = (label) => startEngineOf(engineName, label);

// ---------------------------------------------------------------------------

/** Events as [type, [attribute keys]], the shape compared above. */
const eventKeys = (events) => events.map((e) => [e.type, e.attributes.map((a) => a.key)]);

let engine;

before(async () => {
  engine = await startEngine("cosmjs");
});

after(() => {
  engine?.stop();
});

test(`CosmJS drives the ${engineName} chain end to end`, async () => {
  const { chainId, prefix, denom, devs, rpc } = engine;
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devs[0].mnemonic, { prefix });
  const [{ address: alice }] = await wallet.getAccounts();
  assert.equal(alice, devs[0].address);
  const bob = devs[1].address;
  const client = await SigningCosmWasmClient.connectWithSigner(rpc, wallet, {
    gasPrice: GasPrice.fromString(`${engine.gasPrice}${denom}`),
  });
  assert.equal(await client.getChainId(), chainId);

  // Account and balance, as the genesis set them.
  const account = await client.getAccount(alice);
  assert.equal(account.address, alice);
  assert.equal(Number(account.accountNumber), engine.accountNumber(alice));
  const before = await client.getBalance(bob, denom);
  assert.equal(before.amount, engine.genesisBalance(bob, denom));

  // Bank send.
  const send = await client.sendTokens(alice, bob, [{ denom, amount: "12345" }], "auto", "hello");
  assert.equal(send.code, 0);
  assert.equal((await client.getBalance(bob, denom)).amount, String(BigInt(before.amount) + 12345n));
  // The events of a bank send, in order, with their attribute keys, as the
  // Cosmos SDK 0.50 emits them: the fee's transfer, the ante handler's tx
  // events, then the message's.
  assert.deepEqual(eventKeys(send.events), [
    ["coin_spent", ["spender", "amount"]],
    ["coin_received", ["receiver", "amount"]],
    ["transfer", ["recipient", "sender", "amount"]],
    ["message", ["sender"]],
    ["tx", ["fee", "fee_payer"]],
    ["tx", ["acc_seq"]],
    ["tx", ["signature"]],
    ["message", ["action", "sender", "module", "msg_index"]],
    ["coin_spent", ["spender", "amount", "msg_index"]],
    ["coin_received", ["receiver", "amount", "msg_index"]],
    ["transfer", ["recipient", "sender", "amount", "msg_index"]],
    ["message", ["sender", "msg_index"]],
  ]);

  // A send beyond the balance, with a fixed fee so that it reaches a block:
  // the bank module refuses it there with the SDK's insufficient-funds error
  // (code 5), naming the balance left after the fee.
  const fee = { amount: [{ denom, amount: "5000" }], gas: "200000" };
  const aliceBefore = BigInt((await client.getBalance(alice, denom)).amount);
  const tooMuch = "999999999999999999999";
  const poor = await client.sendTokens(alice, bob, [{ denom, amount: tooMuch }], fee);
  assert.equal(poor.code, 5);
  assert.equal(
    poor.rawLog,
    `failed to execute message; message index: 0: spendable balance ${aliceBefore - 5000n}${denom} is smaller than ${tooMuch}${denom}: insufficient funds`,
  );
  assert.equal((await client.getTx(poor.transactionHash)).code, 5);
  assert.equal(BigInt((await client.getBalance(alice, denom)).amount), aliceBefore - 5000n);

  // Upload, instantiate, execute, query the real AGPU artifact.
  const wasm = readFileSync(join(root, "artifacts/agpu_token.wasm"));
  const upload = await client.upload(alice, wasm, "auto");
  assert.ok(Number(upload.codeId) >= 1);
  const init = {
    name: "Starminer GPU",
    symbol: "AGPU",
    initial_balances: [{ address: alice, amount: "1000000" }],
    minter: alice,
    cap: "1000000000000",
    governance: alice,
    marketing: null,
  };
  const { contractAddress } = await client.instantiate(alice, upload.codeId, init, "agpu", "auto", {
    admin: alice,
  });
  assert.equal(contractAddress.slice(0, contractAddress.lastIndexOf("1")), prefix);
  const exec = await client.execute(
    alice,
    contractAddress,
    { transfer: { recipient: bob, amount: "2500" } },
    "auto",
  );
  assert.ok(exec.transactionHash);
  const bal = await client.queryContractSmart(contractAddress, { balance: { address: bob } });
  assert.equal(bal.balance, "2500");
  const info = await client.getContract(contractAddress);
  assert.equal(Number(info.codeId), Number(upload.codeId));
  assert.equal(info.admin, alice);
  const code = await client.getCodeDetails(upload.codeId);
  assert.equal(code.data.length, wasm.length);
  assert.deepEqual(await client.getContracts(upload.codeId), [contractAddress]);
  assert.equal(code.checksum, toHex(sha256(wasm)));

  // A cw20 transfer beyond the balance fails in the block with wasmd's
  // "execute wasm contract failed" (code 5) and the contract's error.
  await assert.rejects(
    client.execute(alice, contractAddress, { transfer: { recipient: bob, amount: "999999999" } }, fee),
    (e) => {
      assert.match(
        e.message,
        /Code: 5; Raw log: failed to execute message; message index: 0: Overflow: Cannot Sub with given operands: execute wasm contract failed$/,
      );
      return true;
    },
  );
  // A query the contract does not know: the contract's parse error, then
  // wasmd's "query wasm contract failed: unknown request" (ABCI code 6).
  await assert.rejects(client.queryContractSmart(contractAddress, { no_such_query: {} }), (e) => {
    assert.match(e.message, /Error parsing into type cw20_base::msg::QueryMsg: unknown variant `no_such_query`/);
    assert.match(
      e.message,
      /^Query failed with \(6\): Error parsing into type cw20_base::msg::QueryMsg: unknown variant `no_such_query`, expected one of .*: query wasm contract failed: unknown request$/,
    );
    return true;
  });
  // Every transaction so far used a sequence number, the failed ones too:
  // send, overspend, upload, instantiate, execute, failed execute.
  assert.equal((await client.getSequence(alice)).sequence, 6);

  // The transaction by hash, and by event.
  const tx = await client.getTx(exec.transactionHash);
  assert.equal(Number(tx.height), Number(exec.height));
  assert.equal(tx.code, 0);
  assert.deepEqual(eventKeys(tx.events), [
    ["coin_spent", ["spender", "amount"]],
    ["coin_received", ["receiver", "amount"]],
    ["transfer", ["recipient", "sender", "amount"]],
    ["message", ["sender"]],
    ["tx", ["fee", "fee_payer"]],
    ["tx", ["acc_seq"]],
    ["tx", ["signature"]],
    ["message", ["action", "sender", "module", "msg_index"]],
    ["execute", ["_contract_address", "msg_index"]],
    ["wasm", ["_contract_address", "action", "from", "to", "amount", "msg_index"]],
  ]);
  const found = await client.searchTx(`execute._contract_address='${contractAddress}'`);
  assert.ok(found.some((t) => t.hash === exec.transactionHash));

  // New blocks over the WebSocket (the client appends /websocket).
  const ws = await Comet38Client.create(new WebsocketClient(rpc.replace(/^http/, "ws")));
  const heights = await new Promise((resolve, reject) => {
    const seen = [];
    const sub = ws.subscribeNewBlock().subscribe({
      next: (b) => {
        seen.push(b.header.height);
        if (seen.length === 2) {
          sub.unsubscribe();
          resolve(seen);
        }
      },
      error: reject,
    });
    setTimeout(() => reject(new Error("no blocks over the WebSocket")), 10000);
  });
  assert.equal(Number(heights[1]), Number(heights[0]) + 1);
  ws.disconnect();
  client.disconnect();
});
