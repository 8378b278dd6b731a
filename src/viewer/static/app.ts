/**
 * The viewer's page: a router over the location hash (#/runs, #/trace/<id>, #/llm, #/tools, #/charts, #/logs),
 * and a poll of /api/info that reloads what the current page shows when new rows arrive.
 */
import { get, type Facets, type Info, type Params } from './api.js';
import { h, replace } from './dom.js';
import { renderLlmCalls, renderToolCalls } from './calls.js';
import { renderCharts } from './charts.js';
import { renderLogs } from './logs.js';
import { renderRuns } from './runs.js';
import { renderTrace } from './trace.js';

export interface PageHandle {
  /** Called when the data changed (new spans arrived): reload and redraw in place. */
  refresh?(): Promise<void>;
  /** Called when the page is left. */
  dispose?(): void;
}

export interface Ctx {
  info(): Info | undefined;
  facets(): Promise<Facets>;
  /** Go to a route with params (empty ones dropped). */
  go(route: string, params?: Params): void;
}

export type PageFn = (root: HTMLElement, params: URLSearchParams, ctx: Ctx, arg: string) => Promise<PageHandle | void>;

const PAGES: Record<string, PageFn> = {
  runs: renderRuns,
  trace: renderTrace,
  llm: renderLlmCalls,
  tools: renderToolCalls,
  charts: renderCharts,
  logs: renderLogs,
};

const main = document.getElementById('main')!;
const statusEl = document.getElementById('status')!;
const notesEl = document.getElementById('notes')!;
let info: Info | undefined;
let facetCache: { generation: number; value: Promise<Facets> } | undefined;
let current: PageHandle | void;
let renderSeq = 0;

const ctx: Ctx = {
  info: () => info,
  facets() {
    const generation = info?.generation ?? -1;
    if (!facetCache || facetCache.generation !== generation) facetCache = { generation, value: get<Facets>('facets') };
    return facetCache.value;
  },
  go(route, params = {}) {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
    const qs = search.toString();
    location.hash = `#/${route}${qs ? `?${qs}` : ''}`;
  },
};

function parseHash(): { page: string; arg: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const [page = 'runs', arg = ''] = path.split('/');
  return { page: PAGES[page] ? page : 'runs', arg: decodeURIComponent(arg), params: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

async function route(): Promise<void> {
  const seq = ++renderSeq;
  current?.dispose?.();
  current = undefined;
  const { page, arg, params } = parseHash();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
    a.classList.toggle('active', a.dataset.nav === page || (page === 'trace' && a.dataset.nav === 'runs'));
  }
  const root = h('div', { class: `page page-${page}` });
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const handle = await PAGES[page]!(root, params, ctx, arg);
    if (seq !== renderSeq) return handle?.dispose?.();
    replace(main, root);
    current = handle;
  } catch (err) {
    if (seq !== renderSeq) return;
    replace(main, h('div', { class: 'panel' }, h('p', { class: 'error-text' }, (err as Error).message)));
  }
}

function showStatus(ok: boolean): void {
  if (!ok || !info) {
    statusEl.className = 'status stale';
    replace(statusEl, h('span', { class: 'dot' }), 'not connected to the viewer (is `agent-otel ui` still running?)');
    return;
  }
  statusEl.className = 'status';
  const parts = info.loading
    ? ['indexing ', info.dir, '…']
    : [`${info.spans.toLocaleString('en-US')} spans · ${info.runs.toLocaleString('en-US')} runs · from ${info.source} · updated ${info.updated_at.slice(11, 19)} UTC`];
  replace(statusEl, h('span', { class: 'dot' }), ...parts);
  statusEl.title = `${info.dir}\nagent-otel ${info.version}`;
  const notes = [...info.notes, ...(info.load_error ? [info.load_error] : [])];
  notesEl.hidden = notes.length === 0;
  replace(notesEl, notes.map((n) => h('p', null, n)));
}

async function poll(): Promise<void> {
  let delay = 2000;
  try {
    const next = await get<Info>('info');
    const changed = info !== undefined && next.generation !== info.generation;
    const first = info === undefined || (info.loading && !next.loading);
    info = next;
    delay = next.loading ? 500 : next.poll_ms;
    showStatus(true);
    if (first && !next.loading) await route();
    else if (changed && current?.refresh) await current.refresh();
  } catch {
    showStatus(false);
  }
  setTimeout(() => void poll(), delay);
}

window.addEventListener('hashchange', () => void route());
replace(main, h('p', { class: 'muted' }, 'Indexing the telemetry directory…'));
void poll();
