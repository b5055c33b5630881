// The chain's live feed: a CometBFT WebSocket subscription to new blocks and
// to the transactions that ran the job market. A feed that silently stops is
// worse than none, so the feed reconnects with backoff, subscribes again and
// backfills what it missed while away with `tx_search` from the last height it
// saw, delivering each job event once.
import { rpcCall, type DashboardConfig } from "./chain";

export interface LiveJobEvent {
  jobId: number;
  action: string;
  status: string;
  actor?: string;
  detail?: string;
  height: number;
  txHash?: string;
  /** Where it came from: the subscription or the backfill after a reconnect. */
  via: "websocket" | "backfill";
}

export type FeedState = "connecting" | "live" | "reconnecting";

interface RawEvent {
  type: string;
  attributes: { key: string; value: string }[];
}

function jobEventsOf(events: RawEvent[], height: number, txHash: string | undefined, via: LiveJobEvent["via"], market: string): LiveJobEvent[] {
  const out: LiveJobEvent[] = [];
  for (const e of events) {
    if (e.type !== "wasm-job") continue;
    const a = Object.fromEntries(e.attributes.map((x) => [x.key, x.value]));
    if (a._contract_address !== market) continue;
    out.push({ jobId: Number(a.job_id), action: a.action, status: a.status, actor: a.actor, detail: a.detail, height, txHash, via });
  }
  return out;
}

export class ChainFeed {
  private ws?: WebSocket;
  private stopped = false;
  private retry = 0;
  private seen = new Set<string>();
  lastHeight = 0;
  state: FeedState = "connecting";
  reconnects = 0;
  /** Job events delivered, by where they came from. */
  delivered = { websocket: 0, backfill: 0 };
  private blockListeners = new Set<(height: number, time: string) => void>();
  private jobListeners = new Set<(e: LiveJobEvent) => void>();
  private stateListeners = new Set<(s: FeedState) => void>();

  constructor(private cfg: DashboardConfig) {
    this.connect();
  }

  onBlock(f: (height: number, time: string) => void) {
    this.blockListeners.add(f);
    return () => this.blockListeners.delete(f);
  }
  onJob(f: (e: LiveJobEvent) => void) {
    this.jobListeners.add(f);
    return () => this.jobListeners.delete(f);
  }
  onState(f: (s: FeedState) => void) {
    this.stateListeners.add(f);
    return () => this.stateListeners.delete(f);
  }

  private setState(s: FeedState) {
    this.state = s;
    for (const f of this.stateListeners) f(s);
  }

  private emitJob(e: LiveJobEvent, index: number) {
    const key = `${e.txHash ?? e.height}:${index}:${e.jobId}:${e.action}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.delivered[e.via] += 1;
    for (const f of this.jobListeners) f(e);
  }

  private connect() {
    if (this.stopped) return;
    const ws = new WebSocket(this.cfg.websocket);
    this.ws = ws;
    const market = this.cfg.contracts.job_market;
    ws.onopen = async () => {
      const resumeFrom = this.lastHeight;
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { query: "tm.event='NewBlock'" } }));
      ws.send(JSON.stringify({
        jsonrpc: "2.0", id: 2, method: "subscribe",
        params: { query: `tm.event='Tx' AND wasm._contract_address='${market}'` },
      }));
      this.retry = 0;
      this.setState("live");
      if (resumeFrom > 0) await this.backfill(resumeFrom);
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data));
      const data = msg?.result?.data;
      if (!data) return;
      if (data.type === "tendermint/event/NewBlock") {
        const header = data.value.block.header;
        const h = Number(header.height);
        this.lastHeight = Math.max(this.lastHeight, h);
        for (const f of this.blockListeners) f(h, header.time);
      } else if (data.type === "tendermint/event/Tx") {
        const tx = data.value.TxResult;
        const hash: string | undefined = msg.result.events?.["tx.hash"]?.[0];
        const evs = jobEventsOf(tx.result.events ?? [], Number(tx.height), hash, "websocket", market);
        evs.forEach((e, i) => this.emitJob(e, i));
      }
    };
    ws.onclose = () => {
      if (this.stopped) return;
      this.setState("reconnecting");
      this.reconnects += 1;
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      setTimeout(() => this.connect(), delay);
    };
    ws.onerror = () => ws.close();
  }

  /** The job events of the blocks after `height`, read with tx_search. */
  private async backfill(height: number) {
    const market = this.cfg.contracts.job_market;
    let page = 1;
    for (;;) {
      const r = await rpcCall<{ txs: { hash: string; height: string; tx_result: { events: RawEvent[] } }[]; total_count: string }>(
        this.cfg, "tx_search",
        { query: `wasm._contract_address='${market}' AND tx.height>${height}`, page: String(page), per_page: "100", order_by: "asc" },
      );
      for (const tx of r.txs) {
        jobEventsOf(tx.tx_result.events, Number(tx.height), tx.hash, "backfill", market).forEach((e, i) => this.emitJob(e, i));
      }
      if (page * 100 >= Number(r.total_count)) break;
      page += 1;
    }
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
  }
}
