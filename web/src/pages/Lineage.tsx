import cytoscape, { type Core } from 'cytoscape';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { get } from '../api';
import { Empty, ErrorNote, Loading } from '../components/Notes';
import { go } from '../route';
import { useLoad } from '../usePoll';

interface Graph {
  nodes: { id: string; type: string; name: string; app_name?: string; depth?: number }[];
  edges: { source: string; target: string; type: string; columns?: unknown }[];
  truncated: boolean;
}

interface Params {
  dataset: string;
  direction: string;
  depth: string;
  column: string;
  at: string;
}

// Lineage draws the graph around a dataset: datasets and the
// transformations between them, upstream and downstream, across apps, at a
// column on demand and as of a time. Clicking a dataset centres on it.
export function Lineage({ params }: { params: Params }) {
  const [form, setForm] = useState(params);
  useEffect(() => setForm(params), [params.dataset, params.direction, params.depth, params.column, params.at]); // eslint-disable-line react-hooks/exhaustive-deps
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v) as [string, string][]).toString();
  const graph = useLoad(() => (params.dataset ? get<Graph>(`/api/lineage?${query}`) : Promise.resolve(null)), [query]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go('/lineage', { ...form });
  };
  return (
    <>
      <h1>Lineage</h1>
      <form className="inline" onSubmit={submit}>
        <label>
          Dataset <input value={form.dataset} onChange={(e) => setForm({ ...form, dataset: e.target.value })} placeholder="db.orders" required />
        </label>
        <label>
          Direction
          <select value={form.direction} onChange={(e) => setForm({ ...form, direction: e.target.value })}>
            <option value="both">both</option>
            <option value="upstream">upstream</option>
            <option value="downstream">downstream</option>
          </select>
        </label>
        <label>
          Depth <input type="number" min={1} max={20} value={form.depth} onChange={(e) => setForm({ ...form, depth: e.target.value })} size={3} />
        </label>
        <label>
          Column <input value={form.column} onChange={(e) => setForm({ ...form, column: e.target.value })} placeholder="(all)" size={10} />
        </label>
        <label>
          As of <input value={form.at} onChange={(e) => setForm({ ...form, at: e.target.value })} placeholder="2025-09-01T12:00:00Z" size={20} />
        </label>
        <button type="submit">Show</button>
      </form>
      <ErrorNote error={graph.error} />
      {!params.dataset && (
        <Empty title="Pick a dataset.">
          Type a dataset name above, or open one from <a href="#/datasets">Datasets</a>. Lineage comes from transformations pipelines report (POST /log/tf) and OpenLineage events.
        </Empty>
      )}
      {params.dataset && graph.loading && !graph.data && <Loading />}
      {graph.data && <GraphView graph={graph.data} center={params.dataset} params={params} />}
    </>
  );
}

function GraphView({ graph, center, params }: { graph: Graph; center: string; params: Params }) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  useEffect(() => {
    if (!box.current) return;
    cy.current?.destroy();
    const instance = cytoscape({
      container: box.current,
      elements: [
        ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.name, type: n.type, center: n.name === center ? 'yes' : 'no' } })),
        ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, type: e.type } })),
      ],
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, 'background-color': '#2563eb', width: 22, height: 22, color: '#1f2937', 'text-wrap': 'wrap', 'text-max-width': '160px' } },
        { selector: 'node[type = "transformation"]', style: { shape: 'diamond', 'background-color': '#9ca3af' } },
        { selector: 'node[type = "column"]', style: { shape: 'round-rectangle', 'background-color': '#0d9488', width: 16, height: 16 } },
        { selector: 'node[center = "yes"]', style: { 'border-width': 4, 'border-color': '#f59e0b' } },
        { selector: 'edge', style: { width: 2, 'line-color': '#94a3b8', 'target-arrow-color': '#94a3b8', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
      ],
      layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.3, padding: 20 },
      wheelSensitivity: 0.3,
    });
    instance.on('tap', 'node', (evt) => {
      const n = evt.target;
      if (n.data('type') === 'dataset') go('/lineage', { ...params, dataset: n.data('label') });
    });
    cy.current = instance;
    return () => instance.destroy();
  }, [graph, center, params]);
  const datasets = graph.nodes.filter((n) => n.type === 'dataset');
  return (
    <>
      <p className="muted small">
        {datasets.length} datasets, {graph.nodes.length - datasets.length} transformations, {graph.edges.length} edges
        {graph.truncated && ' — truncated: lower the depth'}. Drag to move, scroll to zoom, click a dataset to centre on it.
      </p>
      <div ref={box} className="graph" data-testid="lineage-graph" data-nodes={graph.nodes.length} role="img" aria-label={`Lineage graph of ${center}`} />
      <details>
        <summary>As a list</summary>
        <ul>
          {graph.edges.map((e, i) => (
            <li key={i}>
              {label(graph, e.source)} → {label(graph, e.target)}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}

function label(g: Graph, id: string): string {
  return g.nodes.find((n) => n.id === id)?.name ?? id;
}
