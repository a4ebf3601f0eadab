import { IntegrationForm } from '../components/IntegrationForm';
import { ErrorNote, Loading, PageTitle } from '../components/Notes';
import { connectionTypes, integrations } from '../lib/api';
import { flash } from '../lib/flash';
import { href, navigate, pathOf } from '../lib/route';
import { usePoll } from '../lib/usePoll';

/** EditIntegration changes an integration's name or credentials; sluice
 * re-validates the result before it saves it. */
export function EditIntegration({ id }: { id: string }) {
  const types = usePoll((signal) => connectionTypes.list(signal), []);
  const current = usePoll((signal) => integrations.get(id, signal), [id]);
  const detail = href(pathOf('integrations', id));
  return (
    <>
      <PageTitle
        title="Edit integration"
        crumbs={
          <>
            <a href={href('/integrations')}>Integrations</a> / <a href={detail}>{current.data?.name ?? 'Integration'}</a>
          </>
        }
      />
      <p className="lead">
        Only what you change is sent. Moving it to another host, port or database needs its password (or other secrets) again, so a stored
        secret is never sent somewhere new.
      </p>
      <ErrorNote error={current.error ?? types.error} />
      {(!types.data || !current.data) && !current.error && !types.error && <Loading />}
      {types.data && current.data && (
        <IntegrationForm
          types={types.data}
          existing={current.data}
          submitLabel="Save changes"
          onSubmit={async (body) => {
            const saved = await integrations.update(id, { name: body.name, credentials: body.credentials });
            flash(saved.validation?.warnings ?? []);
            navigate(pathOf('integrations', id));
          }}
        />
      )}
      <p>
        <a href={detail}>Back without saving</a>
      </p>
    </>
  );
}
