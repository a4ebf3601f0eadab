import { useState } from 'react';
import { ErrorNote, Loading } from './Notes';
import { integrations } from '../lib/api';
import { fmtAgo, fmtNumber } from '../lib/format';
import type { DeleteMode, DiscoveredTable } from '../lib/types';
import { usePoll } from '../lib/usePoll';

interface TablePickerProps {
  integrationId: string;
  picked: Set<string>;
  onPickedChange: (picked: Set<string>) => void;
  /** per-table delete mode overrides (merge only); absent = the sync's mode */
  overrides: Record<string, DeleteMode | undefined>;
  onOverrideChange: (table: string, mode: DeleteMode | undefined) => void;
  showOverrides: boolean;
}

/**
 * TablePicker lists the tables and views schema discovery found, one checkbox
 * each. Discovery answers from a 30-minute cache; Refresh asks the source.
 */
export function TablePicker({ integrationId, picked, onPickedChange, overrides, onOverrideChange, showOverrides }: TablePickerProps) {
  const [refresh, setRefresh] = useState(0);
  const schema = usePoll((signal) => integrations.tables(integrationId, refresh > 0, signal), [integrationId, refresh]);
  const [filter, setFilter] = useState('');
  const tables = schema.data?.tables ?? [];
  const visible = tables.filter((t) => qualified(t).toLowerCase().includes(filter.trim().toLowerCase()));

  const toggle = (name: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(name);
    else next.delete(name);
    onPickedChange(next);
  };
  const pickVisible = (on: boolean) => {
    const next = new Set(picked);
    for (const t of visible) {
      if (on) next.add(qualified(t));
      else next.delete(qualified(t));
    }
    onPickedChange(next);
  };

  return (
    <div className="table-picker">
      <div className="picker-tools">
        <div className="field inline">
          <label htmlFor="table-filter">Filter</label>
          <input id="table-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="schema or table name" />
        </div>
        <button type="button" className="secondary small" onClick={() => pickVisible(true)} disabled={visible.length === 0}>
          Select {filter ? 'shown' : 'all'}
        </button>
        <button type="button" className="secondary small" onClick={() => pickVisible(false)} disabled={visible.length === 0}>
          Clear {filter ? 'shown' : 'all'}
        </button>
        <button type="button" className="secondary small" onClick={() => setRefresh((n) => n + 1)} disabled={schema.loading}>
          {schema.loading && refresh > 0 ? 'Asking the source…' : 'Refresh from source'}
        </button>
      </div>
      {schema.data && (
        <p className="hint">
          {fmtNumber(tables.length)} tables and views found
          {schema.data.cache.cached ? `, listed ${fmtAgo(schema.data.cache.fetched_at)} (cached)` : ', just now'}. {fmtNumber(picked.size)} picked.
        </p>
      )}
      <ErrorNote error={schema.error} />
      {schema.loading && !schema.data && <Loading what="Discovering tables" />}
      {schema.data && tables.length === 0 && <p className="muted">The credentials can read no table. Grant SELECT to the user, then refresh.</p>}
      <ul className="picker-list" aria-label="Tables">
        {visible.map((t) => {
          const name = qualified(t);
          const id = `pick-${name}`;
          const on = picked.has(name);
          return (
            <li key={name} className={on ? 'on' : undefined}>
              <input type="checkbox" id={id} name="table" value={name} checked={on} onChange={(e) => toggle(name, e.target.checked)} />
              <label htmlFor={id}>
                <span className="mono">{name}</span>
                <span className="muted small">
                  {t.kind !== 'table' && ` ${t.kind.replace(/_/g, ' ')}`}
                  {t.row_estimate !== null && t.row_estimate >= 0 && ` · ~${fmtNumber(t.row_estimate)} rows`}
                </span>
              </label>
              {showOverrides && on && (
                <select
                  aria-label={`Deleted rows of ${name}`}
                  className="small-select"
                  value={overrides[name] ?? ''}
                  onChange={(e) => onOverrideChange(name, (e.target.value || undefined) as DeleteMode | undefined)}
                >
                  <option value="">deletes: as the sync</option>
                  <option value="soft">deletes: soft</option>
                  <option value="hard">deletes: hard</option>
                  <option value="keep">deletes: keep</option>
                </select>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function qualified(t: DiscoveredTable): string {
  return `${t.schema}.${t.name}`;
}
