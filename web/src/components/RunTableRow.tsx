import { StatusBadge } from './Notes';
import { fmtBytes, fmtDuration, fmtNumber } from '../lib/format';
import type { RunTable } from '../lib/types';
import { etaMs } from '../lib/useTableRates';

/** RunTableRow is one table of a sync run: rows read so far, rate, time
 * left (when the source estimated the rows) and a progress bar. */
export function RunTableRow({ table: t, rate, runLive }: { table: RunTable; rate: number | undefined; runLive: boolean }) {
  // A finished run can still list a table as running (its end was not
  // recorded); it is not moving any more, so it gets no bar or rate.
  const running = t.status === 'running' && runLive;
  const estimate = t.rows_estimate ?? null;
  const left = running ? etaMs(t.rows_read, estimate, rate) : null;
  const done = t.status === 'succeeded';
  return (
    <>
    <tr data-testid={`run-table-${t.name}`} className={t.error ? 'has-error' : undefined}>
      <th scope="row" data-label="Table">
        <span className="mono">{t.name}</span>
        <div className="muted small">→ {t.dest_table}</div>
      </th>
      <td data-label="Status">
        <StatusBadge status={t.status} />
      </td>
      <td data-label="Rows read" className="num">
        <span data-testid="rows-read">{fmtNumber(t.rows_read)}</span>
        {estimate !== null && <div className="muted small">of ~{fmtNumber(estimate)}</div>}
      </td>
      <td data-label="Progress" className="progress-cell">
        <Progress name={t.name} done={done} running={running} rowsRead={t.rows_read} estimate={estimate} />
      </td>
      <td data-label="Rate" className="num">
        {running && rate !== undefined ? `${fmtNumber(Math.round(rate))} rows/s` : '—'}
      </td>
      <td data-label="Time left" className="num">
        {left === null ? '—' : left === 0 ? 'almost done' : `~${fmtDuration(left, true)}`}
      </td>
      <td data-label="Written" className="num">
        {fmtNumber(t.rows)} rows
        <div className="muted small">{fmtBytes(t.bytes_written)}</div>
      </td>
      <td data-label="Attempts" className="num">
        {t.attempts || '—'}
      </td>
    </tr>
    {t.error && (
      <tr className="error-row">
        <td colSpan={8}>
          <div className="note error small" role="note">
            <strong>{t.name}:</strong> {t.error}
          </div>
        </td>
      </tr>
    )}
    </>
  );
}

interface ProgressProps {
  name: string;
  done: boolean;
  running: boolean;
  rowsRead: number;
  estimate: number | null;
}

function Progress({ name, done, running, rowsRead, estimate }: ProgressProps) {
  const label = `Progress of ${name}`;
  if (done) return <progress max={1} value={1} aria-label={label} />;
  if (!running) return <span className="muted">—</span>;
  if (!estimate) return <progress aria-label={`${label} (no estimate: rows still being read)`} />;
  // rows_read may pass an estimate; the bar then stays full until the end.
  const share = Math.min(1, rowsRead / estimate);
  return (
    <>
      <progress max={1} value={share} aria-label={label} />
      <span className="small muted"> {Math.floor(share * 100)}%</span>
    </>
  );
}
