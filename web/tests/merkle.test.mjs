// web/src/merkle.ts against the construction of packages/starminer-merkle
// (the cases of its own unit tests: one leaf is the root, three leaves pair
// the first two and promote the third, an empty output is one empty chunk,
// leaves and nodes are domain-separated), computed here with node:crypto.
// The browser test checks it end to end against roots the agent (the Rust
// code) committed on chain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { importTypeScript } from "./import-ts.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { rootOf, rootOfLeaves, leafHash, toHex } = await importTypeScript(resolve(here, "../src/merkle.ts"));

const h = (...parts) => createHash("sha256").update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const leaf = (chunk) => h([0], chunk);
const node = (l, r) => h([1], l, r);

test("one chunk: the root is its leaf; an empty output is one empty chunk", async () => {
  assert.equal(toHex(await rootOf(new TextEncoder().encode("abc"), 64)), leaf(Buffer.from("abc")).toString("hex"));
  assert.equal(toHex(await rootOf(new Uint8Array(), 64)), leaf(Buffer.alloc(0)).toString("hex"));
});

test("three chunks: the first two are paired and the odd third promoted", async () => {
  const data = Buffer.from("aaaabbbbcc");
  const [a, b, c] = [leaf("aaaa"), leaf("bbbb"), leaf("cc")];
  assert.equal(toHex(await rootOf(new Uint8Array(data), 4)), node(node(a, b), c).toString("hex"));
});

test("five leaves, and a leaf is never an inner node", async () => {
  const ls = [0, 1, 2, 3, 4].map((i) => leaf([i]));
  const want = node(node(node(ls[0], ls[1]), node(ls[2], ls[3])), ls[4]);
  assert.equal(toHex(await rootOfLeaves(ls.map((l) => new Uint8Array(l)))), want.toString("hex"));
  const pair = Buffer.concat([ls[0], ls[1]]);
  assert.notEqual(toHex(await leafHash(new Uint8Array(pair))), node(ls[0], ls[1]).toString("hex"));
});

test("one flipped byte changes the root", async () => {
  const data = new Uint8Array(1000).map((_, i) => i % 251);
  const before = toHex(await rootOf(data, 128));
  data[517] ^= 1;
  assert.notEqual(toHex(await rootOf(data, 128)), before);
});
