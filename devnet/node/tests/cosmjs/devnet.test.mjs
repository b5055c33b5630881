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
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { Bip39, sha256 } from "@cosmjs/crypto";
import { toHex, toUtf8 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const engineName = process.env.STARMINER_ENGINE || "devnet";
if (!["devnet", "wasmd"].includes(engineName)) {
  throw new Error(`STARMINER_ENGINE=${engineName}: expected devnet or wasmd`);
}

// ---------------------------------------------------------------------------
// Engines. Each start function returns the same shape:
//   { name, chainId, prefix, denom, gasPrice, rpc, rest, devs: [{address,
//     mnemonic}], genesisBalance(address, denom), accountNumber(address),
//     stop() }
// (This block is repeated in keplr/keplr.test.mjs; keep the two in step.)
// ---------------------------------------------------------------------------

/** `n` distinct TCP ports on 127.0.0.1 that were free a moment ago. */
async function freePorts(n) {
  const servers = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise((res, rej) => {
      s.once("error", rej);
      s.listen(0, "127.0.0.1", res);
    });
    servers.push(s);
  }
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

async function waitFor(what, probe, tries = 150, pauseMs = 200) {
  for (let i = 0; i < tries; i++) {
    try {
      if (await probe()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(`${what} did not come up`);
}

async function rpcHeight(rpc) {
  const s = await (await fetch(`${rpc}/status`)).json();
  return Number(s.result.sync_info.latest_block_height);
}

async function startDevnet(label) {
  const bin = process.env.STARMINER_DEVNET_BIN || join(root, "target/debug/starminer-devnet");
  const home = mkdtempSync(join(tmpdir(), `starminer-devnet-${label}-`));
  let node;
  const stop = () => {
    node?.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  };
  try {
    execFileSync(bin, ["init", "--home", home, "--dev-accounts", "2"]);
    const devs = JSON.parse(readFileSync(join(home, "config/dev_accounts.json"), "utf8"));
    const genesis = JSON.parse(readFileSync(join(home, "config/genesis.json"), "utf8"));
    const accounts = genesis.app_state.accounts;
    // Free ports for every listener, so that nothing else on the machine
    // (another devnet, a wasmd on 1317/9090) is in the way.
    const [rpcPort, restPort, grpcPort] = await freePorts(3);
    const gasPrice = "0.0025";
    node = spawn(
      bin,
      [
        "start", "--home", home,
        "--rpc-addr", `127.0.0.1:${rpcPort}`,
        "--rest-addr", `127.0.0.1:${restPort}`,
        "--grpc-addr", `127.0.0.1:${grpcPort}`,
        "--block-time", "200ms",
        "--min-gas-price", gasPrice,
      ],
      { stdio: ["ignore", "inherit", "inherit"], env: { RUST_LOG: "warn", ...process.env } },
    );
    const rpc = `http://127.0.0.1:${rpcPort}`;
    const rest = `http://127.0.0.1:${restPort}`;
    await waitFor("the devnet", async () => {
      const r = await fetch(`${rest}/cosmos/base/tendermint/v1beta1/syncing`);
      return (await rpcHeight(rpc)) >= 1 && r.ok;
    });
    return {
      name: "devnet",
      chainId: genesis.chain_id,
      // The human-readable part of a bech32 address ends at its last "1".
      prefix: devs[0].address.slice(0, devs[0].address.lastIndexOf("1")),
      denom: accounts[0].coins[0].denom,
      gasPrice,
      rpc,
      rest,
      devs: devs.map(({ address, mnemonic }) => ({ address, mnemonic })),
      genesisBalance: (address, denom) =>
        accounts.find((a) => a.address === address)?.coins.find((c) => c.denom === denom)?.amount ?? "0",
      // The devnet numbers its genesis accounts in genesis order.
      accountNumber: (address) => accounts.findIndex((a) => a.address === address),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/** The devnet's dev mnemonic `i` (the CLI gives wasmd's dev keys the same). */
function devMnemonic(i) {
  return Bip39.encode(sha256(toUtf8(`starminer devnet dev account ${i}`))).toString();
}

/**
 * x/auth's numbering of genesis accounts (SanitizeGenesisAccounts): the first
 * account seen with a number keeps it, later duplicates take the lowest
 * unused numbers in genesis order.
 */
function wasmdAccountNumbers(authAccounts) {
  const seen = new Set();
  const dups = new Map();
  const numbers = new Map();
  for (const acc of authAccounts) {
    const n = BigInt(acc.account_number ?? acc.base_account?.account_number ?? 0);
    const address = acc.address ?? acc.base_account?.address;
    if (!seen.has(n)) {
      seen.add(n);
      numbers.set(address, n);
    } else {
      if (!dups.has(n)) dups.set(n, []);
      dups.get(n).push(address);
    }
  }
  let next = 0n;
  for (const n of [...dups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const address of dups.get(n)) {
      while (seen.has(next)) next++;
      numbers.set(address, next);
      seen.add(next);
    }
  }
  return numbers;
}

async function startWasmd(label) {
  const cli = process.env.STARMINER_CLI_BIN || join(root, "target/debug/starminer");
  const wasmd = process.env.STARMINER_WASMD_BIN || join(homedir(), ".cache/starminer/wasmd-v0.55.1/bin/wasmd");
  for (const [what, path] of [["the starminer CLI (STARMINER_CLI_BIN)", cli], ["wasmd (STARMINER_WASMD_BIN)", wasmd]]) {
    if (!existsSync(path)) throw new Error(`no ${what} at ${path}`);
  }
  const home = mkdtempSync(join(tmpdir(), `starminer-wasmd-${label}-`));
  const chainId = `starminer-wasmd-${label}-1`;
  const chainHome = join(home, "chains", chainId);
  const env = { ...process.env, STARMINER_PASSPHRASE: "starminer-acceptance-test", STARMINER_WASMD_BIN: wasmd };
  const run = (args) => {
    const r = spawnSync(cli, ["--home", home, ...args], { env, encoding: "utf8", timeout: 180_000 });
    if (r.status !== 0) {
      const log = join(chainHome, "node.log");
      const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "(no node.log)";
      throw new Error(
        `starminer ${args.join(" ")} failed (${r.error ?? `status ${r.status}`}):\n${r.stdout}${r.stderr}\nnode.log:\n${tail}`,
      );
    }
    return r.stdout + r.stderr;
  };
  // Stops every wasmd this home started: `chain down`, then any pid still
  // recorded and alive (a failed `down` must not leave a node behind).
  const stop = () => {
    try {
      run(["chain", "down", "--engine", "wasmd", "--chain-id", chainId]);
    } catch (e) {
      console.error(String(e.message ?? e));
    }
    for (const pidFile of findPidFiles(chainHome)) {
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      try {
        if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("wasmd")) process.kill(pid, "SIGKILL");
      } catch {}
    }
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const [rpcPort, restPort, grpcPort, p2pPort] = await freePorts(4);
    const out = run([
      "chain", "up", "--engine", "wasmd", "--chain-id", chainId,
      "--rpc-port", String(rpcPort), "--rest-port", String(restPort),
      "--grpc-port", String(grpcPort), "--p2p-port", String(p2pPort),
    ]);
    console.log(out.trim());
    // What `up` recorded: endpoints, prefix, fee denom, gas price.
    const { chain } = JSON.parse(readFileSync(join(chainHome, "chain.json"), "utf8"));
    const genesis = JSON.parse(readFileSync(join(chainHome, "config/genesis.json"), "utf8"));
    const balances = genesis.app_state.bank.balances;
    const numbers = wasmdAccountNumbers(genesis.app_state.auth.accounts);
    const devs = [];
    for (let i = 0; i < 2; i++) {
      const mnemonic = devMnemonic(i);
      const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: chain.prefix });
      const [{ address }] = await wallet.getAccounts();
      devs.push({ address, mnemonic });
    }
    await waitFor("wasmd's REST server", async () => (await fetch(`${chain.rest}/cosmos/base/tendermint/v1beta1/syncing`)).ok);
    return {
      name: "wasmd",
      chainId: chain.chain_id,
      prefix: chain.prefix,
      denom: chain.fee_denom,
      gasPrice: String(chain.gas_price),
      rpc: chain.rpc,
      rest: chain.rest,
      devs,
      genesisBalance: (address, denom) =>
        balances.find((b) => b.address === address)?.coins.find((c) => c.denom === denom)?.amount ?? "0",
      accountNumber: (address) => (numbers.has(address) ? Number(numbers.get(address)) : -1),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

function findPidFiles(dir) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && /^node\d+$/.test(entry.name)) found.push(...findPidFiles(path));
    else if (entry.name === "wasmd.pid") found.push(path);
  }
  return found;
}

const startEngine = (label) => (engineName === "wasmd" ? startWasmd(label) : startDevnet(label));

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
