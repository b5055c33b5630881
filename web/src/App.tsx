import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { ChainFeed, type FeedState } from "./live";
import { contractClients, loadConfig, type Clients, type DashboardConfig } from "./chain";
import { Overview } from "./pages/Overview";
import { Jobs } from "./pages/Jobs";
import { JobDetail } from "./pages/JobDetail";
import { Providers } from "./pages/Providers";
import { Wallet } from "./pages/Wallet";
import { Governance } from "./pages/Governance";
import { Market } from "./pages/Market";
import { Developer } from "./pages/Developer";

export interface Chain {
  cfg: DashboardConfig;
  clients: Clients;
  feed: ChainFeed;
}
const ChainContext = createContext<Chain | null>(null);

/** The connected wallet (signing.ts, loaded on connect), shared by every page. */
export interface SessionState {
  session: import("./signing").Session | null;
  setSession: (s: import("./signing").Session | null) => void;
}
const SessionContext = createContext<SessionState>({ session: null, setSession: () => {} });
export function useSession(): SessionState {
  return useContext(SessionContext);
}
export function useChain(): Chain {
  const c = useContext(ChainContext);
  if (!c) throw new Error("no chain");
  return c;
}

/** The current block height from the live feed (re-renders on every block). */
export function useHeight(): number {
  const { feed } = useChain();
  const [h, setH] = useState(feed.lastHeight);
  useEffect(() => {
    const off = feed.onBlock((height) => setH(height));
    return () => void off();
  }, [feed]);
  return h;
}

function useRoute(): string {
  const [hash, setHash] = useState(location.hash || "#/");
  useEffect(() => {
    const f = () => setHash(location.hash || "#/");
    addEventListener("hashchange", f);
    return () => removeEventListener("hashchange", f);
  }, []);
  return hash.slice(1);
}

const PAGES: [string, string][] = [
  ["/", "Overview"],
  ["/jobs", "Jobs"],
  ["/providers", "Providers"],
  ["/market", "Market"],
  ["/governance", "Governance"],
  ["/wallet", "Wallet"],
  ["/developer", "Developer"],
];

function FeedBadge() {
  const { feed } = useChain();
  const [state, setState] = useState<FeedState>(feed.state);
  const height = useHeight();
  useEffect(() => {
    const off = feed.onState(setState);
    return () => void off();
  }, [feed]);
  return (
    <p
      className={`feed feed-${state}`}
      role="status"
      aria-live="polite"
      data-testid="feed"
      data-reconnects={feed.reconnects}
      data-websocket={feed.delivered.websocket}
      data-backfill={feed.delivered.backfill}
    >
      {state === "live" ? "Live" : state === "reconnecting" ? "Reconnecting…" : "Connecting…"}
      {height > 0 && <> · block <span data-testid="height">{height}</span></>}
    </p>
  );
}

function Page({ route }: { route: string }): ReactNode {
  const job = route.match(/^\/jobs\/(\d+)$/);
  if (job) return <JobDetail id={Number(job[1])} />;
  switch (route) {
    case "/":
      return <Overview />;
    case "/jobs":
      return <Jobs />;
    case "/providers":
      return <Providers />;
    case "/wallet":
      return <Wallet />;
    case "/market":
      return <Market />;
    case "/governance":
      return <Governance />;
    case "/developer":
      return <Developer />;
    default:
      return <p>No page at {route}. <a href="#/">Overview</a></p>;
  }
}

export function App() {
  const [chain, setChain] = useState<Chain | null>(null);
  const [session, setSession] = useState<SessionState["session"]>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();
  useEffect(() => {
    loadConfig()
      .then((cfg) => setChain({ cfg, clients: contractClients(cfg), feed: new ChainFeed(cfg) }))
      .catch((e) => setError(String(e)));
  }, []);
  const section = "/" + (route.split("/")[1] ?? "");
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header>
        <p className="brand">StarMiner</p>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map(([path, name]) => (
              <li key={path}>
                <a href={`#${path}`} aria-current={section === path ? "page" : undefined}>{name}</a>
              </li>
            ))}
          </ul>
        </nav>
        {chain && (
          <ChainContext.Provider value={chain}>
            <FeedBadge />
          </ChainContext.Provider>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {error && <p role="alert">Cannot load the dashboard's configuration: {error}</p>}
        {!chain && !error && <p>Loading…</p>}
        {chain && (
          <ChainContext.Provider value={chain}>
            <SessionContext.Provider value={{ session, setSession }}>
              <Page route={route} />
            </SessionContext.Provider>
          </ChainContext.Provider>
        )}
      </main>
      {chain && (
        <footer>
          <p>
            {chain.cfg.chainName} · chain id <code>{chain.cfg.chainId}</code>
          </p>
        </footer>
      )}
    </>
  );
}
