import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import type { LineageGraph as Graph, LineageNode } from '../lib/types';

interface LineageGraphProps {
  graph: Graph;
  /** the dataset the walk started from, drawn highlighted */
  center: string;
  /** a dataset node was chosen: re-centre the walk on it */
  onDataset: (name: string) => void;
  /** a transformation node was chosen: open the run that reported it */
  onTransformation: (node: LineageNode) => void;
}

const colors = {
  dataset: '#2563eb',
  center: '#f59e0b',
  transformation: '#64748b',
  edge: '#94a3b8',
  text: '#0f172a',
};

/**
 * LineageGraph draws datasets (rounded boxes) and the transformations between
 * them (diamonds) with cytoscape, flowing left to right from sources to what
 * is made of them. Clicking a node acts on it; the buttons zoom and fit.
 */
export function LineageGraph({ graph, center, onDataset, onTransformation }: LineageGraphProps) {
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const [rendered, setRendered] = useState<number | null>(null);
  const [hovered, setHovered] = useState<LineageNode | null>(null);
  // Handlers change on every render; the graph is built once per answer.
  const handlers = useRef({ onDataset, onTransformation });
  handlers.current = { onDataset, onTransformation };

  useEffect(() => {
    const container = box.current;
    if (!container) return;
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const instance = cytoscape({
      container,
      elements: toElements(graph, center),
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-size': 11,
            'font-family': 'system-ui, sans-serif',
            color: colors.text,
            'text-valign': 'bottom',
            'text-margin-y': 5,
            'text-wrap': 'ellipsis',
            'text-max-width': '140px',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.85,
            'text-background-padding': '2px',
          },
        },
        {
          selector: 'node[kind = "dataset"]',
          style: { shape: 'round-rectangle', width: 34, height: 22, 'background-color': colors.dataset },
        },
        {
          selector: 'node[kind = "transformation"]',
          style: { shape: 'diamond', width: 22, height: 22, 'background-color': colors.transformation, 'font-size': 10, color: '#475569' },
        },
        {
          selector: 'node[?center]',
          style: { 'background-color': colors.center, 'border-width': 3, 'border-color': '#b45309', 'font-weight': 'bold' },
        },
        { selector: 'node:active, node:selected', style: { 'overlay-opacity': 0.15, 'overlay-color': colors.dataset } },
        {
          selector: 'edge',
          style: {
            width: 2,
            'line-color': colors.edge,
            'target-arrow-color': colors.edge,
            'target-arrow-shape': 'triangle',
            'curve-style': 'bezier',
            label: 'data(columns)',
            'font-size': 9,
            color: '#0f766e',
            'text-rotation': 'autorotate',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.85,
          },
        },
      ],
      layout: {
        name: 'breadthfirst',
        directed: true,
        spacingFactor: 1.15,
        padding: 24,
        roots: rootsOf(graph),
        // breadthfirst stacks levels top to bottom; lineage reads left to right.
        transform: (_node, pos) => ({ x: pos.y * 2.4, y: pos.x * 0.6 }),
      } as cytoscape.LayoutOptions,
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: false,
    });
    instance.on('tap', 'node', (evt) => {
      const node = byId.get(evt.target.id());
      if (!node) return;
      if (node.type === 'dataset') handlers.current.onDataset(node.name);
      else handlers.current.onTransformation(node);
    });
    instance.on('mouseover', 'node', (evt) => {
      setHovered(byId.get(evt.target.id()) ?? null);
      container.style.cursor = 'pointer';
    });
    instance.on('mouseout', 'node', () => {
      container.style.cursor = '';
    });
    instance.ready(() => {
      instance.fit(undefined, 24);
      if (instance.zoom() > 1.4) {
        instance.zoom(1.4);
        instance.center();
      }
      setRendered(instance.nodes().length);
    });
    cy.current = instance;

    // The container follows the page's width; the canvas must be told.
    const observer = new ResizeObserver(() => {
      instance.resize();
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      instance.destroy();
      cy.current = null;
      setRendered(null);
    };
  }, [graph, center]);

  const zoomBy = (factor: number) => {
    const c = cy.current;
    if (!c) return;
    c.zoom({ level: c.zoom() * factor, renderedPosition: { x: c.width() / 2, y: c.height() / 2 } });
  };

  return (
    <div className="graph-wrap">
      <div className="graph-tools" role="toolbar" aria-label="Graph view">
        <button type="button" className="secondary small" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" className="secondary small" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
          −
        </button>
        <button type="button" className="secondary small" onClick={() => cy.current?.fit(undefined, 24)}>
          Fit
        </button>
        <span className="legend" aria-hidden="true">
          <span className="key dataset" /> dataset <span className="key center" /> start <span className="key transformation" /> transformation
        </span>
      </div>
      <div
        ref={box}
        className="graph"
        data-testid="lineage-graph"
        data-nodes={rendered ?? undefined}
        role="img"
        aria-label={`Lineage graph around ${center}: ${graph.nodes.length} nodes, ${graph.edges.length} edges. The list below holds the same.`}
      />
      <p className="hint" aria-live="polite">
        {hovered
          ? hovered.type === 'dataset'
            ? `${hovered.name}${hovered.ds_type ? ` (${hovered.ds_type})` : ''}: click to centre the graph on it.`
            : `${hovered.app_name ?? ''} / ${hovered.task_name ?? ''} transformation ${hovered.tf_id ?? ''}${hovered.last_task_id ? ': click to open its latest run.' : '.'}`
          : 'Drag to pan, scroll to zoom. Click a dataset to centre on it, a transformation to open its run.'}
      </p>
    </div>
  );
}

function toElements(graph: Graph, center: string): ElementDefinition[] {
  const nodes: ElementDefinition[] = graph.nodes.map((n) => ({
    data: {
      id: n.id,
      kind: n.type,
      label: n.type === 'transformation' ? `${n.task_name ?? n.name}${n.tf_id ? ` #${n.tf_id}` : ''}` : n.name,
      center: n.type === 'dataset' && n.name === center ? true : undefined,
    },
  }));
  const edges: ElementDefinition[] = graph.edges.map((e, i) => ({
    data: { id: `e${i}`, source: e.source, target: e.target, columns: e.columns?.length ? e.columns.join(', ') : '' },
  }));
  return [...nodes, ...edges];
}

/** rootsOf: nodes nothing flows into start the left-most column. It is one
 * selector string: breadthfirst misreads an array of selectors. */
function rootsOf(graph: Graph): string | undefined {
  const targets = new Set(graph.edges.map((e) => e.target));
  const roots = graph.nodes.filter((n) => !targets.has(n.id)).map((n) => `#${cssEscape(n.id)}`);
  return roots.length ? roots.join(', ') : undefined;
}

function cssEscape(id: string): string {
  return typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(id) : id.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
}
