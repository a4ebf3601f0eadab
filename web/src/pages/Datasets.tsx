import { useEffect, useState } from 'react';
import { Empty, ErrorNote, Loading, PageTitle } from '../components/Notes';
import { observability } from '../lib/api';
import { fmtAgo, fmtTime } from '../lib/format';
import { href, navigate, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

/** Datasets lists the datasets pipelines and syncs reported, by name. */
export function Datasets({ prefix }: { prefix: string }) {
  const list = usePoll((signal) => observability.datasets(prefix || undefined, signal), [prefix]);
  const [typed, setTyped] = useState(prefix);
  useEffect(() => setTyped(prefix), [prefix]);
  return (
    <>
      <PageTitle title="Datasets" />
      <p className="lead">Every dataset a pipeline reported (or a sync wrote), with its schema versions. Open one to see how its schema changed.</p>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/datasets', { prefix: typed.trim() });
        }}
      >
        <div className="field inline">
          <label htmlFor="ds-prefix">Name starts with</label>
          <input id="ds-prefix" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="db." />
        </div>
        <button type="submit" className="secondary">
          Filter
        </button>
      </form>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data?.datasets.length === 0 && (
        <Empty title={prefix ? `No dataset starts with “${prefix}”.` : 'No datasets yet.'}>
          Pipelines report datasets with <code>POST /log/dataset</code> and <code>POST /log/tf</code>; sync runs report the tables they write.
        </Empty>
      )}
      {list.data && list.data.datasets.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Schema version
                </th>
                <th scope="col" className="num">
                  Fields
                </th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Links</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.datasets.map((d) => (
                <tr key={`${d.namespace ?? ''}/${d.name}`}>
                  <th scope="row">
                    <a href={href(pathOf('datasets', d.name))}>{d.name}</a>
                    {d.namespace && <div className="muted small">{d.namespace}</div>}
                  </th>
                  <td>{d.ds_type || '—'}</td>
                  <td className="num">{d.schema_version || '—'}</td>
                  <td className="num">{d.field_count}</td>
                  <td title={fmtTime(d.updated_at)}>{fmtAgo(d.updated_at)}</td>
                  <td className="nowrap">
                    <a href={href('/lineage', { dataset: d.name })}>Lineage</a> · <a href={href('/metrics', { asset: d.name })}>Metrics</a>
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
