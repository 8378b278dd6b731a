import fs from 'node:fs';
import path from 'node:path';
import { diag } from '@opentelemetry/api';
import { pruneFiles, type RetentionOptions } from './prune.js';
import { createExclusive, ensurePrivateDir } from './safeFiles.js';

export interface AppendFileOptions extends RetentionOptions {
  /** The telemetry directory (created 0700). */
  root: string;
  /** Sub-directory for this signal, e.g. `spans`. */
  signal: string;
  /** Start a new file past this many bytes. */
  maxFileBytes: number;
}

type Done = (err?: Error) => void;

const pad2 = (n: number) => String(n).padStart(2, '0');
/** Directories already warned about being over the size limit with only live files left. */
const overLimitWarned = new Set<string>();

/** What is left of `bufs` after the first `written` bytes of them reached the file. */
function unwritten(bufs: Buffer[], written: number): Buffer[] {
  let i = 0;
  while (i < bufs.length && written >= bufs[i]!.length) written -= bufs[i++]!.length;
  if (i === bufs.length) return [];
  const rest = bufs.slice(i);
  if (written > 0) rest[0] = rest[0]!.subarray(written);
  return rest;
}

/**
 * Encodes the text of one write into a buffer that is reused from write to write. A fresh Buffer per
 * write is a fresh megabyte-sized allocation each time, and its page faults made Buffer.from cost about
 * a quarter of a span's export. Safe because one write at most is in flight, and its buffer is not
 * touched again before the write has completed.
 */
export class Utf8Scratch {
  private buf = Buffer.alloc(0);

  constructor(private readonly maxBytes = 8 * 1024 * 1024) {}

  /** `text` as UTF-8: a view of the scratch buffer, valid until the next call. */
  encode(text: string): Buffer {
    const need = text.length * 3; // the most UTF-8 bytes a UTF-16 string can take
    if (need > this.maxBytes) return Buffer.from(text, 'utf8');
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(need, this.buf.length * 2)));
    return this.buf.subarray(0, this.buf.write(text, 0, 'utf8'));
  }
}

/**
 * Appends whole lines to `<root>/<signal>/<UTC day>T<time>Z-<pid>-<seq>.jsonl`, one file per process so
 * that concurrent processes never interleave. Chunks arriving while a write is in flight are coalesced
 * into the next write (one syscall for many batches); every chunk's callback says whether its bytes
 * reached the kernel, so a failed write is counted exactly. Rotates by size and by UTC day.
 *
 * sonic-boom was the first choice, but its write() has no per-write completion, so drops on a failing
 * disk could not be counted exactly; this class is the part of it we need, with callbacks.
 */
export class AppendFile {
  readonly dir: string;
  private fd = -1;
  private file = '';
  private day = '';
  private bytes = 0;
  private seq = 0;
  private writing = false;
  private chunks: Array<string | Buffer> = [];
  private callbacks: Done[] = [];
  private idleWaiters: Array<() => void> = [];
  private lastOpenError = 0;
  /** A write failed (file size limit, disk full, …): the next write starts a new file, so a cut line stays last. */
  private rotateNext = false;
  private closed = false;
  private readonly scratch = new Utf8Scratch();
  /** When bytes last reached the file (for health checks). */
  lastWriteAt: Date | undefined;
  /** The last write error, cleared by the next successful write. */
  lastError: string | undefined;

  constructor(private readonly opts: AppendFileOptions) {
    this.dir = path.join(opts.root, opts.signal);
  }

  /** The file being written, if any. */
  get currentFile(): string { return this.file; }

  /** Appends text, or bytes (one buffer or several, whole lines) the caller will not touch until `done` is called. */
  append(data: string | Buffer | readonly Buffer[], done: Done): void {
    if (this.closed) return done(new Error(`agent-otel: ${this.opts.signal} writer is shut down`));
    this.queue(data, done);
    if (!this.writing) this.writeNext();
  }

  /**
   * Appends and writes at once, synchronously (process exit: an asynchronous write started now may
   * never run). `done` has been called when this returns.
   */
  appendSync(data: string | Buffer | readonly Buffer[], done: Done): void {
    if (this.closed) return done(new Error(`agent-otel: ${this.opts.signal} writer is shut down`));
    this.queue(data, done);
    this.flushSync();
  }

  /** Resolves once everything appended so far has reached the kernel (or failed). */
  flush(): Promise<void> {
    if (!this.writing && this.chunks.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** For process exit, where nothing asynchronous runs any more: writes what is queued, synchronously. */
  flushSync(): void {
    // An in-flight async write is one write() on an O_APPEND fd: it cannot interleave with this one, and
    // what is queued behind it would otherwise be lost at exit (rows are independent; order may swap).
    if (this.chunks.length === 0) return;
    const { bufs, bytes, callbacks } = this.take(this.writing); // the scratch buffer may be in that write
    try {
      if (!this.ensureOpen(bytes)) throw new Error('no file open');
      for (let rest = bufs; rest.length > 0;) rest = unwritten(rest, fs.writevSync(this.fd, rest));
      this.bytes += bytes;
      this.lastWriteAt = new Date();
      this.lastError = undefined;
      for (const cb of callbacks) cb();
    } catch (err) {
      for (const cb of callbacks) cb(err as Error);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
    }
  }

  private queue(data: string | Buffer | readonly Buffer[], done: Done): void {
    if (typeof data === 'string' || Buffer.isBuffer(data)) this.chunks.push(data);
    else for (const b of data) this.chunks.push(b);
    this.callbacks.push(done);
  }

  /**
   * The queued chunks as buffers for one writev (no copy of the callers' bytes); a lone string goes
   * through the reused scratch buffer unless `ownCopy`.
   */
  private take(ownCopy = false): { bufs: Buffer[]; bytes: number; callbacks: Done[] } {
    const only = this.chunks.length === 1 ? this.chunks[0]! : undefined;
    const bufs = typeof only === 'string' && !ownCopy
      ? [this.scratch.encode(only)]
      : this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c));
    let bytes = 0;
    for (const b of bufs) bytes += b.length;
    const callbacks = this.callbacks;
    this.chunks = [];
    this.callbacks = [];
    return { bufs, bytes, callbacks };
  }

  private writeNext(): void {
    if (this.chunks.length === 0) {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
    this.writing = true;
    const { bufs, bytes, callbacks } = this.take();
    let opened: boolean;
    try {
      opened = this.ensureOpen(bytes);
    } catch (err) {
      opened = false;
      this.reportOpenError(err as Error);
    }
    if (!opened) {
      const err = new Error(`agent-otel: cannot write ${this.opts.signal} to ${this.dir}`);
      this.lastError = err.message;
      for (const cb of callbacks) cb(err);
      return this.writeNext();
    }
    this.writeAll(bufs, (err) => {
      if (err) {
        // counted by the callbacks' owners (the drop counter warns once); here only remembered
        diag.debug(`agent-otel: write to ${this.file} failed: ${err.message}`);
        this.lastError = err.message;
        this.rotateNext = true;
      } else {
        this.bytes += bytes;
        this.lastWriteAt = new Date();
        this.lastError = undefined;
      }
      for (const cb of callbacks) cb(err ?? undefined);
      this.writeNext();
    });
  }

  private writeAll(bufs: Buffer[], done: (err: Error | null) => void): void {
    fs.writev(this.fd, bufs, (err, n) => {
      if (err) {
        if ((err.code === 'EAGAIN' || err.code === 'EBUSY')) return setTimeout(() => this.writeAll(bufs, done), 10);
        return done(err);
      }
      const rest = unwritten(bufs, n);
      if (rest.length > 0) return this.writeAll(rest, done);
      done(null);
    });
  }

  /** Opens (or rotates to) the right file for `incoming` more bytes; false while the directory fails. */
  private ensureOpen(incoming: number): boolean {
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    const rotate = this.fd >= 0 && (this.rotateNext || day !== this.day || (this.bytes > 0 && this.bytes + incoming > this.opts.maxFileBytes) ||
      this.unlinked());
    if (this.fd >= 0 && !rotate) return true;
    if (this.fd < 0 && this.lastOpenError && Date.now() - this.lastOpenError < 1000) return false;
    if (rotate) {
      try { fs.closeSync(this.fd); } catch { /* already unusable */ }
      this.fd = -1;
      this.rotateNext = false;
    }
    ensurePrivateDir(this.opts.root, true);
    ensurePrivateDir(this.dir);
    const stamp = `${day}T${pad2(now.getUTCHours())}${pad2(now.getUTCMinutes())}${pad2(now.getUTCSeconds())}Z`;
    const name = () => path.join(this.dir, `${stamp}-${process.pid}-${String(++this.seq).padStart(3, '0')}.jsonl`);
    // Exclusively and never through a symlink: the name is predictable, so it may have been planted.
    ({ fd: this.fd, file: this.file } = createExclusive(name(), name));
    this.day = day;
    this.bytes = 0;
    if (this.lastOpenError) diag.warn(`agent-otel: writing ${this.opts.signal} to ${this.dir} again`);
    this.lastOpenError = 0;
    pruneFiles(this.opts.root, this.opts, new Set([this.file])).then((r) => {
      if (!r.overLimit || overLimitWarned.has(this.opts.root)) return;
      overLimitWarned.add(this.opts.root);
      diag.warn(`agent-otel: ${this.opts.root} holds ${r.keptBytes} bytes, over the size limit of ${this.opts.maxTotalBytes}, ` +
        'but every file left is still being written by a running process: none is deleted (said once)');
    }, (err) => diag.warn(`agent-otel: pruning ${this.opts.root} failed: ${(err as Error).message}`));
    return true;
  }

  /** True when the file was deleted under us (its directory removed, pruned by hand): writes would go nowhere. */
  private unlinked(): boolean {
    try {
      return fs.fstatSync(this.fd).nlink === 0;
    } catch {
      return true;
    }
  }

  private reportOpenError(err: Error): void {
    if (!this.lastOpenError) {
      diag.warn(`agent-otel: cannot write ${this.opts.signal} to ${this.dir} (${err.message}); ` +
        'telemetry is being dropped and counted until the directory is writable');
    }
    this.lastOpenError = Date.now();
  }
}
