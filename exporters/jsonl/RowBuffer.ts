/** Rows taken from a RowBuffer for one write: `length` rows, whole lines, in `chunks`. */
export interface RowBatch {
  readonly length: number;
  readonly chunks: Buffer[];
}

/** The most bytes of rows one queue holds: with rows of captured content a count alone bounds nothing. */
export const MAX_QUEUED_ROW_BYTES = 32 * 1024 * 1024;

const FIRST_CHUNK_BYTES = 16 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * The backlog of a JSONL queue (see ExportQueue's Backlog): each item is encoded as it arrives and only
 * its row's bytes are kept, in chunks outside the JS heap. Holding the spans themselves until their
 * export kept them alive across young-generation GCs, so V8 moved them to the old generation and then
 * pretenured every later span (allocated it there directly): a burst of 1M spans grew the process by
 * 200–400 MB of old-generation garbage while the queue dropped 98% of them. Here a span dies as it ends.
 * Chunks start small (a quiet agent writes a few rows per export) and double up to 1 MB.
 */
export class RowBuffer<T> {
  private chunks: Buffer[] = [];
  private chunk: Buffer | undefined;
  private used = 0;
  private rows = 0;
  private bytes = 0;

  /** `encode`: the item's row, a view valid until the next call; empty when it cannot be encoded (counted by `encode`). */
  constructor(
    private readonly encode: (item: T) => Buffer,
    private readonly maxRows: number,
    private readonly maxBytes = MAX_QUEUED_ROW_BYTES,
  ) {}

  get length(): number { return this.rows; }
  get full(): boolean { return this.rows >= this.maxRows || this.bytes >= this.maxBytes; }

  push(item: T): void {
    const row = this.encode(item);
    if (row.length === 0) return;
    if (this.chunk === undefined || this.used + row.length > this.chunk.length) this.nextChunk(row.length);
    this.used += row.copy(this.chunk!, this.used);
    this.rows++;
    this.bytes += row.length;
  }

  /** Every row held (rows are taken whole: they are one write). */
  take(): RowBatch {
    this.closeChunk();
    const batch = { length: this.rows, chunks: this.chunks };
    this.chunks = [];
    this.chunk = undefined;
    this.rows = 0;
    this.bytes = 0;
    return batch;
  }

  private nextChunk(need: number): void {
    const size = this.chunk === undefined ? FIRST_CHUNK_BYTES : Math.min(MAX_CHUNK_BYTES, this.chunk.length * 2);
    this.closeChunk();
    this.chunk = Buffer.allocUnsafe(Math.max(size, need));
  }

  private closeChunk(): void {
    if (this.chunk !== undefined && this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.used = 0;
  }
}
