import { get } from '../api';
import { Empty, ErrorNote, Loading } from '../components/Notes';
import { fmtTime } from '../format';
import { href } from '../route';
import { useLoad } from '../usePoll';

interface Dataset {
  name: string;
  ds_type: string;
  schema_version: number;
  field_count: number;
  updated_at: string;
}

interface DatasetDetail extends Dataset {
  versions: { version: number; fields: { name: string; type: string }[]; task_id?: string; created_at: string }[];
  changes: { version?: number; kind?: string; field?: string; from?: string; to?: string; [k: string]: unknown }[];
}

// Datasets lists reported datasets; with a name, its schema versions and changes.
export function Datasets({ name }: { name?: string }) {
  return name ? <DatasetView name={name} /> : <DatasetList />;
}

function DatasetList() {
  const list = useLoad(() => get<{ datasets: Dataset[] }>('/api/datasets'), []);
  return (
    <>
      <h1>Datasets</h1>
      <ErrorNote error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.datasets.length === 0 && (
        <Empty title="No datasets yet.">Datasets appear when pipelines report them (POST /log/dataset, /log/tf) or a sync copies a table.</Empty>
      )}
      {list.data && list.data.datasets.length > 0 && (
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th>Dataset</th>
                <th>Type</th>
                <th>Schema version</th>
                <th>Fields</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.datasets.map((d) => (
                <tr key={d.name}>
                  <td>
                    <a href={href(`/datasets/${d.name}`)}>{d.name}</a>
                  </td>
                  <td>{d.ds_type || '—'}</td>
                  <td>{d.schema_version || '—'}</td>
                  <td>{d.field_count}</td>
                  <td>{fmtTime(d.updated_at)}</td>
                  <td>
                    <a href={href('/lineage', { dataset: d.name })}>lineage</a> · <a href={href('/metrics', { asset: d.name })}>metrics</a>
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

function DatasetView({ name }: { name: string }) {
  const d = useLoad(() => get<{ dataset: DatasetDetail }>(`/api/datasets/${encodeURIComponent(name)}`), [name]);
  const ds = d.data?.dataset;
  return (
    <>
      <p className="crumbs">
        <a href={href('/datasets')}>Datasets</a> /
      </p>
      <div className="title-row">
        <h1>{name}</h1>
        <div className="actions">
          <a className="button" href={href('/lineage', { dataset: name })}>
            Lineage
          </a>
          <a className="button" href={href('/metrics', { asset: name })}>
            Metrics
          </a>
        </div>
      </div>
      <ErrorNote error={d.error} />
      {ds && ds.versions.length === 0 && <p className="muted">No schema was reported for this dataset.</p>}
      {ds && ds.changes.length > 0 && (
        <>
          <h2>Schema changes</h2>
          <ul>
            {ds.changes.map((c, i) => (
              <li key={i}>
                <code>{JSON.stringify(c)}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {ds &&
        [...ds.versions].reverse().map((v) => (
          <section key={v.version}>
            <h2>
              Version {v.version} <span className="muted small">{fmtTime(v.created_at)}</span>
            </h2>
            <div className="scroll">
              <table>
                <tbody>
                  {v.fields.map((f) => (
                    <tr key={f.name}>
                      <td>{f.name}</td>
                      <td>
                        <code>{f.type}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))}
    </>
  );
}
