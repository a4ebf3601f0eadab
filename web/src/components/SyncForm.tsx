import { useState, type FormEvent } from 'react';
import { ErrorNote } from './Notes';
import { TablePicker } from './TablePicker';
import { syncs } from '../lib/api';
import { asApiError, type ApiError } from '../lib/http';
import type { DeleteMode, Integration, LoadMethod, SyncConfig, SyncTableSpec } from '../lib/types';

const presets = [
  { value: 'hourly', label: 'Every hour' },
  { value: 'every_4_hours', label: 'Every 4 hours' },
  { value: 'every_6_hours', label: 'Every 6 hours' },
  { value: 'every_12_hours', label: 'Every 12 hours' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
];

const isGlob = (name: string) => /[*?[]/.test(name);

interface SyncFormProps {
  integration: Integration;
  existing: SyncConfig | null;
  onSaved: (config: SyncConfig) => void;
  onCancel: () => void;
}

/**
 * SyncForm configures the integration's one sync into the lake: which tables
 * (picked from schema discovery, or globs such as public.* that also catch
 * tables created later), where, how often and how rows are loaded.
 */
export function SyncForm({ integration, existing, onSaved, onCancel }: SyncFormProps) {
  const specs = existing?.tables ?? [];
  const [picked, setPicked] = useState(() => new Set(specs.map((t) => t.name).filter((n) => !isGlob(n))));
  const [globs, setGlobs] = useState(() => specs.map((t) => t.name).filter(isGlob).join(', '));
  const [overrides, setOverrides] = useState<Record<string, DeleteMode | undefined>>(() =>
    Object.fromEntries(specs.filter((t) => t.delete_mode).map((t) => [t.name, t.delete_mode])),
  );
  const [destSchema, setDestSchema] = useState(existing?.dest_schema ?? schemaNameFor(integration.name));
  const isPreset = (s: string) => presets.some((p) => p.value === s);
  const [schedule, setSchedule] = useState(existing ? (isPreset(existing.schedule) ? existing.schedule : 'cron') : 'daily');
  const [cron, setCron] = useState(existing && !isPreset(existing.schedule) ? existing.schedule.replace(/^cron:/, '') : '0 3 * * *');
  const [loadMethod, setLoadMethod] = useState<LoadMethod>(existing?.load_method ?? 'merge');
  const [deleteMode, setDeleteMode] = useState<DeleteMode>(existing?.delete_mode ?? 'soft');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const globList = globs.split(/[\s,]+/).map((g) => g.trim()).filter(Boolean);
  const count = picked.size + globList.length;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const saved = await syncs.save(integration.id, {
        dest_schema: destSchema.trim(),
        schedule: schedule === 'cron' ? `cron:${cron.trim()}` : schedule,
        tables: tableEntries([...picked, ...globList], specs, loadMethod === 'merge' ? overrides : {}),
        load_method: loadMethod,
        // Only merges detect deleted rows; the API refuses a mode with the others.
        delete_mode: loadMethod === 'merge' ? deleteMode : undefined,
        // Not edited here: saving keeps what was set through the API.
        table_parallelism: existing?.table_parallelism,
        split_rows: existing?.split_rows,
      });
      onSaved(saved);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack sync-form card" onSubmit={submit} aria-label="Sync configuration">
      <fieldset>
        <legend>Tables</legend>
        <TablePicker
          integrationId={integration.id}
          picked={picked}
          onPickedChange={setPicked}
          overrides={overrides}
          onOverrideChange={(table, mode) => setOverrides((o) => ({ ...o, [table]: mode }))}
          showOverrides={loadMethod === 'merge'}
        />
        <div className="field">
          <label htmlFor="sync-globs">More tables or globs</label>
          <input
            id="sync-globs"
            name="globs"
            className="mono"
            value={globs}
            onChange={(e) => setGlobs(e.target.value)}
            placeholder="public.*, sales.order_*"
            aria-describedby="sync-globs-hint"
          />
          <p className="hint" id="sync-globs-hint">
            Comma separated. A glob is expanded at every run, so it also picks up tables created later.
          </p>
        </div>
      </fieldset>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="sync-dest">Lake schema</label>
          <input
            id="sync-dest"
            name="dest_schema"
            className="mono"
            value={destSchema}
            onChange={(e) => setDestSchema(e.target.value)}
            required
            pattern="[A-Za-z_][A-Za-z0-9_]{0,62}"
            title="Letters, digits and underscores, not starting with a digit"
            aria-describedby="sync-dest-hint"
          />
          <p className="hint" id="sync-dest-hint">
            The tables land in the lake as <code>{destSchema || 'SCHEMA'}.table</code>.
          </p>
        </div>
        <div className="field">
          <label htmlFor="sync-schedule">Schedule</label>
          <select id="sync-schedule" name="schedule" value={schedule} onChange={(e) => setSchedule(e.target.value)}>
            {presets.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            <option value="cron">Cron expression…</option>
          </select>
        </div>
        {schedule === 'cron' && (
          <div className="field">
            <label htmlFor="sync-cron">Cron expression (UTC)</label>
            <input id="sync-cron" name="cron" className="mono" value={cron} onChange={(e) => setCron(e.target.value)} required placeholder="0 3 * * *" />
            <p className="hint">Five fields: minute hour day-of-month month day-of-week.</p>
          </div>
        )}
        <div className="field">
          <label htmlFor="sync-load">Load method</label>
          <select id="sync-load" name="load_method" value={loadMethod} onChange={(e) => setLoadMethod(e.target.value as LoadMethod)}>
            <option value="merge">Merge: upsert by primary key</option>
            <option value="append">Append: add every row read</option>
            <option value="overwrite">Overwrite: replace the table</option>
          </select>
        </div>
        {loadMethod === 'merge' && (
          <div className="field">
            <label htmlFor="sync-delete">Rows deleted at the source</label>
            <select id="sync-delete" name="delete_mode" value={deleteMode} onChange={(e) => setDeleteMode(e.target.value as DeleteMode)}>
              <option value="soft">Soft: keep them, set _sluice_deleted_at</option>
              <option value="hard">Hard: remove them from the lake</option>
              <option value="keep">Keep: leave them as they are</option>
            </select>
          </div>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" disabled={busy || count === 0}>
          {busy ? 'Saving…' : 'Save sync'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <span className="muted small">{count === 0 ? 'Pick at least one table or type a glob.' : `${count} ${count === 1 ? 'entry' : 'entries'}`}</span>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

/**
 * tableEntries writes each table as a plain name unless it needs an object:
 * a delete-mode override, or settings (cursor, keys) a saved entry had and
 * the form does not show, which must survive an edit.
 */
function tableEntries(names: string[], saved: SyncTableSpec[], overrides: Record<string, DeleteMode | undefined>): (string | SyncTableSpec)[] {
  const byName = new Map(saved.map((s) => [s.name, s]));
  return [...new Set(names)].map((name) => {
    const { delete_mode: _old, ...kept } = byName.get(name) ?? { name };
    const mode = overrides[name];
    const entry: SyncTableSpec = mode ? { ...kept, name, delete_mode: mode } : { ...kept, name };
    return Object.keys(entry).length === 1 ? name : entry;
  });
}

/** schemaNameFor suggests a lake schema from the integration's name: "Shop db" → SHOP_DB. */
function schemaNameFor(name: string): string {
  const s = name.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 63);
  return /^[A-Z_]/.test(s) ? s : `S_${s}`.slice(0, 63);
}
