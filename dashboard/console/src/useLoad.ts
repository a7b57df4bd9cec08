/** Loads a value from the api and keeps its error; `reload` asks again (after a change). */
import { useCallback, useEffect, useState } from 'preact/hooks';

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
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await run());
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
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
