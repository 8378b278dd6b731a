import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diag, trace } from '@opentelemetry/api';
import { stringify } from 'safe-stable-stringify';
import { AgentOtelConfigError } from '../errors.js';
import { auditKeyFromEnv } from './config.js';
import { Redactor } from './redaction.js';

export interface AuditInput {
  /** What was done, e.g. `file.write`, `tool.approve`, `mode.change`. */
  action: string;
  /** Who did it: an agent, a user, a supervisor. */
  actor: string;
  /** What it was done to. */
  resource?: string;
  /** `success`, `denied`, `failed`, … */
  result?: string;
  details?: Record<string, unknown>;
}

/** Entries that were assigned a sequence number but are not in the file (their write failed; the caller got an error). */
export interface AuditGap { entries: number; reason: string }

export interface AuditEntry extends AuditInput {
  seq: number;
  time: string;
  trace_id: string | null;
  span_id: string | null;
  gap?: AuditGap;
  /** `hash` of the line before (for seq 1: the file's header). */
  prev_hash: string;
  /** sha256 (or HMAC-SHA256 with the key) over every other field, canonically serialized. */
  hash: string;
}

/**
 * Line 1 of every audit file: names the file before it in the directory and that file's last line
 * (seq and hash) when this one was opened, so removing that file or its lines up to there is detected.
 */
export interface AuditHeader {
  seq: 0;
  type: 'open';
  time: string;
  file: string;
  pid: number;
  host: string;
  alg: 'sha256' | 'hmac-sha256';
  /** Identifies the key (not the key): verify tells "another key" from "edited". */
  key_id?: string;
  prev_file: string | null;
  prev_seq: number | null;
  prev_hash: string;
  gap?: AuditGap;
  hash: string;
}

/** The last line of a file closed by its process: a cut-off end shows as "not closed". */
export interface AuditClose { seq: number; type: 'close'; time: string; entries: number; gap?: AuditGap; prev_hash: string; hash: string }

export type AuditLine = AuditHeader | AuditEntry | AuditClose;

export const GENESIS = '0'.repeat(64);

/** sha256 (HMAC-SHA256 with a key) of a line without its own hash (keys sorted: writer and verifier agree). */
export function entryHash(e: Record<string, unknown>, key?: string | Buffer): string {
  const { hash: _ignored, ...rest } = e;
  const text = stringify(rest) ?? '';
  return (key === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', key)).update(text).digest('hex');
}

/** A short public fingerprint of the key (a hash of it, domain-separated), never the key. */
export const keyId = (key: string | Buffer): string =>
  crypto.createHash('sha256').update('agent-otel audit key id\0').update(key).digest('hex').slice(0, 16);

export interface AuditLogOptions {
  /** Makes the chain an HMAC-SHA256 (default: env AGENT_OTEL_AUDIT_KEY; unset: plain sha256). */
  key?: string | Buffer;
  /** Redaction of entries (default: the built-in patterns; null: none). */
  redactor?: Redactor | null;
}

const O_FLAGS = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * The audit trail: `<dir>/audit/<opened>-<pid>-<random>.jsonl`, append-only, created exclusively (0600, the
 * directory fsynced), every line hash-chained to the one before and on disk (write + fdatasync) before
 * `record` returns. Line 1 links to the newest other file; the last line, when the process closes the log
 * (shutdown or exit), is a close record. A failed write is undone and its sequence number never reused:
 * the next line records the gap. Each entry is also added as an `audit` event to the active span.
 */
export class AuditLog {
  private fd = -1;
  private size = 0;
  private seq = 0;
  private entries = 0;
  private prev = GENESIS;
  /** Sequence numbers spent in this file on entries whose write failed, not yet recorded in a line. */
  private lost = 0;
  /** Entries lost in an earlier file of this log (recorded in the next file's header). */
  private carried = 0;
  private lostReason = '';
  private opened = false;
  private readonly key: string | Buffer | undefined;
  private readonly redactor: Redactor | undefined;
  private readonly onExit = () => this.close();
  private readonly auditDir: string;
  file: string;

  constructor(readonly dir: string, opts: AuditLogOptions = {}) {
    this.key = opts.key ?? auditKeyFromEnv();
    if (this.key !== undefined && this.key.length === 0) throw new AgentOtelConfigError('the audit key must not be empty');
    this.redactor = opts.redactor === null ? undefined : opts.redactor ?? new Redactor();
    this.auditDir = path.join(dir, 'audit');
    this.file = path.join(this.auditDir, newName());
  }

  /** Appends one entry durably; returns it with its sequence number and hash. Throws on bad input or a failed write. */
  record(input: AuditInput): AuditEntry {
    validate(input);
    const span = trace.getActiveSpan()?.spanContext();
    const clean = (s: string | undefined) => (s === undefined || !this.redactor ? s : this.redactor.redact(s));
    if (this.fd < 0) this.openFile();
    const text = this.size === 0 ? this.header() : '';
    const base: Omit<AuditEntry, 'hash'> = {
      seq: ++this.seq, time: new Date().toISOString(), action: clean(input.action)!, actor: clean(input.actor)!,
      resource: clean(input.resource), result: clean(input.result),
      details: input.details === undefined ? undefined : jsonSafe(input.details, this.redactor, '', 0, new Set()) as Record<string, unknown>,
      trace_id: span?.traceId ?? null, span_id: span?.spanId ?? null,
      ...(this.lost ? { gap: { entries: this.lost, reason: this.lostReason } } : {}),
      prev_hash: this.prev,
    };
    const entry = { ...base, hash: entryHash(base, this.key) } as AuditEntry;
    this.append(text + JSON.stringify(entry) + '\n', entry.seq);
    this.entries++;
    this.prev = entry.hash;
    try {
      trace.getActiveSpan()?.addEvent('audit', {
        'audit.action': entry.action, 'audit.actor': entry.actor, 'audit.resource': entry.resource,
        'audit.result': entry.result, 'audit.seq': entry.seq, 'audit.hash': entry.hash, 'audit.file': path.basename(this.file),
      });
    } catch (err) {
      diag.warn(`agent-otel: audit span event failed: ${(err as Error).message}`);
    }
    return entry;
  }

  /** Writes the close record and closes the file (also at process exit). Never throws. */
  close(): void {
    process.removeListener('exit', this.onExit);
    if (this.fd < 0) return;
    try {
      if (this.size > 0) {
        const base = {
          seq: this.seq + 1, type: 'close' as const, time: new Date().toISOString(), entries: this.entries,
          ...(this.lost ? { gap: { entries: this.lost, reason: this.lostReason } } : {}), prev_hash: this.prev,
        };
        fs.writeSync(this.fd, JSON.stringify({ ...base, hash: entryHash(base, this.key) }) + '\n');
        fs.fdatasyncSync(this.fd);
      }
    } catch (err) {
      diag.warn(`agent-otel: audit file ${this.file} not closed cleanly: ${(err as Error).message}`);
    }
    try { fs.closeSync(this.fd); } catch { /* already gone */ }
    this.fd = -1;
  }

  /** The header line (seq 0) of a file with nothing in it yet; the chain of the file starts at its hash. */
  private header(): string {
    const prev = lastLine(this.auditDir, path.basename(this.file));
    const base: Omit<AuditHeader, 'hash'> = {
      seq: 0, type: 'open', time: new Date().toISOString(), file: path.basename(this.file), pid: process.pid, host: os.hostname(),
      alg: this.key === undefined ? 'sha256' : 'hmac-sha256', ...(this.key === undefined ? {} : { key_id: keyId(this.key) }),
      prev_file: prev?.file ?? null, prev_seq: prev?.seq ?? null, prev_hash: prev?.hash ?? GENESIS,
      ...(this.carried ? { gap: { entries: this.carried, reason: this.lostReason } } : {}),
    };
    const header = { ...base, hash: entryHash(base, this.key) };
    this.prev = header.hash;
    return JSON.stringify(header) + '\n';
  }

  /**
   * Creates the log's file (a new one when an earlier file of this log could not be repaired after a
   * failed write: it is linked to that one like to any other). Numbering restarts at 1 in each file.
   */
  private openFile(): void {
    if (this.opened) this.file = path.join(this.auditDir, newName());
    try {
      if (!fs.existsSync(this.auditDir)) {
        fs.mkdirSync(this.auditDir, { recursive: true, mode: 0o700 });
        fsyncDir(path.dirname(this.auditDir));
      }
      this.fd = fs.openSync(this.file, O_FLAGS, 0o600);
      fsyncDir(this.auditDir); // the new name is durable, not only its content
    } catch (err) {
      this.fd = -1;
      throw new Error(`agent-otel: audit entry not recorded (${this.file}): ${(err as Error).message}`);
    }
    this.opened = true;
    this.size = 0;
    this.seq = 0;
    this.entries = 0;
    this.carried += this.lost;
    this.lost = 0;
    process.on('exit', this.onExit);
  }

  /**
   * Writes and syncs; on failure puts the file back as it was (so the entry the caller is told failed is
   * not in it) and keeps the sequence number spent: the next line records the gap. If the file cannot be
   * put back, the log continues in a new file.
   */
  private append(text: string, seq: number): void {
    const before = this.size;
    try {
      const buf = Buffer.from(text);
      let off = 0;
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off);
      fs.fdatasyncSync(this.fd);
      if (before === 0) this.carried = 0;
      this.size = before + buf.length;
      this.lost = 0;
    } catch (err) {
      this.lostReason = (err as NodeJS.ErrnoException).code ?? String((err as Error)?.message ?? err);
      this.lost++;
      try {
        fs.ftruncateSync(this.fd, before);
        fs.fdatasyncSync(this.fd);
      } catch {
        try { fs.closeSync(this.fd); } catch { /* gone */ }
        this.fd = -1;
        process.removeListener('exit', this.onExit);
      }
      throw new Error(`agent-otel: audit entry seq ${seq} not recorded (${this.file}): ${(err as Error).message}`);
    }
  }
}

/** `<UTC time to the ms>-<pid>-<random>.jsonl`: unique per log, sorted by opening time. */
function newName(): string {
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${process.pid}-${crypto.randomBytes(4).toString('hex')}.jsonl`;
}

function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    diag.debug(`agent-otel: fsync of ${dir} failed: ${(err as Error).message}`);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/** The newest other audit file and its last complete line (seq, hash), read from its tail. */
function lastLine(auditDir: string, own: string): { file: string; seq: number | null; hash: string } | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(auditDir).filter((n) => n.endsWith('.jsonl') && n !== own).sort();
  } catch {
    return undefined;
  }
  const file = names.at(-1);
  if (!file) return undefined;
  try {
    const text = readTail(path.join(auditDir, file));
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const l = JSON.parse(lines[i]!) as AuditLine;
        if (typeof l.seq === 'number' && typeof l.hash === 'string') return { file, seq: l.seq, hash: l.hash };
      } catch { /* a torn or garbled line: the one before */ }
    }
  } catch { /* unreadable: named, not pinned */ }
  return { file, seq: null, hash: GENESIS };
}

/** The end of a file, enough to hold its last complete line (from 64 KiB, doubling). */
function readTail(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    for (let n = 64 * 1024; ; n *= 2) {
      const len = Math.min(n, size);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      const text = buf.toString('utf8');
      if (len === size) return text;
      const start = text.indexOf('\n'); // what comes before it may be part of a line
      if (start >= 0 && text.indexOf('\n', start + 1) >= 0) return text.slice(start + 1);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A JSON copy of `details` with every string (and key) redacted; user key rules match the dotted path.
 * Cycles, functions, symbols and depth past 32 become markers, bigints strings, non-finite numbers null,
 * so what is hashed is exactly what is written.
 */
function jsonSafe(v: unknown, r: Redactor | undefined, keyPath: string, depth: number, seen: Set<object>): unknown {
  if (r && keyPath && r.keyRule(keyPath) !== null) return r.value(keyPath, v);
  if (typeof v === 'string') return r ? r.value(keyPath, v) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean' || v === null) return v;
  if (typeof v === 'bigint') return String(v);
  if (typeof v !== 'object') return undefined;
  if (seen.has(v)) return '[Circular]';
  if (depth >= 32) return '[Too deep]';
  seen.add(v);
  try {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return jsonSafe(toJSON.call(v), r, keyPath, depth + 1, seen);
    if (Array.isArray(v)) return v.map((x) => jsonSafe(x, r, keyPath, depth + 1, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const key = r ? r.redact(k) : k;
      const x = jsonSafe((v as Record<string, unknown>)[k], r, keyPath ? `${keyPath}.${k}` : k, depth + 1, seen);
      if (x !== undefined) out[key] = x;
    }
    return out;
  } catch (err) {
    return `[unreadable: ${(err as Error)?.message ?? String(err)}]`;
  } finally {
    seen.delete(v);
  }
}

function validate(input: AuditInput): void {
  if (!input || typeof input !== 'object') throw new AgentOtelConfigError(`audit.record() takes { action, actor, resource?, result?, details? }; got ${JSON.stringify(input)}`);
  for (const k of ['action', 'actor'] as const) {
    if (typeof input[k] !== 'string' || !input[k]) throw new AgentOtelConfigError(`audit.record(): '${k}' must be a non-empty string; got ${JSON.stringify(input[k])}`);
  }
  for (const k of ['resource', 'result'] as const) {
    if (input[k] !== undefined && typeof input[k] !== 'string') throw new AgentOtelConfigError(`audit.record(): '${k}' must be a string; got ${JSON.stringify(input[k])}`);
  }
  if (input.details !== undefined && (typeof input.details !== 'object' || input.details === null || Array.isArray(input.details))) {
    throw new AgentOtelConfigError(`audit.record(): 'details' must be an object; got ${JSON.stringify(input.details)}`);
  }
}
