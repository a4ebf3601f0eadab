import { get } from '../api';
import { Empty, ErrorNote, Loading } from '../components/Notes';
import { fmtBytes, fmtNumber, fmtTime } from '../format';
import { href } from '../route';
import { useLoad } from '../usePoll';

interface LakeTable {
  schema: string;
  table: string;
  row_count: number;
  file_count: number;
  size_bytes: number;
  last_snapshot_id: number;
  last_snapshot_time: string;
  owner?: { integration_id: string; integration_name: string } | null;
  columns?: { name: string; type: string; source_type?: string; nullable: boolean }[];
}

interface Snapshot {
  id: number;
  time: string;
  changes: string;
  change_list?: { kind: string; schema?: string; table?: string }[];
}

// Lake lists the lake's tables and its snapshots; with a table, its columns.
export function Lake({ table }: { table?: string }) {
  return table ? <LakeTableDetail name={table} /> : <LakeOverview />;
}

function LakeOverview() {
  const tables = useLoad(() => get<{ tables: LakeTable[] }>('/v1/api/lake/tables'), []);
  const snaps = useLoad(() => get<{ snapshots: Snapshot[] }>('/v1/api/lake/snapshots'), []);
  return (
    <>
      <div className="title-row">
        <h1>Lake</h1>
        <a className="button" href={href('/query')}>
          Query the lake
        </a>
      </div>
      <ErrorNote error={tables.error} />
      {tables.loading && !tables.data && <Loading />}
      {tables.data && tables.data.tables.length === 0 && (
        <Empty title="The lake is empty.">
          Configure a sync on an <a href={href('/integrations')}>integration</a> and run it: its tables land here.
        </Empty>
      )}
      {tables.data && tables.data.tables.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Table</th>
                <th>Rows</th>
                <th>Size</th>
                <th>Files</th>
                <th>Written by</th>
                <th>Last snapshot</th>
              </tr>
            </thead>
            <tbody>
              {tables.data.tables.map((t) => (
                <tr key={`${t.schema}.${t.table}`}>
                  <td>
                    <a href={href(`/lake/${t.schema}.${t.table}`)}>
                      {t.schema}.{t.table}
                    </a>
                  </td>
                  <td>{fmtNumber(t.row_count)}</td>
                  <td>{fmtBytes(t.size_bytes)}</td>
                  <td>{fmtNumber(t.file_count)}</td>
                  <td>{t.owner ? <a href={href(`/integrations/${t.owner.integration_id}`)}>{t.owner.integration_name}</a> : '—'}</td>
                  <td>
                    #{t.last_snapshot_id} <span className="muted small">{fmtTime(t.last_snapshot_time)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Snapshots</h2>
      <ErrorNote error={snaps.error} />
      {snaps.data && snaps.data.snapshots.length === 0 && <p className="muted">No snapshots yet.</p>}
      {snaps.data && snaps.data.snapshots.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Snapshot</th>
                <th>Time</th>
                <th>What changed</th>
              </tr>
            </thead>
            <tbody>
              {snaps.data.snapshots.slice(0, 50).map((s) => (
                <tr key={s.id}>
                  <td>#{s.id}</td>
                  <td>{fmtTime(s.time)}</td>
                  <td className="small">
                    {s.change_list?.length
                      ? s.change_list.map((c) => `${c.kind.replace(/_/g, ' ')}${c.table ? ` ${c.schema}.${c.table}` : ''}`).join('; ')
                      : s.changes}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function LakeTableDetail({ name }: { name: string }) {
  const t = useLoad(() => get<LakeTable>(`/v1/api/lake/tables/${encodeURIComponent(name)}`), [name]);
  return (
    <>
      <p className="crumbs">
        <a href={href('/lake')}>Lake</a> /
      </p>
      <div className="title-row">
        <h1>{name}</h1>
        <a className="button" href={href('/query', { sql: `SELECT * FROM ${name} LIMIT 100` })}>
          Query it
        </a>
      </div>
      <ErrorNote error={t.error} />
      {t.data && (
        <>
          <dl className="facts">
            <dt>Rows</dt>
            <dd>{fmtNumber(t.data.row_count)}</dd>
            <dt>Size</dt>
            <dd>
              {fmtBytes(t.data.size_bytes)} in {fmtNumber(t.data.file_count)} files
            </dd>
            <dt>Last snapshot</dt>
            <dd>
              #{t.data.last_snapshot_id}, {fmtTime(t.data.last_snapshot_time)}
            </dd>
          </dl>
          <h2>Columns</h2>
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Type</th>
                  <th>Source type</th>
                  <th>Nullable</th>
                </tr>
              </thead>
              <tbody>
                {t.data.columns?.map((c) => (
                  <tr key={c.name}>
                    <td>{c.name}</td>
                    <td>
                      <code>{c.type}</code>
                    </td>
                    <td className="muted">{c.source_type}</td>
                    <td>{c.nullable ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
