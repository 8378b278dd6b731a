import Table from 'cli-table3';
import pc from 'picocolors';
import { safeText } from './format.js';

/** One column of a table for people: which row field, its heading, how to show a value. */
export interface Column<R> {
  key: keyof R & string;
  head: string;
  /** Numbers read better right-aligned. */
  align?: 'left' | 'right';
  show?: (value: R[keyof R], row: R) => string;
}

/** A table without rules between rows; `(none)` when there are no rows. */
export function renderTable<R extends object>(columns: Column<R>[], rows: R[]): string {
  if (rows.length === 0) return pc.dim('(none)');
  const table = new Table({
    head: columns.map((c) => pc.bold(c.head)), style: { head: [], border: [] },
    colAligns: columns.map((c) => c.align ?? 'left'),
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const raw of rows) {
    const r = safeRow(raw); // escaped before `show` adds colours of its own
    table.push(columns.map((c) => (c.show ? c.show(r[c.key], r) : plain(r[c.key]))));
  }
  return table.toString();
}

const plain = (v: unknown): string => (v === null || v === undefined ? '' : safeText(v));

/** The row with its strings escaped for the terminal (numbers and nulls as they are). */
function safeRow<R extends object>(row: R): R {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'string' ? safeText(v) : v;
  return out as R;
}

/** SQL: a TIMESTAMP column as ISO-8601 UTC with microseconds, as in the JSONL files (defined with the other time formats). */
export { isoSql } from '../../exporters/jsonl/isoTime.js';

/** `2026-11-21T23:51:39.981000Z` → `2026-11-21 23:51:39` (UTC, to the second, for tables). */
export const fmtTime = (iso: unknown): string => (typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : '');

/** Integer with thousands separators; empty for null. */
export const fmtInt = (v: unknown): string => (v === null || v === undefined ? '' : Math.round(Number(v)).toLocaleString('en-US'));

/** A 0..1 ratio as a percentage. */
export const fmtPct = (v: unknown): string => (v === null || v === undefined ? '' : `${(Number(v) * 100).toFixed(1)}%`);

/** Run statuses that need a look stand out. */
export function fmtStatus(status: unknown): string {
  const s = plain(status);
  return s === 'failed' ? pc.red(s) : s === 'abandoned' ? pc.yellow(s) : s;
}
