/** Short human forms of the values the pages show. Empty string for missing values. */

const missing = (v: unknown): boolean => v === null || v === undefined || v === '' || !Number.isFinite(Number(v));

/** Milliseconds: `840 µs`, `12.3 ms`, `1.24 s`, `2.5 min`. */
export function fmtMs(v: unknown): string {
  if (missing(v)) return '';
  const n = Number(v);
  if (n < 1) return `${Math.round(n * 1000)} µs`;
  if (n < 1000) return `${n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
  if (n < 60_000) return `${(n / 1000).toFixed(2)} s`;
  if (n < 3_600_000) return `${(n / 60_000).toFixed(1)} min`;
  return `${(n / 3_600_000).toFixed(1)} h`;
}

export function fmtInt(v: unknown): string {
  return missing(v) ? '' : Math.round(Number(v)).toLocaleString('en-US');
}

/** US dollars; null stays empty (no price known is not $0). */
export function fmtUsd(v: unknown): string {
  if (missing(v)) return '';
  const n = Number(v);
  return `$${n !== 0 && Math.abs(n) < 0.01 ? n.toFixed(4) : n.toFixed(2)}`;
}

export function fmtPct(v: unknown): string {
  return missing(v) ? '' : `${Number(v).toFixed(1)}%`;
}

/** `2026-11-21T23:51:39.981Z` → `2026-11-21 23:51:39` (UTC). */
export function fmtTime(v: unknown): string {
  return typeof v === 'string' ? v.slice(0, 19).replace('T', ' ') : '';
}

/** An attribute value as text: strings as they are, anything else as JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
