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
  // The request the shown data answered: with new filters the list is busy from the render that
  // applies them, not only once the effect below has sent the request (a frame later), so nobody
  // takes the old rows, marked settled, for the new filters' answer.
  const settled = useRef<typeof run | null>(null);
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
      if (mine === latest.current) {
        settled.current = run;
        setLoading(false);
      }
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading: loading || settled.current !== run, reload };
}

/** Calls `tick` every `ms` while `active`; a page's live view of running jobs. */
export function usePolling(active: boolean, ms: number, tick: () => Promise<void>): void {
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => void tick(), ms);
    return () => window.clearInterval(timer);
  }, [active, ms, tick]);
}
