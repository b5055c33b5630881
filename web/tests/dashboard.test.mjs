// The dashboard in a real browser (Debian's chromium driven by
// playwright-core) against a real chain: a running devnet with every contract
// deployed and provider agents computing (scripts/demo.sh --quick --keep
// leaves them; run.sh starts one when none is given). The page is served by
// the real `starminer dashboard` (config.json and the RPC/REST proxies). What
// the page shows is compared with what the chain answers to direct queries.
//
// Environment (run.sh sets it):
//   STARMINER_CLI_BIN   the starminer CLI
//   DASHBOARD_CLI_HOME  the CLI home of the running chain (config, keys, manifest)
//   DASHBOARD_OUT       where screenshots and measurements go
//   STARMINER_PASSPHRASE  the keystore passphrase (the CLI submits a job)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tools = join(root, "scripts/npm-tools/node_modules");
const { chromium } = await import(join(tools, "playwright-core/index.mjs"));
const axeSource = readFileSync(join(tools, "axe-core/axe.min.js"), "utf8");
const { KeplrWallet, installKeplr, devMnemonic } = await import("./keplr/headless-keplr.mjs");

const cli = process.env.STARMINER_CLI_BIN ?? join(root, "target/debug/starminer");
const home = process.env.DASHBOARD_CLI_HOME;
if (!home) throw new Error("DASHBOARD_CLI_HOME: the CLI home of a running, deployed chain");
const out = process.env.DASHBOARD_OUT ?? join(root, "target/dashboard");
mkdirSync(out, { recursive: true });
const figures = {};

let server;
let base;
let browser;
let cfg;

/** A 6-decimal token amount as the page writes it (fmtAmount in web/src/chain.ts). */
const amount = (raw) => (Number(raw) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 6 });

const sm = (...args) => execFileSync(cli, ["--home", home, ...args], { encoding: "utf8" });

/** A smart query straight to the chain's REST (not through the dashboard). */
async function query(contract, msg) {
  const chain = JSON.parse(readFileSync(join(home, "config.json"), "utf8"));
  const rest = chain.chains[chain.default_chain].rest;
  const b64 = Buffer.from(JSON.stringify(msg)).toString("base64");
  const r = await fetch(`${rest}/cosmwasm/wasm/v1/contract/${cfg.contracts[contract]}/smart/${encodeURIComponent(b64)}`);
  assert.equal(r.status, 200);
  return (await r.json()).data;
}

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => console.error("page error:", e));
  return page;
}

/** axe on the page as it is: no serious or critical violation. */
async function axe(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  figures[`axe ${name}`] = result;
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `axe on ${name}: ${JSON.stringify(bad)}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
}

before(async () => {
  server = spawn(cli, ["--home", home, "dashboard", "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  base = await new Promise((ok, fail) => {
    let text = "";
    server.stdout.on("data", (d) => {
      text += d;
      const m = text.match(/dashboard on (http:\/\/[^/\s]+)\//);
      if (m) ok(m[1]);
    });
    server.on("exit", (code) => fail(new Error(`starminer dashboard exited with ${code}`)));
  });
  cfg = await (await fetch(`${base}/config.json`)).json();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  writeFileSync(join(out, "figures.json"), JSON.stringify(figures, null, 2) + "\n");
});

test("the initial JavaScript is at most 200 KB gzipped; the signing code is a separate chunk", () => {
  const dist = join(root, "web/dist");
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  assert.ok(initial.length >= 1, "index.html loads a script");
  const gz = initial.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f))).length, 0);
  const all = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js"));
  const signing = all.filter((f) => f.startsWith("signing-"));
  figures["initial JS gzipped (bytes)"] = gz;
  figures["signing chunk gzipped (bytes)"] = signing.reduce((n, f) => n + gzipSync(readFileSync(join(dist, "assets", f))).length, 0);
  assert.ok(gz <= 200 * 1024, `initial JS is ${gz} bytes gzipped`);
  assert.equal(signing.length, 1, `one signing chunk: ${all}`);
  assert.ok(!initial.some((f) => f.includes("signing-")), "the signing chunk is not loaded up front");
});

test("Overview: node status, jobs by status and prices match the chain", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/`);
  await page.getByTestId("node-height").waitFor();
  const stats = await query("job_market", { stats: {} });
  await page.waitForFunction((n) => document.querySelector('[data-testid="jobs-total"]')?.textContent === String(n), stats.jobs);
  for (const s of stats.by_status) {
    assert.equal(await page.locator(`[data-status="${s.status}"]`).textContent(), String(s.count), s.status);
  }
  const prices = await query("pricing", { prices: {} });
  const rows = page.locator("table").first().locator("tbody tr");
  assert.equal(await rows.count(), prices.tiers.length);
  const firstRow = await rows.first().locator("td").allTextContents();
  assert.equal(firstRow[0], prices.tiers[0].prices.render);
  assert.equal(await page.getByTestId("feed").textContent().then((t) => t.startsWith("Live")), true);
  await shot(page, "overview");
  await axe(page, "overview");
  await page.close();
});

test("Providers: every registered identity with its zone, tier and bond as the registry has them", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/providers`);
  await page.getByTestId("providers-table").waitFor();
  const { providers } = await query("registry", { providers: { limit: 100 } });
  assert.ok(providers.length >= 3, "the demo registered two providers and a validator");
  for (const p of providers) {
    const row = page.locator(`tr[data-provider="${p.address}"]`);
    const cells = await row.locator("td").allTextContents();
    assert.equal(cells[1], p.zone);
    assert.equal(cells[3], String(p.tier));
    assert.equal(cells[5], `${amount(p.bonded)} AGPU`);
  }
  await shot(page, "providers");
  await axe(page, "providers");
  await page.close();
});

test("Jobs: a job submitted with the CLI appears, and its timeline runs to settled as the agent works", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/jobs`);
  await page.getByTestId("jobs-table").waitFor();
  await page.getByTestId("height").waitFor();
  const submitted = JSON.parse(
    sm("--json", "job", "submit", "--template", "render.fractal", "--params", "width=64,height=64,max_iter=64", "--zone", "eu-west", "--from", "dev1"),
  );
  const id = submitted.job_id;
  // The list updates from the WebSocket feed, without a reload.
  await page.locator(`tr[data-job="${id}"]`).waitFor({ timeout: 20_000 });
  await shot(page, "jobs");
  await axe(page, "jobs");

  await page.goto(`${base}/#/jobs/${id}`);
  await page.getByTestId("timeline").waitFor();
  const chainJob = await query("job_market", { job: { job_id: id } });
  assert.equal(await page.getByTestId("quote-total").textContent(), `${amount(chainJob.job.quote.total)} AGPU`);
  // Settled, with the height the page was at when it showed it: a chain
  // event must be on screen within 2 blocks.
  const settledLi = page.locator('[data-testid="timeline"] li[data-action="settled"]');
  await settledLi.waitFor({ timeout: 240_000 });
  const shownAt = Number(await page.getByTestId("height").textContent());
  const settled = (await query("job_market", { job: { job_id: id } })).history.find((e) => e.action === "settled");
  assert.ok(settled, "the chain has the job settled");
  figures["settled event: blocks until on screen"] = shownAt - settled.height;
  assert.ok(shownAt - settled.height <= 2, `shown at height ${shownAt}, settled at ${settled.height}`);
  assert.equal(await page.getByTestId("job-status").textContent(), "settled");
  const history = (await query("job_market", { job: { job_id: id } })).history.map((e) => e.action);
  assert.deepEqual(await page.locator('[data-testid="timeline"] li').evaluateAll((ls) => ls.map((l) => l.dataset.action)), history);
  // The provider that served it, with its hardware and tier.
  const provider = page.getByTestId("job-provider").first();
  await provider.waitFor();
  const slot = chainJob.job.slots[0] ?? (await query("job_market", { job: { job_id: id } })).job.slots[0];
  const info = await query("registry", { provider: { address: slot.provider } });
  const text = await provider.textContent();
  assert.ok(text.includes(`tier ${info.tier}`), text);
  assert.ok(text.includes(info.hardware[0].name), text);
  // The output, fetched from the provider through the dashboard, hashes to
  // the root on chain in the browser, and the render shows.
  await page.locator('[data-testid="output-check"][data-state="verified"]').waitFor({ timeout: 30_000 });
  const image = page.getByTestId("output-preview");
  await image.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="output-preview"]')?.naturalWidth === 64);
  await shot(page, "job-detail");
  await axe(page, "job-detail");
  await page.close();
});

test("Wallet without Keplr: connecting loads the signing code only then, and says Keplr is missing", async () => {
  const page = await newPage();
  const scripts = [];
  page.on("request", (r) => r.resourceType() === "script" && scripts.push(new URL(r.url()).pathname));
  await page.goto(`${base}/#/wallet`);
  await page.getByTestId("connect").waitFor();
  assert.ok(!scripts.some((s) => s.includes("signing-")), `before connect: ${scripts}`);
  await axe(page, "wallet");
  // Keyboard only: Tab from the top of the page to the button, then Enter.
  let tabs = 0;
  for (; tabs < 20; tabs++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.dataset?.testid === "connect")) break;
  }
  assert.ok(tabs < 20, "the connect button is reachable with Tab");
  figures["Tab presses to the connect button"] = tabs + 1;
  await page.keyboard.press("Enter");
  const problem = page.getByTestId("wallet-problem");
  await problem.waitFor();
  assert.match(await problem.textContent(), /Keplr is not installed/);
  assert.ok(scripts.some((s) => s.includes("signing-")), `after connect: ${scripts}`);
  await shot(page, "wallet-no-keplr");
  await page.close();
});

test("a node restart and a network outage: the page reconnects, backfills, and loses no job event", async () => {
  const chainCfg = JSON.parse(readFileSync(join(home, "config.json"), "utf8"));
  const chain = chainCfg.chains[chainCfg.default_chain];
  const rpcPort = new URL(chain.rpc).port;
  const restPort = new URL(chain.rest).port;
  const devnetBin = process.env.DASHBOARD_DEVNET_BIN ?? join(dirname(cli), "starminer-devnet");
  const next = (await query("job_market", { stats: {} })).jobs + 1;
  const page = await newPage();
  // The browser's WebSocket to the node passes through the test, which can
  // cut it (a network outage between browser and node while the chain runs
  // on); the page's code is the same.
  let outage = false;
  const sockets = new Set();
  await page.routeWebSocket(cfg.websocket, (ws) => {
    if (outage) return ws.close();
    sockets.add(ws);
    ws.connectToServer();
  });
  const feedState = (prefix) => page.waitForFunction(
    (p) => document.querySelector('[data-testid="feed"]')?.textContent?.startsWith(p), prefix, { timeout: 30_000 });
  // The detail page of the job about to be submitted: every entry of its
  // timeline is tagged live once the feed has brought its event.
  await page.goto(`${base}/#/jobs/${next}`);
  await page.getByTestId("height").waitFor();

  // 1. The node stops and starts again: the page notices and reconnects.
  sm("devnet", "down");
  await feedState("Reconnecting");
  sm("devnet", "up", "--no-validator-agent", "--devnet-bin", devnetBin, "--rpc-port", rpcPort, "--rest-port", restPort, "--block-time", "1s");
  await feedState("Live");

  // 2. The network drops while a job is submitted and claimed.
  outage = true;
  for (const ws of sockets) await ws.close();
  await feedState("Reconnecting");
  const submitted = JSON.parse(
    sm("--json", "job", "submit", "--template", "render.fractal", "--params", "width=64,height=64,max_iter=32", "--zone", "eu-west", "--from", "dev1"),
  );
  assert.equal(submitted.job_id, next);
  for (let i = 0; i < 120; i++) {
    const h = (await query("job_market", { job: { job_id: next } })).history;
    if (h.some((e) => e.action === "job_claimed")) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  outage = false;
  await feedState("Live");
  await page.locator('[data-testid="timeline"] li[data-action="settled"] .tag').waitFor({ timeout: 240_000 });
  const history = (await query("job_market", { job: { job_id: next } })).history;
  const shown = await page.locator('[data-testid="timeline"] li').evaluateAll((ls) =>
    ls.map((l) => ({ action: l.dataset.action, live: l.querySelector(".tag") !== null })));
  assert.deepEqual(shown.map((e) => e.action), history.map((e) => e.action));
  assert.deepEqual(shown.filter((e) => !e.live), [], "every event of the job came through the feed");
  const feed = page.getByTestId("feed");
  await page.waitForTimeout(1500); // the badge's counters re-render with the next block
  const sources = {
    websocket: Number(await feed.getAttribute("data-websocket")),
    backfill: Number(await feed.getAttribute("data-backfill")),
    reconnects: Number(await feed.getAttribute("data-reconnects")),
  };
  figures["restart and outage: job events by source"] = sources;
  assert.ok(sources.reconnects >= 2, JSON.stringify(sources));
  assert.ok(sources.backfill >= 2, `the submitted and claimed events came by backfill: ${JSON.stringify(sources)}`);
  await shot(page, "job-after-outage");
  await page.close();
});

test("Governance: every proposal's status and tally as the chain has them, rules and treasury", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/governance`);
  await page.getByTestId("treasury").waitFor();
  const { proposals } = await query("governance", { proposals: { limit: 30 } });
  assert.ok(proposals.length >= 1, "the deployment registers the templates by a proposal");
  for (const p of proposals) {
    const card = page.locator(`[data-proposal="${p.id}"]`);
    const status = typeof p.status === "string" ? p.status : "execution failed";
    assert.equal(await card.getByTestId("proposal-status").textContent(), status);
    assert.equal(await card.getByTestId("tally-yes").textContent(), amount(p.tally.yes));
  }
  const power = await query("governance", { total_power: {} });
  assert.equal(await page.getByTestId("total-power").textContent(), amount(power.power));
  await shot(page, "governance");
  await axe(page, "governance");
  await page.close();
});

test("Market: price history and utilization per tier, and the quote calculator gives the chain's quote", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/market`);
  await page.getByTestId("price-history").waitFor();
  const history = await query("pricing", { price_history: { tier: 1, limit: 30 } });
  assert.equal(await page.getByTestId("price-history").locator("tbody tr").count(), history.epochs.length);
  // The chart runs from the oldest epoch's multiplier to the newest's.
  const byEpoch = [...history.epochs].sort((a, b) => a.epoch - b.epoch);
  if (byEpoch.length >= 2) {
    assert.equal(await page.locator("svg.chart").getAttribute("aria-label"),
      `multiplier per epoch, from ${Number(byEpoch[0].multiplier)} to ${Number(byEpoch.at(-1).multiplier)}`);
  }
  await page.getByLabel("Units").fill("12345");
  await page.getByLabel("Urgency").selectOption("high");
  const want = await query("pricing", { quote: { class: "render", tier: 1, units: "12345", urgency: "high", verification: "none" } });
  const total = `${amount(want.total)} AGPU`;
  await page.waitForFunction((t) => document.querySelector('[data-testid="calc-quote"] strong')?.textContent === t, total);
  await shot(page, "market");
  await axe(page, "market");
  await page.close();
});

test("Developer: contract addresses from the manifest, and the query console answers what the chain answers", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/developer`);
  await page.getByTestId("contracts").waitFor();
  for (const [name, addr] of Object.entries(cfg.contracts)) {
    assert.ok((await page.getByTestId("contracts").textContent()).includes(addr), name);
  }
  await page.getByRole("textbox", { name: /^Query/ }).fill('{"config": {}}');
  await page.getByTestId("run-query").click();
  await page.getByTestId("query-answer").waitFor();
  assert.deepEqual(JSON.parse(await page.getByTestId("query-answer").textContent()), await query("job_market", { config: {} }));
  await shot(page, "developer");
  await axe(page, "developer");
  await page.close();
});

test("Governance, live: an open proposal's tally and its distance to passing follow the votes", async () => {
  const page = await newPage();
  await page.goto(`${base}/#/governance`);
  await page.getByTestId("treasury").waitFor();
  const before = (await query("governance", { proposals: { limit: 30 } })).proposals.length;
  const config = await query("governance", { config: {} });
  // A harmless change (the voting period it already has), proposed by dev0,
  // who holds all staked AMAX in the demo.
  sm("gov", "propose", "--contract", "governance", "--from", "dev0", "--title", "Keep the voting period",
    "--msg", JSON.stringify({ update_config: { voting_period: config.params.voting_period } }));
  const id = before + 1;
  const p = await query("governance", { proposal: { proposal_id: id } });
  assert.equal(p.status, "open");
  const card = page.locator(`[data-proposal="${id}"]`);
  // Nobody has voted: quorum alone stands between it and passing, so the
  // Yes power needed is the quorum's share of the total power, rounded up.
  const q = Number(p.rules.quorum);
  const need = BigInt(Math.ceil(q * Number(p.total_power)));
  const needText = `${amount(need)} more AMAX voting Yes would pass it.`;
  await card.getByTestId("distance").waitFor({ timeout: 10_000 });
  assert.equal(await card.getByTestId("distance").textContent(), `If voting closed now: rejected. ${needText}`);
  await shot(page, "governance-open");
  sm("gov", "vote", String(id), "no", "--from", "dev0");
  // The No votes show in the tally, and no further Yes can pass it now.
  const after = await query("governance", { proposal: { proposal_id: id } });
  assert.equal(after.tally.no, after.total_power);
  const noText = amount(after.tally.no);
  await page.waitForFunction(([i, t]) => document.querySelector(`[data-proposal="${i}"] [data-testid="tally-no"]`)?.textContent === t, [id, noText], { timeout: 10_000 });
  const distance = card.getByTestId("distance");
  await page.waitForFunction((i) => document.querySelector(`[data-proposal="${i}"] [data-testid="distance"]`)?.textContent?.includes("would not pass"), id, { timeout: 10_000 });
  assert.equal(await distance.textContent(), "If voting closed now: rejected. Even if all power that has not voted voted Yes, it would not pass.");
  await page.close();
});

test("Wallet with Keplr: the user rejects, then approves; balances match the chain and follow a CLI transfer live", async () => {
  const page = await newPage();
  const wallet = new KeplrWallet({ mnemonic: await devMnemonic(3), name: "dev3", policy: { enable: "reject" } });
  await installKeplr(page, wallet);
  await page.goto(`${base}/#/wallet`);
  assert.equal(await page.evaluate(() => typeof window.keplr?.enable), "function", "the injected provider is there");
  await page.getByTestId("connect").click();
  const problem = page.getByTestId("wallet-problem");
  await problem.waitFor();
  assert.match(await problem.textContent(), /Request rejected: enable/);
  // Keplr validated the suggested chain before the user was asked to enable it.
  assert.deepEqual(wallet.log.map(([kind, , outcome]) => [kind, outcome]), [["suggestChain", "approve"], ["enable", "reject"]]);

  wallet.policy.enable = "approve";
  await page.getByTestId("connect").click();
  await page.getByTestId("address").waitFor();
  const address = await page.getByTestId("address").textContent();
  assert.equal(address, wallet.address(cfg.chainId));
  const chainBalances = async () => {
    const chain = JSON.parse(readFileSync(join(home, "config.json"), "utf8"));
    const bank = await (await fetch(`${chain.chains[chain.default_chain].rest}/cosmos/bank/v1beta1/balances/${address}`)).json();
    return {
      native: bank.balances.find((b) => b.denom === cfg.feeDenom)?.amount ?? "0",
      agpu: (await query("agpu_token", { balance: { address } })).balance,
      amax: (await query("amax_token", { balance: { address } })).balance,
    };
  };
  const want = await chainBalances();
  await page.getByTestId("balances").waitFor();
  assert.equal(await page.getByTestId("bal-native").textContent(), amount(want.native));
  assert.equal(await page.getByTestId("bal-agpu").textContent(), amount(want.agpu));
  assert.equal(await page.getByTestId("bal-amax").textContent(), amount(want.amax));
  await shot(page, "wallet-connected");
  await axe(page, "wallet-connected");

  sm("token", "send", address, "5", "--from", "dev1");
  const after = await chainBalances();
  assert.equal(BigInt(after.agpu) - BigInt(want.agpu), 5_000_000n);
  await page.waitForFunction((t) => document.querySelector('[data-testid="bal-agpu"]')?.textContent === t, amount(after.agpu), { timeout: 10_000 });
  await page.close();
});

test("Jobs, with Keplr: a job from the template's form, at the chain's quote, signed in the wallet, runs to settled", async () => {
  const page = await newPage();
  const wallet = new KeplrWallet({ mnemonic: await devMnemonic(3), name: "dev3" });
  await installKeplr(page, wallet);
  await page.goto(`${base}/#/wallet`);
  await page.getByTestId("connect").click();
  await page.getByTestId("address").waitFor();
  await page.getByRole("link", { name: "Jobs" }).click();
  const form = page.getByTestId("submit-form");
  await form.waitFor();
  await form.getByLabel("Template").selectOption("render.fractal");
  await form.getByLabel("Zone").selectOption("eu-west"); // where a demo provider works
  const template = await query("job_market", { template: { id: "render.fractal" } });
  const values = { width: 64, height: 48, max_iter: 32, samples: 1, seed: 1 };
  // Keyboard only: each parameter typed into its field, then Tab to the
  // submit button and Enter.
  for (const name of new Set(template.unit_formula.params)) {
    await form.getByLabel(name, { exact: true }).focus();
    await page.keyboard.type(String(values[name] ?? 8));
  }
  let units = BigInt(template.unit_formula.factor);
  for (const name of template.unit_formula.params) units *= BigInt(values[name] ?? 8);
  units = (units + BigInt(template.unit_formula.divisor) - 1n) / BigInt(template.unit_formula.divisor);
  const tier = Math.max(1, template.min_hardware.min_tier);
  const want = await query("pricing", { quote: { class: template.class, tier, units: units.toString(), urgency: "normal", verification: "none" } });
  await page.waitForFunction((t) => document.querySelector('[data-testid="submit-quote"] strong')?.textContent === t, `${amount(want.total)} AGPU`);
  await shot(page, "jobs-submit-form");
  await axe(page, "jobs-submit-form");
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement?.dataset?.testid === "submit-job")) break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), "submit-job");
  await page.keyboard.press("Enter");
  await page.locator('[data-testid="submitted"], [data-testid="submit-form"] [role="alert"]').first().waitFor({ timeout: 60_000 });
  const failure = form.getByRole("alert");
  assert.equal(await failure.count(), 0, `the page says: ${await failure.textContent().catch(() => "")}`);
  assert.deepEqual(wallet.log.at(-1).slice(0, 2), ["sign", cfg.chainId]);
  const link = page.getByTestId("submitted").getByRole("link");
  const id = Number((await link.textContent()).replace("job #", ""));
  const job = await query("job_market", { job: { job_id: id } });
  assert.equal(job.job.requester, wallet.address(cfg.chainId));
  assert.equal(job.job.quote.total, want.total);
  await link.click();
  await page.locator('[data-testid="timeline"] li[data-action="settled"]').waitFor({ timeout: 240_000 });
  await shot(page, "job-submitted-from-page");
  await page.close();
});

test("Governance with Keplr: stake from the page, then vote by keyboard; the tally matches the chain", async () => {
  const page = await newPage();
  const wallet = new KeplrWallet({ mnemonic: await devMnemonic(0), name: "dev0" });
  await installKeplr(page, wallet);
  await page.goto(`${base}/#/wallet`);
  await page.getByTestId("connect").click();
  await page.getByTestId("address").waitFor();
  const address = await page.getByTestId("address").textContent();
  const stakedBefore = BigInt((await query("governance", { staked: { address } })).staked);
  await page.getByLabel("Amount (AMAX)").fill("1.5");
  await page.getByTestId("stake").click();
  await page.waitForFunction(() => /^(Staked|Not staked)/.test(document.querySelector('[data-testid="stake-note"]')?.textContent ?? ""), null, { timeout: 30_000 });
  assert.match(await page.getByTestId("stake-note").textContent(), /^Staked 1\.5 AMAX/);
  assert.equal(BigInt((await query("governance", { staked: { address } })).staked) - stakedBefore, 1_500_000n);
  await page.waitForFunction((t) => document.querySelector('[data-testid="bal-staked"]')?.textContent === t, amount(stakedBefore + 1_500_000n));

  const before = (await query("governance", { proposals: { limit: 30 } })).proposals.length;
  const config = await query("governance", { config: {} });
  sm("gov", "propose", "--contract", "governance", "--from", "dev0", "--title", "Keep the voting period, voted from the page",
    "--msg", JSON.stringify({ update_config: { voting_period: config.params.voting_period } }));
  const id = before + 1;
  await page.getByRole("link", { name: "Governance" }).click();
  const yes = page.locator(`[data-proposal="${id}"] [data-vote="yes"]`);
  await yes.waitFor({ timeout: 5_000 });
  // Keyboard only: Tab from the page's top to this proposal's Yes, Enter.
  await page.locator("body").focus();
  let tabs = 0;
  for (; tabs < 60; tabs++) {
    await page.keyboard.press("Tab");
    if (await yes.evaluate((b) => b === document.activeElement)) break;
  }
  assert.ok(tabs < 60, "the Yes button is reachable with Tab");
  await page.keyboard.press("Enter");
  const note = page.locator(`[data-proposal="${id}"] [data-testid="vote-note"]`);
  await page.waitForFunction((i) => /^(Voted|Vote not cast)/.test(document.querySelector(`[data-proposal="${i}"] [data-testid="vote-note"]`)?.textContent ?? ""), id, { timeout: 30_000 });
  assert.equal(await note.textContent(), "Voted Yes.");
  const p = await query("governance", { proposal: { proposal_id: id } });
  assert.equal(p.tally.yes, p.total_power, "all staked power (dev0's) voted Yes");
  await page.waitForFunction(([i, t]) => document.querySelector(`[data-proposal="${i}"] [data-testid="tally-yes"]`)?.textContent === t, [id, amount(p.tally.yes)], { timeout: 10_000 });
  await shot(page, "governance-voted");
  await page.close();
});
