import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { registerTelemetry, type TelemetryHandle } from '../dist/src/index.js';
import { AppendFile, JsonlSpanExporter } from '../dist/exporters/jsonl/index.js';
import { rawRows, readSpans, ROOT, tmpDir } from './support/harness.js';

let handle: TelemetryHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const FILE_OPTS = { maxFileBytes: 1e9, maxAgeMs: 1e12, maxTotalBytes: 1e12 };

describe('the JSONL span queue', () => {
  it('holds rows, not spans: a span ended into the queue can be collected before its export, and its row is written', async () => {
    const dir = tmpDir();
    // A child with --expose-gc: a full GC while the spans wait in the queue (the export delay is 500 ms).
    const src = `
      import { registerTelemetry } from ${JSON.stringify(path.join(ROOT, 'dist/src/index.js'))};
      const handle = registerTelemetry({ dir: ${JSON.stringify(dir)}, logLevel: 'none', handleSignals: false });
      // in a function: a span in a local of this (suspended) module frame would stay reachable
      const endOne = (i) => {
        const span = handle.tracer.startSpan('held-' + i, { attributes: { 'gen_ai.request.model': 'gpt-4o', i } });
        span.end();
        return new WeakRef(span);
      };
      const refs = [endOne(0), endOne(1), endOne(2)];
      await new Promise((r) => setImmediate(r)); // a WeakRef keeps its target until the current job ends
      gc();
      const out = { collected: refs.filter((r) => r.deref() === undefined).length, queued: handle.health().queueDepth };
      await handle.shutdown();
      console.log(JSON.stringify({ ...out, dropped: handle.health().dropped.spans }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', src], { encoding: 'utf8' }));
    expect(out).toEqual({ collected: 3, queued: 3, dropped: 0 });
    const spans = await readSpans(dir);
    expect(spans.map((s) => [s.name, s.attributes.i]).sort()).toEqual([['held-0', 0], ['held-1', 1], ['held-2', 2]]);
  });

  it('writes rows bigger than its chunks whole: 100 spans of 512 KiB in one synchronous burst, none dropped', async () => {
    const dir = tmpDir();
    handle = registerTelemetry({ dir, logLevel: 'none' });
    const pad = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 100; i++) {
      handle.tracer.startSpan(`big-${i}`, { attributes: { pad } }).end();
      handle.tracer.startSpan(`small-${i}`).end(); // small rows between: chunks of both kinds in one write
    }
    expect(handle.health().queueDepth).toBe(200);
    await handle.forceFlush();
    const written = rawRows<{ name: string; attributes: { pad?: string } }>(dir, 'spans');
    expect(handle.health().dropped.spans).toBe(0);
    expect(written.map((r) => r.name)).toEqual(Array.from({ length: 100 }, (_, i) => [`big-${i}`, `small-${i}`]).flat());
    expect(written.filter((r) => r.attributes.pad?.length === pad.length)).toHaveLength(100);
  });
});

describe('JsonlSpanExporter outside registerTelemetry', () => {
  it('is a plain SpanExporter: the SDK\'s BatchSpanProcessor hands it spans and they are written', async () => {
    const dir = tmpDir();
    const exporter = new JsonlSpanExporter({ root: dir, ...FILE_OPTS });
    const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('plain');
    for (let i = 0; i < 5; i++) tracer.startSpan(`plain-${i}`, { attributes: { i } }).end();
    await provider.forceFlush();
    await provider.shutdown();
    const spans = await readSpans(dir);
    expect(spans.map((s) => s.name).sort()).toEqual(['plain-0', 'plain-1', 'plain-2', 'plain-3', 'plain-4']);
    expect(spans.every((s) => s.scope.name === 'plain')).toBe(true);
  });
});

describe('AppendFile', () => {
  it('writes a list of buffers as one append, in order, behind and ahead of other appends; one callback each', async () => {
    const dir = tmpDir();
    const file = new AppendFile({ root: dir, signal: 'spans', ...FILE_OPTS });
    const done: string[] = [];
    const cb = (name: string) => (err?: Error) => done.push(err ? `${name}: ${err.message}` : name);
    file.append('{"n":1}\n', cb('first'));
    // queued while the first write is in flight: coalesced into the next write
    file.append([Buffer.from('{"n":2}\n'), Buffer.from('{"n":3}\n{"n":4}\n'), Buffer.alloc(0)], cb('list'));
    file.append(Buffer.from('{"n":5}\n'), cb('buffer'));
    await file.flush();
    file.appendSync([Buffer.from('{"n":6}\n'), Buffer.from('{"n":7}\n')], cb('sync list'));
    await file.close();
    expect(done).toEqual(['first', 'list', 'buffer', 'sync list']);
    const [name] = fs.readdirSync(path.join(dir, 'spans'));
    const text = fs.readFileSync(path.join(dir, 'spans', name!), 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
