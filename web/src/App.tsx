import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Layout } from './components/Layout';
import { Loading } from './components/Notes';
import { currentToken, onSignedOut, signOut } from './lib/session';
import { useRoute, type Route } from './lib/route';
import { AlertDeliveries } from './pages/AlertDeliveries';
import { Alerts } from './pages/Alerts';
import { DatasetPage } from './pages/DatasetPage';
import { Datasets } from './pages/Datasets';
import { EditIntegration } from './pages/EditIntegration';
import { IntegrationDetail } from './pages/IntegrationDetail';
import { Integrations } from './pages/Integrations';
import { Lake } from './pages/Lake';
import { LakeTablePage } from './pages/LakeTablePage';
import { NewIntegration } from './pages/NewIntegration';
import { NotFound } from './pages/NotFound';
import { Pipelines } from './pages/Pipelines';
import { Query } from './pages/Query';
import { RunDetail } from './pages/RunDetail';
import { SignIn } from './pages/SignIn';
import { SyncRuns } from './pages/SyncRuns';
import { TaskRunPage } from './pages/TaskRunPage';
import { Tokens } from './pages/Tokens';

// The graph and chart libraries are the bulk of the bundle: load them only
// with the pages that draw.
const Lineage = lazy(() => import('./pages/Lineage').then((m) => ({ default: m.Lineage })));
const Metrics = lazy(() => import('./pages/Metrics').then((m) => ({ default: m.Metrics })));

export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => currentToken() !== null);
  const [signOutReason, setSignOutReason] = useState<string | null>(null);

  useEffect(
    () =>
      onSignedOut((reason) => {
        setSignedIn(false);
        setSignOutReason(reason);
      }),
    [],
  );

  // After a page change, move focus to the page so a keyboard or screen
  // reader user starts at its heading rather than on the old link.
  const firstRender = useRef(true);
  const routeKey = window.location.hash.split('?')[0];
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, [routeKey]);

  if (!signedIn) {
    return (
      <SignIn
        reason={signOutReason}
        onSignedIn={() => {
          setSignedIn(true);
          setSignOutReason(null);
        }}
      />
    );
  }
  const section = `/${route.parts[0] ?? 'integrations'}`;
  return (
    <Layout section={section} onSignOut={() => signOut()}>
      <Suspense fallback={<Loading />}>
        <Page route={route} />
      </Suspense>
    </Layout>
  );
}

function Page({ route }: { route: Route }) {
  const [section, id, ...rest] = route.parts;
  const q = (name: string) => route.query.get(name) ?? '';
  switch (section) {
    case undefined:
    case 'integrations':
      if (!id) return <Integrations type={q('type')} />;
      if (id === 'new') return <NewIntegration />;
      if (rest[0] === 'edit') return <EditIntegration key={id} id={id} />;
      return <IntegrationDetail key={id} id={id} />;
    case 'syncs':
    case 'runs':
      return id ? <RunDetail key={id} id={id} /> : <SyncRuns />;
    case 'lake':
      return id ? <LakeTablePage key={id} name={[id, ...rest].join('/')} /> : <Lake />;
    case 'query':
      return <Query initialSql={q('sql')} initialTarget={q('integration')} />;
    case 'pipelines':
      return <Pipelines app={q('app')} status={q('status')} />;
    case 'tasks':
      return id ? <TaskRunPage key={id} taskId={[id, ...rest].join('/')} /> : <Pipelines app="" status="" />;
    case 'lineage':
      return (
        <Lineage
          dataset={q('dataset')}
          direction={q('direction')}
          depth={q('depth')}
          column={q('column')}
          at={q('at')}
        />
      );
    case 'datasets':
      return id ? <DatasetPage key={id} name={[id, ...rest].join('/')} /> : <Datasets prefix={q('prefix')} />;
    case 'metrics':
      return <Metrics asset={q('asset')} metricType={q('metric')} />;
    case 'alerts':
      return id ? <AlertDeliveries key={id} id={id} /> : <Alerts />;
    case 'tokens':
      return <Tokens />;
    default:
      return <NotFound />;
  }
}
