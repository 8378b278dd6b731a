import { get, type LogRecord, type Span, type Trace, type TraceLogs } from './api.js';
import type { Ctx, PageHandle } from './app.js';
import { h, replace, type Child } from './dom.js';
import { fmtInt, fmtMs, fmtTime, fmtUsd, valueText } from './format.js';
import { levelBadge, logMessage } from './logs.js';
import { traceRoute } from './runs.js';

const LLM_OPS = ['chat', 'text_completion', 'embeddings', 'generate_content'];

interface Line { span: Span; depth: number; orphan: boolean }

/** Siblings by start time; on a tie the longer (enclosing) span first, then name and id (as the CLI's `trace`). */
const compare = (a: Span, b: Span): number =>
  a.start_us - b.start_us || b.end_us - a.end_us || a.name.localeCompare(b.name) || a.span_id.localeCompare(b.span_id);

/** Depth-first order: each span followed by its children by start time; spans whose parent is missing are roots. */
export function treeOrder(spans: Span[]): Line[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parent_span_id && s.parent_span_id !== s.span_id && ids.has(s.parent_span_id)) {
      const list = children.get(s.parent_span_id) ?? [];
      list.push(s);
      children.set(s.parent_span_id, list);
    } else {
      roots.push(s);
    }
  }
  const out: Line[] = [];
  const seen = new Set<string>();
  // Depth-first with a stack, not recursion: a chain of 100k nested spans would overflow the call stack.
  const walk = (top: Span) => {
    const stack: Array<[Span, number]> = [[top, 0]];
    while (stack.length) {
      const [s, depth] = stack.pop()!;
      if (seen.has(s.span_id)) continue;
      seen.add(s.span_id);
      out.push({ span: s, depth, orphan: depth === 0 && !!s.parent_span_id });
      const kids = (children.get(s.span_id) ?? []).sort(compare);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
    }
  };
  for (const r of roots.sort(compare)) walk(r);
  for (const s of [...spans].sort(compare)) walk(s); // only reachable through a cycle in bad data
  return out;
}

const op = (s: Span): string => String(s.attributes['gen_ai.operation.name'] ?? '');
const kindClass = (s: Span): string => (LLM_OPS.includes(op(s)) ? 'llm' : op(s) === 'execute_tool' ? 'tool' : op(s) === 'invoke_agent' ? 'run' : '');
const isError = (s: Span): boolean => s.status_code === 'ERROR';
const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : valueText(v));

/** A short tag after the name: model, tool or agent when the name does not say it already. */
function tag(s: Span): string {
  const a = s.attributes;
  const model = str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']);
  if (LLM_OPS.includes(op(s))) {
    const tin = str(a['gen_ai.usage.input_tokens']);
    const tout = str(a['gen_ai.usage.output_tokens']);
    return [model && !s.name.includes(model) ? model : '', tin || tout ? `${tin ?? '?'}→${tout ?? '?'} tok` : ''].filter(Boolean).join(' · ');
  }
  if (op(s) === 'invoke_agent') return str(a['agent.run.status']) ?? '';
  return '';
}

const kv = (rows: Array<[string, Child] | null | false>): HTMLElement =>
  h('table', { class: 'kv' }, h('tbody', null, rows.filter((r): r is [string, Child] => !!r).map(([k, v]) =>
    h('tr', null, h('td', null, k), h('td', { class: 'v' }, v)))));

const attrTable = (attrs: Record<string, unknown> | undefined): HTMLElement =>
  kv(Object.keys(attrs ?? {}).sort().map((k): [string, Child] => [k, valueText(attrs![k])]));

/** Cost of a span: an LLM call's `agent.cost.usd`; a run's `agent.run.cost.usd`, else the sum over its LLM calls here. */
function costRow(s: Span, spans: Span[]): [string, Child] | null {
  const own = s.attributes['agent.cost.usd'] ?? s.attributes['agent.run.cost.usd'];
  if (own !== undefined && own !== null) return ['cost', fmtUsd(own)];
  if (LLM_OPS.includes(op(s))) return ['cost', h('span', { class: 'muted' }, 'unknown (no price known for this model)')];
  if (op(s) === 'invoke_agent') {
    const runId = s.attributes['agent.run.id'];
    const calls = spans.filter((x) => LLM_OPS.includes(op(x)) && x.attributes['agent.run.id'] === runId);
    const priced = calls.filter((x) => x.attributes['agent.cost.usd'] !== undefined && x.attributes['agent.cost.usd'] !== null);
    if (calls.length === 0) return null;
    return ['cost', priced.length
      ? `${fmtUsd(priced.reduce((t, x) => t + Number(x.attributes['agent.cost.usd']), 0))} (${priced.length} of ${calls.length} LLM calls priced)`
      : h('span', { class: 'muted' }, `unknown (no price known for its ${calls.length} LLM call${calls.length === 1 ? '' : 's'})`)];
  }
  return null;
}

/** A span's log records: level, offset from the span's start, component, event, message; an Error's stack folded. */
function logsSection(s: Span, logs: LogRecord[]): Child {
  if (!logs.length) return null;
  const offset = (time: string) => {
    const ms = Date.parse(time) - s.start_us / 1000;
    return Number.isFinite(ms) ? `${ms < 0 ? '−' : '+'}${fmtMs(Math.abs(ms))}` : time;
  };
  return [h('h3', null, `Logs (${logs.length})`), h('div', { data: { section: 'logs' } }, logs.map((l) =>
    h('div', { class: `log level-${l.level ?? 'none'}`, data: { level: l.level ?? '' } },
      h('div', { class: 'log-head' }, levelBadge(l.level), h('span', { class: 'muted', title: l.time }, offset(l.time)),
        h('span', { class: 'muted' }, l.component ?? ''), l.event_name ? h('b', null, l.event_name) : null),
      h('div', { class: 'log-msg' }, logMessage(l)),
      l.attributes?.['exception.stacktrace'] ? h('pre', null, valueText(l.attributes['exception.stacktrace'])) : null)))];
}

function details(s: Span, spans: Span[], t0: number, logs: LogRecord[]): HTMLElement {
  const a = s.attributes;
  const exceptions = (s.events ?? []).filter((e) => e.name === 'exception');
  const others = (s.events ?? []).filter((e) => e.name !== 'exception');
  const tin = str(a['gen_ai.usage.input_tokens']);
  const tout = str(a['gen_ai.usage.output_tokens']);
  const eventOffset = (time: string) => {
    const ms = Date.parse(time) - s.start_us / 1000;
    return Number.isFinite(ms) ? `+${fmtMs(ms)}` : time;
  };
  return h('div', { class: 'panel details', data: { spanId: s.span_id }, role: 'region', 'aria-label': 'span details' },
    h('h2', { data: { field: 'name' } }, s.name),
    kv([
      ['status', [h('span', { class: `badge ${isError(s) ? 'error' : s.status_code === 'OK' ? 'ok' : ''}` }, s.status_code),
        s.status_message ? h('span', { class: isError(s) ? 'error-text' : '' }, ' ', s.status_message) : null]],
      ['span id', s.span_id],
      ['parent', s.parent_span_id ?? '(root)'],
      ['kind', s.kind],
      ['service', s.service_name ?? ''],
      !!s.scope?.name && ['scope', `${s.scope.name}${s.scope.version ? ` ${s.scope.version}` : ''}`],
      ['start (UTC)', `${fmtTime(s.start_time)}${s.start_time.slice(19, 23)}`],
      ['offset', `+${fmtMs((s.start_us - t0) / 1000)}`],
      ['duration', fmtMs(s.duration_ms)],
      (tin !== undefined || tout !== undefined) && ['tokens', `${tin ? fmtInt(tin) : '?'} in → ${tout ? fmtInt(tout) : '?'} out`],
      costRow(s, spans),
    ]),
    exceptions.map((e) => h('div', { class: 'exception', data: { section: 'exception' } },
      h('b', null, str(e.attributes?.['exception.type']) ?? 'exception'), ': ',
      str(e.attributes?.['exception.message']) ?? '',
      e.attributes?.['exception.stacktrace'] ? h('pre', null, valueText(e.attributes['exception.stacktrace'])) : null)),
    logsSection(s, logs),
    h('h3', null, `Attributes (${Object.keys(a).length})`),
    h('div', { data: { section: 'attributes' } }, attrTable(a)),
    others.length ? [h('h3', null, `Events (${others.length})`), h('div', { data: { section: 'events' } }, others.map((e) =>
      h('div', { class: 'event' }, h('b', null, e.name), ' ', h('span', { class: 'muted' }, eventOffset(e.time)),
        Object.keys(e.attributes ?? {}).length ? attrTable(e.attributes) : null)))] : null,
    s.links?.length ? [h('h3', null, `Links (${s.links.length})`), s.links.map((l) =>
      h('div', { class: 'event' }, l.trace_id && /^[0-9a-f]{32}$/.test(l.trace_id) ? h('a', { href: traceRoute(l.trace_id, l.span_id) }, `${l.trace_id} / ${l.span_id ?? ''}`) : valueText(l),
        Object.keys(l.attributes ?? {}).length ? attrTable(l.attributes) : null))] : null,
    h('details', null, h('summary', null, 'Resource'), attrTable(s.resource)));
}

/** One trace: a waterfall of its spans (nesting, timing bars, errors) and the selected span's details. */
export async function renderTrace(root: HTMLElement, params: URLSearchParams, ctx: Ctx, traceId: string): Promise<PageHandle> {
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw new Error('That is not a trace id (32 hex characters).');
  let selected = params.get('span') ?? undefined;
  let trace: Trace;
  let traceLogs: TraceLogs;
  const logsBySpan = new Map<string, LogRecord[]>();
  const loadTrace = async () => {
    [trace, traceLogs] = await Promise.all([get<Trace>(`traces/${traceId}`), get<TraceLogs>(`traces/${traceId}/logs`)]);
    logsBySpan.clear();
    for (const l of traceLogs.logs) {
      if (!l.span_id) continue;
      const list = logsBySpan.get(l.span_id) ?? [];
      list.push(l);
      logsBySpan.set(l.span_id, list);
    }
  };

  const draw = () => {
    const spans = trace.spans;
    const lines = treeOrder(spans);
    // Loops, not Math.min(...xs): a spread of 100k+ arguments overflows the stack.
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const s of spans) { if (s.start_us < t0) t0 = s.start_us; if (s.end_us > t1) t1 = s.end_us; }
    const total = Math.max(1, t1 - t0);
    const errors = spans.filter(isError).length;
    const services = [...new Set(spans.map((s) => s.service_name).filter((x): x is string => !!x))];
    if (!selected || !spans.some((s) => s.span_id === selected)) selected = lines[0]?.span.span_id;
    const detailBox = h('div', { class: 'details-box' });
    const rows = new Map<string, HTMLElement>();
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const position = new Map(lines.map((l, i) => [l.span.span_id, i]));
    const choose = (id: string, scroll = false) => {
      rows.get(selected ?? '')?.classList.remove('selected');
      selected = id;
      const row = rows.get(id);
      row?.classList.add('selected');
      if (scroll && row) setTimeout(() => row.scrollIntoView({ block: 'center' }), 0); // once the page is shown
      const s = byId.get(id);
      if (s) replace(detailBox, details(s, spans, t0, logsBySpan.get(id) ?? []));
      history.replaceState(null, '', traceRoute(traceId, id));
    };
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f, i, all) => {
      const el = h('span', { class: i === 0 ? 'first' : i === all.length - 1 ? 'last' : '' }, i === 0 ? '0' : fmtMs((total * f) / 1000));
      el.style.left = `${f * 100}%`;
      return el;
    });
    const waterfall = h('div', { class: 'waterfall', role: 'tree' },
      h('div', { class: 'wf-head' }, h('div', { class: 'wf-label' }, 'span'), h('div', { class: 'wf-scale' }, ticks)),
      lines.map(({ span: s, depth, orphan }) => {
        const left = ((s.start_us - t0) / total) * 100;
        const width = Math.max(0, ((s.end_us - s.start_us) / total) * 100);
        const bar = h('div', { class: `wf-bar ${kindClass(s)}` });
        bar.style.left = `${left}%`;
        bar.style.width = `${width}%`;
        const dur = h('span', { class: 'wf-dur' }, fmtMs(s.duration_ms));
        if (left + width > 82) dur.style.right = `${100 - left + 0.5}%`;
        else dur.style.left = `${left + width + 0.5}%`;
        const label = h('div', { class: 'wf-label', title: s.name },
          depth > 0 ? h('span', { class: 'wf-guide' }, '└') : null,
          h('span', { class: 'wf-name' }, s.name),
          tag(s) ? h('span', { class: 'wf-tag' }, tag(s)) : null,
          isError(s) ? h('span', { class: 'wf-err' }, 'ERROR') : null,
          orphan ? h('span', { class: 'wf-tag', title: `parent ${s.parent_span_id} is not in the trace` }, '(parent missing)') : null);
        label.style.paddingLeft = `${10 + Math.min(depth, 40) * 16}px`; // deeper nesting: data-depth says it
        const row = h('div', {
          class: `wf-row${isError(s) ? ' error' : ''}`, role: 'treeitem', tabindex: 0,
          data: { spanId: s.span_id, depth, parentId: s.parent_span_id ?? '' },
          on: {
            click: () => choose(s.span_id),
            keydown: (e) => {
              const i = position.get(s.span_id) ?? -1;
              const to = e.key === 'ArrowDown' ? lines[i + 1] : e.key === 'ArrowUp' ? lines[i - 1] : undefined;
              if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(s.span_id); }
              if (to) { e.preventDefault(); choose(to.span.span_id); rows.get(to.span.span_id)?.focus(); }
            },
          },
        }, label, h('div', { class: 'wf-track' }, bar, dur));
        rows.set(s.span_id, row);
        return row;
      }));
    const first = spans.find((s) => s.start_us === t0)!;
    replace(root,
      h('a', { class: 'back', href: '#/runs' }, '‹ Runs'),
      h('h1', null, 'Trace ', h('code', { data: { field: 'trace-id' } }, traceId)),
      h('div', { class: 'summary' },
        h('span', { class: 'item' }, h('b', null, fmtInt(trace.total_spans ?? spans.length)), ' spans'),
        h('span', { class: 'item' }, h('b', null, fmtMs(total / 1000)), ' total'),
        h('span', { class: 'item' }, 'started ', h('b', null, fmtTime(first.start_time)), ' UTC'),
        services.length ? h('span', { class: 'item' }, 'service ', h('b', null, services.join(', '))) : null,
        errors ? h('span', { class: 'item error-text' }, h('b', null, fmtInt(errors)), errors === 1 ? ' error' : ' errors') : null,
        traceLogs.total ? h('a', { class: 'item', href: `#/logs?trace=${traceId}`, data: { link: 'trace-logs' } },
          h('b', null, fmtInt(traceLogs.total)), traceLogs.total === 1 ? ' log record' : ' log records') : null,
        trace.jaeger_url ? h('a', { class: 'btn', href: trace.jaeger_url, target: '_blank', data: { link: 'jaeger' } }, 'Open in Jaeger ↗') : null),
      trace.notes.length ? h('div', { class: 'notes' }, trace.notes.map((n) => h('p', null, n))) : null,
      trace.omitted_spans > 0 ? h('div', { class: 'notes', data: { field: 'omitted' } }, h('p', null,
        `${fmtInt(trace.omitted_spans)} of ${fmtInt(trace.total_spans)} spans are not shown: the viewer shows the first ${fmtInt(trace.max_spans)} by start time. `,
        'All of them: ', h('code', null, `agent-otel trace ${traceId} --json`), '.')) : null,
      h('div', { class: 'trace-layout' }, waterfall, detailBox));
    if (selected) choose(selected, !!params.get('span'));
  };

  await loadTrace();
  draw();
  return {
    refresh: async () => {
      const scroll = window.scrollY;
      await loadTrace();
      params.delete('span'); // keep the place: no scrolling to the selection on a refresh
      draw();
      window.scrollTo(0, scroll);
    },
  };
}
