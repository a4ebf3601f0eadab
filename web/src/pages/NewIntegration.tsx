import { IntegrationForm } from '../components/IntegrationForm';
import { ErrorNote, Loading, PageTitle } from '../components/Notes';
import { connectionTypes, integrations } from '../lib/api';
import { flash } from '../lib/flash';
import { href, navigate, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

/** NewIntegration creates an integration once its credentials connect. */
export function NewIntegration() {
  const types = usePoll((signal) => connectionTypes.list(signal), []);
  const initialType = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('type') ?? undefined;
  return (
    <>
      <PageTitle title="New integration" crumbs={<a href={href('/integrations')}>Integrations</a>} />
      <p className="lead">
        sluice connects with these credentials before it saves them; if the database refuses, its own message shows below the form. Prefer a
        read-only user: sluice only reads.
      </p>
      <ErrorNote error={types.error} />
      {!types.data && !types.error && <Loading />}
      {types.data && (
        <IntegrationForm
          types={types.data}
          initialType={initialType}
          submitLabel="Create integration"
          onSubmit={async (body) => {
            const created = await integrations.create({ type: body.type, name: body.name || undefined, credentials: body.credentials });
            flash(created.validation?.warnings ?? []);
            navigate(pathOf('integrations', created.id));
          }}
        />
      )}
    </>
  );
}
