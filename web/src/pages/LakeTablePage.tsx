import { ErrorNote, Loading, PageTitle } from '../components/Notes';
import { lake } from '../lib/api';
import { fmtBytes, fmtNumber, fmtTime } from '../lib/format';
import { href, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

/** LakeTablePage shows one lake table: its figures and its columns' types. */
export function LakeTablePage({ name }: { name: string }) {
  const t = usePoll((signal) => lake.table(name, signal), [name]);
  return (
    <>
      <PageTitle title={name} crumbs={<a href={href('/lake')}>Lake</a>}>
        <a className="button" href={href('/query', { sql: `SELECT * FROM ${name} LIMIT 100` })}>
          Query this table
        </a>
      </PageTitle>
      <ErrorNote error={t.error} />
      {t.loading && !t.data && <Loading />}
      {t.data && (
        <>
          <dl className="facts">
            <dt>Rows</dt>
            <dd>{fmtNumber(t.data.row_count)}</dd>
            <dt>Size</dt>
            <dd>
              {fmtBytes(t.data.size_bytes)} in {fmtNumber(t.data.file_count)} {t.data.file_count === 1 ? 'file' : 'files'}
            </dd>
            <dt>Owner</dt>
            <dd>
              {t.data.owner ? (
                <a href={href(pathOf('integrations', t.data.owner.integration_id))}>{t.data.owner.integration_name}</a>
              ) : (
                'no sync writes it'
              )}
            </dd>
            <dt>Last snapshot</dt>
            <dd>
              #{t.data.last_snapshot_id}, {t.data.last_snapshot_time ? fmtTime(t.data.last_snapshot_time) : 'expired'}
            </dd>
          </dl>
          <h2>Columns</h2>
          <div className="scroll">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Lake type</th>
                  <th scope="col">sluice type</th>
                  <th scope="col">Nullable</th>
                </tr>
              </thead>
              <tbody>
                {(t.data.columns ?? []).map((c) => (
                  <tr key={c.name}>
                    <th scope="row" className="mono">
                      {c.name}
                      {c.primary_key && <span className="badge small-badge">key</span>}
                    </th>
                    <td className="mono">{c.source_type ?? '—'}</td>
                    <td className="mono">{c.type}</td>
                    <td>{c.nullable === undefined ? '—' : c.nullable ? 'yes' : 'no'}</td>
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
