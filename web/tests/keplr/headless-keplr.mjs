// A headless Keplr for browser tests, built from Keplr's npm code.
//
// The page gets the real injected provider (InjectedKeplr of
// @keplr-wallet/provider, bundled from page.js). Its requests reach this
// module the way an extension's reach its background: InjectedKeplr.startProxy
// (the same package's real proxy) answers them by calling a `KeplrWallet`
// here, which keeps what a user would: the chains they accepted
// (validated with @keplr-wallet/chain-validator, as Keplr validates
// suggested chains), the sites they enabled, one key (from a mnemonic with
// @keplr-wallet/crypto) and a policy standing in for the user's clicks:
// approve, reject, or approve with another fee.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { InjectedKeplr } = require("@keplr-wallet/provider/build/inject");
const { Mnemonic, PrivKeySecp256k1, Hash } = require("@keplr-wallet/crypto");
const { Bech32Address, serializeSignDoc, encodeSecp256k1Signature } = require("@keplr-wallet/cosmos");
const { SignDoc, AuthInfo } = require("@keplr-wallet/proto-types/cosmos/tx/v1beta1/tx");
const { validateBasicChainInfoType } = require("@keplr-wallet/chain-validator");
const { JSONUint8Array } = require("@keplr-wallet/router");
const esbuild = require("esbuild");
const { createHash } = require("node:crypto");

/**
 * The devnet's dev mnemonic `i`: BIP-39 of sha256("starminer devnet dev
 * account i") (devnet/node/tests/engines.mjs derives it the same way).
 */
export function devMnemonic(i) {
  const entropy = createHash("sha256").update(`starminer devnet dev account ${i}`).digest();
  return Mnemonic.generateSeed(async (array) => {
    array.set(entropy.subarray(0, array.length));
    return array;
  }, 256);
}

let pageBundle;
/** The browser side: page.js and Keplr's provider as one script. */
export async function pageScript() {
  if (!pageBundle) {
    const out = await esbuild.build({
      entryPoints: [join(here, "page.js")],
      bundle: true,
      write: false,
      format: "iife",
      platform: "browser",
      target: "es2020",
      define: { global: "globalThis" },
      logLevel: "error",
    });
    pageBundle = out.outputFiles[0].text;
  }
  return pageBundle;
}

class Rejected extends Error {
  constructor(what) {
    super(`Request rejected: ${what}`);
  }
}

/**
 * policy: { enable?, suggestChain?, sign? } each "approve" (default) or
 * "reject"; sign may also be a function (kind, chainId, fee) => "approve" |
 * "reject" | { fee } (a fee object replacing the one asked for).
 */
export class KeplrWallet {
  constructor({ mnemonic, name = "test", policy = {} }) {
    this.name = name;
    this.policy = policy;
    this.privKey = new PrivKeySecp256k1(Mnemonic.generateWalletFromMnemonic(mnemonic, "m/44'/118'/0'/0/0"));
    this.pubKey = this.privKey.getPubKey();
    this.chains = new Map();
    this.enabled = new Set();
    /** Every request, for the test to read: [method, chainId, outcome]. */
    this.log = [];
  }

  decide(kind, ...details) {
    const p = this.policy[kind] ?? "approve";
    const answer = typeof p === "function" ? p(...details) : p;
    this.log.push([kind, details[0], typeof answer === "string" ? answer : "rewrite"]);
    if (answer === "reject") throw new Rejected(kind);
    return answer;
  }

  chain(chainId) {
    const info = this.chains.get(chainId);
    if (!info) throw new Error(`There is no chain info for ${chainId}`);
    if (!this.enabled.has(chainId)) throw new Error(`${chainId} is not enabled`);
    return info;
  }

  // ---- what InjectedKeplr asks of the extension ----
  async ping() {}

  async experimentalSuggestChain(chainInfo) {
    const valid = await validateBasicChainInfoType(chainInfo);
    this.decide("suggestChain", valid.chainId);
    this.chains.set(valid.chainId, valid);
  }

  async enable(chainIds) {
    for (const id of [].concat(chainIds)) {
      if (!this.chains.has(id)) throw new Error(`There is no chain info for ${id}`);
      this.decide("enable", id);
      this.enabled.add(id);
    }
  }

  address(chainId) {
    const prefix = this.chain(chainId).bech32Config.bech32PrefixAccAddr;
    return new Bech32Address(this.pubKey.getCosmosAddress()).toBech32(prefix);
  }

  async getKey(chainId) {
    const address = this.pubKey.getCosmosAddress();
    return {
      name: this.name,
      algo: "secp256k1",
      pubKey: this.pubKey.toBytes(),
      address,
      bech32Address: this.address(chainId),
      ethereumHexAddress: "",
      isNanoLedger: false,
      isKeystone: false,
    };
  }

  async getKeysSettled(chainIds) {
    return Promise.all(chainIds.map(async (id) => ({ status: "fulfilled", value: await this.getKey(id) })));
  }

  signature(bytes) {
    const { r, s } = this.privKey.signDigest32(Hash.sha256(bytes));
    return encodeSecp256k1Signature(this.pubKey.toBytes(), new Uint8Array([...r, ...s]));
  }

  async signDirect(chainId, signer, received) {
    // startProxy passes the sign doc's bytes as they came over the message
    // bridge (wrapped as strings), as an extension's background receives
    // them; its account number is already a Long.
    // Account number 0 arrives as null: CosmJS 0.39 gives it as the bigint
    // 0n, which InjectedKeplr's `accountNumber ? … : null` drops; absent is
    // protobuf's 0, so it is signed as 0.
    const signDoc = {
      ...received,
      bodyBytes: JSONUint8Array.unwrap(received.bodyBytes),
      authInfoBytes: JSONUint8Array.unwrap(received.authInfoBytes),
      accountNumber: received.accountNumber ?? 0,
    };
    if (signer !== this.address(chainId)) throw new Error(`Unknown signer ${signer}`);
    const authInfo = AuthInfo.decode(signDoc.authInfoBytes);
    const answer = this.decide("sign", chainId, authInfo.fee);
    let authInfoBytes = signDoc.authInfoBytes;
    if (typeof answer === "object") {
      authInfoBytes = AuthInfo.encode({ ...authInfo, fee: { ...authInfo.fee, ...answer.fee } }).finish();
    }
    const signed = { ...signDoc, authInfoBytes };
    const bytes = SignDoc.encode({
      bodyBytes: signed.bodyBytes,
      authInfoBytes: signed.authInfoBytes,
      chainId: signed.chainId,
      accountNumber: signed.accountNumber.toString(),
    }).finish();
    return { signed, signature: this.signature(bytes) };
  }

  async signAmino(chainId, signer, signDoc) {
    if (signer !== this.address(chainId)) throw new Error(`Unknown signer ${signer}`);
    const answer = this.decide("sign", chainId, signDoc.fee);
    const signed = typeof answer === "object" ? { ...signDoc, fee: { ...signDoc.fee, ...answer.fee } } : signDoc;
    return { signed, signature: this.signature(serializeSignDoc(signed)) };
  }
}

/**
 * Gives `page` a Keplr: the injected provider before any page script runs,
 * and `wallet` answering it through Keplr's own proxy.
 */
export async function installKeplr(page, wallet) {
  const listeners = new Set();
  await page.exposeBinding("__starminerKeplrBackground", (_source, json) => {
    for (const fn of listeners) fn({ data: JSON.parse(json) });
  });
  InjectedKeplr.startProxy(wallet, undefined, {
    addMessageListener: (fn) => listeners.add(fn),
    removeMessageListener: (fn) => listeners.delete(fn),
    postMessage: (message) =>
      page.evaluate((m) => window.postMessage(m, window.location.origin), message).catch(() => {}),
  });
  await page.addInitScript({ content: await pageScript() });
}
