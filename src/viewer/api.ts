import { Hono, type Context } from 'hono';
import type { DuckDBValue } from '@duckdb/node-api';
import { VERSION } from '../version.js';
import { p, ParamError, parseQuery, TRACE_ID } from './params.js';
import { isoSql } from '../../exporters/jsonl/isoTime.js';
import { LLM_CALL_SQL, LLM_OPS_SQL, TOOL_CALL_SQL } from './sql.js';
import { RUN_STATUSES, toolOutcomeSql } from '../query/runStatus.js';
import { AGENT_RUN_COLUMNS } from '../query/views.js';
import type { Row, ViewerStore } from './store.js';
import { LEVELS, traceIdPrefix, ViewerLogs } from './logs.js';

/** What the API needs besides the store. */
export interface ApiOptions { jaegerUrl?: string; pollMs: number }

const page = { limit: p.int(1, 500), offset: p.int(0, 1_000_000_000) };
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** WHERE clause and bound values built from fixed fragments. */
class Where {
  readonly parts: string[] = [];
  readonly values: DuckDBValue[] = [];
  add(fragment: string, ...values: DuckDBValue[]): this {
    this.parts.push(fragment);
    this.values.push(...values);
    return this;
  }
  addIf<T extends DuckDBValue>(value: T | undefined, fragment: string): this {
    return value === undefined ? this : this.add(fragment, value);
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

type Query = (sql: string, values: DuckDBValue[]) => Promise<Row[]>;

async function paged(store: ViewerStore | Query, select: string, from: string, where: Where, order: string, limit = 50, offset = 0) {
  const query: Query = typeof store === 'function' ? store : (sql, values) => store.query(sql, values);
  const [total] = await query(`SELECT count(*)::DOUBLE AS n FROM ${from} ${where.sql}`, where.values);
  const rows = await query(`SELECT ${select} FROM ${from} ${where.sql} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, where.values);
  return { total: Number(total!.n), limit, offset, rows };
}

// ------------------------------------------------------------------ charts

interface Series { label: string; values: Array<number | null> }
interface TimeChart { t: number[]; series: Series[] }

const TOP_SERIES = 8;
/** At most this many points on a chart's time axis: hourly up to 2000 hours, daily up to 2000 days. */
export const MAX_CHART_POINTS = 2000;
/** At most this many spans of one trace in a response (the page says how many more there are). */
export const MAX_TRACE_SPANS = 20_000;

/** Rows (t, key, value) → one series per key on a shared time axis; beyond the top keys, "other". */
function pivot(axis: number[], rows: Row[], value: string, fill: number | null = 0): Series[] {
  const index = new Map(axis.map((t, i) => [t, i]));
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(String(r.k), (totals.get(String(r.k)) ?? 0) + (Number(r[value]) || 0));
  const keys = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const top = new Set(keys.slice(0, TOP_SERIES));
  const labels = keys.length > TOP_SERIES ? [...top, 'other'] : keys;
  const series = new Map(labels.map((l) => [l, new Array<number | null>(axis.length).fill(fill)]));
  for (const r of rows) {
    const i = index.get(Number(r.t));
    const v = num(r[value]);
    if (i === undefined || v === null) continue;
    const s = series.get(top.has(String(r.k)) ? String(r.k) : 'other')!;
    s[i] = (s[i] ?? 0) + v;
  }
  return labels.map((label) => ({ label, values: series.get(label)! }));
}

async function charts(store: ViewerStore, cutoff: string | undefined) {
  const since = new Where().addIf(cutoff, 'start_time >= CAST(? AS TIMESTAMP)');
  const and = (w: Where, frag: string) => { const x = new Where(); x.parts.push(...w.parts, frag); x.values.push(...w.values); return x; };
  const llm = and(since, LLM_CALL_SQL);
  const tool = and(since, TOOL_CALL_SQL);
  // Calls and runs (a run still going or abandoned has only its start, in vruns).
  const [range] = await store.query(`SELECT epoch(min(start_time))::DOUBLE AS lo, epoch(max(start_time))::DOUBLE AS hi
    FROM (SELECT start_time FROM vspans WHERE op IN ${LLM_OPS_SQL} OR op IN ('execute_tool', 'invoke_agent')
      UNION ALL SELECT start_time FROM vruns) ${since.sql}`, since.values);
  // The axis is bounded whatever the data says (a clock in the year 9999, ten years of history):
  // it ends by tomorrow at the latest and spans at most MAX_CHART_POINTS days.
  const hi = num(range?.hi) === null ? null : Math.min(num(range?.hi)!, Date.now() / 1000 + 86400);
  const loData = num(range?.lo);
  const lo = loData === null || hi === null ? null : Math.max(Math.min(loData, hi), hi - MAX_CHART_POINTS * 86400);
  // Hourly buckets; daily when that would make more than MAX_CHART_POINTS points.
  const bucket = lo !== null && hi !== null && (hi - lo) / 3600 > MAX_CHART_POINTS ? 'day' : 'hour';
  const step = bucket === 'day' ? 86400 : 3600;
  const axis: number[] = [];
  if (lo !== null && hi !== null) for (let t = Math.floor(lo / step) * step; t <= hi && axis.length <= MAX_CHART_POINTS; t += step) axis.push(t);
  const clamped = loData !== null && lo !== null && (loData < lo || num(range?.hi)! > hi!);
  const t = `epoch(date_trunc('${bucket}', start_time))::DOUBLE`;
  const byModel = await store.query(`SELECT ${t} AS t, coalesce(model, '(no model)') AS k, sum(cost_usd)::DOUBLE AS cost,
      count(cost_usd)::DOUBLE AS priced, coalesce(sum(input_tokens), 0)::DOUBLE AS tin, coalesce(sum(output_tokens), 0)::DOUBLE AS tout,
      (coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0))::DOUBLE AS tokens
    FROM vspans ${llm.sql} GROUP BY ALL`, llm.values);
  const totals = new Map<string, { model: string; input: number; output: number; cost: number | null; calls: number }>();
  const callsByModel = await store.query(`SELECT coalesce(model, '(no model)') AS k, count(*)::DOUBLE AS n FROM vspans ${llm.sql} GROUP BY 1`, llm.values);
  for (const r of byModel) {
    const k = String(r.k);
    const tot = totals.get(k) ?? { model: k, input: 0, output: 0, cost: null, calls: 0 };
    tot.input += Number(r.tin);
    tot.output += Number(r.tout);
    if (r.cost !== null) tot.cost = (tot.cost ?? 0) + Number(r.cost);
    totals.set(k, tot);
  }
  for (const r of callsByModel) totals.get(String(r.k))!.calls = Number(r.n);
  const priced = byModel.reduce((s, r) => s + Number(r.priced), 0);
  const latency = (key: string, w: Where) => store.query(`SELECT ${key} AS k, count(*)::DOUBLE AS calls,
      quantile_cont(duration_ms, 0.95)::DOUBLE AS p95_ms, avg(duration_ms)::DOUBLE AS avg_ms
    FROM vspans ${w.sql} AND ${key} IS NOT NULL GROUP BY 1 ORDER BY p95_ms DESC, k LIMIT 30`, w.values);
  const errors = await store.query(`SELECT ${t} AS t,
      count(*) FILTER (WHERE ${LLM_CALL_SQL})::DOUBLE AS llm,
      count(*) FILTER (WHERE ${LLM_CALL_SQL} AND status_code = 'ERROR')::DOUBLE AS llm_err,
      count(*) FILTER (WHERE ${TOOL_CALL_SQL})::DOUBLE AS tool,
      count(*) FILTER (WHERE ${TOOL_CALL_SQL} AND ${toolOutcomeSql()} = 'error')::DOUBLE AS tool_err
    FROM vspans ${and(since, `(${LLM_CALL_SQL} OR ${TOOL_CALL_SQL})`).sql} GROUP BY 1`, since.values);
  const runs = await store.query(`SELECT ${t} AS t, status AS k, count(*)::DOUBLE AS n FROM vruns ${since.sql} GROUP BY ALL`, since.values);
  const rate = (calls: string, errs: string): Array<number | null> => {
    const out = new Array<number | null>(axis.length).fill(null);
    const index = new Map(axis.map((x, i) => [x, i]));
    for (const r of errors) {
      const i = index.get(Number(r.t));
      if (i !== undefined && Number(r[calls]) > 0) out[i] = (100 * Number(r[errs])) / Number(r[calls]);
    }
    return out;
  };
  const chart = (series: Series[]): TimeChart => ({ t: axis, series });
  return {
    bucket,
    since: cutoff ?? null,
    // Set when rows fall outside the axis: the chart shows [from, to] only.
    clamped: clamped ? { from: new Date(axis[0]! * 1000).toISOString(), to: new Date(axis[axis.length - 1]! * 1000).toISOString(), max_points: MAX_CHART_POINTS } : null,
    cost_by_model: { ...chart(priced ? pivot(axis, byModel.filter((r) => r.cost !== null), 'cost', null) : []), priced_calls: priced },
    tokens_by_model: chart(pivot(axis, byModel, 'tokens')),
    token_totals: [...totals.values()].sort((a, b) => b.input + b.output - (a.input + a.output)),
    p95_by_tool: (await latency('tool', tool)).map((r) => ({ key: r.k, calls: r.calls, p95_ms: r.p95_ms, avg_ms: r.avg_ms })),
    p95_by_model: (await latency('model', llm)).map((r) => ({ key: r.k, calls: r.calls, p95_ms: r.p95_ms, avg_ms: r.avg_ms })),
    error_rate: chart([{ label: 'LLM calls', values: rate('llm', 'llm_err') }, { label: 'tool calls', values: rate('tool', 'tool_err') }]),
    runs_by_status: chart(pivot(axis, runs, 'n')),
  };
}

// ------------------------------------------------------------------ routes

/** The JSON endpoints under /api: a fixed set, each with its own validated parameters. */
export function createApi(store: ViewerStore, o: ApiOptions, logs = new ViewerLogs(store.dir)): Hono {
  const api = new Hono();
  const q = (c: Context) => new URL(c.req.url).searchParams;

  api.get('/info', async (c) => {
    parseQuery(q(c), {});
    const counts = await store.counts();
    return c.json({
      version: VERSION, dir: store.dir, source: store.from, notes: store.notes, jaeger_url: o.jaegerUrl ?? null,
      generation: store.generation, loading: store.loading, load_error: store.loadError ?? null,
      spans: counts.spans, runs: counts.runs, updated_at: store.updatedAt.toISOString(), poll_ms: o.pollMs,
    });
  });

  api.get('/facets', async (c) => {
    parseQuery(q(c), {});
    return c.json(await store.facets());
  });

  api.get('/runs', async (c) => {
    const f = parseQuery(q(c), { agent: p.name, status: p.oneOf(RUN_STATUSES), since: p.since, ...page });
    const where = new Where().addIf(f.agent, 'agent = ?').addIf(f.status, 'status = ?').addIf(f.since, 'start_time >= CAST(? AS TIMESTAMP)');
    const select = `run_id, agent, kind, status, ${isoSql('start_time', 'ms')} AS start_time, ${isoSql('end_time', 'ms')} AS end_time,
      duration_ms, items_discovered::DOUBLE AS items_discovered, items_succeeded::DOUBLE AS items_succeeded,
      items_failed::DOUBLE AS items_failed, llm_calls::DOUBLE AS llm_calls, tool_calls::DOUBLE AS tool_calls,
      tool_errors::DOUBLE AS tool_errors, input_tokens::DOUBLE AS input_tokens, output_tokens::DOUBLE AS output_tokens,
      cost_usd, error_type, status_message, trace_id, coalesce(span_id, start_span_id) AS span_id, service_name`;
    const order = 'start_time DESC NULLS LAST, run_id';
    // From telemetry.duckdb's runs table (plus runs the files add rows to), without waiting for the index.
    const fromDb = await store.fromDatabase((s) => paged(async (sql, values) => (await s.conn.runAndReadAll(sql, values)).getRowObjectsJson() as Row[],
      select, `(${s.runsSql(`${AGENT_RUN_COLUMNS}, start_span_id`)}) runs`, where, order, f.limit, f.offset));
    return c.json(fromDb ?? await paged(store, select, 'vruns', where, order, f.limit, f.offset));
  });

  api.get('/llm-calls', async (c) => {
    const f = parseQuery(q(c), { agent: p.name, model: p.name, status: p.oneOf(['ok', 'error'] as const), since: p.since, ...page });
    const where = new Where().add(LLM_CALL_SQL).addIf(f.agent, 'agent = ?').addIf(f.model, 'model = ?')
      .addIf(f.since, 'start_time >= CAST(? AS TIMESTAMP)');
    if (f.status) where.add(f.status === 'error' ? `status_code = 'ERROR'` : `status_code <> 'ERROR'`);
    return c.json(await paged(store, `${isoSql('start_time', 'ms')} AS start_time, trace_id, span_id, name, op AS operation, agent, run_id,
      provider, model, input_tokens::DOUBLE AS input_tokens, output_tokens::DOUBLE AS output_tokens, cost_usd, duration_ms,
      status_code, status_message, error_type`, 'vspans', where, 'start_time DESC, span_id', f.limit, f.offset));
  });

  api.get('/tool-calls', async (c) => {
    const f = parseQuery(q(c), { agent: p.name, tool: p.name, outcome: p.oneOf(['success', 'error'] as const), since: p.since, ...page });
    const outcome = `coalesce(outcome, CASE WHEN status_code = 'ERROR' THEN 'error' ELSE 'success' END)`;
    const where = new Where().add(TOOL_CALL_SQL).addIf(f.agent, 'agent = ?').addIf(f.tool, 'tool = ?')
      .addIf(f.outcome, `${outcome} = ?`).addIf(f.since, 'start_time >= CAST(? AS TIMESTAMP)');
    return c.json(await paged(store, `${isoSql('start_time', 'ms')} AS start_time, trace_id, span_id, name, agent, run_id, tool,
      ${outcome} AS outcome, error_type, risk_level, duration_ms, status_code, status_message`,
    'vspans', where, 'start_time DESC, span_id', f.limit, f.offset));
  });

  api.get('/traces/:id', async (c) => {
    parseQuery(q(c), {});
    const id = c.req.param('id');
    if (!TRACE_ID.test(id)) throw new ParamError(`a trace id is 32 lowercase hex characters; got ${JSON.stringify(id.slice(0, 80))}`);
    const found = await store.trace(id);
    if (!found) {
      // A run killed (or still going) before any of its spans ended has a trace id and no span: say so.
      const [run] = await store.query('SELECT run_id, status FROM vruns WHERE trace_id = ? AND NOT ended LIMIT 1', [id]);
      return c.json({ error: run ? `trace ${id} has no span yet: its run ${run.run_id} started and is ${run.status} (no span of it ended)`
        : `no trace ${id} in ${store.dir}` }, 404);
    }
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    const spans = found.spans.map((r): Row & { start_us: number; end_us: number } => ({
      ...r, start_us: Number(r.start_us), end_us: Number(r.end_us),
      attributes: parse(r.attributes) ?? {}, events: parse(r.events) ?? [], links: parse(r.links) ?? [], resource: parse(r.resource) ?? {},
    }));
    spans.sort((a, b) => a.start_us - b.start_us || b.end_us - a.end_us || String(a.span_id).localeCompare(String(b.span_id)));
    // A trace of a million spans would be hundreds of MB of JSON and more DOM than a browser can hold:
    // the first MAX_TRACE_SPANS by start time, and how many are left out.
    const shown = spans.length > MAX_TRACE_SPANS ? spans.slice(0, MAX_TRACE_SPANS) : spans;
    return c.json({
      trace_id: id, spans: shown, total_spans: spans.length, omitted_spans: spans.length - shown.length, max_spans: MAX_TRACE_SPANS,
      notes: found.notes, jaeger_url: o.jaegerUrl ? `${o.jaegerUrl}/trace/${id}` : null,
    });
  });

  // Log records (the `logs` view over logs/*.jsonl): the Logs page, filtered as `agent-otel logs`.
  api.get('/logs', async (c) => {
    const f = parseQuery(q(c), { level: p.oneOf(LEVELS), component: p.name, event: p.name, trace: traceIdPrefix, since: p.since, ...page });
    return c.json({ ...await logs.page(f, f.limit ?? 50, f.offset ?? 0), version: logs.version() });
  });

  /** What the log files are now: the Logs page polls this and reloads when it changes. */
  api.get('/logs/version', (c) => {
    parseQuery(q(c), {});
    return c.json({ version: logs.version() });
  });

  api.get('/traces/:id/logs', async (c) => {
    parseQuery(q(c), {});
    const id = c.req.param('id');
    if (!TRACE_ID.test(id)) throw new ParamError(`a trace id is 32 lowercase hex characters; got ${JSON.stringify(id.slice(0, 80))}`);
    return c.json({ trace_id: id, ...await logs.ofTrace(id) });
  });

  api.get('/charts', async (c) => {
    const f = parseQuery(q(c), { since: p.since });
    return c.json(await charts(store, f.since));
  });

  return api;
}
