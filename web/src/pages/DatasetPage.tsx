import { ErrorNote, Loading, PageTitle } from '../components/Notes';
import { observability } from '../lib/api';
import { fmtTime } from '../lib/format';
import { href, pathOf } from '../lib/route';
import type { SchemaChange } from '../lib/types';
import { usePoll } from '../lib/usePoll';

/** DatasetPage shows a dataset's schema versions and what changed between them. */
export function DatasetPage({ name }: { name: string }) {
  const d = usePoll((signal) => observability.dataset(name, signal), [name]);
  const ds = d.data;
  const versions = ds?.versions ?? [];
  const changes = ds?.changes ?? [];
  return (
    <>
      <PageTitle title={name} crumbs={<a href={href('/datasets')}>Datasets</a>}>
        <a className="button secondary" href={href('/lineage', { dataset: name })}>
          Lineage
        </a>
        <a className="button secondary" href={href('/metrics', { asset: name })}>
          Metrics
        </a>
      </PageTitle>
      <ErrorNote error={d.error} />
      {d.loading && !ds && <Loading />}
      {ds && (
        <>
          <dl className="facts">
            <dt>Type</dt>
            <dd>{ds.ds_type || '—'}</dd>
            {ds.namespace && (
              <>
                <dt>Namespace</dt>
                <dd>{ds.namespace}</dd>
              </>
            )}
            <dt>Schema version</dt>
            <dd>{ds.schema_version || 'none reported'}</dd>
            <dt>First seen</dt>
            <dd>{fmtTime(ds.created_at)}</dd>
            {Object.entries(ds.properties ?? {}).map(([k, v]) => (
              <PropertyFact key={k} name={k} value={v} />
            ))}
          </dl>
          <h2>Schema changes</h2>
          {changes.length === 0 ? (
            <p className="muted">{versions.length > 1 ? 'No column changed between versions.' : 'No change yet: one schema version or none.'}</p>
          ) : (
            <ol className="changes" reversed>
              {changes.map((c) => (
                <Change key={`${c.from_version}-${c.to_version}`} change={c} />
              ))}
            </ol>
          )}
          <h2>Schema versions</h2>
          {versions.length === 0 && <p className="muted">No schema was reported for this dataset.</p>}
          {versions.map((v) => (
            <details key={v.version} open={v.version === ds.schema_version} className="version">
              <summary>
                Version {v.version} <span className="muted small">· {fmtTime(v.created_at)} · {(v.fields ?? []).length} fields</span>
                {v.task_id && (
                  <>
                    {' '}
                    · <a href={href(pathOf('tasks', v.task_id))}>reported by {v.task_id}</a>
                  </>
                )}
              </summary>
              <div className="scroll">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Type</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(v.fields ?? []).map((f) => (
                      <tr key={f.name}>
                        <td className="mono">{f.name}</td>
                        <td className="mono">{f.type}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          ))}
        </>
      )}
    </>
  );
}

function PropertyFact({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}

function Change({ change: c }: { change: SchemaChange }) {
  return (
    <li className="card">
      <p>
        <strong>
          Version {c.from_version} → {c.to_version}
        </strong>{' '}
        <span className="muted small">{fmtTime(c.created_at)}</span>
      </p>
      <ul className="plain diff">
        {(c.added ?? []).map((f) => (
          <li key={`+${f.name}`} className="added">
            <span aria-hidden="true">+ </span>
            <span className="visually-hidden">added </span>
            <span className="mono">{f.name}</span> <span className="muted mono">{f.type}</span>
          </li>
        ))}
        {(c.removed ?? []).map((f) => (
          <li key={`-${f.name}`} className="removed">
            <span aria-hidden="true">− </span>
            <span className="visually-hidden">removed </span>
            <span className="mono">{f.name}</span> <span className="muted mono">{f.type}</span>
          </li>
        ))}
        {(c.retyped ?? []).map((f) => (
          <li key={`~${f.name}`} className="retyped">
            <span aria-hidden="true">~ </span>
            <span className="visually-hidden">retyped </span>
            <span className="mono">{f.name}</span>{' '}
            <span className="mono">
              {f.from} → {f.to}
            </span>
          </li>
        ))}
      </ul>
    </li>
  );
}
