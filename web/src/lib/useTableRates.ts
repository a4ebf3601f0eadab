import { useEffect, useRef, useState } from 'react';
import type { SyncRun } from './types';

// The API gives each running table's rows read so far (updated every ~2 s);
// the rate is how fast that grew over the polls of the last few seconds.
// A window longer than one update smooths the steps and lets a stall show
// as a falling rate instead of a frozen one.
const windowMs = 10_000;
const minSpanMs = 1_500;

interface Sample {
  at: number;
  rows: number;
}

/** useTableRates answers rows per second for each running table of a run. */
export function useTableRates(run: SyncRun | undefined): Record<string, number> {
  const samples = useRef(new Map<string, Sample[]>());
  const [rates, setRates] = useState<Record<string, number>>({});

  useEffect(() => {
    if (!run) return;
    const now = performance.now();
    const next: Record<string, number> = {};
    const seen = new Set<string>();
    for (const table of run.tables ?? []) {
      if (table.status !== 'running') continue;
      seen.add(table.name);
      const list = samples.current.get(table.name) ?? [];
      list.push({ at: now, rows: table.rows_read });
      while (list.length > 2 && now - list[0].at > windowMs) list.shift();
      samples.current.set(table.name, list);
      const first = list[0];
      const span = now - first.at;
      if (span >= minSpanMs) next[table.name] = Math.max(0, ((table.rows_read - first.rows) / span) * 1000);
    }
    for (const name of [...samples.current.keys()]) if (!seen.has(name)) samples.current.delete(name);
    setRates(next);
  }, [run]);

  return rates;
}

/** etaMs is the time left at the current rate, when the source gave an estimate. */
export function etaMs(rowsRead: number, estimate: number | null | undefined, rate: number | undefined): number | null {
  if (!estimate || !rate || rate <= 0) return null;
  const left = estimate - rowsRead;
  return left > 0 ? (left / rate) * 1000 : 0;
}
