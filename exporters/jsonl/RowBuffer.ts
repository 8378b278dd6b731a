/** Rows taken from a RowBuffer for one write: `length` rows, whole lines, in `chunks`. */
export interface RowBatch {
  readonly length: number;
  readonly chunks: Buffer[];
  /** The write is over (written or failed): the chunks may be used again. */
  release(): void;
}

const CHUNK_BYTES = 64 * 1024;
/** Chunks kept for reuse after their write (1 MiB): enough for an agent's steady flow, not a burst's. */
const SPARE_CHUNKS = 16;

/**
 * The backlog of a JSONL queue (see ExportQueue's Backlog): each item is encoded as it arrives and only
 * its row's bytes are kept, in 64 KiB chunks outside the JS heap. Holding the spans themselves until
 * their export kept them alive across young-generation GCs, so V8 moved them to the old generation and
 * then pretenured every later span (allocated it there directly): a burst of 1M spans grew the process
 * by 200–400 MB of old-generation garbage while the queue dropped 98% of them. Here a span dies as it
 * ends. Written chunks are reused: fresh memory for every export costs page faults (~0.2 µs a row).
 * Bounded by a count of rows, as the spans were: a bound in bytes dropped spans with large captured
 * values that an agent making them without a turn of the event loop expects on disk (tests/property).
 */
export class RowBuffer<T> {
  private chunks: Buffer[] = [];
  private chunk: Buffer | undefined;
  private used = 0;
  private rows = 0;
  private readonly spare: Buffer[] = [];

  /** `encode`: the items' rows, a view valid until the next call, without the rows it could not encode (it counts them). */
  constructor(private readonly encode: (items: T[]) => Buffer, private readonly maxRows: number,
    /** One item's row as text, encoded straight into the chunk (no bytes of its own); undefined: not encodable (it counts it). */
    private readonly rowText?: (item: T) => string | undefined) {}

  get length(): number { return this.rows; }
  get full(): boolean { return this.rows >= this.maxRows; }

  push(item: T): void {
    if (this.rowText) {
      const text = this.rowText(item);
      if (text !== undefined) this.pushText(text);
      return;
    }
    const row = this.encode([item]);
    if (row.length === 0) return;
    if (this.chunk === undefined || this.used + row.length > this.chunk.length) this.nextChunk(row.length);
    this.chunk!.set(row, this.used);
    this.used += row.length;
    this.rows++;
  }

  /** Keeps one row given as text (a whole line), encoded straight into the chunk: no bytes of its own. */
  pushText(row: string): void {
    const most = row.length * 3; // UTF-8 bytes at most
    if (this.chunk === undefined || this.used + most > this.chunk.length) this.nextChunk(most);
    this.used += this.chunk!.write(row, this.used, 'utf8');
    this.rows++;
  }

  /** Every row held (rows are taken whole: they are one write). */
  take(): RowBatch {
    this.closeChunk();
    const chunks = this.chunks;
    const batch = { length: this.rows, chunks, release: () => this.reuse(chunks) };
    this.chunks = [];
    this.chunk = undefined;
    this.rows = 0;
    return batch;
  }

  private nextChunk(need: number): void {
    this.closeChunk();
    this.chunk = need > CHUNK_BYTES ? Buffer.allocUnsafe(need) : this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
  }

  private closeChunk(): void {
    if (this.chunk !== undefined && this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.used = 0;
  }

  private reuse(chunks: Buffer[]): void {
    for (const c of chunks) {
      if (this.spare.length >= SPARE_CHUNKS) return;
      // a view of a whole chunk of our own size (a row bigger than a chunk had one of its own)
      if (c.byteOffset === 0 && c.buffer.byteLength === CHUNK_BYTES) this.spare.push(Buffer.from(c.buffer, 0, CHUNK_BYTES));
    }
  }
}
