import pc from 'picocolors';
import { fmtMs, safeText } from './format.js';

/** A span of one trace, as the `trace` command reads it. Times in microseconds since the epoch. */
export interface TraceSpan {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  start_us: number;
  end_us: number;
  duration_ms: number;
  status_code: string;
  status_message: string | null;
  attributes: Record<string, unknown>;
}

export interface TreeLine {
  span: TraceSpan;
  depth: number;
  /** Box-drawing lead-in, e.g. `│  ├─ `. */
  prefix: string;
  /** The parent is not in the trace (not exported yet, or lost): shown as a root. */
  orphan: boolean;
}

/** Siblings by start time; on a tie the longer (enclosing) span first, then by name and id for a stable order. */
export function compareSpans(a: TraceSpan, b: TraceSpan): number {
  return a.start_us - b.start_us || b.end_us - a.end_us || a.name.localeCompare(b.name) || a.span_id.localeCompare(b.span_id);
}

/** Depth-first order of the trace: each parent followed by its children by start time. */
export function treeOrder(spans: TraceSpan[]): TreeLine[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const s of spans) {
    if (s.parent_span_id && ids.has(s.parent_span_id) && s.parent_span_id !== s.span_id) {
      const list = children.get(s.parent_span_id) ?? [];
      list.push(s);
      children.set(s.parent_span_id, list);
    } else {
      roots.push(s);
    }
  }
  const out: TreeLine[] = [];
  const seen = new Set<string>();
  // Depth-first with a stack, not recursion: a chain of 100k nested spans would overflow the call stack.
  const walk = (top: TraceSpan) => {
    const stack: Array<[TraceSpan, number, string, string]> = [[top, 0, '', '']];
    while (stack.length) {
      const [s, depth, lead, branch] = stack.pop()!;
      if (seen.has(s.span_id)) continue; // a duplicated row or a parent cycle in bad data
      seen.add(s.span_id);
      out.push({ span: s, depth, prefix: lead + branch, orphan: depth === 0 && !!s.parent_span_id });
      const kids = (children.get(s.span_id) ?? []).sort(compareSpans);
      // Past 20 levels the lead-in stops growing (the label is clipped at 60 columns anyway).
      const next = lead.length >= 60 ? lead : lead + (branch === '' ? '' : branch === '├─ ' ? '│  ' : '   ');
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1, next, i === kids.length - 1 ? '└─ ' : '├─ ']);
    }
  };
  for (const r of roots.sort(compareSpans)) walk(r);
  // Spans only reachable through a cycle (never roots): still show them.
  for (const s of [...spans].sort(compareSpans)) walk(s);
  return out;
}

/** Largest/smallest of many numbers (a spread of 100k+ arguments would overflow the stack). */
export const maxOf = (xs: number[]): number => xs.reduce((m, x) => (x > m ? x : m), -Infinity);
export const minOf = (xs: number[]): number => xs.reduce((m, x) => (x < m ? x : m), Infinity);

/** An attribute value to print (escaped for the terminal), or undefined when empty. */
const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : safeText(v));

/** The attributes worth a glance: model, tokens, tool, error type, and the run id where a run begins. */
export function keyAttributes(s: TraceSpan, parentRunId: string | undefined): string[] {
  const a = s.attributes;
  const out: string[] = [];
  const model = str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']);
  const name = safeText(s.name);
  if (model && !name.includes(model)) out.push(`model=${model}`);
  const tin = str(a['gen_ai.usage.input_tokens']);
  const tout = str(a['gen_ai.usage.output_tokens']);
  if (tin || tout) out.push(`tokens=${tin ?? '?'}→${tout ?? '?'}`);
  const tool = str(a['gen_ai.tool.name']);
  if (tool && !name.includes(tool)) out.push(`tool=${tool}`);
  const err = str(a['error.type']);
  if (err) out.push(`error.type=${err}`);
  const run = str(a['agent.run.id']);
  if (run && run !== parentRunId) out.push(`run=${run.slice(0, 8)}`);
  return out;
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const isError = (s: TraceSpan): boolean => s.status_code === 'ERROR';

/**
 * The lead-in of lines shown under a span (its logs): the tree's branches carried down, so they sit
 * between the span and its first child.
 */
export function noteLead(lines: TreeLine[], i: number): string {
  const p = lines[i]!.prefix;
  const lead = p.endsWith('├─ ') ? `${p.slice(0, -3)}│  ` : p.endsWith('└─ ') ? `${p.slice(0, -3)}   ` : p;
  const hasChild = (lines[i + 1]?.depth ?? -1) > lines[i]!.depth;
  return lead + (hasChild ? '│  ' : '   ');
}

/**
 * The tree: one line per span with duration, status and key attributes; `notes` (already escaped
 * text, by span id) are printed under their span, e.g. the span's logs.
 */
export function renderTree(lines: TreeLine[], notes?: ReadonlyMap<string, string[]>): string {
  const byId = new Map(lines.map((l) => [l.span.span_id, l.span]));
  const labels = lines.map((l) => clip(l.prefix + safeText(l.span.name), 60));
  const width = maxOf(labels.map((l) => l.length));
  return lines.map((l, i) => {
    const s = l.span;
    const parentRun = str(byId.get(s.parent_span_id ?? '')?.attributes['agent.run.id']);
    const parts = [labels[i]!.padEnd(width), fmtMs(s.duration_ms).padStart(9)];
    if (isError(s)) parts.push(pc.red(pc.bold('ERROR')) + (s.status_message ? pc.red(` ${clip(safeText(s.status_message), 60)}`) : ''));
    else if (s.status_code === 'OK') parts.push(pc.green('OK'));
    parts.push(...keyAttributes(s, parentRun));
    if (l.orphan) parts.push(pc.dim(`(parent ${safeText(s.parent_span_id)} not in the trace)`));
    const line = parts.join('  ').trimEnd();
    const under = notes?.get(s.span_id);
    if (!under?.length) return line;
    const lead = pc.dim(noteLead(lines, i));
    return [line, ...under.map((n) => lead + n)].join('\n');
  }).join('\n');
}

/** One bar of `width` columns: the span's place between the trace's start and end. */
export function bar(startUs: number, endUs: number, t0: number, total: number, width = 60): string {
  if (total <= 0) return '█'.padEnd(width);
  const from = Math.min(width - 1, Math.floor(((startUs - t0) / total) * width));
  const to = Math.max(from + 1, Math.ceil(((endUs - t0) / total) * width)); // at least one column
  return ' '.repeat(from) + '█'.repeat(Math.min(to, width) - from) + ' '.repeat(width - Math.min(to, width));
}

/** The waterfall: an indented name and a bar per span, scaled to the whole trace. */
export function renderWaterfall(lines: TreeLine[], width = 60): string {
  const t0 = minOf(lines.map((l) => l.span.start_us));
  const t1 = maxOf(lines.map((l) => l.span.end_us));
  const labels = lines.map((l) => clip('  '.repeat(l.depth) + safeText(l.span.name), 40));
  const lw = maxOf(labels.map((l) => l.length));
  const scale = `${' '.repeat(lw)}  0${fmtMs((t1 - t0) / 1000).padStart(width - 1)}`;
  const rows = lines.map((l, i) => {
    const b = bar(l.span.start_us, l.span.end_us, t0, t1 - t0, width);
    return `${labels[i]!.padEnd(lw)} │${isError(l.span) ? pc.red(b) : pc.cyan(b)}│`;
  });
  return [scale, ...rows].join('\n');
}
