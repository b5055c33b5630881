import { useCallback, useEffect, useState } from "react";

/**
 * Loads `load()` now and again whenever `deps` change or `refresh()` is
 * called; keeps the last good value while reloading.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: string; refresh: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError(undefined)))
      .catch((e) => live && setError(String(e?.message ?? e)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, refresh };
}
