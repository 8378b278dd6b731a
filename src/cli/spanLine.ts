import pc from 'picocolors';
import type { SpanRow } from '../../semconv/schema.js';
import { fmtMs, safeText } from './format.js';

/** A value for `key=value`: quoted when it has spaces or quotes, so a line stays easy to grep and split. */
const val = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return safeText(/[\s"=]/.test(s) ? JSON.stringify(s) : s);
};

/**
 * One span as one readable line: end time (UTC), duration, status, name, then the attributes that say
 * what happened: agent, model and tokens, tool, error type and message.
 *   23:51:33.123    1.23 s  ERROR  execute_tool fetch_page  agent=worker tool=fetch_page error.type=RateLimitError "429"
 */
export function formatSpanLine(s: SpanRow): string {
  const a = s.attributes ?? {};
  const time = typeof s.end_time === 'string' ? safeText(s.end_time.slice(11, 23)) : '';
  const code = safeText(s.status_code ?? 'UNSET').padEnd(5);
  const status = s.status_code === 'ERROR' ? pc.red(code) : s.status_code === 'OK' ? pc.green(code) : pc.dim(code);
  const attrs: string[] = [];
  const add = (key: string, v: unknown) => { if (v !== undefined && v !== null && v !== '') attrs.push(`${key}=${val(v)}`); };
  add('agent', a['gen_ai.agent.name']);
  add('model', a['gen_ai.response.model'] ?? a['gen_ai.request.model']);
  add('in', a['gen_ai.usage.input_tokens']);
  add('out', a['gen_ai.usage.output_tokens']);
  if (Number(a['gen_ai.usage.cache_read.input_tokens']) > 0) add('cached', a['gen_ai.usage.cache_read.input_tokens']);
  add('tool', a['gen_ai.tool.name']);
  add('error.type', a['error.type']);
  if (s.status_code === 'ERROR' && s.status_message) attrs.push(safeText(JSON.stringify(String(s.status_message).slice(0, 100))));
  const name = safeText(s.name).padEnd(28);
  return `${time}  ${fmtMs(s.duration_ms).padStart(9)}  ${status}  ${attrs.length ? `${name}  ${attrs.join(' ')}` : name.trimEnd()}`;
}
