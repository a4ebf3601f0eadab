import { useEffect, type ReactNode } from 'react';
import { ApiError } from '../lib/http';
import { humanize } from '../lib/format';

/** ErrorNote shows a failure in the API's own words, with its code. */
export function ErrorNote({ error, testId }: { error: ApiError | null | undefined; testId?: string }) {
  if (!error || error.code === 'aborted') return null;
  return (
    <div className="note error" role="alert" data-testid={testId}>
      <span className="message">{error.message}</span>
      <span className="code">
        {' '}
        ({error.code}
        {error.step ? ` at ${error.step}` : ''}
        {error.status ? `, HTTP ${error.status}` : ''})
      </span>
    </div>
  );
}

/** Empty says there is nothing here yet and what to do next. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div>{children}</div>}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted loading" role="status">
      {what}…
    </p>
  );
}

/** StatusBadge shows a status word ("partially succeeded") with its color. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge s-${status}`} data-testid={testId}>
      {humanize(status)}
    </span>
  );
}

/** PageTitle is a page's one <h1>, with its actions beside it. */
export function PageTitle({ title, crumbs, children }: { title: string; crumbs?: ReactNode; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · sluice`;
  }, [title]);
  return (
    <div className="page-title">
      {crumbs && (
        <nav className="crumbs" aria-label="Breadcrumbs">
          {crumbs}
        </nav>
      )}
      <div className="title-row">
        <h1>{title}</h1>
        {children && <div className="actions">{children}</div>}
      </div>
    </div>
  );
}
