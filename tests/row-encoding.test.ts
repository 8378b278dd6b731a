// The JSONL span row's hand-built encoding (exporters/jsonl/serializeSpan.ts) and the queue's backlog
// (RowBuffer): the attribute map's text is JSON.stringify's byte for byte whatever sequence of maps
// comes (values remembered per key, changing, escaped, long), and a span that cannot be encoded is
// counted as dropped while the rows around it are written.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { attributesJson } from '../dist/exporters/jsonl/serializeSpan.js';
import { durationMsText, isoMicros } from '../dist/exporters/jsonl/isoTime.js';
import { JsonlSpanExporter } from '../dist/exporters/jsonl/JsonlSpanExporter.js';
import { DropCounter } from '../dist/exporters/dropCounter.js';
import { tmpDir } from './support/harness.js';

describe('attributesJson', () => {
  it('equals JSON.stringify over a long sequence of maps whose values repeat, change and need escaping', () => {
    const values = ['gpt-4o-mini', 'gpt-4o', 'say "hi"', 'tab\there', 'é ü', 'x'.repeat(127), 'y'.repeat(128), 'z'.repeat(129),
      '\ud83d\ude00', 'lone \ud800', '', 42, 0, -0, -1.5, 0.00036, 1e-7, 1e21, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY,
      true, false, undefined, ['a', 'b'], [1, null]];
    const keys = ['gen_ai.request.model', 'agent.run.id', 'k"q', 'gen_ai.usage.input_tokens', 'é'];
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let i = 0; i < 5000; i++) {
      const attrs: Record<string, unknown> = {};
      const n = rand(keys.length + 1);
      for (let j = 0; j < n; j++) attrs[keys[rand(keys.length)]!] = values[rand(values.length)];
      // a value seen before under this key, as a different string object of the same text
      if (i % 7 === 0 && n > 0) attrs[keys[0]!] = ['gpt-4o', '-mini'].join('');
      expect(attributesJson(attrs as never)).toBe(JSON.stringify(attrs));
    }
  });
});

describe('isoMicros', () => {
  it('writes the second and the microseconds of any time, truncated', () => {
    let seed = 5;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const times: Array<[number, number]> = [[0, 0], [0, 999], [0, 1_000], [1_764_633_600, 999_999_999], [253_402_300_799, 1_000_001]];
    for (let i = 0; i < 20_000; i++) times.push([1_764_633_600 + rand(100_000), rand(1e9)]);
    for (const [sec, ns] of times) {
      expect(isoMicros([sec, ns])).toBe(new Date(sec * 1000).toISOString().slice(0, 20) + String(Math.floor(ns / 1000)).padStart(6, '0') + 'Z');
    }
  });
});

/** end − start in ms to the microsecond, as the row's times are written (truncated to µs), formatted by JavaScript. */
const durationText = ([s, sn]: [number, number], [e, en]: [number, number]) => String(((e - s) * 1e6 + (Math.floor(en / 1e3) - Math.floor(sn / 1e3))) / 1e3);

describe('durationMsText', () => {
  it('is JavaScript\'s text of end − start in ms for short, long, odd and out-of-range times', () => {
    const cases: Array<[[number, number], [number, number]]> = [
      [[0, 0], [0, 0]], [[5, 999_999_999], [6, 0]], [[1, 1_000], [1, 1_999]], [[1, 0], [1, 50_000]], [[1, 0], [1, 500_000]],
      [[100, 123_456_789], [3_000_000, 987_654_321]], [[0, 0], [999_999_999, 999_999_000]], [[0, 0], [1e9, 0]], [[0, 0], [2e10, 5_000]],
      [[10, 0], [9, 0]], [[0, 0.5], [0, 1_000.5]], [[0, 0], [Number.NaN, 0]],
    ];
    let seed = 11;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let i = 0; i < 20_000; i++) {
      const s: [number, number] = [1_764_633_600 + rand(1000), rand(1e9)];
      cases.push([s, [s[0] + (i % 3 === 0 ? 0 : rand(100_000)), rand(1e9)]]);
    }
    for (const [start, end] of cases) expect(durationMsText(start, end)).toBe(durationText(start, end));
  });
});

describe('the JSONL backlog', () => {
  const exporters: JsonlSpanExporter[] = [];
  afterEach(async () => { for (const e of exporters.splice(0)) await e.shutdown(); });

  it('writes each span as one row and counts one that cannot be encoded, keeping the others', async () => {
    const dir = tmpDir();
    const drops = new DropCounter();
    const exporter = new JsonlSpanExporter({ root: dir, drops, maxFileBytes: 1e9, maxAgeMs: 1e12, maxTotalBytes: 1e12 });
    exporters.push(exporter);
    const backlog = exporter.backlog(100);
    const ended: ReadableSpan[] = [];
    const provider = new TracerProvider({ spanProcessors: [{
      onStart() {}, onEnd(s: ReadableSpan) { ended.push(s); }, forceFlush: async () => {}, shutdown: async () => {},
    }] });
    const tracer = provider.getTracer('t');
    for (const name of ['a', 'b']) tracer.startSpan(name, { attributes: { 'gen_ai.request.model': 'm', n: 1 } }).end();
    const broken = Object.create(ended[0]!, { spanContext: { value: () => { throw new Error('no context'); } } }) as ReadableSpan;
    backlog.push(ended[0]!);
    backlog.push(broken);
    backlog.push(ended[1]!);
    expect(backlog.length).toBe(2);
    const batch = backlog.take();
    await new Promise<void>((resolve, reject) => exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error))));
    const spansDir = path.join(dir, 'spans');
    const lines = fs.readdirSync(spansDir).flatMap((f) => fs.readFileSync(path.join(spansDir, f), 'utf8').split('\n').filter(Boolean));
    expect(lines.map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(['a', 'b']);
    expect(JSON.parse(lines[0]!).attributes).toEqual({ 'gen_ai.request.model': 'm', n: 1 });
    expect(drops.entries()).toEqual([['spans', 'serialize_failed', 1]]);
  });
});
