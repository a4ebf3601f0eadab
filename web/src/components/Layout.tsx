import { useState, type ReactNode } from 'react';
import { href } from '../route';

const sections = [
  { path: '/integrations', label: 'Integrations' },
  { path: '/lake', label: 'Lake' },
  { path: '/query', label: 'Query' },
  { path: '/pipelines', label: 'Pipelines' },
  { path: '/lineage', label: 'Lineage' },
  { path: '/datasets', label: 'Datasets' },
  { path: '/metrics', label: 'Metrics' },
  { path: '/tokens', label: 'Tokens' },
];

// Layout is the frame of every signed-in page: the navigation (a menu
// button on a narrow screen) and the page.
export function Layout({ current, onSignOut, children }: { current: string; onSignOut: () => void; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="layout">
      <header className="top">
        <a className="brand" href={href('/integrations')}>
          sluice
        </a>
        <button className="menu" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <nav id="nav" className={open ? 'open' : ''} aria-label="Sections">
          {sections.map((s) => (
            <a key={s.path} href={href(s.path)} aria-current={current === s.path ? 'page' : undefined} onClick={() => setOpen(false)}>
              {s.label}
            </a>
          ))}
          <a href="/api/docs" target="_blank" rel="noreferrer">
            API docs
          </a>
          <button className="link" onClick={onSignOut}>
            Sign out
          </button>
        </nav>
      </header>
      <main>{children}</main>
    </div>
  );
}
