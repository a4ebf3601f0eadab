import { useEffect, useState, type ReactNode } from 'react';
import { href } from '../lib/route';

// The sections in the navigation, in the order a newcomer meets them:
// connect a database, sync it, look at the lake, then observe pipelines.
const sections = [
  { path: '/integrations', label: 'Integrations', also: [] as string[] },
  { path: '/syncs', label: 'Sync runs', also: [] },
  { path: '/lake', label: 'Lake', also: [] },
  { path: '/query', label: 'Query', also: [] },
  { path: '/pipelines', label: 'Pipelines', also: ['/tasks'] },
  { path: '/lineage', label: 'Lineage', also: [] },
  { path: '/datasets', label: 'Datasets', also: [] },
  { path: '/metrics', label: 'Metrics', also: [] },
  { path: '/alerts', label: 'Alerts', also: [] },
  { path: '/tokens', label: 'Tokens', also: [] },
];

interface LayoutProps {
  /** the first path segment of the current page, e.g. '/lake' */
  section: string;
  onSignOut: () => void;
  children: ReactNode;
}

/** Layout frames every signed-in page: a top bar whose navigation folds
 * behind a Menu button on a narrow screen, then the page. */
export function Layout({ section, onSignOut, children }: LayoutProps) {
  const [open, setOpen] = useState(false);

  // Opening a page closes the menu; so does Escape.
  useEffect(() => setOpen(false), [section]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <div className="app">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('/integrations')} aria-label="sluice home">
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <path d="M1 4h14v3H1zM4 9h11v3H4z" fill="currentColor" />
          </svg>
          sluice
        </a>
        <button type="button" className="menu" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          {open ? 'Close' : 'Menu'}
        </button>
        <nav id="nav" className={open ? 'open' : undefined} aria-label="Sections">
          <ul>
            {sections.map((s) => {
              const current = section === s.path || s.also.includes(section);
              return (
                <li key={s.path}>
                  <a href={href(s.path)} aria-current={current ? 'page' : undefined} onClick={() => setOpen(false)}>
                    {s.label}
                  </a>
                </li>
              );
            })}
          </ul>
          <div className="nav-end">
            <a href="/api/docs" target="_blank" rel="noopener noreferrer">
              API docs
            </a>
            <button type="button" className="signout" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
