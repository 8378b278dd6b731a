import Table from 'cli-table3';
import pc from 'picocolors';

export type OutputFormat = 'table' | 'json' | 'csv';

export interface Rows { columns: string[]; rows: Record<string, unknown>[] }

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts CSI/OSC sequences that move
 * the cursor, retitle the window, write the clipboard or forge links), DEL, C1 controls (U+0080–U+009F,
 * 8-bit CSI/OSC), the bidi embeddings, overrides and isolates (text shown in a different order than it
 * reads: "Trojan Source") and the line/paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (ch: string): string => {
  const c = ch.charCodeAt(0);
  return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
};

/**
 * Text from telemetry made safe to print: every control character above shown as a visible escape
 * (`\x1b`, `\u202e`). The one function all terminal output of the CLI goes through.
 */
export function safeText(v: unknown): string {
  const s = typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
  return s.replace(UNSAFE, escapeChar);
}

/**
 * JSON for stdout: `JSON.stringify` escapes C0 but leaves DEL, C1, bidi controls and separators raw;
 * these become `\uXXXX` escapes too. The same data for a parser, nothing a terminal acts on.
 */
export function safeJson(value: unknown, indent?: number): string {
  return safeJsonText(JSON.stringify(value, null, indent) ?? 'null');
}

/** What `JSON.stringify` leaves raw in strings (it escapes C0 itself; raw C0 in its output is layout). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A JSON text (e.g. a JSONL line) with the characters `JSON.stringify` leaves raw escaped as `\uXXXX`. */
export const safeJsonText = (json: string): string =>
  json.replace(UNSAFE_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

const cell = (v: unknown): string => safeText(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A plain number (-1.5, 1e-9): data in a spreadsheet, never a formula. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A CSV field. A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is a formula to a
 * spreadsheet (CSV injection): it gets a leading `'` (OWASP). Tabs, newlines and carriage returns stay
 * (inside quotes); the other control characters are escaped as in the terminal.
 */
export function csvField(v: unknown): string {
  const raw = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  let s = raw.replace(UNSAFE, (ch) => (ch === '\t' || ch === '\n' || ch === '\r' ? ch : escapeChar(ch)));
  if (/^[=+\-@\t\r]/.test(s) && !NUMBER.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Query results for people (a table), or for scripts (JSON array, CSV with a header). */
export function formatRows({ columns, rows }: Rows, format: OutputFormat): string {
  if (format === 'json') return safeJson(rows, 2);
  if (format === 'csv') return [columns.map(csvField).join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\n');
  if (columns.length === 0) return '(no columns)';
  const table = new Table({
    head: columns.map((c) => pc.bold(safeText(c))), style: { head: [], border: [] },
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
