// Acceptance test: unmodified CosmJS 0.39 against a fresh starminer-devnet.
//
// Starts the node itself (binary from STARMINER_DEVNET_BIN, default
// target/debug/starminer-devnet), then connects, reads an account and a
// balance, sends ustar, uploads artifacts/agpu_token.wasm, instantiates it,
// executes a cw20 transfer, queries it, reads the tx by hash, searches by
// event and receives new blocks over the WebSocket.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const bin = process.env.STARMINER_DEVNET_BIN ?? join(root, "target/debug/starminer-devnet");
const port = 27000 + Math.floor(Math.random() * 2000);
const rpc = `http://127.0.0.1:${port}`;
let home;
let node;
let devs;

before(async () => {
  home = mkdtempSync(join(tmpdir(), "starminer-devnet-cosmjs-"));
  execFileSync(bin, ["init", "--home", home, "--dev-accounts", "2"]);
  devs = JSON.parse(readFileSync(join(home, "config/dev_accounts.json"), "utf8"));
  node = spawn(bin, ["start", "--home", home, "--rpc-addr", `127.0.0.1:${port}`, "--block-time", "200ms"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${rpc}/status`);
      const s = await r.json();
      if (Number(s.result.sync_info.latest_block_height) >= 1) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the devnet did not start");
});

after(() => {
  node?.kill("SIGKILL");
  if (home) rmSync(home, { recursive: true, force: true });
});

test("CosmJS drives the devnet end to end", async () => {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(devs[0].mnemonic, { prefix: "starminer" });
  const [{ address: alice }] = await wallet.getAccounts();
  assert.equal(alice, devs[0].address);
  const bob = devs[1].address;
  const client = await SigningCosmWasmClient.connectWithSigner(rpc, wallet, {
    gasPrice: GasPrice.fromString("0.0025ustar"),
  });
  assert.equal(await client.getChainId(), "starminer-devnet-1");

  // Account and balance.
  const account = await client.getAccount(alice);
  assert.equal(account.address, alice);
  assert.equal(Number(account.accountNumber), 0);
  const before = await client.getBalance(bob, "ustar");
  assert.equal(before.amount, "1000000000000");

  // Bank send.
  const send = await client.sendTokens(alice, bob, [{ denom: "ustar", amount: "12345" }], "auto", "hello");
  assert.equal(send.code, 0);
  assert.equal((await client.getBalance(bob, "ustar")).amount, "1000000012345");

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
  assert.match(contractAddress, /^starminer1/);
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

  // The transaction by hash, and by event.
  const tx = await client.getTx(exec.transactionHash);
  assert.equal(Number(tx.height), Number(exec.height));
  assert.equal(tx.code, 0);
  const found = await client.searchTx(`execute._contract_address='${contractAddress}'`);
  assert.ok(found.some((t) => t.hash === exec.transactionHash));

  // New blocks over the WebSocket.
  const ws = await Comet38Client.create(new WebsocketClient(`ws://127.0.0.1:${port}`) /* the client appends /websocket */);
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
