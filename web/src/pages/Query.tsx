import { useState, type FormEvent } from 'react';
import { ErrorNote, PageTitle } from '../components/Notes';
import { ResultTable } from '../components/ResultTable';
import { integrations, lake, runQuery } from '../lib/api';
import { asApiError, type ApiError } from '../lib/http';
import type { QueryRequest, QueryResult } from '../lib/types';
import { usePoll } from '../lib/usePoll';

// Cube answers cube queries only, the lake is the default target, and an API
// source (stripe) runs no SQL: its data is queried in the lake.
const queryable = (type: string) => type !== 'cube' && type !== 'ducklake' && type !== 'stripe';

/**
 * Query runs one read-only statement: DuckDB SQL over the team's lake (its
 * tables are schema.table, as the Lake page lists them; optionally as of an
 * older snapshot), or the source's own SQL on one integration.
 */
export function Query({ initialSql, initialTarget }: { initialSql: string; initialTarget: string }) {
  const sources = usePoll((signal) => integrations.list(undefined, signal), []);
  const lakeTables = usePoll((signal) => lake.tables(signal), []);
  const [target, setTarget] = useState(initialTarget);
  const [sql, setSql] = useState(initialSql || (initialTarget ? 'SELECT 1' : ''));
  const [asOf, setAsOf] = useState<'now' | 'snapshot' | 'time'>('now');
  const [snapshot, setSnapshot] = useState('');
  const [time, setTime] = useState('');
  const [limit, setLimit] = useState('');
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const onLake = target === '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: QueryRequest = { sql };
    if (!onLake) body.integration_id = target;
    if (limit) body.limit = Number(limit);
    if (onLake && asOf === 'time' && time) body.at = new Date(time).toISOString();
    try {
      setResult(await runQuery(body, onLake && asOf === 'snapshot' && snapshot ? Number(snapshot) : undefined));
    } catch (err) {
      setResult(null);
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const tableNames = (lakeTables.data?.tables ?? []).map((t) => `${t.schema}.${t.table}`);
  return (
    <>
      <PageTitle title="Query" />
      <p className="lead">Read-only SQL: anything that writes is refused before it reaches the database. At most 10,000 rows come back.</p>
      <form className="stack query-form" onSubmit={submit} aria-label="Query">
        <div className="grid-2">
          <div className="field">
            <label htmlFor="q-target">Run against</label>
            <select id="q-target" name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">The lake (DuckDB SQL)</option>
              {(sources.data ?? [])
                .filter((i) => queryable(i.type))
                .map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name} ({i.type} SQL)
                  </option>
                ))}
            </select>
          </div>
          {onLake && (
            <div className="field">
              <label htmlFor="q-asof">Read the lake as of</label>
              <select id="q-asof" name="as_of" value={asOf} onChange={(e) => setAsOf(e.target.value as typeof asOf)}>
                <option value="now">Now (current snapshot)</option>
                <option value="snapshot">A snapshot id</option>
                <option value="time">A point in time</option>
              </select>
            </div>
          )}
          {onLake && asOf === 'snapshot' && (
            <div className="field">
              <label htmlFor="q-snapshot">Snapshot id</label>
              <input id="q-snapshot" name="snapshot" type="number" min={0} value={snapshot} onChange={(e) => setSnapshot(e.target.value)} required />
            </div>
          )}
          {onLake && asOf === 'time' && (
            <div className="field">
              <label htmlFor="q-time">Time (your time zone)</label>
              <input id="q-time" name="at" type="datetime-local" step={1} value={time} onChange={(e) => setTime(e.target.value)} required />
            </div>
          )}
        </div>
        <div className="field">
          <label htmlFor="q-sql">SQL</label>
          <textarea
            id="q-sql"
            name="sql"
            className="mono"
            rows={7}
            spellCheck={false}
            value={sql}
            required
            placeholder={onLake ? 'SELECT * FROM SCHEMA.table LIMIT 100' : 'SELECT * FROM public.orders LIMIT 100'}
            aria-describedby="q-sql-hint"
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={(e) => {
              if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <p className="hint" id="q-sql-hint">
            Ctrl+Enter runs it.
            {onLake && tableNames.length > 0 && (
              <>
                {' '}
                Lake tables:{' '}
                {tableNames.slice(0, 12).map((name, i) => (
                  <span key={name}>
                    {i > 0 && ', '}
                    <button type="button" className="linklike mono" onClick={() => setSql(`SELECT * FROM ${name} LIMIT 100`)}>
                      {name}
                    </button>
                  </span>
                ))}
                {tableNames.length > 12 && ' …'}
              </>
            )}
          </p>
        </div>
        <div className="form-actions">
          <button type="submit" disabled={busy || !sql.trim()}>
            {busy ? 'Running…' : 'Run query'}
          </button>
          <div className="field inline">
            <label htmlFor="q-limit">Row limit</label>
            <input id="q-limit" name="limit" type="number" min={1} placeholder="10000" value={limit} onChange={(e) => setLimit(e.target.value)} className="narrow" />
          </div>
        </div>
      </form>
      <ErrorNote error={error ?? sources.error} />
      {result && <ResultTable result={result} />}
    </>
  );
}
