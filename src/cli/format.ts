import Table from 'cli-table3';
import pc from 'picocolors';

export type OutputFormat = 'table' | 'json' | 'csv';

export interface Rows { columns: string[]; rows: Record<string, unknown>[] }

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function csvField(v: unknown): string {
  const s = cell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Query results for people (a table), or for scripts (JSON array, CSV with a header). */
export function formatRows({ columns, rows }: Rows, format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'csv') return [columns.map(csvField).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\n');
  if (columns.length === 0) return '(no columns)';
  const table = new Table({
    head: columns.map((c) => pc.bold(c)), style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, // no rule between rows
  });
  for (const r of rows) table.push(columns.map((c) => cell(r[c])));
  return `${table.toString()}\n${rows.length} row${rows.length === 1 ? '' : 's'}`;
}

/** `1234.5` ms → `1.23 s`; short human durations for tables. */
export function fmtMs(ms: unknown): string {
  const n = Number(ms);
  if (ms === null || ms === undefined || !Number.isFinite(n)) return '';
  if (n < 1) return `${(n * 1000).toFixed(0)} µs`;
  if (n < 1000) return `${n.toFixed(n < 10 ? 2 : 0)} ms`;
  if (n < 60_000) return `${(n / 1000).toFixed(2)} s`;
  if (n < 3_600_000) return `${(n / 60_000).toFixed(1)} min`;
  return `${(n / 3_600_000).toFixed(1)} h`;
}

export function fmtUsd(v: unknown): string {
  const n = Number(v);
  if (v === null || v === undefined || !Number.isFinite(n)) return '';
  if (n > 0 && n < 0.0001) return '<$0.0001'; // a real cost too small to show: not $0
  return `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
}
