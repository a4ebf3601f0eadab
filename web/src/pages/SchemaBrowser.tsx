import { useState } from 'react';
import { get } from '../api';
import { ErrorNote, Loading } from '../components/Notes';
import { fmtNumber } from '../format';
import { useLoad } from '../usePoll';

interface Column {
  name: string;
  source_type: string;
  type: string;
  nullable: boolean;
  primary_key: boolean;
}

// SchemaBrowser lists a connection's tables (schema discovery, cached by
// sluice) and, on demand, a table's columns.
export function SchemaBrowser({ integrationId }: { integrationId: string }) {
  const base = `/v1/api/integrations/${integrationId}/schema`;
  const tables = useLoad(() => get<{ tables: { schema: string; name: string; kind: string; row_estimate: number | null }[] }>(base), [base]);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section>
      <h2>Schema</h2>
      <ErrorNote error={tables.error} />
      {tables.loading && !tables.data && <Loading />}
      {tables.data && tables.data.tables.length === 0 && <p className="muted">The user can read no table here.</p>}
      {tables.data && tables.data.tables.length > 0 && (
        <ul className="tree">
          {tables.data.tables.map((t) => {
            const name = `${t.schema}.${t.name}`;
            return (
              <li key={name}>
                <button className="link" aria-expanded={open === name} onClick={() => setOpen(open === name ? null : name)}>
                  {open === name ? '▾' : '▸'} {name}
                </button>{' '}
                <span className="muted small">
                  {t.kind} {t.row_estimate !== null && `· ~${fmtNumber(t.row_estimate)} rows`}
                </span>
                {open === name && <Columns path={`${base}/${encodeURIComponent(name)}`} />}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Columns({ path }: { path: string }) {
  const cols = useLoad(() => get<{ columns: Column[] }>(path), [path]);
  if (cols.loading && !cols.data) return <Loading />;
  if (!cols.data) return <ErrorNote error={cols.error} />;
  return (
    <div className="scroll">
      <table>
        <thead>
          <tr>
            <th>Column</th>
            <th>Source type</th>
            <th>Lake type</th>
            <th>Nullable</th>
            <th>Key</th>
          </tr>
        </thead>
        <tbody>
          {cols.data.columns.map((c) => (
            <tr key={c.name}>
              <td>{c.name}</td>
              <td>
                <code>{c.source_type}</code>
              </td>
              <td>
                <code>{c.type}</code>
              </td>
              <td>{c.nullable ? 'yes' : 'no'}</td>
              <td>{c.primary_key ? 'primary' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
