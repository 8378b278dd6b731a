import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { jsonlFiles } from '../../exporters/jsonl/readJsonl.js';
import { ResourceLookup } from '../../exporters/jsonl/resources.js';
import { DIR_SPANS, type SpanRow } from '../../semconv/schema.js';
import type { OtlpProtocol } from '../config.js';
import { createOtlpTraceExporter } from '../otlp/pipeline.js';
import { QueryError } from '../query/session.js';
import { BadRowError, RowConverter } from './spanFromRow.js';

export interface ReplayOptions {
  /** The telemetry directory (spans are read from `<dir>/spans/*.jsonl`, log records from `<dir>/logs/*.jsonl`). */
  dir: string;
  /** Full URL of the OTLP endpoint of the signal (…/v1/traces, …/v1/logs). */
  url: string;
  protocol: OtlpProtocol;
  headers?: Record<string, string>;
  /** Spans (records) per request (default 512). */
  batchSize?: number;
  /** One request, retries included, gives up after this long (default 10000). */
  timeoutMillis?: number;
  /** Count what would be sent; send and write nothing. */
  dryRun?: boolean;
  /** Progress lines (default: nothing). */
  log?: (line: string) => void;
  /** For tests: the exporter to send with (default: the OTLP/HTTP exporter for `protocol`). */
  exporter?: SpanExporter;
}

/** Per file: how far it has been sent (complete lines only; a torn last line waits for the next run). */
export interface FileProgress { bytes: number; lines: number; spans: number; badLines: number; updatedAt: string }
export interface ProgressFile { endpoint: string; files: Record<string, FileProgress> }

export interface ReplayResult {
  url: string;
  progressFile: string;
  /** Spans (log records) sent in this run (would be sent, with dryRun). */
  spans: number;
  batches: number;
  /** Lines skipped because they are not valid span rows (counted, not sent). */
  badLines: number;
  /** Files with something new / files already fully sent. */
  files: Array<{ file: string; spans: number; badLines: number; alreadySent: number }>;
  upToDate: number;
}

/** Sending failed: how far it got is saved; the message says what the endpoint did. */
export class ReplaySendError extends Error {
  override name = 'ReplaySendError';
  constructor(message: string, readonly sent: number) { super(message); }
}

/** `<dir>/.replay/<hash of the endpoint URL>.json`: one progress file per destination. */
export function progressPath(dir: string, url: string): string {
  return path.join(dir, '.replay', `${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
}

function loadProgress(file: string, url: string): ProgressFile {
  try {
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as ProgressFile;
    if (p && p.endpoint === url && p.files && typeof p.files === 'object') return p;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new QueryError(`cannot read the replay progress ${file}: ${(err as Error).message}`);
  }
  return { endpoint: url, files: {} };
}

/** Atomic (temp file + rename), 0600 in a 0700 directory, like the telemetry files. */
function saveProgress(file: string, p: ProgressFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(p, null, 1) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The complete lines of `file` after byte `start`, each with the byte offset just past its newline. */
async function* linesFrom(file: string, start: number): AsyncGenerator<{ line: string; end: number }> {
  const stream = fs.createReadStream(file, { start, highWaterMark: 1 << 20 });
  let carry: Buffer = Buffer.alloc(0);
  let offset = start; // file offset of carry[0]
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0;
    for (let nl = buf.indexOf(0x0a, from); nl !== -1; nl = buf.indexOf(0x0a, from)) {
      yield { line: buf.toString('utf8', from, nl), end: offset + nl + 1 };
      from = nl + 1;
    }
    carry = buf.subarray(from);
    offset += from;
  }
  // A last line without its newline is a write in progress (or torn): not sent, not counted, retried next run.
}

function describeFailure(url: string, r: ExportResult): string {
  const err = r.error as (Error & { code?: string | number; data?: string }) | undefined;
  const code = err?.code;
  if (typeof code === 'number') {
    const body = err?.data ? `: ${String(err.data).slice(0, 200)}` : '';
    return `${url} answered HTTP ${code}${err?.message ? ` ${err.message}` : ''}${body}` +
      (code === 404 ? ' (is this an OTLP/HTTP traces endpoint? the path is usually /v1/traces on port 4318)' : '');
  }
  if (code === 'ECONNREFUSED') return `${url} refused the connection (ECONNREFUSED): is the collector or Jaeger running and listening for OTLP/HTTP?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${url} (${code})`;
  if (typeof code === 'string') return `cannot reach ${url} (${code}: ${err?.message})`;
  return `sending to ${url} failed: ${err?.message ?? 'unknown error'}`;
}

/** What replay needs of an OTLP exporter of any signal. */
export interface BatchExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** One signal to replay: its folder, how a row becomes what its exporter sends, and the exporter. */
export interface ReplaySignal<T> {
  /** Sub-directory of the telemetry directory: `spans`, `logs`. */
  folder: string;
  /** What the folder holds, for messages: `spans`, `log records`. */
  what: string;
  /** One parsed JSONL row → one item; throws BadRowError (or any error) for a row that cannot be sent. */
  convert(row: unknown): T;
  exporter(): BatchExporter<T>;
}

/**
 * Sends the spans of `<dir>/spans/*.jsonl` to an OTLP endpoint, for agents that ran offline. Batches of
 * `batchSize` spans (across files); after each accepted batch the byte offset reached in every file is
 * saved in `<dir>/.replay/<endpoint-hash>.json`, so a second run sends only lines written since, and an
 * interrupted run resumes where it stopped (at most the one batch in flight is sent again).
 */
export function replaySpans(o: ReplayOptions): Promise<ReplayResult> {
  const converter = new RowConverter(new ResourceLookup(o.dir));
  return replayFolder<ReadableSpan>(o, {
    folder: DIR_SPANS, what: 'spans',
    convert: (row) => converter.toSpan(row as SpanRow),
    exporter: () => o.exporter ?? createOtlpTraceExporter({ url: o.url, protocol: o.protocol, headers: o.headers, timeoutMillis: o.timeoutMillis ?? 10_000 }),
  });
}

/** The replay of one signal's JSONL folder (see replaySpans): batched, resumable, idempotent per file. */
export async function replayFolder<T>(o: Omit<ReplayOptions, 'exporter'>, signal: ReplaySignal<T>): Promise<ReplayResult> {
  const batchSize = o.batchSize ?? 512;
  const log = o.log ?? (() => {});
  const spansDir = path.join(o.dir, signal.folder);
  if (!fs.existsSync(spansDir)) throw new QueryError(`no ${signal.what} to replay: ${spansDir} does not exist (is --dir the telemetry directory?)`);
  const progressFile = progressPath(o.dir, o.url);
  const progress = loadProgress(progressFile, o.url);
  const result: ReplayResult = { url: o.url, progressFile, spans: 0, batches: 0, badLines: 0, files: [], upToDate: 0 };
  const exporter = o.dryRun ? undefined : signal.exporter();

  let batch: T[] = [];
  // How far each file will have been sent once the current batch is accepted.
  let marks = new Map<string, FileProgress>();

  const send = (spans: T[]): Promise<ExportResult> => new Promise((resolve) => {
    try {
      exporter!.export(spans, resolve);
    } catch (err) {
      resolve({ code: ExportResultCode.FAILED, error: err as Error });
    }
  });
  const flush = async (): Promise<void> => {
    if (batch.length === 0 && marks.size === 0) return;
    if (batch.length > 0) {
      if (exporter) {
        const r = await send(batch);
        if (r.code !== ExportResultCode.SUCCESS) {
          throw new ReplaySendError(describeFailure(o.url, r), result.spans);
        }
      }
      result.batches++;
      result.spans += batch.length;
    }
    if (!o.dryRun) {
      for (const [rel, m] of marks) progress.files[rel] = { ...m };
      saveProgress(progressFile, progress);
    }
    batch = [];
    marks = new Map();
  };

  try {
    for (const file of jsonlFiles(spansDir)) {
      const rel = path.relative(o.dir, file);
      const size = fs.statSync(file).size;
      let done: FileProgress | undefined = progress.files[rel];
      if (done && done.bytes > size) {
        log(`${rel}: smaller than when it was last sent (${done.bytes} > ${size} bytes): a different file, sending it from the start`);
        done = undefined;
      }
      const entry = { file: rel, spans: 0, badLines: 0, alreadySent: done?.spans ?? 0 };
      if (done && done.bytes === size) { result.upToDate++; continue; }
      const mark: FileProgress = done ? { ...done } : { bytes: 0, lines: 0, spans: 0, badLines: 0, updatedAt: '' };
      for await (const { line, end } of linesFrom(file, mark.bytes)) {
        mark.bytes = end;
        mark.lines++;
        mark.updatedAt = new Date().toISOString();
        if (line.trim()) {
          try {
            batch.push(signal.convert(JSON.parse(line)));
            mark.spans++;
            entry.spans++;
          } catch (err) {
            mark.badLines++;
            entry.badLines++;
            result.badLines++;
            const why = err instanceof BadRowError ? err.message : `not JSON (${(err as Error).message})`;
            if (entry.badLines <= 3) log(`${rel}:${mark.lines}: skipped: ${why}`);
          }
        }
        marks.set(rel, mark);
        if (batch.length >= batchSize) await flush();
      }
      if (entry.spans || entry.badLines) result.files.push(entry);
      else result.upToDate++;
    }
    await flush();
  } finally {
    await exporter?.shutdown().catch(() => {});
  }
  const parquet = fs.readdirSync(spansDir).filter((n) => n.endsWith('.parquet')).length;
  if (parquet) log(`note: ${parquet} Parquet file${parquet === 1 ? '' : 's'} in ${signal.folder}/ (from agent-otel compact) are not replayed; replay before compacting`);
  return result;
}
