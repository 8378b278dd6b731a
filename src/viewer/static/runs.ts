import { get, type Page, type RunRow } from './api.js';
import type { Ctx, PageHandle } from './app.js';
import { h, replace, select } from './dom.js';
import { fmtInt, fmtMs, fmtTime, fmtUsd } from './format.js';
import { allowed, grid, PAGE_SIZE, pageParam, pager, SINCE_OPTIONS, type Column } from './table.js';

const STATUSES = ['success', 'failed', 'abandoned', 'running', 'unknown'];

export const traceRoute = (traceId: string, spanId?: string | null): string =>
  `#/trace/${traceId}${spanId ? `?span=${encodeURIComponent(spanId)}` : ''}`;

const statusBadge = (status: string): HTMLElement =>
  h('span', { class: `badge ${STATUSES.includes(status) ? status : ''}`, data: { status } }, status);

const COLUMNS: Column<RunRow>[] = [
  { head: 'Status', cell: (r) => statusBadge(r.status) },
  { head: 'Agent', cell: (r) => h('a', { href: traceRoute(r.trace_id, r.span_id) }, r.agent ?? '(unnamed)') },
  { head: 'Kind', cell: (r) => r.kind ?? '' },
  { head: 'Started (UTC)', cell: (r) => fmtTime(r.start_time) },
  { head: 'Duration', num: true, cell: (r) => (r.status === 'abandoned' || r.status === 'running' ? '—' : fmtMs(r.duration_ms)) },
  { head: 'LLM calls', num: true, cell: (r) => fmtInt(r.llm_calls) },
  { head: 'Tool calls', num: true, cell: (r) => (r.tool_errors ? `${fmtInt(r.tool_calls)} (${fmtInt(r.tool_errors)} failed)` : fmtInt(r.tool_calls)) },
  { head: 'Tokens in → out', num: true, cell: (r) => `${fmtInt(r.input_tokens)} → ${fmtInt(r.output_tokens)}` },
  { head: 'Cost', num: true, cell: (r) => fmtUsd(r.cost_usd), title: (r) => (r.cost_usd === null ? 'no price known' : undefined) },
  { head: 'Error', clip: true, cell: (r) => [r.error_type ? h('b', null, r.error_type, ' ') : null, r.status_message ?? ''],
    title: (r) => [r.error_type, r.status_message].filter(Boolean).join(': ') || undefined },
];

/** The runs list: filters (agent, status, time), one page of runs, newest first. */
export async function renderRuns(root: HTMLElement, params: URLSearchParams, ctx: Ctx): Promise<PageHandle> {
  const facets = await ctx.facets();
  const agent = params.get('agent') || undefined;
  const status = allowed(params, 'status', STATUSES);
  const since = allowed(params, 'since', SINCE_OPTIONS.map(([v]) => v)) || undefined;
  const pageNo = pageParam(params);
  const filters = { agent, status, since };
  const go = (changes: Record<string, string | number | undefined>) => ctx.go('runs', { ...filters, page: undefined, ...changes });
  const agents = [...new Set([...facets.agents, ...(agent ? [agent] : [])])];
  const body = h('div');
  root.append(
    h('h1', null, 'Runs'),
    h('div', { class: 'filters' },
      select('agent', 'Agent', [['', 'all agents'], ...agents.map((a): [string, string] => [a, a])], agent, (v) => go({ agent: v })),
      select('status', 'Status', [['', 'any status'], ...STATUSES.map((s): [string, string] => [s, s])], status, (v) => go({ status: v })),
      select('since', 'Started', SINCE_OPTIONS, since, (v) => go({ since: v }))),
    body);
  const load = async () => {
    const offset = (pageNo - 1) * PAGE_SIZE;
    const page = await get<Page<RunRow>>('runs', { ...filters, limit: PAGE_SIZE, offset });
    replace(body,
      grid(COLUMNS, page.rows, {
        open: (r) => { location.hash = traceRoute(r.trace_id, r.span_id); },
        rowClass: (r) => `run status-${r.status}`,
        rowData: (r) => ({ runId: r.run_id, traceId: r.trace_id }),
      }),
      pager(page.total, offset, PAGE_SIZE, (n) => go({ page: n > 1 ? n : undefined })));
  };
  await load();
  return { refresh: load };
}
