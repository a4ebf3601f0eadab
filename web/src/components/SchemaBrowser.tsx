import { useState } from 'react';
import { ErrorNote, Loading } from './Notes';
import { qualified } from './TablePicker';
import { integrations } from '../lib/api';
import { fmtAgo, fmtNumber } from '../lib/format';
import { usePoll } from '../lib/usePoll';

/** SchemaBrowser lists what schema discovery found on an integration and,
 * for a table opened, its columns with the source's and sluice's types. */
export function SchemaBrowser({ integrationId }: { integrationId: string }) {
  const [refresh, setRefresh] = useState(0);
  const tables = usePoll((signal) => integrations.tables(integrationId, refresh > 0, signal), [integrationId, refresh]);
  const [open, setOpen] = useState<string | null>(null);
  const list = tables.data?.tables ?? [];
  return (
    <section aria-labelledby="schema-heading">
      <div className="title-row">
        <h2 id="schema-heading">Schema</h2>
        <button type="button" className="secondary small" onClick={() => setRefresh((n) => n + 1)} disabled={tables.loading}>
          {tables.loading && refresh > 0 ? 'Asking the source…' : 'Refresh from source'}
        </button>
      </div>
      <ErrorNote error={tables.error} />
      {tables.loading && !tables.data && <Loading what="Discovering tables" />}
      {tables.data && (
        <p className="hint">
          {fmtNumber(list.length)} tables and views{tables.data.cache.cached ? `, listed ${fmtAgo(tables.data.cache.fetched_at)} (cached for 30 min)` : ''}.
        </p>
      )}
      {tables.data && list.length === 0 && <p className="muted">These credentials can read no table. Grant SELECT to the user, then refresh.</p>}
      {list.length > 0 && (
        <ul className="schema-tree">
          {list.map((t) => {
            const name = qualified(t);
            const expanded = open === name;
            return (
              <li key={name}>
                <button type="button" className="tree-toggle" aria-expanded={expanded} onClick={() => setOpen(expanded ? null : name)}>
                  <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> <span className="mono">{name}</span>
                </button>{' '}
                <span className="muted small">
                  {t.kind.replace(/_/g, ' ')}
                  {t.row_estimate !== null && t.row_estimate >= 0 && ` · ~${fmtNumber(t.row_estimate)} rows`}
                </span>
                {expanded && <Columns integrationId={integrationId} table={name} />}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Columns({ integrationId, table }: { integrationId: string; table: string }) {
  const cols = usePoll((signal) => integrations.columns(integrationId, table, signal), [integrationId, table]);
  if (!cols.data) return cols.error ? <ErrorNote error={cols.error} /> : <Loading />;
  return (
    <div className="scroll nested">
      <table className="data">
        <caption className="visually-hidden">Columns of {table}</caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Source type</th>
            <th scope="col">sluice type</th>
            <th scope="col">Nullable</th>
          </tr>
        </thead>
        <tbody>
          {cols.data.columns.map((c) => (
            <tr key={c.name}>
              <th scope="row" className="mono">
                {c.name}
                {c.primary_key && <span className="badge small-badge">key</span>}
              </th>
              <td className="mono">{c.source_type}</td>
              <td className="mono">{c.type}</td>
              <td>{c.nullable ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
