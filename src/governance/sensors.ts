import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as A from '../../semconv/attributes.js';

/** Latency buckets grow by 20%: a percentile is known to within ±10%, from 50 µs to ~10 h. */
const BASE_MS = 0.05;
const LOG_FACTOR = Math.log(1.2);
const bucketOf = (ms: number) => (ms <= BASE_MS ? 0 : Math.min(111, Math.ceil(Math.log(ms / BASE_MS) / LOG_FACTOR)));
const bucketMs = (b: number) => BASE_MS * 1.2 ** b;

/** What is kept per second and key (`llm|gpt-4o`, `tool|web_search`, `run|planner`, `other|`). */
interface Agg { count: number; errors: number; tokensIn: number; tokensOut: number; costUsd: number; hist: Map<number, number> }
interface Slot { sec: number; byKey: Map<string, Agg> }

export interface Stat {
  count: number;
  errors: number;
  errorRatio: number;
  /** Per second over the window. */
  rate: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface SensorSnapshot {
  windowSeconds: number;
  spans: Stat;
  byKind: Record<'llm' | 'tool' | 'run' | 'other', Stat>;
  byModel: Record<string, Stat>;
  byTool: Record<string, Stat>;
  byAgent: Record<string, Stat>;
  tokens: { input: number; output: number };
  costUsd: number;
  mode: { current: string | undefined; since: string | undefined; transitions: number };
  process: { cpuPercent: number; rssBytes: number; heapUsedBytes: number; eventLoopDelayP99Ms: number | null };
}

const LLM_OPS = new Set<unknown>(['chat', 'text_completion', 'embeddings', 'generate_content']);
const WINDOW_SLOTS = 900; // 15 minutes of one-second slots

/**
 * In-process sensors for control loops: counts, rates, error ratios, latency percentiles, tokens and
 * cost over the last N seconds (up to 15 min), by kind, model, tool and agent, plus process CPU and
 * memory — read without touching disk. Fed by `SensorProcessor` as spans end.
 */
export class Sensors {
  private readonly slots: Array<Slot | undefined> = new Array(WINDOW_SLOTS);
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  private readonly loopDelay: IntervalHistogram;
  private mode: string | undefined;
  private modeSince: number | undefined;
  private transitions = 0;

  constructor() {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
  }

  /** Records one finished operation. */
  record(key: string, endMs: number, durationMs: number, error: boolean, tokensIn = 0, tokensOut = 0, costUsd = 0): void {
    const sec = Math.floor(endMs / 1000);
    const i = sec % WINDOW_SLOTS;
    let slot = this.slots[i];
    if (!slot || slot.sec !== sec) this.slots[i] = slot = { sec, byKey: new Map() };
    let agg = slot.byKey.get(key);
    if (!agg) slot.byKey.set(key, (agg = { count: 0, errors: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, hist: new Map() }));
    agg.count++;
    if (error) agg.errors++;
    agg.tokensIn += tokensIn;
    agg.tokensOut += tokensOut;
    agg.costUsd += costUsd;
    const b = bucketOf(durationMs);
    agg.hist.set(b, (agg.hist.get(b) ?? 0) + 1);
  }

  setMode(mode: string): string | undefined {
    const previous = this.mode;
    this.mode = mode;
    this.modeSince = Date.now();
    this.transitions++;
    return previous;
  }

  snapshot(windowSeconds = 60): SensorSnapshot {
    const w = Math.max(1, Math.min(WINDOW_SLOTS, Math.floor(windowSeconds)));
    const nowSec = Math.floor(Date.now() / 1000);
    const groups = new Map<string, Agg>();
    const merge = (name: string, a: Agg) => {
      let g = groups.get(name);
      if (!g) groups.set(name, (g = { count: 0, errors: 0, tokensIn: 0, tokensOut: 0, costUsd: 0, hist: new Map() }));
      g.count += a.count; g.errors += a.errors; g.tokensIn += a.tokensIn; g.tokensOut += a.tokensOut; g.costUsd += a.costUsd;
      for (const [b, n] of a.hist) g.hist.set(b, (g.hist.get(b) ?? 0) + n);
    };
    for (let s = nowSec - w + 1; s <= nowSec; s++) {
      const slot = this.slots[s % WINDOW_SLOTS];
      if (!slot || slot.sec !== s) continue;
      for (const [key, a] of slot.byKey) {
        const kind = key.slice(0, key.indexOf('|'));
        merge('*', a);
        merge(kind, a);
        merge(key, a);
      }
    }
    const stat = (g: Agg | undefined): Stat => {
      if (!g) return { count: 0, errors: 0, errorRatio: 0, rate: 0, p50Ms: null, p95Ms: null };
      return { count: g.count, errors: g.errors, errorRatio: g.errors / g.count, rate: g.count / w, p50Ms: pct(g.hist, g.count, 0.5), p95Ms: pct(g.hist, g.count, 0.95) };
    };
    const byPrefix = (prefix: string) => {
      const out: Record<string, Stat> = {};
      for (const [k, g] of groups) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = stat(g);
      return out;
    };
    const all = groups.get('*');
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastCpuAt)) * 100;
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = now;
    const mem = process.memoryUsage();
    const p99 = this.eventLoopDelayP99Ms();
    return {
      windowSeconds: w,
      spans: stat(all),
      byKind: { llm: stat(groups.get('llm')), tool: stat(groups.get('tool')), run: stat(groups.get('run')), other: stat(groups.get('other')) },
      byModel: byPrefix('llm|'), byTool: byPrefix('tool|'), byAgent: byPrefix('run|'),
      tokens: { input: all?.tokensIn ?? 0, output: all?.tokensOut ?? 0 },
      costUsd: all?.costUsd ?? 0,
      mode: { current: this.mode, since: this.modeSince ? new Date(this.modeSince).toISOString() : undefined, transitions: this.transitions },
      process: { cpuPercent, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, eventLoopDelayP99Ms: p99 },
    };
  }

  eventLoopDelayP99Ms(): number | null {
    return this.loopDelay.count ? this.loopDelay.percentile(99) / 1e6 : null;
  }

  stop(): void {
    this.loopDelay.disable();
  }
}

function pct(hist: Map<number, number>, count: number, q: number): number {
  const target = Math.ceil(count * q);
  let seen = 0;
  for (const b of [...hist.keys()].sort((x, y) => x - y)) {
    seen += hist.get(b)!;
    if (seen >= target) return Math.round(bucketMs(b) / 1.1 * 1000) / 1000; // the bucket's middle
  }
  return null as unknown as number;
}

/** Feeds the sensors from every span that ends (plain OTel spans included). */
export class SensorProcessor implements SpanProcessor {
  constructor(private readonly sensors: Sensors) {}
  onStart(_span: Span, _ctx: Context): void {}
  onEnd(span: ReadableSpan): void {
    const a = span.attributes;
    const op = a[A.GEN_AI_OPERATION_NAME];
    const key = LLM_OPS.has(op) ? `llm|${a[A.GEN_AI_REQUEST_MODEL] ?? ''}`
      : op === 'execute_tool' ? `tool|${a[A.GEN_AI_TOOL_NAME] ?? ''}`
        : op === 'invoke_agent' ? `run|${a[A.GEN_AI_AGENT_NAME] ?? ''}` : 'other|';
    const end = span.endTime;
    const d = span.duration;
    this.sensors.record(key, end[0] * 1000 + end[1] / 1e6, d[0] * 1000 + d[1] / 1e6, span.status.code === 2,
      Number(a[A.GEN_AI_USAGE_INPUT_TOKENS] ?? 0) || 0, Number(a[A.GEN_AI_USAGE_OUTPUT_TOKENS] ?? 0) || 0,
      Number(a[A.AGENT_COST_USD] ?? 0) || 0);
  }
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { this.sensors.stop(); return Promise.resolve(); }
}
