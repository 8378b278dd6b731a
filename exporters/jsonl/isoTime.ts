import type { HrTime } from '@opentelemetry/api';

// Formatting a Date per span is the most expensive part of a row; the second prefix changes rarely,
// so it is cached and only the microseconds are appended.
let cachedSecond = -1;
let cachedPrefix = '';

/** HrTime → `2026-11-21T23:38:05.123456Z` (UTC, microseconds). */
export function isoMicros(time: HrTime): string {
  const sec = time[0];
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 20); // "YYYY-MM-DDTHH:MM:SS."
  }
  return cachedPrefix + String(1_000_000 + Math.floor(time[1] / 1000)).slice(1) + 'Z';
}

/** Milliseconds since the epoch → the same format. */
export function isoMicrosFromMs(ms: number): string {
  const sec = Math.floor(ms / 1000);
  return isoMicros([sec, Math.round((ms - sec * 1000) * 1e6)]);
}

/** HrTime duration → milliseconds, rounded to the microsecond. */
export function durationMs(d: HrTime): number {
  return Math.round(d[0] * 1e6 + d[1] / 1e3) / 1e3;
}
