import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { duckdbPathProblem, isLockError, lit, withTransaction } from '../../exporters/duckdb/index.js';
import { isoSql } from '../../exporters/jsonl/isoTime.js';
import { DUCKDB_FILE, INGESTED_TABLE } from '../../semconv/schema.js';
import { listFiles, notIngested, readCompleteLines, tornFiles, type FilePart } from '../query/files.js';
import { isAlive } from '../query/liveFiles.js';
import { isLiveProcess, liveProcessesSql, markerStatusSql } from '../query/runStatus.js';
import { QueryError, readParquetSql, SOURCES, type Source } from '../query/session.js';
import { catchUp } from '../query/ingest.js';
import {
  LLM_OPS_SQL, insertSlimSql, readJsonWithFile, readParquetWithFile, runsSql, slimSelect, VRUNS_DDL, VSPANS_DDL,
} from './sql.js';

export interface ViewerStoreOptions {
  dir: string;
  /** auto (default): telemetry.duckdb, brought up to date first, plus the files; files: never open the database. */
  source?: Source;
  /** How often the directory is checked for new rows (ms, default 2000). */
  pollMs?: number;
}

/** A data file whose rows are in `vspans` (under `src = id`), and how far. */
interface LoadedFile { id: number; rel: string; file: string; kind: 'jsonl' | 'parquet'; offset: number }

export type Row = Record<string, unknown>;

/** The rows of one trace, whole (attributes, events, links, resource). */
export interface TraceRows { spans: Row[]; notes: string[] }

const SRC_DB = 0;
const BATCH_BYTES = 256 * 1024 * 1024;
const DB_ALIAS = 'viewer_store';
const TRACE_COLUMNS = `trace_id, span_id, parent_span_id, name, kind, ${isoSql('start_time')} AS start_time,
  ${isoSql('end_time')} AS end_time, epoch_us(start_time) AS start_us, epoch_us(end_time) AS end_us, duration_ms,
  status_code, status_message, service_name, scope, attributes, events, links, resource`;

/** Microseconds since the epoch of an ISO-8601 UTC time with up to 6 fraction digits. */
function epochUs(iso: unknown): number {
  const s = String(iso);
  const ms = Date.parse(s);
  const frac = /\.(\d+)Z?$/.exec(s)?.[1] ?? '';
  return Math.floor(ms / 1000) * 1e6 + Number(`${frac}000000`.slice(0, 6));
}

/**
 * The rows of one trace in a JSONL file: the lines that contain its id (a byte search, far cheaper than
 * parsing the whole file), parsed; a torn last line is left out.
 */
export async function scanJsonl(file: string, traceId: string): Promise<Row[]> {
  const needle = Buffer.from(traceId);
  const out: Row[] = [];
  const fh = await fs.promises.open(file, 'r');
  try {
    const chunk = 8 * 1024 * 1024;
    let carry = Buffer.alloc(0);
    for (let pos = 0; ;) {
      const buf = Buffer.allocUnsafe(chunk);
      const { bytesRead } = await fh.read(buf, 0, chunk, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const end = data.lastIndexOf(10) + 1;
      carry = Buffer.from(data.subarray(end));
      for (let i = data.indexOf(needle); i !== -1 && i < end;) {
        const from = data.lastIndexOf(10, i) + 1;
        const to = data.indexOf(10, i);
        try {
          const row = JSON.parse(data.toString('utf8', from, to)) as Row;
          if (row.trace_id === traceId) out.push({ ...row, start_us: epochUs(row.start_time), end_us: epochUs(row.end_time) });
        } catch { /* not a span row */ }
        i = data.indexOf(needle, to);
      }
    }
  } finally {
    await fh.close();
  }
  return out;
}

const WORK_PREFIX = 'agent-otel-viewer-';

/** Scratch directories of viewers that were killed (their pid is gone): they can be large. */
function removeStaleWorkDirs(): void {
  let names: string[];
  try { names = fs.readdirSync(os.tmpdir()); } catch { return; }
  for (const name of names) {
    const m = new RegExp(`^${WORK_PREFIX}(\\d+)-`).exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    try {
      const dir = path.join(os.tmpdir(), name);
      if (fs.statSync(dir).uid === process.getuid?.()) fs.rmSync(dir, { recursive: true, force: true });
    } catch { /* not ours, or gone */ }
  }
}

/** Byte position just past the last newline before `size` (where complete lines end). */
function completeEnd(file: string, size: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0;) {
      const start = Math.max(0, end - chunk.length);
      const n = fs.readSync(fd, chunk, 0, end - start, start);
      const i = chunk.subarray(0, n).lastIndexOf(10);
      if (i >= 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What the viewer reads: a scratch DuckDB of its own holding a slim row per span and a row per run, loaded
 * from the telemetry directory (the database when it is free, plus what the files hold that it does
 * not) and kept current by polling: new files and the new lines of growing files are appended every
 * `pollMs`, and the runs they touch recomputed. telemetry.duckdb is attached only while it is read and
 * detached at once, so an agent starting later can still open it for writing.
 */
export class ViewerStore {
  readonly dir: string;
  readonly source: Source;
  /** Where rows came from, and anything the user should know. */
  notes: string[] = [];
  from: 'duckdb' | 'files' | 'duckdb+files' = 'files';
  /** Bumped whenever the rows change: the page reloads what it shows when it sees a new one. */
  generation = 0;
  loading = true;
  loadError: string | undefined;
  spanCount = 0;
  runCount = 0;
  updatedAt = new Date();
  readonly ready: Promise<void>;

  private readonly files = new Map<string, LoadedFile>();
  private readonly byId = new Map<number, LoadedFile>();
  private nextId = 1;
  private dbSig: string | undefined;
  private readonly pool: DuckDBConnection[] = [];
  private readonly staging: string;
  /** The viewer's own scratch directory (its database file, staged lines), removed on close. */
  private readonly work: string;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private dbChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private facetCache: { generation: number; value: Promise<Row> } | undefined;

  private constructor(dir: string, source: Source, private readonly pollMs: number, work: string,
    private readonly instance: DuckDBInstance, private readonly loader: DuckDBConnection) {
    this.dir = dir;
    this.source = source;
    this.staging = path.join(work, 'staging');
    fs.mkdirSync(this.staging, { mode: 0o700 });
    this.work = work;
    this.ready = this.serial(() => this.fullLoad()).then(() => {
      this.loading = false;
    }, (err: Error) => {
      this.loading = false;
      this.loadError = err.message;
    }).finally(() => this.schedule());
  }

  static async open(o: ViewerStoreOptions): Promise<ViewerStore> {
    const source = o.source ?? 'auto';
    if (!SOURCES.includes(source)) throw new QueryError(`--source must be one of ${SOURCES.join(', ')}; got ${JSON.stringify(source)}`);
    const dir = path.resolve(o.dir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new QueryError(`no telemetry directory at ${dir} (set --dir or AGENT_OTEL_DIR to where the agent writes)`);
    }
    // A database file of its own (not memory): DuckDB compresses it and pages it out, so a 1M-span store
    // costs the viewer a few hundred MB at most. It is scratch: made fresh, deleted on close.
    removeStaleWorkDirs();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `${WORK_PREFIX}${process.pid}-`));
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path.join(work, 'viewer.duckdb'));
    } catch (err) {
      fs.rmSync(work, { recursive: true, force: true });
      throw err;
    }
    const loader = await instance.connect();
    await loader.run(VSPANS_DDL);
    for (const sql of liveProcessesSql([])) await loader.run(sql);
    await loader.run(VRUNS_DDL);
    return new ViewerStore(dir, source, o.pollMs ?? 2000, work, instance, loader);
  }

  // ---------------------------------------------------------------- reading

  /** Runs one fixed statement with bound values on a connection of its own; rows as JSON values. */
  async query(sql: string, values: DuckDBValue[] = []): Promise<Row[]> {
    await this.ready;
    if (this.loadError) throw new QueryError(this.loadError);
    if (this.closed) throw new QueryError('the viewer is closing');
    const conn = this.pool.pop() ?? await this.instance.connect();
    try {
      return (await conn.runAndReadAll(sql, values)).getRowObjectsJson() as Row[];
    } finally {
      if (this.closed) conn.closeSync();
      else this.pool.push(conn);
    }
  }

  /** Distinct values for the filters of the pages (cached until the rows change). */
  facets(): Promise<Row> {
    if (this.facetCache?.generation !== this.generation) {
      const distinct = (col: string, where: string, table = 'vspans') =>
        this.query(`SELECT DISTINCT ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL AND ${where} ORDER BY 1 LIMIT 500`)
          .then((rows) => rows.map((r) => r.v));
      const value = (async () => ({
        agents: await distinct('agent', 'TRUE', 'vruns'),
        statuses: await distinct('status', 'TRUE', 'vruns'),
        models: await distinct('model', `op IN ${LLM_OPS_SQL}`),
        tools: await distinct('tool', `op = 'execute_tool'`),
      }))();
      value.catch(() => { this.facetCache = undefined; });
      this.facetCache = { generation: this.generation, value };
    }
    return this.facetCache.value;
  }

  /** The whole rows of one trace, read from the files (or the database) its spans came from. */
  async trace(traceId: string): Promise<TraceRows | undefined> {
    const srcs = (await this.query('SELECT DISTINCT src FROM vspans WHERE trace_id = ?', [traceId])).map((r) => Number(r.src));
    if (srcs.length === 0) return undefined;
    const notes: string[] = [];
    let rows: Row[] = [];
    const parts = srcs.filter((s) => s !== SRC_DB).map((s) => this.byId.get(s));
    let scanAll = parts.some((p) => p === undefined);
    if (!scanAll && parts.length) {
      try {
        rows.push(...await this.spansFrom(parts as LoadedFile[], traceId));
      } catch {
        scanAll = true; // a file was compacted or pruned meanwhile
      }
    }
    if (srcs.includes(SRC_DB)) {
      const fromDb = await this.withDb(async (alias, conn) =>
        (await conn.runAndReadAll(`SELECT ${TRACE_COLUMNS} FROM ${alias}.spans WHERE trace_id = ?`, [traceId])).getRowObjectsJson() as Row[]);
      if (Array.isArray(fromDb)) rows.push(...fromDb);
      else {
        notes.push(`${fromDb}; spans were looked up in the files instead`);
        scanAll = true;
      }
    }
    if (scanAll) {
      const every = listFiles(this.dir).filter((f) => f.signal === 'spans')
        .map((f) => ({ id: -1, rel: f.rel, file: f.file, kind: f.kind, offset: f.size }));
      rows = [...rows, ...await this.spansFrom(every, traceId)];
    }
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const id = String(r.span_id);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    return { spans: rows, notes };
  }

  private async spansFrom(parts: LoadedFile[], traceId: string): Promise<Row[]> {
    const jsonl = [...new Set(parts.filter((p) => p.kind === 'jsonl').map((p) => p.file))];
    const parquet = [...new Set(parts.filter((p) => p.kind === 'parquet').map((p) => p.file))];
    const rows: Row[] = [];
    for (const file of jsonl) rows.push(...await scanJsonl(file, traceId));
    if (parquet.length) rows.push(...await this.query(`SELECT ${TRACE_COLUMNS} FROM (${readParquetSql(parquet)}) WHERE trace_id = ?`, [traceId]));
    return rows;
  }


  // ---------------------------------------------------------------- loading

  /** Runs `fn` after everything queued before it (loads never overlap). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.busy.then(fn, fn);
    this.busy = next.catch(() => {});
    return next;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.serial(() => this.refresh()).catch((err: Error) => {
        this.notes = [...this.notes.filter((n) => !n.startsWith('refresh failed')), `refresh failed: ${err.message}`];
      }).finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  /** Checks for new rows now (the poll does this every `pollMs`). */
  refreshNow(): Promise<void> {
    return this.serial(() => this.refresh());
  }

  private dbFile(): string {
    return path.join(this.dir, DUCKDB_FILE);
  }

  private dbSignature(): string | undefined {
    const sig = (f: string) => {
      try {
        const st = fs.statSync(f);
        return `${st.size}:${st.mtimeMs}`;
      } catch {
        return '-';
      }
    };
    const main = sig(this.dbFile());
    return main === '-' ? undefined : `${main}/${sig(`${this.dbFile()}.wal`)}`;
  }

  /**
   * Attaches telemetry.duckdb read-only, runs `fn`, detaches. Resolves to why it could not when
   * the file is held by a running agent (or unreadable).
   */
  private withDb<T>(fn: (alias: string, conn: DuckDBConnection) => Promise<T>): Promise<T | string> {
    const run = async (): Promise<T | string> => {
      const conn = this.pool.pop() ?? await this.instance.connect();
      try {
        try {
          const problem = duckdbPathProblem(this.dbFile());
          if (problem) throw new Error(problem);
          await conn.run(`ATTACH ${lit(this.dbFile())} AS ${DB_ALIAS} (READ_ONLY)`);
        } catch (err) {
          return isLockError(err) ? `${DUCKDB_FILE} is held by another process` : `${DUCKDB_FILE} cannot be read: ${(err as Error).message}`;
        }
        try {
          return await fn(DB_ALIAS, conn);
        } finally {
          await conn.run(`DETACH ${DB_ALIAS}`).catch(() => {});
        }
      } finally {
        if (this.closed) conn.closeSync();
        else this.pool.push(conn);
      }
    };
    const next = this.dbChain.then(run, run);
    this.dbChain = next.catch(() => {});
    return next;
  }

  /**
   * Brings telemetry.duckdb up to date with the files (it is their materialized view), holding it for
   * that one ingest; in turn with this viewer's own reads of it. Resolves to why it could not, when
   * that is worth saying (another process holding it for a moment is not).
   */
  private catchUpDb(): Promise<string | undefined> {
    const run = async (): Promise<string | undefined> => {
      if (duckdbPathProblem(this.dbFile())) return undefined;
      const files = listFiles(this.dir);
      if (files.length === 0) return undefined;
      const r = await catchUp(this.dir, { waitMs: 2000 });
      return r.ok || r.held ? undefined : r.why;
    };
    const next = this.dbChain.then(run, run);
    this.dbChain = next.catch(() => {});
    return next;
  }

  private register(f: FilePart, offset: number): LoadedFile {
    const lf: LoadedFile = { id: this.nextId++, rel: f.rel, file: f.file, kind: f.kind, offset };
    this.files.set(f.rel, lf);
    this.byId.set(lf.id, lf);
    return lf;
  }

  private forget(lf: LoadedFile): void {
    this.files.delete(lf.rel);
    this.byId.delete(lf.id);
  }

  /** Everything again, from scratch, into new tables swapped in at once. */
  private async fullLoad(): Promise<void> {
    const c = this.loader;
    const notes: string[] = [];
    const all = listFiles(this.dir).filter((f) => f.signal === 'spans');
    this.files.clear();
    this.byId.clear();
    await c.run('DROP TABLE IF EXISTS vspans_next');
    await c.run(VSPANS_DDL.replace('vspans', 'vspans_next'));
    let parts: FilePart[] = this.source === 'duckdb' ? [] : all;
    let fromDb = false;
    if (this.source === 'auto') {
      const why = await this.catchUpDb();
      if (why) notes.push(`${why}; reading what it lacks from the files`);
    }
    const sig = this.dbSignature();
    if (this.source !== 'files' && sig !== undefined) {
      const held = await this.withDb(async (alias, conn) => {
        const rows = (await conn.runAndReadAll(`SELECT file, bytes FROM ${alias}.${INGESTED_TABLE}`)).getRowObjectsJS();
        await conn.run(`CREATE OR REPLACE TABLE vspans_db AS ${slimSelect(`SELECT * FROM ${alias}.spans`, `${SRC_DB} AS src`)}`);
        return new Map(rows.map((r) => [String(r.file), Number(r.bytes)]));
      });
      if (typeof held === 'string') {
        if (this.source === 'duckdb') throw new QueryError(`${held}; view the files instead (--source files)`);
        notes.push(`${held}; reading the JSONL/Parquet files`);
      } else {
        fromDb = true;
        this.dbSig = sig;
        const missing = notIngested(all, held);
        if (this.source !== 'duckdb') parts = missing;
        // Files the database holds whole are followed from where it stops.
        for (const f of all) if (f.kind === 'jsonl' && !missing.some((m) => m.rel === f.rel)) this.register(f, held.get(f.rel) ?? f.size);
        for (const f of all) if (f.kind === 'parquet' && !missing.some((m) => m.rel === f.rel)) this.register(f, f.size);
      }
    } else if (this.source === 'duckdb') {
      throw new QueryError(`no ${DUCKDB_FILE} in ${this.dir}; run \`agent-otel ingest\` or use --source files`);
    }
    const ids = new Map<string, number>();
    const whole = parts.filter((p) => p.kind === 'jsonl' && p.offset === 0);
    for (const f of whole) ids.set(f.file, this.register(f, completeEnd(f.file, f.size)).id);
    // In batches of ~256 MB of JSON: the staging table stays small, and so does the viewer's memory.
    for (let i = 0; i < whole.length;) {
      const batch: FilePart[] = [];
      for (let bytes = 0; i < whole.length && (batch.length === 0 || bytes + whole[i]!.size <= BATCH_BYTES); i++) {
        bytes += whole[i]!.size;
        batch.push(whole[i]!);
      }
      await this.run(insertSlimSql('vspans_next', readJsonWithFile(batch.map((f) => f.file)), ids));
    }
    const parquet = parts.filter((p) => p.kind === 'parquet');
    ids.clear();
    for (const f of parquet) ids.set(f.file, this.register(f, f.size).id);
    if (parquet.length) await this.run(insertSlimSql('vspans_next', readParquetWithFile(parquet.map((f) => f.file)), ids));
    const tails = parts.filter((p) => p.kind === 'jsonl' && p.offset > 0);
    if (tails.length) {
      const staged = this.stage(tails.map((f) => {
        const buf = readCompleteLines(f);
        return { lf: this.register(f, f.offset + buf.length), buf };
      }));
      if (staged.size) await this.run(insertSlimSql('vspans_next', readJsonWithFile([...staged.keys()]), staged));
      this.unstage();
    }
    if (fromDb) {
      // Rows the database holds that the files (read above, a moment later) do not: never a row twice.
      await c.run(`INSERT INTO vspans_next SELECT * FROM vspans_db d
        WHERE NOT EXISTS (SELECT 1 FROM vspans_next v WHERE v.trace_id = d.trace_id AND v.span_id = d.span_id)`);
      await c.run('DROP TABLE vspans_db');
    }
    const torn = tornFiles(all);
    if (torn.length) notes.push(`${torn.length} file(s) end in a partial line (a writer was killed, or is writing): its last line is read once complete`);
    await withTransaction(c, async () => {
      await c.run('DROP TABLE vspans');
      await c.run('ALTER TABLE vspans_next RENAME TO vspans');
      await c.run('DELETE FROM vruns');
      await c.run(`INSERT INTO vruns ${runsSql('TRUE')}`);
      await this.markLiveRuns();
    });
    this.from = fromDb ? (parts.length ? 'duckdb+files' : 'duckdb') : 'files';
    this.notes = notes;
    await this.changed();
  }

  private async run(statements: string[]): Promise<void> {
    for (const sql of statements) await this.loader.run(sql);
  }

  /** Writes each buffer to its own staging file; the map is staging path → src id. */
  private stage(items: Array<{ lf: LoadedFile; buf: Buffer }>): Map<string, number> {
    const ids = new Map<string, number>();
    for (const { lf, buf } of items) {
      if (buf.length === 0) continue;
      const file = path.join(this.staging, `${lf.id}-${ids.size}.jsonl`);
      fs.writeFileSync(file, buf, { mode: 0o600 });
      ids.set(file, lf.id);
    }
    return ids;
  }

  private unstage(): void {
    for (const f of fs.readdirSync(this.staging)) fs.rmSync(path.join(this.staging, f), { force: true });
  }

  private async changed(): Promise<void> {
    const [counts] = (await this.loader.runAndReadAll(
      'SELECT (SELECT count(*) FROM vspans)::DOUBLE AS spans, (SELECT count(*) FROM vruns)::DOUBLE AS runs')).getRowObjectsJson();
    this.spanCount = Number(counts!.spans);
    this.runCount = Number(counts!.runs);
    this.generation++;
    this.updatedAt = new Date();
  }

  /**
   * Runs whose run span never came: `running` while their process lives, else `abandoned` (the rule and
   * the SQL of src/query/runStatus.ts), checked again at every poll since a process can die silently.
   */
  private async markLiveRuns(): Promise<number> {
    const c = this.loader;
    const procs = (await c.runAndReadAll('SELECT DISTINCT host, pid::DOUBLE AS pid FROM vruns WHERE NOT ended AND pid IS NOT NULL')).getRowObjectsJson();
    const live = procs.map((r) => ({ host: r.host as string, pid: Number(r.pid) })).filter((p) => isLiveProcess(p.host, p.pid));
    for (const sql of liveProcessesSql(live)) await c.run(sql);
    const status = markerStatusSql('vruns.host', 'vruns.pid');
    return (await c.run(`UPDATE vruns SET status = ${status} WHERE NOT ended AND status IS DISTINCT FROM ${status}`)).rowsChanged;
  }

  /** One poll: append what is new, recompute the runs it touches; start over if files went away. */
  private async refresh(): Promise<void> {
    if (this.closed || this.loadError) return;
    const c = this.loader;
    const all = listFiles(this.dir).filter((f) => f.signal === 'spans');
    const now = new Map(all.map((f) => [f.rel, f]));
    const compacted: Array<[LoadedFile, FilePart]> = [];
    for (const lf of this.files.values()) {
      const f = now.get(lf.rel);
      const twin = lf.kind === 'jsonl' && !f ? now.get(lf.rel.replace(/\.jsonl$/, '.parquet')) : undefined;
      if (twin) compacted.push([lf, twin]);
      else if (!f || (f.kind === 'jsonl' && f.size < lf.offset)) return this.fullLoad(); // pruned, truncated or rewritten
    }
    const twins = new Set(compacted.map(([, t]) => t.rel));
    const tails: Array<{ lf: LoadedFile; buf: Buffer }> = [];
    const parquet: LoadedFile[] = [];
    for (const f of all) {
      if (this.source === 'duckdb') break;
      const lf = this.files.get(f.rel);
      if (f.kind === 'jsonl') {
        const offset = lf?.offset ?? 0;
        if (f.size <= offset) continue;
        const buf = readCompleteLines({ ...f, offset });
        if (buf.length === 0) continue;
        const target = lf ?? this.register(f, 0);
        target.offset = offset + buf.length;
        tails.push({ lf: target, buf });
      } else if (!lf && !twins.has(f.rel)) {
        parquet.push(this.register(f, f.size));
      }
    }
    let fromDb = false;
    const sig = this.source === 'files' ? undefined : this.dbSignature();
    if (sig !== undefined && sig !== this.dbSig) {
      // The database changed (an agent finished, or `ingest` ran): pick up rows only it holds.
      const got = await this.withDb(async (alias, conn) => {
        await conn.run(`CREATE OR REPLACE TABLE vdelta_db AS ${slimSelect(`SELECT * FROM ${alias}.spans s
          WHERE NOT EXISTS (SELECT 1 FROM vspans v WHERE v.trace_id = s.trace_id AND v.span_id = s.span_id)`, `${SRC_DB} AS src`)}`);
        return true;
      });
      if (got === true) {
        this.dbSig = sig;
        fromDb = true;
      }
    }
    if (tails.length === 0 && parquet.length === 0 && compacted.length === 0 && !fromDb) {
      const n = await withTransaction(c, () => this.markLiveRuns());
      if (n) await this.changed();
      return;
    }
    const staged = this.stage(tails);
    const pq = new Map<string, number>();
    for (const lf of parquet) pq.set(lf.file, lf.id);
    const renamed: Array<[number, number]> = [];
    for (const [old, twin] of compacted) {
      this.forget(old);
      const lf = this.register(twin, twin.size);
      pq.set(lf.file, lf.id);
      renamed.push([old.id, lf.id]);
    }
    try {
      await c.run(`CREATE OR REPLACE TEMP TABLE vdelta AS SELECT * FROM vspans LIMIT 0`);
      if (staged.size) await this.run(insertSlimSql('vdelta', readJsonWithFile([...staged.keys()]), staged));
      if (pq.size) await this.run(insertSlimSql('vdelta', readParquetWithFile([...pq.keys()]), pq));
      if (fromDb) await c.run('INSERT INTO vdelta SELECT * FROM vdelta_db');
    } finally {
      this.unstage();
      if (fromDb) await c.run('DROP TABLE IF EXISTS vdelta_db');
    }
    await withTransaction(c, async () => {
      // A compacted file's rows now live in its Parquet twin (read again above in case it had grown).
      for (const [from, to] of renamed) await c.run('UPDATE vspans SET src = ? WHERE src = ?', [to, from]);
      // New rows only, once each (the files' copy of a row preferred to the database's).
      await c.run(`INSERT INTO vspans SELECT * EXCLUDE (rk) FROM (
          SELECT d.*, row_number() OVER (PARTITION BY trace_id, span_id ORDER BY src = ${SRC_DB}, src) AS rk FROM vdelta d
          WHERE NOT EXISTS (SELECT 1 FROM vspans v WHERE v.trace_id = d.trace_id AND v.span_id = d.span_id))
        WHERE rk = 1`);
      await c.run('CREATE OR REPLACE TEMP TABLE vaffected AS SELECT DISTINCT run_id FROM vdelta WHERE run_id IS NOT NULL');
      await c.run('DELETE FROM vruns WHERE run_id IN (SELECT run_id FROM vaffected)');
      await c.run(`INSERT INTO vruns ${runsSql('run_id IN (SELECT run_id FROM vaffected)')}`);
      await this.markLiveRuns();
    });
    if (fromDb) this.from = this.from === 'files' ? 'duckdb+files' : this.from;
    await this.changed();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.busy.catch(() => {});
    await this.dbChain.catch(() => {});
    for (const conn of this.pool.splice(0)) conn.closeSync();
    try { this.loader.closeSync(); } catch { /* closed */ }
    try { this.instance.closeSync(); } catch { /* closed */ }
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
