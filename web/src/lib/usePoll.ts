import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiError, asApiError } from './http';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  /** reload fetches again now (after an action changed the data). */
  reload: () => void;
  setData: (data: T) => void;
}

export interface PollOptions<T> {
  /** poll every this many ms while keepPolling(data) is true */
  everyMs?: number;
  keepPolling?: (data: T) => boolean;
}

/**
 * usePoll loads data when deps change and, with everyMs, again and again
 * while keepPolling says so (a sync run that is still going). A load still in
 * flight when deps change is aborted, so a slow answer never overwrites a
 * newer one. A failed poll keeps the last data and tries again, since a run
 * page should ride out a restarting server.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList, opts: PollOptions<T> = {}): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const optsRef = useRef(opts);
  optsRef.current = opts;

  // A change of deps starts afresh: no data from the previous subject.
  useEffect(() => {
    setData(undefined);
    setError(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    const abort = new AbortController();
    let timer: number | undefined;
    setLoading(true);
    loadRef.current(abort.signal).then(
      (value) => {
        if (abort.signal.aborted) return;
        setData(value);
        setError(null);
        setLoading(false);
        const { everyMs, keepPolling } = optsRef.current;
        if (everyMs && (!keepPolling || keepPolling(value))) timer = window.setTimeout(() => setTick((t) => t + 1), everyMs);
      },
      (err) => {
        if (abort.signal.aborted) return;
        const e = asApiError(err);
        setError(e);
        setLoading(false);
        const { everyMs } = optsRef.current;
        // Keep polling through a transient failure, but not a refusal.
        if (everyMs && (e.status === 0 || e.status >= 500)) timer = window.setTimeout(() => setTick((t) => t + 1), everyMs * 2);
      },
    );
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

