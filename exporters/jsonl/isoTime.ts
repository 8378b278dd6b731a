import type { HrTime } from '@opentelemetry/api';

/*
 * The one definition of the times the files, the database and the queries exchange: ISO-8601 UTC with
 * microseconds (`2026-11-21T23:38:05.123456Z`) in the JSONL files and query results, and DuckDB
 * timestamp text (`2026-11-21 23:38:05.123`, UTC) for cutoffs compared with TIMESTAMP columns. It lives
 * here, in the lowest layer that needs it, so the exporters and src/ share it (src → exporters).
 */

// Formatting a Date per span is the most expensive part of a row; the second prefix changes rarely,
// so it is cached and only the microseconds are appended.
let cachedSecond = -1;
let cachedPrefix = '';

/** `000` … `999`: the microseconds are written as two of these (no number formatted, no string cut). */
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** HrTime → `2026-11-21T23:38:05.123456Z` (UTC, microseconds). */
export function isoMicros(time: HrTime): string {
  const sec = time[0];
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 20); // "YYYY-MM-DDTHH:MM:SS."
  }
  const us = Math.floor(time[1] / 1000);
  const ms = Math.floor(us / 1000);
  const d1 = DIGITS3[ms];
  const d2 = DIGITS3[us - ms * 1000];
  // a nanosecond count past 999,999,999 (or not a number) as before
  if (d1 === undefined || d2 === undefined) return cachedPrefix + String(1_000_000 + us).slice(1) + 'Z';
  return cachedPrefix + d1 + d2 + 'Z';
}

/**
 * end − start in microseconds: the difference of the two times as the files write them (truncated to
 * µs), so that a row's `duration_ms` always equals its `end_time` − `start_time`.
 */
const durationMicros = (start: HrTime, end: HrTime): number => (end[0] - start[0]) * 1e6 + (Math.floor(end[1] / 1e3) - Math.floor(start[1] / 1e3));

/** `.001` … `.999` as JavaScript prints them (trailing zeros left out), '' for 0. */
const MILLI_FRACTIONS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : String(i / 1000).slice(1)));

/**
 * The row's `duration_ms` (end − start in ms, to the µs) as JavaScript prints it, without formatting a double (~0.2 µs on a row):
 * whole milliseconds and a looked-up fraction, the same text for any whole number of µs below 1e15
 * (31 years; the shortest form of such a number is its 3-decimal form); anything else is formatted.
 */
export function durationMsText(start: HrTime, end: HrTime): string {
  const us = durationMicros(start, end);
  if (!(Number.isSafeInteger(us) && us >= 0 && us < 1e15)) return String(us / 1e3);
  const ms = Math.floor(us / 1e3);
  return String(ms) + MILLI_FRACTIONS[us - ms * 1e3];
}

/** Milliseconds since the epoch → the same format. */
export function isoMicrosFromMs(ms: number): string {
  const sec = Math.floor(ms / 1000);
  return isoMicros([sec, Math.round((ms - sec * 1000) * 1e6)]);
}

/**
 * `2026-11-21T23:38:05.123456Z` (any fraction length up to ns, or none; `Z` or an offset) → HrTime, to
 * the nanosecond given; undefined when it is not such a time.
 */
export function hrTimeFromIso(iso: unknown): HrTime | undefined {
  const m = typeof iso === 'string' ? /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/.exec(iso) : null;
  const ms = m ? Date.parse(m[1] + m[3]) : NaN;
  if (!m || Number.isNaN(ms)) return undefined;
  return [Math.floor(ms / 1000), Number((m[2] ?? '').padEnd(9, '0'))];
}

/** Milliseconds since the epoch (or a Date) → DuckDB timestamp text in UTC: `2026-11-21 23:38:05.123`. */
export function sqlTimestamp(time: number | Date): string {
  return new Date(time).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * DuckDB SQL rendering a TIMESTAMP column (or expression) as ISO-8601 UTC: microseconds like the files
 * (`us`), or milliseconds (`ms`) where a page shows a list.
 */
export function isoSql(column: string, precision: 'us' | 'ms' = 'us'): string {
  return `strftime(${column}, '%Y-%m-%dT%H:%M:%S.${precision === 'us' ? '%f' : '%g'}Z')`;
}
