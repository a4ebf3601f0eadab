import { PageTitle } from '../components/Notes';
import { href } from '../lib/route';

export function NotFound() {
  return (
    <>
      <PageTitle title="Page not found" />
      <p>
        The console has no page at <code>{window.location.hash || '/'}</code>. Start from the{' '}
        <a href={href('/integrations')}>integrations</a>.
      </p>
    </>
  );
}
