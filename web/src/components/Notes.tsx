import type { ReactNode } from 'react';
import { ApiError } from '../api';

// ErrorNote shows a failure as the API worded it, with its code.
export function ErrorNote({ error }: { error: ApiError | Error | null | undefined }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="note error" role="alert">
      {error.message}
      {code && code !== 'error' && <span className="code"> ({code})</span>}
    </div>
  );
}

// Empty says what to do when there is nothing to show yet.
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

export function Loading() {
  return <div className="muted" aria-live="polite">Loading…</div>;
}

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge s-${status}`} data-testid={testId}>
      {status.replace(/_/g, ' ')}
    </span>
  );
}
