import { get, type LlmRow, type Page, type ToolRow } from './api.js';
import type { Ctx, PageHandle } from './app.js';
import { h, replace, select } from './dom.js';
import { fmtInt, fmtMs, fmtTime, fmtUsd } from './format.js';
import { traceRoute } from './runs.js';
import { allowed, grid, PAGE_SIZE, pageParam, pager, SINCE_OPTIONS, type Column } from './table.js';

const opts = (values: string[], all: string, current?: string): Array<[string, string]> =>
  [['', all], ...[...new Set([...values, ...(current ? [current] : [])])].map((v): [string, string] => [v, v])];

const errorCell = (type: string | null, message: string | null) =>
  [type ? h('b', null, type, ' ') : null, message ?? ''];

const LLM_COLUMNS: Column<LlmRow>[] = [
  { head: 'Time (UTC)', cell: (r) => h('a', { href: traceRoute(r.trace_id, r.span_id) }, fmtTime(r.start_time)) },
  { head: 'Agent', cell: (r) => r.agent ?? '' },
  { head: 'Provider', cell: (r) => r.provider ?? '' },
  { head: 'Model', cell: (r) => r.model ?? '' },
  { head: 'Input tokens', num: true, cell: (r) => fmtInt(r.input_tokens) },
  { head: 'Output tokens', num: true, cell: (r) => fmtInt(r.output_tokens) },
  { head: 'Cost', num: true, cell: (r) => fmtUsd(r.cost_usd), title: (r) => (r.cost_usd === null ? 'no price known' : undefined) },
  { head: 'Duration', num: true, cell: (r) => fmtMs(r.duration_ms) },
  { head: 'Status', cell: (r) => h('span', { class: `badge ${r.status_code === 'ERROR' ? 'error' : 'ok'}` }, r.status_code === 'ERROR' ? 'error' : 'ok') },
  { head: 'Error', clip: true, cell: (r) => errorCell(r.error_type, r.status_message), title: (r) => r.status_message ?? undefined },
];

const TOOL_COLUMNS: Column<ToolRow>[] = [
  { head: 'Time (UTC)', cell: (r) => h('a', { href: traceRoute(r.trace_id, r.span_id) }, fmtTime(r.start_time)) },
  { head: 'Agent', cell: (r) => r.agent ?? '' },
  { head: 'Tool', cell: (r) => r.tool ?? '' },
  { head: 'Outcome', cell: (r) => h('span', { class: `badge ${r.outcome === 'error' ? 'error' : 'ok'}` }, r.outcome) },
  { head: 'Risk', cell: (r) => r.risk_level ?? '' },
  { head: 'Duration', num: true, cell: (r) => fmtMs(r.duration_ms) },
  { head: 'Error', clip: true, cell: (r) => errorCell(r.error_type, r.status_message), title: (r) => r.status_message ?? undefined },
];

interface CallsPage<R> {
  route: string; title: string; endpoint: string; columns: Column<R>[];
  filters: (params: URLSearchParams, facets: { agents: string[]; models: string[]; tools: string[] }) =>
    Array<{ key: string; label: string; options: Array<[string, string]>; value: string | undefined }>;
}

async function renderCalls<R extends { trace_id: string; span_id: string }>(def: CallsPage<R>, root: HTMLElement, params: URLSearchParams, ctx: Ctx): Promise<PageHandle> {
  const facets = await ctx.facets();
  const filters = def.filters(params, facets);
  const values: Record<string, string | undefined> = Object.fromEntries(filters.map((f) => [f.key, f.value]));
  const go = (changes: Record<string, string | number | undefined>) => ctx.go(def.route, { ...values, ...changes });
  const body = h('div');
  root.append(h('h1', null, def.title),
    h('div', { class: 'filters' }, filters.map((f) => select(f.key, f.label, f.options, f.value, (v) => go({ [f.key]: v })))),
    body);
  const pageNo = pageParam(params);
  const load = async () => {
    const offset = (pageNo - 1) * PAGE_SIZE;
    const page = await get<Page<R>>(def.endpoint, { ...values, limit: PAGE_SIZE, offset });
    replace(body,
      grid(def.columns, page.rows, {
        open: (r) => { location.hash = traceRoute(r.trace_id, r.span_id); },
        rowData: (r) => ({ spanId: r.span_id, traceId: r.trace_id }),
      }),
      pager(page.total, offset, PAGE_SIZE, (n) => go({ page: n > 1 ? n : undefined })));
  };
  await load();
  return { refresh: load };
}

const since = (params: URLSearchParams) =>
  ({ key: 'since', label: 'Started', options: SINCE_OPTIONS, value: allowed(params, 'since', SINCE_OPTIONS.map(([v]) => v)) || undefined });

export const renderLlmCalls = (root: HTMLElement, params: URLSearchParams, ctx: Ctx) => renderCalls<LlmRow>({
  route: 'llm', title: 'LLM calls', endpoint: 'llm-calls', columns: LLM_COLUMNS,
  filters: (p, f) => [
    { key: 'agent', label: 'Agent', options: opts(f.agents, 'all agents', p.get('agent') || undefined), value: p.get('agent') || undefined },
    { key: 'model', label: 'Model', options: opts(f.models, 'all models', p.get('model') || undefined), value: p.get('model') || undefined },
    { key: 'status', label: 'Status', options: [['', 'any'], ['ok', 'ok'], ['error', 'error']], value: allowed(p, 'status', ['ok', 'error']) },
    since(p),
  ],
}, root, params, ctx);

export const renderToolCalls = (root: HTMLElement, params: URLSearchParams, ctx: Ctx) => renderCalls<ToolRow>({
  route: 'tools', title: 'Tool calls', endpoint: 'tool-calls', columns: TOOL_COLUMNS,
  filters: (p, f) => [
    { key: 'agent', label: 'Agent', options: opts(f.agents, 'all agents', p.get('agent') || undefined), value: p.get('agent') || undefined },
    { key: 'tool', label: 'Tool', options: opts(f.tools, 'all tools', p.get('tool') || undefined), value: p.get('tool') || undefined },
    { key: 'outcome', label: 'Outcome', options: [['', 'any'], ['success', 'success'], ['error', 'error']], value: allowed(p, 'outcome', ['success', 'error']) },
    since(p),
  ],
}, root, params, ctx);
