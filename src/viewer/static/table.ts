import { h, type Child } from './dom.js';
import { fmtInt } from './format.js';

export interface Column<R> {
  head: string;
  num?: boolean;
  clip?: boolean;
  cell: (r: R) => Child;
  /** Full text on hover (for clipped cells). */
  title?: (r: R) => string | undefined;
}

export interface GridOptions<R> {
  /** Row click (and Enter on a focused row). */
  open?: (r: R) => void;
  rowClass?: (r: R) => string;
  rowData?: (r: R) => Record<string, string>;
}

/** A table of rows; a row click calls `open` (and Enter does, for the keyboard). */
export function grid<R>(columns: Column<R>[], rows: R[], { open, rowClass, rowData }: GridOptions<R> = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted panel' }, 'No rows match.');
  const body = h('tbody', null, rows.map((r) => {
    const tr = h('tr', { class: [open ? 'clickable' : '', rowClass?.(r) ?? ''].join(' ').trim(), tabindex: open ? 0 : undefined, data: rowData?.(r) },
      columns.map((c) => {
        const td = h('td', { class: [c.num ? 'num' : '', c.clip ? 'clip' : ''].join(' ').trim() }, c.cell(r));
        const title = c.title?.(r);
        if (title) td.title = title;
        return td;
      }));
    if (open) {
      tr.addEventListener('click', (e) => {
        if ((e.target as Element).closest('a')) return; // a link in the row goes where it points
        open(r);
      });
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(r); });
    }
    return tr;
  }));
  return h('table', { class: 'grid' }, h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.num ? 'num' : '' }, c.head)))), body);
}

/** "1–50 of 1,234" with previous/next buttons. */
export function pager(total: number, offset: number, limit: number, go: (page: number) => void): HTMLElement {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return h('div', { class: 'pager' },
    h('button', { disabled: page <= 1, data: { page: 'prev' }, on: { click: () => go(page - 1) } }, '‹ Previous'),
    h('span', { data: { role: 'range' } }, `${fmtInt(from)}–${fmtInt(to)} of ${fmtInt(total)}`),
    h('button', { disabled: page >= pages, data: { page: 'next' }, on: { click: () => go(page + 1) } }, 'Next ›'));
}

export const PAGE_SIZE = 50;

/** The 1-based page number of a route's `page` param. */
export function pageParam(params: URLSearchParams): number {
  const n = Number(params.get('page') ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export const SINCE_OPTIONS: Array<[string, string]> = [
  ['', 'all time'], ['15m', 'last 15 minutes'], ['1h', 'last hour'], ['6h', 'last 6 hours'], ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'], ['30d', 'last 30 days'],
];

/** A route param that must be one of a list (anything else: undefined). */
export function allowed(params: URLSearchParams, key: string, values: string[]): string | undefined {
  const v = params.get(key) ?? '';
  return values.includes(v) ? v : undefined;
}
