import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { getToken, setToken } from './api';
import { Layout } from './components/Layout';
import { Datasets } from './pages/Datasets';
import { IntegrationDetail } from './pages/IntegrationDetail';
import { NewIntegration } from './pages/IntegrationForm';
import { Integrations } from './pages/Integrations';
import { Lake } from './pages/Lake';
import { Lineage } from './pages/Lineage';
import { Metrics } from './pages/Metrics';
import { Pipelines } from './pages/Pipelines';
import { Query } from './pages/Query';
import { RunDetail } from './pages/RunDetail';
import { SignIn } from './pages/SignIn';
import { Tokens } from './pages/Tokens';
import { go, useRoute, type Route } from './route';
import './styles.css';

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  useEffect(() => {
    // A revoked or expired token answers 401: back to sign-in.
    const onUnauthorized = () => {
      setToken(null);
      setSignedIn(false);
    };
    window.addEventListener('sluice:unauthorized', onUnauthorized);
    return () => window.removeEventListener('sluice:unauthorized', onUnauthorized);
  }, []);
  if (!signedIn) {
    return (
      <SignIn
        onSignedIn={() => {
          setSignedIn(true);
          if (!route.path.length) go('/integrations');
        }}
      />
    );
  }
  const signOut = () => {
    setToken(null);
    setSignedIn(false);
  };
  return (
    <Layout current={`/${route.path[0] ?? 'integrations'}`} onSignOut={signOut}>
      <Page route={route} />
    </Layout>
  );
}

function Page({ route }: { route: Route }) {
  const [section, id, ...rest] = route.path;
  const q = (k: string) => route.query.get(k) ?? '';
  switch (section) {
    case undefined:
    case 'integrations':
      if (id === 'new') return <NewIntegration />;
      return id ? <IntegrationDetail key={id} id={id} /> : <Integrations type={q('type')} />;
    case 'runs':
      return <RunDetail key={id} id={id} />;
    case 'lake':
      return <Lake table={id ? [id, ...rest].join('/') : undefined} />;
    case 'query':
      return <Query initialSql={q('sql') || undefined} />;
    case 'pipelines':
      return <Pipelines app={q('app') || undefined} />;
    case 'lineage':
      return <Lineage params={{ dataset: q('dataset'), direction: q('direction') || 'both', depth: q('depth') || '3', column: q('column'), at: q('at') }} />;
    case 'datasets':
      return <Datasets name={id ? [id, ...rest].join('/') : undefined} />;
    case 'metrics':
      return <Metrics asset={q('asset')} />;
    case 'tokens':
      return <Tokens />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            No page at <code>{window.location.hash}</code>. <a href="#/integrations">Go to integrations</a>.
          </p>
        </>
      );
  }
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
