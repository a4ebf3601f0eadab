import { useState, type FormEvent } from 'react';
import { ApiError, get, post, type Integration } from '../api';
import { ErrorNote } from '../components/Notes';
import { ResultTable } from '../components/ResultTable';
import { fmtNumber } from '../format';
import { useLoad } from '../usePoll';

interface Answer {
  data: Record<string, unknown>[];
  columns: { name: string; type: string }[];
  row_count: number;
  truncated: boolean;
  truncated_reason: string | null;
  elapsed_ms: number;
}

// Query runs read-only SQL: DuckDB SQL against the lake, or the source's own
// SQL against a connection. sluice refuses anything that writes.
export function Query({ initialSql }: { initialSql?: string }) {
  const integrations = useLoad(() => get<{ integrations: Integration[] }>('/v1/api/integrations'), []);
  const [target, setTarget] = useState('');
  const [sql, setSql] = useState(initialSql ?? 'SELECT 1 AS one');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setAnswer(await post<Answer>('/v1/query', target ? { sql, integration_id: target } : { sql }));
    } catch (err) {
      setAnswer(null);
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const sources = (integrations.data?.integrations ?? []).filter((i) => i.type !== 'ducklake' && i.type !== 'cube');
  return (
    <>
      <h1>Query</h1>
      <form className="stack" onSubmit={run}>
        <label>
          Run against
          <select name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">the lake (DuckDB SQL)</option>
            {sources.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} ({i.type})
              </option>
            ))}
          </select>
        </label>
        <label>
          SQL
          <textarea
            name="sql"
            className="code"
            rows={6}
            value={sql}
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={(e) => {
              if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') (e.currentTarget.form as HTMLFormElement).requestSubmit();
            }}
          />
          <span className="muted small">Read-only statements only. Ctrl+Enter runs.</span>
        </label>
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Running…' : 'Run'}
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {answer && (
        <section aria-label="Result">
          <p className="muted">
            {fmtNumber(answer.row_count)} rows in {answer.elapsed_ms} ms
            {answer.truncated && <strong> — truncated{answer.truncated_reason ? `: ${answer.truncated_reason}` : ''}</strong>}
          </p>
          <ResultTable columns={answer.columns} rows={answer.data} />
        </section>
      )}
    </>
  );
}
