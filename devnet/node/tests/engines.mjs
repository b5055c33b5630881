// The chains the acceptance tests run against, shared by cosmjs/ and keplr/.
//
// `engines(root, cosmjs)` returns `startEngine(name, label)`, which starts
// either chain in a temporary home on free ports and resolves to:
//   { name, chainId, prefix, denom, gasPrice, rpc, rest,
//     devs: [{address, mnemonic}], genesisBalance(address, denom),
//     accountNumber(address), stop() }
// - devnet: starminer-devnet (STARMINER_DEVNET_BIN, default
//   target/debug/starminer-devnet);
// - wasmd: a real wasmd v0.55.1 node started by the CLI
//   (`starminer chain up --engine wasmd`; STARMINER_CLI_BIN, default
//   target/debug/starminer; STARMINER_WASMD_BIN, default
//   ~/.cache/starminer/wasmd-v0.55.1/bin/wasmd).
// The CosmJS modules are passed in (`{ Bip39, sha256, toUtf8,
// DirectSecp256k1HdWallet }`): each test folder has its own node_modules.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export function engines(root, { Bip39, sha256, toUtf8, DirectSecp256k1HdWallet }) {
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

  return (name, label) => (name === "wasmd" ? startWasmd(label) : startDevnet(label));
}
