/** Loads a value from the api and keeps its error; `reload` asks again (after a change). */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const run = useCallback(load, deps);
  // Only the latest request may answer: a slow one for old filters must not overwrite a newer page.
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const mine = (latest.current += 1);
    setLoading(true);
    try {
      const value = await run();
      if (mine !== latest.current) return;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (mine === latest.current) setError((e as Error).message);
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Calls `tick` every `ms` while `active`; a page's live view of running jobs. */
export function usePolling(active: boolean, ms: number, tick: () => Promise<void>): void {
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => void tick(), ms);
    return () => window.clearInterval(timer);
  }, [active, ms, tick]);
}
