/** The viewer's JSON API (same origin). Errors carry the server's message. */

export type Params = Record<string, string | number | undefined | null>;

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export async function get<T>(path: string, params: Params = {}): Promise<T> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const qs = search.toString();
  const res = await fetch(`/api/${path}${qs ? `?${qs}` : ''}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`${res.status} ${res.statusText}`, res.status);
  }
  if (!res.ok) throw new ApiError(String((body as { error?: string }).error ?? res.statusText), res.status);
  return body as T;
}

export interface Info {
  version: string; dir: string; source: string; notes: string[]; jaeger_url: string | null; generation: number;
  loading: boolean; load_error: string | null; spans: number; runs: number; updated_at: string; poll_ms: number;
}

export interface Facets { agents: string[]; statuses: string[]; models: string[]; tools: string[] }

export interface Page<R> { total: number; limit: number; offset: number; rows: R[] }

export interface RunRow {
  run_id: string; agent: string | null; kind: string | null; status: string; start_time: string | null; end_time: string | null;
  duration_ms: number | null; items_discovered: number | null; items_succeeded: number | null; items_failed: number | null;
  llm_calls: number; tool_calls: number; tool_errors: number; input_tokens: number; output_tokens: number; cost_usd: number | null;
  error_type: string | null; status_message: string | null; trace_id: string; span_id: string | null; service_name: string | null;
}

export interface LlmRow {
  start_time: string; trace_id: string; span_id: string; name: string; operation: string; agent: string | null; run_id: string | null;
  provider: string | null; model: string | null; input_tokens: number | null; output_tokens: number | null; cost_usd: number | null;
  duration_ms: number; status_code: string; status_message: string | null; error_type: string | null;
}

export interface ToolRow {
  start_time: string; trace_id: string; span_id: string; name: string; agent: string | null; run_id: string | null; tool: string | null;
  outcome: string; error_type: string | null; risk_level: string | null; duration_ms: number; status_code: string; status_message: string | null;
}

export interface SpanEvent { name: string; time: string; attributes?: Record<string, unknown> }

export interface Span {
  trace_id: string; span_id: string; parent_span_id: string | null; name: string; kind: string; start_time: string; end_time: string;
  start_us: number; end_us: number; duration_ms: number; status_code: string; status_message: string | null; service_name: string | null;
  scope: { name?: string; version?: string } | null; attributes: Record<string, unknown>; events: SpanEvent[];
  links: Array<{ trace_id?: string; span_id?: string; attributes?: Record<string, unknown> }>; resource: Record<string, unknown>;
}

export interface Trace {
  trace_id: string; spans: Span[]; notes: string[]; jaeger_url: string | null;
  /** Spans the trace has, how many the response leaves out (past max_spans by start time). */
  total_spans: number; omitted_spans: number; max_spans: number;
}

export interface Series { label: string; values: Array<number | null> }
export interface TimeChart { t: number[]; series: Series[] }
export interface Latency { key: string; calls: number; p95_ms: number; avg_ms: number }
export interface Charts {
  bucket: 'hour' | 'day'; since: string | null;
  /** Set when rows fall outside the time axis (bounded to max_points buckets). */
  clamped: { from: string; to: string; max_points: number } | null;
  cost_by_model: TimeChart & { priced_calls: number }; tokens_by_model: TimeChart;
  token_totals: Array<{ model: string; input: number; output: number; cost: number | null; calls: number }>;
  p95_by_tool: Latency[]; p95_by_model: Latency[]; error_rate: TimeChart; runs_by_status: TimeChart;
}

/** A log record as /api/logs and /api/traces/:id/logs give it (the `logs` view). */
export interface LogRecord {
  time: string; level: string | null; severity_text: string | null; severity_number: number; component: string | null;
  event_name: string | null; body: string | null; trace_id: string | null; span_id: string | null;
  attributes: Record<string, unknown>; service_name: string | null;
}

export interface TraceLogs { trace_id: string; logs: LogRecord[]; total: number; omitted: number; max: number }
