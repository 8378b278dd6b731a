import { get, type LogRecord, type Page } from './api.js';
import type { Ctx, PageHandle } from './app.js';
import { h, replace, select, type Child } from './dom.js';
import { fmtTime, valueText } from './format.js';
import { traceRoute } from './runs.js';
import { allowed, grid, PAGE_SIZE, pageParam, pager, SINCE_OPTIONS, type Column } from './table.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** A level as a badge: errors red, warnings amber (the run statuses' colours). */
export const levelBadge = (level: string | null): HTMLElement =>
  h('span', { class: `badge level-${level && LEVELS.includes(level) ? level : 'none'}`, data: { level: level ?? '' } }, level ?? '—');

/** `2026-11-21T23:51:39.981Z` → `2026-11-21 23:51:39.981`. */
const fmtTimeMs = (v: string): string => `${fmtTime(v)}${v.slice(19, 23)}`;

/** The message of a record: its body when it says more than the event name, then its attributes (no stack traces). */
export function logMessage(r: LogRecord): Child[] {
  const attrs = Object.entries(r.attributes ?? {}).filter(([k]) => k !== 'exception.stacktrace');
  return [
    r.body !== null && r.body !== '' && r.body !== r.event_name ? h('span', { class: 'log-body' }, r.body) : null,
    attrs.map(([k, v]) => h('span', { class: 'log-attr' }, h('span', { class: 'muted' }, `${k}=`), valueText(v))),
  ];
}

const COLUMNS: Column<LogRecord>[] = [
  { head: 'Time (UTC)', cell: (r) => h('span', { class: 'mono' }, fmtTimeMs(r.time)) },
  { head: 'Level', cell: (r) => levelBadge(r.level) },
  { head: 'Component', cell: (r) => r.component ?? '' },
  { head: 'Event', cell: (r) => (r.event_name ? h('b', null, r.event_name) : '') },
  { head: 'Message', cell: (r) => h('span', { class: 'log-msg' }, logMessage(r)) },
  { head: 'Trace', cell: (r) => (r.trace_id && /^[0-9a-f]{32}$/.test(r.trace_id)
    ? h('a', { href: traceRoute(r.trace_id, r.span_id), class: 'mono' }, r.trace_id.slice(0, 12)) : '') },
];

/** A free-text filter: applied on Enter or when the field is left. */
function textFilter(name: string, label: string, value: string | undefined, placeholder: string, onChange: (v: string) => void): HTMLLabelElement {
  const input = h('input', { type: 'text', value: value ?? '', data: { filter: name } });
  input.placeholder = placeholder;
  input.spellcheck = false;
  const apply = () => { if (input.value.trim() !== (value ?? '')) onChange(input.value.trim()); };
  input.addEventListener('change', apply);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') apply(); });
  return h('label', null, label, input);
}

/** Log records, newest first, filtered as `agent-otel logs` (level and above, component, event, trace, since); live. */
export async function renderLogs(root: HTMLElement, params: URLSearchParams, ctx: Ctx): Promise<PageHandle> {
  const filters = {
    level: allowed(params, 'level', LEVELS),
    component: params.get('component') || undefined,
    event: params.get('event') || undefined,
    trace: params.get('trace') || undefined,
    since: allowed(params, 'since', SINCE_OPTIONS.map(([v]) => v)) || undefined,
  };
  const go = (changes: Record<string, string | number | undefined>) => ctx.go('logs', { ...filters, page: undefined, ...changes });
  const body = h('div');
  root.append(
    h('h1', null, 'Logs'),
    h('div', { class: 'filters' },
      select('level', 'Level', [['', 'any level'], ...LEVELS.map((l): [string, string] => [l, `${l} and above`])], filters.level, (v) => go({ level: v })),
      textFilter('component', 'Component', filters.component, 'planner, tools*', (v) => go({ component: v })),
      textFilter('event', 'Event', filters.event, 'tool.*', (v) => go({ event: v })),
      textFilter('trace', 'Trace', filters.trace, 'trace id or prefix', (v) => go({ trace: v })),
      select('since', 'Time', SINCE_OPTIONS, filters.since, (v) => go({ since: v }))),
    body);
  const pageNo = pageParam(params);
  let version: string | undefined;
  const load = async () => {
    const offset = (pageNo - 1) * PAGE_SIZE;
    const page = await get<Page<LogRecord> & { version: string }>('logs', { ...filters, limit: PAGE_SIZE, offset });
    version = page.version;
    replace(body,
      grid(COLUMNS, page.rows, { rowClass: (r) => `log level-${r.level ?? 'none'}`, rowData: (r) => ({ level: r.level ?? '', spanId: r.span_id ?? '' }) }),
      pager(page.total, offset, PAGE_SIZE, (n) => go({ page: n > 1 ? n : undefined })));
  };
  await load();
  // Live: log files change without new spans, so this page watches them itself.
  let timer: number | undefined;
  let stopped = false;
  const watch = async () => {
    try {
      const now = await get<{ version: string }>('logs/version');
      if (!stopped && now.version !== version) await load();
    } catch { /* the status line says when the viewer is gone */ }
    if (!stopped) timer = window.setTimeout(() => void watch(), ctx.info()?.poll_ms ?? 2000);
  };
  timer = window.setTimeout(() => void watch(), ctx.info()?.poll_ms ?? 2000);
  return { refresh: load, dispose: () => { stopped = true; window.clearTimeout(timer); } };
}
