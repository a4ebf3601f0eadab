import { useState } from 'react';
import { Empty, ErrorNote, Loading, PageTitle } from '../components/Notes';
import { lake } from '../lib/api';
import { fmtAgo, fmtBytes, fmtNumber, fmtTime, humanize } from '../lib/format';
import { href, pathOf } from '../lib/route';
import type { LakeSnapshot } from '../lib/types';
import { usePoll } from '../lib/usePoll';

/** Lake lists the team's lake tables and the snapshots that changed them. */
export function Lake() {
  const tables = usePoll((signal) => lake.tables(signal), []);
  return (
    <>
      <PageTitle title="Lake">
        <a className="button" href={href('/query')}>
          Query the lake
        </a>
      </PageTitle>
      <p className="lead">Your team’s lake: the tables syncs write (Parquet files under a DuckLake catalog), and every snapshot that changed them.</p>
      <ErrorNote error={tables.error} />
      {tables.loading && !tables.data && <Loading />}
      {tables.data?.tables.length === 0 && (
        <Empty title="The lake is empty.">
          Configure a sync on one of your <a href={href('/integrations')}>integrations</a> and run it: its tables land here.
        </Empty>
      )}
      {tables.data && tables.data.tables.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Files
                </th>
                <th scope="col">Owner</th>
                <th scope="col">Last snapshot</th>
              </tr>
            </thead>
            <tbody>
              {tables.data.tables.map((t) => {
                const name = `${t.schema}.${t.table}`;
                return (
                  <tr key={t.table_id}>
                    <th scope="row">
                      <a className="mono" href={href(pathOf('lake', name))}>
                        {name}
                      </a>
                    </th>
                    <td className="num">{fmtNumber(t.row_count)}</td>
                    <td className="num">{fmtBytes(t.size_bytes)}</td>
                    <td className="num">{fmtNumber(t.file_count)}</td>
                    <td>
                      {t.owner ? (
                        <a href={href(pathOf('integrations', t.owner.integration_id))}>{t.owner.integration_name}</a>
                      ) : (
                        <span className="muted">no sync</span>
                      )}
                    </td>
                    <td title={fmtTime(t.last_snapshot_time)}>
                      #{t.last_snapshot_id} <span className="muted small">{t.last_snapshot_time ? fmtAgo(t.last_snapshot_time) : 'expired'}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {tables.data?.truncated && <p className="muted small">Only the first 1,000 tables are listed.</p>}
      <Snapshots />
    </>
  );
}

/** Snapshots pages through the lake's snapshots, newest first. */
function Snapshots() {
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  return (
    <section aria-labelledby="snapshots-heading">
      <h2 id="snapshots-heading">Snapshots</h2>
      <div className="scroll">
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Snapshot</th>
              <th scope="col">Time</th>
              <th scope="col">What changed</th>
            </tr>
          </thead>
          {pages.map((before, i) => (
            <SnapshotPage key={before ?? 'first'} before={before} last={i === pages.length - 1} onMore={(next) => setPages([...pages, next])} />
          ))}
        </table>
      </div>
    </section>
  );
}

function SnapshotPage({ before, last, onMore }: { before: number | undefined; last: boolean; onMore: (before: number) => void }) {
  const page = usePoll((signal) => lake.snapshots(before, signal), [before]);
  if (!page.data) {
    return (
      <tbody>
        <tr>
          <td colSpan={3}>{page.error ? <ErrorNote error={page.error} /> : <Loading />}</td>
        </tr>
      </tbody>
    );
  }
  const { snapshots, next_before } = page.data;
  return (
    <tbody>
      {snapshots.length === 0 && before === undefined && (
        <tr>
          <td colSpan={3} className="muted">
            No snapshots yet: each sync run that writes makes one.
          </td>
        </tr>
      )}
      {snapshots.map((s) => (
        <tr key={s.id}>
          <td>#{s.id}</td>
          <td title={fmtTime(s.time)}>{fmtAgo(s.time)}</td>
          <td className="small">{describe(s)}</td>
        </tr>
      ))}
      {last && next_before !== null && (
        <tr>
          <td colSpan={3}>
            <button type="button" className="secondary small" onClick={() => onMore(next_before)}>
              Older snapshots
            </button>
          </td>
        </tr>
      )}
    </tbody>
  );
}

function describe(s: LakeSnapshot): string {
  if (!s.change_list?.length) return s.changes || '—';
  return s.change_list.map((c) => `${humanize(c.kind)}${c.table ? ` ${c.schema ? `${c.schema}.` : ''}${c.table}` : c.schema ? ` ${c.schema}` : ''}`).join('; ');
}
