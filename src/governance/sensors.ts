import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as A from '../../semconv/attributes.js';
import { NO_HOOK } from '../noHook.js';

/** Latency buckets grow by 20%: a percentile is known to within ±10%, from 50 µs to ~10 h. */
const BASE_MS = 0.05;
const BUCKETS = 112;
const LOG_FACTOR = Math.log(1.2);
const bucketOf = (ms: number) => (ms <= BASE_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / BASE_MS) / LOG_FACTOR)));
const bucketMs = (b: number) => BASE_MS * 1.2 ** b;

const WINDOW_SLOTS = 900; // 15 minutes of one-second slots
const COUNT = BUCKETS; // after the buckets: count, errors
const ERRORS = BUCKETS + 1;
const WIDTH = BUCKETS + 2;
const MAX_KEYS = 64;

/**
 * One key's cumulative counters (latency buckets, count, errors; tokens and cost apart as floats) and,
 * per second of the last 15 minutes, what they were at the end of that second. A window is then the
 * live counters minus one saved row: reading costs the same whatever the traffic.
 */
class KeySeries {
  readonly live = new Uint32Array(WIDTH);
  readonly liveF = new Float64Array(3); // tokens in, tokens out, cost
  readonly rows = new Uint32Array(WINDOW_SLOTS * WIDTH);
  readonly rowsF = new Float64Array(WINDOW_SLOTS * 3);
  readonly rowSec = new Int32Array(WINDOW_SLOTS).fill(-1);
  lastSec: number;
  constructor(readonly createdSec: number) { this.lastSec = createdSec; }

  /** Saves the end-of-second rows for every second from lastSec up to (not including) `sec`. */
  roll(sec: number): void {
    if (sec <= this.lastSec) return;
    for (let s = Math.max(this.lastSec, sec - WINDOW_SLOTS); s < sec; s++) {
      const i = s % WINDOW_SLOTS;
      this.rows.set(this.live, i * WIDTH);
      this.rowsF.set(this.liveF, i * 3);
      this.rowSec[i] = s;
    }
    this.lastSec = sec;
  }
}
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

const LLM_OPS = new Set<unknown>(A.LLM_OPERATIONS);

/**
 * In-process sensors for control loops: counts, rates, error ratios, latency percentiles, tokens and
 * cost over the last N seconds (up to 15 min), by kind, model, tool and agent, plus process CPU and
 * memory — read without touching disk. Fed by `SensorProcessor` as spans end.
 */
export class Sensors {
  private readonly series = new Map<string, KeySeries>();
  private lastCpu = process.cpuUsage();
  private lastCpuAt = performance.now();
  private readonly loopDelay: ELDHistogram;
  private mode: string | undefined;
  private modeSince: number | undefined;
  private transitions = 0;

  constructor() {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
  }

  /** Records one finished operation (at its end time, which is about now). */
  record(key: string, endMs: number, durationMs: number, error: boolean, tokensIn = 0, tokensOut = 0, costUsd = 0): void {
    const sec = Math.floor(endMs / 1000);
    let k = this.series.get(key);
    if (!k) {
      // ~0.4 MB of history per key: past MAX_KEYS, further models/tools share one overflow key.
      if (this.series.size >= MAX_KEYS && !key.endsWith('|(other)')) return this.record(`${key.slice(0, key.indexOf('|'))}|(other)`, endMs, durationMs, error, tokensIn, tokensOut, costUsd);
      this.series.set(key, (k = new KeySeries(sec)));
    }
    k.roll(sec);
    k.live[bucketOf(durationMs)]!++;
    k.live[COUNT]!++;
    if (error) k.live[ERRORS]!++;
    k.liveF[0] += tokensIn;
    k.liveF[1] += tokensOut;
    k.liveF[2] += costUsd;
  }

  setMode(mode: string): string | undefined {
    const previous = this.mode;
    this.mode = mode;
    this.modeSince = Date.now();
    this.transitions++;
    return previous;
  }

  snapshot(windowSeconds = 60): SensorSnapshot {
    const w = Math.max(1, Math.min(WINDOW_SLOTS - 1, Math.floor(windowSeconds)));
    const nowSec = Math.floor(Date.now() / 1000);
    const from = nowSec - w; // the window is the seconds after `from`, up to now
    const totals = new Map<string, { h: Uint32Array; f: Float64Array }>();
    const add = (name: string, h: Uint32Array, f: Float64Array) => {
      const t = totals.get(name);
      if (!t) { totals.set(name, { h: h.slice(), f: f.slice() }); return; }
      for (let i = 0; i < WIDTH; i++) t.h[i]! += h[i]!;
      for (let i = 0; i < 3; i++) t.f[i]! += f[i]!;
    };
    const h = new Uint32Array(WIDTH);
    const f = new Float64Array(3);
    for (const [key, k] of this.series) {
      k.roll(nowSec);
      const i = from % WINDOW_SLOTS;
      const base = k.rowSec[i] === from ? i : -1; // no saved row: the key began inside the window
      for (let j = 0; j < WIDTH; j++) h[j] = k.live[j]! - (base < 0 ? 0 : k.rows[base * WIDTH + j]!);
      for (let j = 0; j < 3; j++) f[j] = k.liveF[j]! - (base < 0 ? 0 : k.rowsF[base * 3 + j]!);
      if (h[COUNT] === 0) continue;
      add('*', h, f);
      add(key.slice(0, key.indexOf('|')), h, f);
      add(key, h, f);
    }
    const stat = (t: { h: Uint32Array } | undefined): Stat => {
      const count = t?.h[COUNT] ?? 0;
      if (!t || count === 0) return { count: 0, errors: 0, errorRatio: 0, rate: 0, p50Ms: null, p95Ms: null };
      const errors = t.h[ERRORS]!;
      return { count, errors, errorRatio: errors / count, rate: count / w, p50Ms: pct(t.h, count, 0.5), p95Ms: pct(t.h, count, 0.95) };
    };
    const byPrefix = (prefix: string) => {
      const out: Record<string, Stat> = {};
      for (const [k, t] of totals) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = stat(t);
      return out;
    };
    const all = totals.get('*');
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastCpuAt)) * 100;
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = now;
    const mem = process.memoryUsage();
    return {
      windowSeconds: w,
      spans: stat(all),
      byKind: { llm: stat(totals.get('llm')), tool: stat(totals.get('tool')), run: stat(totals.get('run')), other: stat(totals.get('other')) },
      byModel: byPrefix('llm|'), byTool: byPrefix('tool|'), byAgent: byPrefix('run|'),
      tokens: { input: all?.f[0] ?? 0, output: all?.f[1] ?? 0 },
      costUsd: all?.f[2] ?? 0,
      mode: { current: this.mode, since: this.modeSince ? new Date(this.modeSince).toISOString() : undefined, transitions: this.transitions },
      process: { cpuPercent, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, eventLoopDelayP99Ms: this.eventLoopDelayP99Ms() },
    };
  }

  eventLoopDelayP99Ms(): number | null {
    return this.loopDelay.count ? this.loopDelay.percentile(99) / 1e6 : null;
  }

  stop(): void {
    this.loopDelay.disable();
  }
}

function pct(hist: Uint32Array, count: number, q: number): number | null {
  const target = Math.ceil(count * q);
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += hist[b]!;
    if (seen >= target) return Math.round((bucketMs(b) / 1.1) * 1000) / 1000; // the bucket's middle
  }
  return null;
}

/** `prefix|value` keys, remembered per value: building and hashing a new string per span cost more than the rest. */
class Keys {
  private readonly cache = new Map<unknown, string>();
  constructor(private readonly prefix: string) {}
  of(v: unknown): string {
    let k = this.cache.get(v);
    if (k === undefined) {
      k = `${this.prefix}|${v ?? ''}`;
      if (this.cache.size >= 1024) this.cache.clear();
      if (typeof v !== 'object' || v === null) this.cache.set(v, k); // arrays: a new object each time
    }
    return k;
  }
}

/** Feeds the sensors from every span that ends (plain OTel spans included). */
export class SensorProcessor implements SpanProcessor {
  private readonly llm = new Keys('llm');
  private readonly tool = new Keys('tool');
  private readonly run = new Keys('run');
  constructor(private readonly sensors: Sensors) {}
  readonly onStart = NO_HOOK;
  onEnd(span: ReadableSpan): void {
    const a = span.attributes;
    const op = a[A.GEN_AI_OPERATION_NAME];
    // Wrappers around calls and agent spans inside a run are not calls or runs of their own.
    const wrapper = a[A.AGENT_CALL_WRAPPER] === true;
    const key = LLM_OPS.has(op) && !wrapper ? this.llm.of(a[A.GEN_AI_REQUEST_MODEL])
      : op === 'execute_tool' && !wrapper ? this.tool.of(a[A.GEN_AI_TOOL_NAME])
        : op === 'invoke_agent' && a[A.AGENT_RUN_STATUS] !== undefined ? this.run.of(a[A.GEN_AI_AGENT_NAME]) : 'other|';
    const end = span.endTime;
    const d = span.duration;
    this.sensors.record(key, end[0] * 1000 + end[1] / 1e6, d[0] * 1000 + d[1] / 1e6, span.status.code === 2,
      Number(a[A.GEN_AI_USAGE_INPUT_TOKENS] ?? 0) || 0, Number(a[A.GEN_AI_USAGE_OUTPUT_TOKENS] ?? 0) || 0,
      Number(a[A.AGENT_COST_USD] ?? 0) || 0);
  }
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { this.sensors.stop(); return Promise.resolve(); }
}
