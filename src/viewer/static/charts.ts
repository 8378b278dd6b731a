import type uPlot from 'uplot';
import { get, type Charts, type Latency, type TimeChart } from './api.js';
import type { Ctx, PageHandle } from './app.js';
import { h, replace, select } from './dom.js';
import { fmtInt, fmtMs, fmtPct, fmtUsd } from './format.js';
import { allowed, grid, SINCE_OPTIONS } from './table.js';

/** uPlot, served from this server (node_modules/uplot), loaded when the charts page is first shown. */
const UPLOT_URL = '/assets/vendor/uPlot.esm.js';
let uplot: Promise<typeof uPlot> | undefined;
const loadUplot = () => (uplot ??= (import(UPLOT_URL) as Promise<{ default: typeof uPlot }>).then((m) => m.default));

const PALETTE = ['#2563eb', '#f59e0b', '#10b981', '#8b5cf6', '#ef4444', '#06b6d4', '#ec4899', '#84cc16', '#6b7280'];
/** Series that mean the same everywhere keep their colour. */
const FIXED: Record<string, string> = {
  success: '#16a34a', failed: '#dc2626', abandoned: '#d97706', running: '#0284c7', unknown: '#6b7280',
  'LLM calls': '#8b5cf6', 'tool calls': '#10b981', other: '#9ca3af',
};

function card(title: string, ...body: Array<Node | null>): HTMLElement {
  return h('section', { class: 'panel chart', data: { chart: title } }, h('h2', null, title), ...body);
}

/** A time series chart (UTC axis); with one bucket, an empty bucket on each side keeps it readable. */
function timeChart(U: typeof uPlot, el: HTMLElement, chart: TimeChart, fmt: (v: number) => string, step: number): void {
  let t = chart.t;
  let series = chart.series.map((s) => s.values);
  if (t.length > 0 && t.length < 3) {
    t = [t[0]! - step, ...t, t[t.length - 1]! + step];
    series = series.map((v) => [null, ...v, null]);
  }
  const width = Math.max(320, el.clientWidth || 520);
  new U({
    width, height: 220,
    tzDate: (ts) => U.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, 1e-9) * 1.1] } },
    axes: [{}, { size: 64, values: (_u, vals) => vals.map((v) => fmt(v)) }],
    series: [
      { label: 'UTC' },
      ...chart.series.map((s, i) => ({
        label: s.label, stroke: FIXED[s.label] ?? PALETTE[i % PALETTE.length], width: 2, spanGaps: false,
        points: { show: true, size: 8, fill: FIXED[s.label] ?? PALETTE[i % PALETTE.length] }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmt(v)),
      })),
    ],
  }, [t, ...series] as uPlot.AlignedData, el);
}

/** Dollars with enough digits that neighbouring axis ticks differ. */
const usdAxis = (v: number): string => (v === 0 ? '$0' : `$${v.toFixed(Math.abs(v) < 0.01 ? 4 : Math.abs(v) < 1 ? 3 : 2)}`);

function hbars(rows: Latency[], what: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, `No ${what} in this period.`);
  const max = Math.max(...rows.map((r) => r.p95_ms), 1e-9);
  return h('div', { class: 'hbars' }, rows.map((r) => {
    const fill = h('div', { class: 'fill' });
    fill.style.width = `${(r.p95_ms / max) * 100}%`;
    return h('div', { class: 'hbar', data: { key: r.key } },
      h('span', { class: 'lbl', title: r.key }, r.key),
      h('div', { class: 'track' }, fill),
      h('span', { class: 'val' }, `p95 ${fmtMs(r.p95_ms)} · ${fmtInt(r.calls)} calls`));
  }));
}

/** Charts: cost and tokens per hour by model, p95 latency by tool and by model, error rate, runs per hour. */
export async function renderCharts(root: HTMLElement, params: URLSearchParams, ctx: Ctx): Promise<PageHandle> {
  const since = allowed(params, 'since', SINCE_OPTIONS.map(([v]) => v)) ?? '7d';
  const body = h('div', { class: 'charts' });
  root.append(h('h1', null, 'Charts'),
    h('div', { class: 'filters' }, select('since', 'Period', SINCE_OPTIONS, since, (v) => ctx.go('charts', { since: v || 'all' }))),
    body);
  const [U] = await Promise.all([loadUplot()]);
  const load = async () => {
    const c = await get<Charts>('charts', { since: since || 'all' });
    const step = c.bucket === 'day' ? 86400 : 3600;
    const per = c.bucket === 'day' ? 'day' : 'hour';
    const slot = () => h('div');
    const cost = slot(); const tokens = slot(); const errors = slot(); const runs = slot();
    const noData = (what: string) => h('p', { class: 'empty' }, `No ${what} in this period.`);
    const hasTime = c.tokens_by_model.t.length > 0;
    replace(body,
      c.clamped ? h('div', { class: 'notes', data: { field: 'clamped' } }, h('p', null,
        `The time axis shows ${c.clamped.from.slice(0, 10)} to ${c.clamped.to.slice(0, 10)} (at most ${fmtInt(c.clamped.max_points)} ${per}s); ` +
        'rows outside it are not drawn (a clock far off, or a longer history than that).')) : null,
      card(`Cost per ${per} by model`, c.cost_by_model.priced_calls ? cost
        : h('p', { class: 'empty' }, 'No cost recorded: no LLM call in this period carries agent.cost.usd (no price known for its model).')),
      card(`Tokens per ${per} by model`, hasTime && c.tokens_by_model.series.length ? tokens : noData('LLM calls'),
        c.token_totals.length ? grid([
          { head: 'model', cell: (r) => r.model },
          { head: 'calls', num: true, cell: (r) => fmtInt(r.calls) },
          { head: 'input tokens', num: true, cell: (r) => fmtInt(r.input) },
          { head: 'output tokens', num: true, cell: (r) => fmtInt(r.output) },
          { head: 'cost', num: true, cell: (r) => (r.cost === null ? '' : fmtUsd(r.cost)) },
        ], c.token_totals) : null),
      card('p95 latency by tool', hbars(c.p95_by_tool, 'tool calls')),
      card('p95 latency by model', hbars(c.p95_by_model, 'LLM calls')),
      card(`Error rate per ${per}`, hasTime ? errors : noData('calls')),
      card(`Runs per ${per}`, c.runs_by_status.series.length ? runs : noData('runs')));
    // Drawn once in the document, so the charts know their width.
    requestAnimationFrame(() => {
      if (c.cost_by_model.priced_calls) timeChart(U, cost, c.cost_by_model, usdAxis, step);
      if (hasTime && c.tokens_by_model.series.length) timeChart(U, tokens, c.tokens_by_model, (v) => fmtInt(v), step);
      if (hasTime) timeChart(U, errors, c.error_rate, (v) => fmtPct(v), step);
      if (c.runs_by_status.series.length) timeChart(U, runs, c.runs_by_status, (v) => fmtInt(v), step);
    });
  };
  await load();
  return { refresh: load };
}
