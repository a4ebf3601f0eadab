import { useState, type FormEvent } from 'react';
import { ApiError, get, post, type SyncConfig } from '../api';
import { ErrorNote, Loading } from '../components/Notes';
import { fmtNumber } from '../format';
import { useLoad } from '../usePoll';

interface SourceTable {
  schema: string;
  name: string;
  kind: string;
  row_estimate: number | null;
}

const schedules = ['hourly', 'every_4_hours', 'every_6_hours', 'every_12_hours', 'daily', 'weekly'];

// SyncForm configures an integration's sync. The table picker lists what
// schema discovery found; globs such as public.* pick tables that appear later.
export function SyncForm({ integrationId, existing, onDone }: { integrationId: string; existing?: SyncConfig; onDone: () => void }) {
  const schema = useLoad(() => get<{ tables: SourceTable[] }>(`/v1/api/integrations/${integrationId}/schema`), [integrationId]);
  const names = existing?.tables.map((t) => t.name) ?? [];
  const [picked, setPicked] = useState<Set<string>>(new Set(names.filter((n) => !n.includes('*'))));
  const [globs, setGlobs] = useState(names.filter((n) => n.includes('*')).join(', '));
  const [dest, setDest] = useState(existing?.dest_schema ?? '');
  const [schedule, setSchedule] = useState(existing?.schedule ?? 'daily');
  const [method, setMethod] = useState(existing?.load_method ?? 'merge');
  const [deleteMode, setDeleteMode] = useState(existing?.delete_mode ?? 'soft');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (name: string) => {
    const next = new Set(picked);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setPicked(next);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const tables = [...picked, ...globs.split(',').map((g) => g.trim()).filter(Boolean)];
    const body: Record<string, unknown> = { dest_schema: dest, schedule, tables, load_method: method };
    if (method === 'merge') body.delete_mode = deleteMode;
    try {
      await post(`/v1/api/integrations/${integrationId}/sync`, body);
      onDone();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Sync configuration">
      <fieldset>
        <legend>Tables</legend>
        {schema.loading && !schema.data && <Loading />}
        <ErrorNote error={schema.error} />
        <div className="picker">
          {schema.data?.tables.map((t) => {
            const name = `${t.schema}.${t.name}`;
            return (
              <label key={name} className="check">
                <input type="checkbox" name="table" value={name} checked={picked.has(name)} onChange={() => toggle(name)} /> {name}{' '}
                <span className="muted small">
                  {t.kind !== 'table' ? t.kind : ''} {t.row_estimate !== null ? `~${fmtNumber(t.row_estimate)} rows` : ''}
                </span>
              </label>
            );
          })}
        </div>
        <label>
          Globs (comma separated)
          <input name="globs" value={globs} onChange={(e) => setGlobs(e.target.value)} placeholder="public.*" />
        </label>
      </fieldset>
      <label>
        Lake schema
        <input name="dest_schema" value={dest} onChange={(e) => setDest(e.target.value)} required placeholder="SHOP" />
      </label>
      <label>
        Schedule
        <select name="schedule" value={schedule} onChange={(e) => setSchedule(e.target.value)}>
          {[...new Set([...schedules, schedule])].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <span className="muted small">or type a cron schedule below</span>
        <input aria-label="Cron schedule" placeholder="cron:0 3 * * *" onChange={(e) => e.target.value && setSchedule(e.target.value)} />
      </label>
      <label>
        Load method
        <select name="load_method" value={method} onChange={(e) => setMethod(e.target.value)}>
          <option value="merge">merge (upsert by primary key)</option>
          <option value="append">append</option>
          <option value="overwrite">overwrite</option>
        </select>
      </label>
      {method === 'merge' && (
        <label>
          Rows deleted at the source
          <select name="delete_mode" value={deleteMode} onChange={(e) => setDeleteMode(e.target.value)}>
            <option value="soft">soft: keep, mark _sluice_deleted_at</option>
            <option value="hard">hard: remove from the lake</option>
            <option value="keep">keep: leave them</option>
          </select>
        </label>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Save sync
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}
