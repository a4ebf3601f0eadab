import { fmtNumber } from '../lib/format';
import type { QueryResult } from '../lib/types';

const truncation: Record<string, string> = {
  rows: 'the row limit was reached and more rows were available',
  bytes: 'the answer reached its byte budget; the rows before it are shown',
  value_bytes: 'every row is here, but a value longer than the value limit was cut',
};

/** ResultTable renders a query's answer in its columns' order. */
export function ResultTable({ result }: { result: QueryResult }) {
  return (
    <section aria-label="Result" className="result">
      <p className="muted">
        {fmtNumber(result.row_count)} {result.row_count === 1 ? 'row' : 'rows'} in {fmtNumber(result.elapsed_ms)} ms
      </p>
      {result.truncated && (
        <div className="note warn" role="status">
          <strong>Truncated:</strong> {truncation[result.truncated_reason ?? ''] ?? 'the answer is not the whole result'}.
        </div>
      )}
      {result.columns.length > 0 && (
        <div className="scroll">
          <table className="data">
            <thead>
              <tr>
                {result.columns.map((c) => (
                  <th key={c.name} scope="col">
                    {c.name}
                    <span className="type">{c.type}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.data.map((row, i) => (
                <tr key={i}>
                  {result.columns.map((c) => (
                    <Cell key={c.name} value={row[c.name]} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Cell({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <td className="null">null</td>;
  if (typeof value === 'number') return <td className="num">{String(value)}</td>;
  if (typeof value === 'object') return <td className="mono">{JSON.stringify(value)}</td>;
  return <td>{String(value)}</td>;
}
