import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { diag, trace } from '@opentelemetry/api';
import { stringify } from 'safe-stable-stringify';
import { AgentOtelConfigError } from '../errors.js';

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

export interface AuditEntry extends AuditInput {
  seq: number;
  time: string;
  trace_id: string | null;
  span_id: string | null;
  /** `hash` of the previous entry of this file (64 zeros for the first). */
  prev_hash: string;
  /** sha256 over every other field, canonically serialized. */
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** sha256 of an entry without its own hash (keys sorted, so the writer and the verifier agree). */
export function entryHash(e: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = e;
  return crypto.createHash('sha256').update(stringify(rest) ?? '').digest('hex');
}

/**
 * The audit trail: `<dir>/audit/<opened>-<pid>.jsonl`, append-only, every entry hash-chained to the one
 * before and on disk (write + fdatasync) before `record` returns, so a crash right after loses nothing.
 * Each entry is also added as an `audit` event to the active span. Never pruned.
 */
export class AuditLog {
  private fd = -1;
  private seq = 0;
  private prev = GENESIS;
  readonly file: string;

  constructor(readonly dir: string) {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.file = path.join(dir, 'audit', `${stamp}-${process.pid}.jsonl`);
  }

  /** Appends one entry durably; returns it with its sequence number and hash. Throws on bad input or a failed write. */
  record(input: AuditInput): AuditEntry {
    validate(input);
    const span = trace.getActiveSpan()?.spanContext();
    const base = {
      seq: ++this.seq, time: new Date().toISOString(), action: input.action, actor: input.actor,
      resource: input.resource, result: input.result, details: input.details,
      trace_id: span?.traceId ?? null, span_id: span?.spanId ?? null, prev_hash: this.prev,
    };
    const entry: AuditEntry = { ...base, hash: entryHash(base) };
    try {
      if (this.fd < 0) {
        fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
        this.fd = fs.openSync(this.file, 'a', 0o600);
      }
      fs.writeSync(this.fd, JSON.stringify(entry) + '\n');
      fs.fdatasyncSync(this.fd);
    } catch (err) {
      this.seq--;
      throw new Error(`agent-otel: audit entry not recorded (${this.file}): ${(err as Error).message}`);
    }
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

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
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
