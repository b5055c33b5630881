#!/usr/bin/env node
// Fills the AGPU and AMAX cw20 tokens of a running devnet into the chain
// info: reads keplr.json and assetlist.json beside this script, finds the
// token contracts through the node's Cosmos REST gateway and writes
// keplr.json / assetlist.json with them to --out (default: this folder's
// `local/`, which git ignores).
//
//   node devnet/chain/with-tokens.mjs [--rest http://127.0.0.1:1317]
//       [--rpc http://127.0.0.1:26657] [--agpu ADDR] [--amax ADDR] [--out DIR]
//
// Without --agpu / --amax, the token is the newest contract on the chain whose
// cw20 `token_info` has that symbol (a devnet deploys each once). The
// addresses differ per deployment (instantiate2 salts name the deployment),
// which is why they are filled in here and not committed.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export async function findTokens(rest, symbols) {
  const get = async (path) => {
    const r = await fetch(`${rest}${path}`);
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status} ${await r.text()}`);
    return r.json();
  };
  const found = {};
  const { code_infos } = await get("/cosmwasm/wasm/v1/code");
  for (const code of code_infos) {
    const { contracts } = await get(`/cosmwasm/wasm/v1/code/${code.code_id}/contracts`);
    for (const address of contracts) {
      const query = encodeURIComponent(Buffer.from(JSON.stringify({ token_info: {} })).toString("base64"));
      const r = await fetch(`${rest}/cosmwasm/wasm/v1/contract/${address}/smart/${query}`);
      if (!r.ok) continue; // not a cw20
      const { data } = await r.json();
      if (symbols.includes(data.symbol)) {
        const info = await get(`/cosmwasm/wasm/v1/contract/${address}`);
        const created = BigInt(info.contract_info.created?.block_height ?? "0");
        const prev = found[data.symbol];
        if (!prev || created >= prev.created) {
          found[data.symbol] = { address, decimals: data.decimals, name: data.name, created };
        }
      }
    }
  }
  return found;
}

/// The chain info and asset list with `tokens` ({SYMBOL: {address, decimals, name}}) added.
export function withTokens(keplr, assetlist, tokens, endpoints = {}) {
  const k = structuredClone(keplr);
  const a = structuredClone(assetlist);
  if (endpoints.rpc) k.rpc = endpoints.rpc;
  if (endpoints.rest) k.rest = endpoints.rest;
  for (const [symbol, t] of Object.entries(tokens)) {
    const minimal = `u${symbol.toLowerCase()}`;
    k.currencies = k.currencies.filter((c) => c.coinDenom !== symbol);
    k.currencies.push({
      type: "cw20",
      contractAddress: t.address,
      coinDenom: symbol,
      coinMinimalDenom: `cw20:${t.address}:${minimal}`,
      coinDecimals: t.decimals,
    });
    a.assets = a.assets.filter((x) => x.symbol !== symbol);
    a.assets.push({
      description: t.name,
      type_asset: "cw20",
      address: t.address,
      denom_units: [
        { denom: `cw20:${t.address}`, exponent: 0 },
        { denom: symbol.toLowerCase(), exponent: t.decimals },
      ],
      base: `cw20:${t.address}`,
      name: t.name,
      display: symbol.toLowerCase(),
      symbol,
    });
  }
  return { keplr: k, assetlist: a };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const rest = opt("rest", "http://127.0.0.1:1317");
  const rpc = opt("rpc", undefined);
  const out = opt("out", join(here, "local"));
  const keplr = JSON.parse(readFileSync(join(here, "keplr.json"), "utf8"));
  const assetlist = JSON.parse(readFileSync(join(here, "assetlist.json"), "utf8"));
  const tokens = await findTokens(rest, ["AGPU", "AMAX"]);
  for (const [symbol, flag] of [["AGPU", "agpu"], ["AMAX", "amax"]]) {
    const addr = opt(flag, undefined);
    if (addr) tokens[symbol] = { ...(tokens[symbol] ?? { decimals: 6, name: symbol }), address: addr };
    if (!tokens[symbol]) console.error(`${symbol}: no such cw20 on ${rest} yet (deploy first, or pass --${flag})`);
  }
  const filled = withTokens(keplr, assetlist, tokens, { rest, rpc });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "keplr.json"), JSON.stringify(filled.keplr, null, 2) + "\n");
  writeFileSync(join(out, "assetlist.json"), JSON.stringify(filled.assetlist, null, 2) + "\n");
  console.log(`wrote ${join(out, "keplr.json")} and assetlist.json`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}
