// The dashboard's tally (web/src/tally.ts) against the governance contract's
// own cases (contracts/governance/src/tally.rs), and its distance to
// passing on cases worked out by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { importTypeScript } from "./import-ts.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { standing } = await importTypeScript(resolve(here, "../src/tally.ts"));

const rules = { quorum: "0.4", threshold: "0.5", veto_threshold: "0.33" };
const at = (yes, no, abstain, veto, total = 100) =>
  standing({ tally: { yes: `${yes}`, no: `${no}`, abstain: `${abstain}`, no_with_veto: `${veto}` }, total_power: `${total}`, rules });

test("the contract's outcomes: quorum, abstain, a strict threshold, veto, no power", () => {
  assert.equal(at(39, 0, 0, 0).ifClosedNow, "rejected");
  assert.equal(at(40, 0, 0, 0).ifClosedNow, "passed");
  assert.equal(at(10, 9, 30, 0).ifClosedNow, "passed");
  assert.equal(at(0, 0, 100, 0).ifClosedNow, "rejected");
  assert.equal(at(50, 50, 0, 0).ifClosedNow, "rejected");
  assert.equal(at(51, 49, 0, 0).ifClosedNow, "passed");
  assert.equal(at(67, 0, 0, 33).ifClosedNow, "vetoed");
  assert.equal(at(68, 0, 0, 32).ifClosedNow, "passed");
  assert.equal(at(0, 0, 0, 0, 0).ifClosedNow, "rejected");
  assert.equal(at(0, 0, 0, 0).ifClosedNow, "rejected");
  const max = (1n << 128n) - 1n;
  assert.equal(at(max, 0, 0, 0, max).ifClosedNow, "passed");
});

test("the Yes power still needed to pass", () => {
  assert.equal(at(0, 0, 0, 0).yesNeeded, 40n); // quorum alone
  assert.equal(at(39, 0, 0, 0).yesNeeded, 1n);
  assert.equal(at(40, 0, 0, 0).yesNeeded, 0n);
  assert.equal(at(10, 30, 0, 0).yesNeeded, 21n); // 31 / 61 > 1/2
  assert.equal(at(0, 0, 0, 20).yesNeeded, 41n); // 41 yes: veto 20/61 < 0.33, quorum met
  assert.equal(at(0, 60, 0, 0).yesNeeded, -1n); // the 40 left cannot outvote 60
  assert.equal(at(0, 50, 0, 0).yesNeeded, -1n); // 50:50 is not above the threshold
});
