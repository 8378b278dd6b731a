import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { AppendFile } from './AppendFile.js';
import type { ResourceFile } from './ResourceFile.js';
import { RowBuffer, type RowBatch } from './RowBuffer.js';

/**
 * What the JSONL span and log exporters share: the write path through one AppendFile, the wait for a
 * resource's async attributes, the reused scratch buffer, the synchronous write at exit, idempotent
 * shutdown, and the backlog that encodes items for the export queue as they arrive. A subclass encodes
 * its rows (`encode`, counting what it could not) and says where a failed write at exit is counted.
 */
export abstract class JsonlRowExporter<T extends { resource?: Resource }> {
  private inFlight = false;
  private isShutdown = false;
  /** A queue's backlog encodes into the scratch buffer at any time: exported items then get bytes of their own. */
  private scratchShared = false;

  /** `resources`: the directory's shared resources file (its rows name their resource by id); released at shutdown. */
  constructor(readonly file: AppendFile, private readonly name: string, readonly resources: ResourceFile) {}

  /** The rows of `items` as UTF-8 JSONL in a reused buffer. */
  protected abstract encode(items: T[]): Buffer;
  /** One item's row as text, when the subclass can make it without a buffer (the backlog then encodes it into its chunk). */
  protected rowText?(item: T): string | undefined;
  /** Counts `n` rows a write at exit could not put on disk. */
  protected abstract exitWriteFailed(n: number, message: string): void;

  /**
   * The export queue's backlog (ExportQueue): each item encoded as it arrives, its row kept in bytes
   * (RowBuffer), so the item itself is not kept. Encoded then and there, an item of a resource whose
   * async attributes are still pending has its row without them (registerTelemetry's resource has none).
   */
  backlog(maxItems: number): RowBuffer<T> {
    this.scratchShared = true;
    const rowText = this.rowText;
    return new RowBuffer((items: T[]) => this.encode(items), maxItems, rowText && ((item: T) => rowText.call(this, item)));
  }

  /** Writes items, or the rows a backlog made of them. */
  export(batch: T[] | RowBatch, resultCallback: (result: ExportResult) => void): void {
    if (this.isShutdown) {
      return resultCallback({ code: ExportResultCode.FAILED, error: new Error(`${this.name} is shut down`) });
    }
    if (!Array.isArray(batch)) {
      return this.file.append(batch.chunks, (error) => {
        batch.release();
        resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
      });
    }
    const items = batch;
    const resource = items[0]?.resource;
    if (resource?.asyncAttributesPending) {
      resource.waitForAsyncAttributes?.().then(() => this.export(items, resultCallback), () => this.export(items, resultCallback));
      return;
    }
    // The scratch buffer is reused, so it must not be in a write still in flight (an export the
    // queue gave up on after its timeout): then this batch gets bytes of its own.
    const bytes = this.inFlight || this.scratchShared ? Buffer.from(this.encode(items)) : this.encode(items);
    this.inFlight = true;
    this.file.append(bytes, (error) => {
      this.inFlight = false;
      resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
    });
  }

  /** Synchronous last-chance write at process exit. */
  exportSync(batch: T[] | RowBatch): void {
    if (!batch.length) return this.file.flushSync();
    const bytes = Array.isArray(batch) ? Buffer.from(this.encode(batch)) : batch.chunks;
    // appendSync, not append: an asynchronous write started at exit may never run
    this.file.appendSync(bytes, (error) => {
      if (!Array.isArray(batch)) batch.release();
      if (error) this.exitWriteFailed(batch.length, error.message);
    });
  }

  forceFlush(): Promise<void> {
    return this.file.flush();
  }

  async shutdown(): Promise<void> {
    if (this.isShutdown) return;
    this.isShutdown = true;
    await this.file.close();
    await this.resources.release();
  }
}
