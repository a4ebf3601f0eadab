import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

// useLoad runs load now and whenever reload() is called; with everyMs it
// polls while keepPolling(data) says so (a running sync run).
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number, keepPolling?: (d: T) => boolean) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    setLoading(true);
    load()
      .then((d) => {
        if (mine === seq.current) {
          setData(d);
          setError(null);
        }
      })
      .catch((e) => mine === seq.current && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))))
      .finally(() => mine === seq.current && setLoading(false));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (!everyMs || data === null || (keepPolling && !keepPolling(data))) return;
    const timer = window.setTimeout(reload, everyMs);
    return () => window.clearTimeout(timer);
  }, [data, everyMs, keepPolling, reload]);
  return { data, error, loading, reload, setData };
}
