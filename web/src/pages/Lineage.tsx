import { useEffect, useState, type FormEvent } from 'react';
import { LineageGraph } from '../components/LineageGraph';
import { Empty, ErrorNote, Loading, PageTitle } from '../components/Notes';
import { observability } from '../lib/api';
import { href, navigate, pathOf } from '../lib/route';
import type { LineageGraph as Graph, LineageParams } from '../lib/types';
import { usePoll } from '../lib/usePoll';

interface LineageProps {
  dataset: string;
  direction: string;
  depth: string;
  column: string;
  at: string;
}

type Direction = LineageParams['direction'];

/**
 * Lineage walks the graph around one dataset: what it is made from
 * (upstream), what is made from it (downstream), or both, a number of
 * transformations deep; optionally following one column, or as it was
 * reported by a given time. The URL holds the walk, so it can be shared.
 */
export function Lineage(props: LineageProps) {
  const params: LineageParams = {
    dataset: props.dataset,
    direction: (['upstream', 'downstream', 'both'].includes(props.direction) ? props.direction : 'both') as Direction,
    depth: clampDepth(props.depth),
    column: props.column || undefined,
    at: props.at || undefined,
  };
  const key = JSON.stringify(params);
  const graph = usePoll((signal) => (params.dataset ? observability.lineage(params, signal) : Promise.resolve(null)), [key]);
  const datasets = usePoll((signal) => observability.datasets(undefined, signal), []);
  const detail = usePoll((signal) => (params.dataset ? observability.dataset(params.dataset, signal).catch(() => null) : Promise.resolve(null)), [params.dataset]);
  const columns = (detail.data?.versions?.find((v) => v.version === detail.data?.schema_version)?.fields ?? []).map((f) => f.name);

  const show = (next: Partial<LineageParams>) => {
    const p = { ...params, ...next };
    navigate('/lineage', { dataset: p.dataset, direction: p.direction, depth: p.depth, column: p.column, at: p.at });
  };

  return (
    <>
      <PageTitle title="Lineage" />
      <LineageForm params={params} datasets={(datasets.data?.datasets ?? []).map((d) => d.name)} columns={columns} onShow={show} />
      <ErrorNote error={graph.error} />
      {!params.dataset && (
        <Empty title="Pick a dataset to see where its data comes from and goes.">
          Type its name above, or open one from <a href={href('/datasets')}>Datasets</a>. Lineage comes from the transformations pipelines report (
          <code>POST /log/tf</code>) and from OpenLineage events.
        </Empty>
      )}
      {params.dataset && graph.loading && !graph.data && <Loading what="Walking the lineage" />}
      {graph.data && graph.data.nodes.length === 0 && (
        <Empty title={`No lineage reported for ${params.dataset}${params.at ? ' by then' : ''}.`}>
          Check the name on the <a href={href('/datasets')}>Datasets</a> page, widen the direction, or clear the time.
        </Empty>
      )}
      {graph.data && graph.data.nodes.length > 0 && (
        <>
          <Summary graph={graph.data} params={params} />
          <LineageGraph
            graph={graph.data}
            center={params.dataset}
            onDataset={(name) => show({ dataset: name, column: undefined })}
            onTransformation={(node) => node.last_task_id && navigate(pathOf('tasks', node.last_task_id))}
          />
          <GraphList graph={graph.data} params={params} />
        </>
      )}
    </>
  );
}

interface LineageFormProps {
  params: LineageParams;
  datasets: string[];
  columns: string[];
  onShow: (p: Partial<LineageParams>) => void;
}

function LineageForm({ params, datasets, columns, onShow }: LineageFormProps) {
  const [dataset, setDataset] = useState(params.dataset);
  const [direction, setDirection] = useState<Direction>(params.direction);
  const [depth, setDepth] = useState(String(params.depth));
  const [column, setColumn] = useState(params.column ?? '');
  const [at, setAt] = useState(isoToLocal(params.at));
  // Following a link or a click on the graph changes the walk: show it here.
  useEffect(() => {
    setDataset(params.dataset);
    setDirection(params.direction);
    setDepth(String(params.depth));
    setColumn(params.column ?? '');
    setAt(isoToLocal(params.at));
  }, [params.dataset, params.direction, params.depth, params.column, params.at]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onShow({
      dataset: dataset.trim(),
      direction,
      depth: clampDepth(depth),
      column: column.trim() || undefined,
      at: at ? new Date(at).toISOString() : undefined,
    });
  };
  return (
    <form className="toolbar lineage-form" onSubmit={submit} aria-label="Lineage walk">
      <div className="field">
        <label htmlFor="ln-dataset">Dataset</label>
        <input id="ln-dataset" name="dataset" list="ln-datasets" value={dataset} onChange={(e) => setDataset(e.target.value)} placeholder="db.orders" required />
        <datalist id="ln-datasets">
          {datasets.map((d) => (
            <option key={d} value={d} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="ln-direction">Direction</label>
        <select id="ln-direction" name="direction" value={direction} onChange={(e) => setDirection(e.target.value as Direction)}>
          <option value="both">Both ways</option>
          <option value="upstream">Upstream (made from)</option>
          <option value="downstream">Downstream (feeds)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="ln-depth">Depth</label>
        <input id="ln-depth" name="depth" type="number" min={1} max={20} value={depth} onChange={(e) => setDepth(e.target.value)} className="narrow" />
      </div>
      <div className="field">
        <label htmlFor="ln-column">Column (optional)</label>
        <input id="ln-column" name="column" list="ln-columns" value={column} onChange={(e) => setColumn(e.target.value)} placeholder="every column" />
        <datalist id="ln-columns">
          {columns.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="ln-at">As of (optional)</label>
        <input id="ln-at" name="at" type="datetime-local" step={1} value={at} onChange={(e) => setAt(e.target.value)} />
      </div>
      <button type="submit">Show lineage</button>
    </form>
  );
}

function Summary({ graph, params }: { graph: Graph; params: LineageParams }) {
  const datasets = graph.nodes.filter((n) => n.type === 'dataset').length;
  return (
    <p className="muted">
      {datasets} {datasets === 1 ? 'dataset' : 'datasets'}, {graph.nodes.length - datasets} transformations, {graph.edges.length} edges
      {params.column && (
        <>
          , following column <code>{params.column}</code>
        </>
      )}
      {params.at && <>, as reported by {new Date(params.at).toLocaleString('en-GB')}</>}.
      {graph.truncated && <strong> The walk was cut at 5,000 lineage rows: lower the depth.</strong>}
    </p>
  );
}

/** GraphList is the graph as text: the same walk for keyboards and screen readers. */
function GraphList({ graph, params }: { graph: Graph; params: LineageParams }) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <details className="graph-list">
      <summary>The graph as a list ({graph.edges.length} edges)</summary>
      <ul className="plain">
        {graph.edges.map((e, i) => {
          const from = byId.get(e.source);
          const to = byId.get(e.target);
          return (
            <li key={i}>
              <NodeLink node={from} params={params} /> → <NodeLink node={to} params={params} />
              {e.columns?.length ? <span className="muted small"> ({e.columns.join(', ')})</span> : null}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

function NodeLink({ node, params }: { node: Graph['nodes'][number] | undefined; params: LineageParams }) {
  if (!node) return <span>?</span>;
  if (node.type === 'dataset') {
    return <a href={href('/lineage', { dataset: node.name, direction: params.direction, depth: params.depth, at: params.at })}>{node.name}</a>;
  }
  const label = `${node.app_name ?? ''}/${node.task_name ?? ''} #${node.tf_id ?? ''}`;
  return node.last_task_id ? (
    <a className="muted" href={href(pathOf('tasks', node.last_task_id))}>
      {label}
    </a>
  ) : (
    <span className="muted">{label}</span>
  );
}

function clampDepth(raw: string | number): number {
  const n = Math.round(Number(raw));
  return Number.isFinite(n) && n >= 1 ? Math.min(20, n) : 3;
}

/** isoToLocal turns an RFC 3339 time into a datetime-local input's value. */
function isoToLocal(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}
