import type { HrTime } from '@opentelemetry/api';
import { DIR_RUNS } from '../../semconv/schema.js';
import { AppendFile, type AppendFileOptions } from './AppendFile.js';
import { isoMicros } from './isoTime.js';
import { RowBuffer, type RowBatch } from './RowBuffer.js';
import type { DropCounter } from '../dropCounter.js';

export interface RunStartWriterOptions extends Omit<AppendFileOptions, 'signal'> {
  drops?: DropCounter;
  /** The process's `service.name`, written on every row. */
  serviceName: string;
  /** `os.hostname()`, written on every row with the pid: the liveness rule's key. */
  host: string;
  /** Most milliseconds a row waits before it is written (default 500). */
  delayMillis?: number;
}

/** Rows waiting past this many are written at once, without waiting for the timer. */
const MAX_PENDING = 512;

/**
 * Appends one row per run start to `<root>/runs/` (a `RunStartRow`, semconv/schema.ts): how readers tell
 * a run still going from an abandoned one before its run span exists. Not a span: a row of text encoded
 * straight into a RowBuffer's chunks (no string kept per run, no join); rows are written by an unref'd timer within `delayMillis`, and
 * synchronously at exit (`flushSync`, from the exit hooks), so a killed run shows within about a second.
 * A failed write is counted in the drop counter (`run_starts`), never thrown.
 */
export class RunStartWriter {
  readonly file: AppendFile;
  /** Rows given so far (the exit hooks flush only when something arrived since the last flush). */
  seen = 0;
  private readonly rows = new RowBuffer<never>(() => Buffer.alloc(0), Infinity);
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly tail: string;
  /** The end of the last row from `"agent"` on: runs in a row mostly share agent and kind. */
  private lastAgent: string | undefined;
  private lastKind: string | undefined;
  private lastEnd = '';

  constructor(private readonly opts: RunStartWriterOptions) {
    this.file = new AppendFile({ ...opts, signal: DIR_RUNS });
    this.tail = `,"service_name":${JSON.stringify(opts.serviceName)},"host":${JSON.stringify(opts.host)},"pid":${process.pid}}\n`;
  }

  /** Records a run's start: `spanId` is the run span's id, `start` its start time. */
  add(runId: string, traceId: string, spanId: string, start: HrTime, agent: string, kind: string | undefined): void {
    if (this.closed) return this.opts.drops?.add('run_starts', 'shut_down', 1);
    if (agent !== this.lastAgent || kind !== this.lastKind || this.lastEnd === '') {
      this.lastAgent = agent;
      this.lastKind = kind;
      this.lastEnd = `"agent":${JSON.stringify(agent)},"kind":${kind === undefined ? 'null' : JSON.stringify(kind)}${this.tail}`;
    }
    this.rows.pushText('{"run_id":' + JSON.stringify(runId) + ',"trace_id":"' + traceId + '","span_id":"' + spanId +
      '","start_time":"' + isoMicros(start) + '",' + this.lastEnd);
    this.seen++;
    if (this.rows.length >= MAX_PENDING) this.write();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.write(), this.opts.delayMillis ?? 500);
      this.timer.unref();
    }
  }

  /** Resolves once every row given so far has reached the file (or was counted as dropped). */
  flush(): Promise<void> {
    this.write();
    return this.file.flush();
  }

  /** Process exit: writes the pending rows synchronously. */
  flushSync(): void {
    const batch = this.take();
    if (batch.length) this.file.appendSync(batch.chunks, (err) => { batch.release(); this.failed(batch.length, err); });
    else this.file.flushSync();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.write();
    this.closed = true;
    await this.file.close();
  }

  private write(): void {
    const batch = this.take();
    if (batch.length) this.file.append(batch.chunks, (err) => { batch.release(); this.failed(batch.length, err); });
  }

  private take(): RowBatch {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.rows.take();
  }

  private failed(n: number, err: Error | undefined): void {
    if (err) this.opts.drops?.add('run_starts', 'export_failed', n, err.message);
  }
}
