import { AgentOtelConfigError } from '../errors.js';
import { sqlTimestamp } from '../../exporters/jsonl/isoTime.js';

const UNITS = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 } as const;
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i;
const EXAMPLES = 'a duration such as 30d, 24h, 15m or 10s';

/**
 * `30d`, `24h`, `15m`, `10s`, `500ms` (also `2w`, `1.5h`) → milliseconds. `name` is what the user set
 * (`--older-than`, `since`, `env …`): the error names it and the accepted form.
 */
export function parseDuration(value: unknown, name: string): number {
  const m = typeof value === 'string' || typeof value === 'number' ? DURATION.exec(String(value)) : null;
  if (!m) throw new AgentOtelConfigError(`${name} must be ${EXAMPLES}; got ${JSON.stringify(value)}`);
  return Number(m[1]) * UNITS[m[2]!.toLowerCase() as keyof typeof UNITS];
}

export interface LookBackRules {
  /** `all` is accepted and means no cutoff. */
  all?: boolean;
  /** The longest look-back accepted, in days. */
  maxDays?: number;
}

/**
 * A look-back (`--since 24h`, `?since=7d`) → the cutoff as DuckDB timestamp text (UTC), for a bound
 * parameter or a comparison with a TIMESTAMP column; undefined when absent or `all`.
 */
export function lookBackCutoff(value: unknown, name: string, rules: LookBackRules = {}, now = Date.now()): string | undefined {
  if (value === undefined || (rules.all && value === 'all')) return undefined;
  const or = rules.all ? ', or all' : '';
  const m = typeof value === 'string' || typeof value === 'number' ? DURATION.exec(String(value)) : null;
  if (!m) throw new AgentOtelConfigError(`${name} must be ${EXAMPLES}${or}; got ${JSON.stringify(value)}`);
  const ms = Number(m[1]) * UNITS[m[2]!.toLowerCase() as keyof typeof UNITS];
  const max = rules.maxDays;
  if ((max !== undefined && ms > max * UNITS.d) || !Number.isFinite(new Date(now - ms).getTime())) {
    const limit = max !== undefined ? `at most ${max} days (${max}d, ${max * 24}h)` : 'a look-back that ends after the year 0';
    throw new AgentOtelConfigError(`${name} must be ${limit}${or}; got ${JSON.stringify(value)}`);
  }
  return sqlTimestamp(now - ms);
}
