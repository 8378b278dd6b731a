import { AgentOtelConfigError } from '../errors.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3,
};

/**
 * `1073741824`, `'1GiB'`, `'500 MB'` → bytes. `name` is what the user set (`option maxFileSize`,
 * `env AGENT_OTEL_MAX_TOTAL_SIZE`, `--max-size`): the error names it and the accepted units.
 */
export function parseSize(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value);
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new AgentOtelConfigError(`${name} must be a size in bytes or with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. '64MiB'; got ${JSON.stringify(value)}`);
  }
  return Math.floor(Number(m[1]) * unit);
}

/** `1536` → `1.5 KiB` (binary units, as sizes are given to --max-size). */
export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}
