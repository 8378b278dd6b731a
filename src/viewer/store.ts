import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { withResourceSql } from '../../exporters/duckdb/index.js';
import { ResourceLookup } from '../../exporters/jsonl/resources.js';
import { listFiles } from '../query/files.js';
import { QueryError, readParquetSql, SOURCES, type QuerySession, type Source } from '../query/session.js';
import { createIndexTables, SpanIndexer, SRC_DB, type LoadedFile } from './indexer.js';
import { ConnectionPool } from './pool.js';
import { LLM_OPS_SQL } from './sql.js';
import { makeWorkDir, removeStaleWorkDirs, Staging } from './staging.js';
import { TelemetryDb } from './telemetryDb.js';
import { scanJsonl, TRACE_COLUMNS } from './traceScan.js';

export interface ViewerStoreOptions {
  dir: string;
  /** auto (default): telemetry.duckdb, brought up to date first, plus the files; files: never open the database. */
  source?: Source;
  /** How often the directory is checked for new rows (ms, default 2000). */
  pollMs?: number;
}

export type Row = Record<string, unknown>;

/** The rows of one trace, whole (attributes, events, links, resource). */
export interface TraceRows { spans: Row[]; notes: string[] }

/**
 * What the viewer reads. The runs list, the filters' values, a trace and the counts come from
 * telemetry.duckdb as it is plus what the files hold beyond it (a query session per request,
 * `fromDatabase`; the runs from its stored runs table), brought up to date at start and whenever the
 * directory changes. The LLM calls, tool calls and charts pages (and everything with `--source files`,
 * or while the database cannot be read) use a scratch DuckDB of the viewer's own, a slim row per span and
 * a row per run (src/viewer/indexer.ts), built on first need and kept current by polling every `pollMs`.
 * telemetry.duckdb is attached only while it is read and detached at once (src/viewer/telemetryDb.ts),
 * so an agent starting later can still open it for writing.
 */
export class ViewerStore {
  readonly dir: string;
  readonly source: Source;
  /** True while the index is being built. */
  loading = false;
  loadError: string | undefined;

  private readonly pool: ConnectionPool;
  private readonly db: TelemetryDb;
  /** Resources of the directory, for span rows read straight from JSONL (the trace page). */
  private readonly resources: ResourceLookup;
  private readonly indexer: SpanIndexer;
  private indexing: Promise<void> | undefined;
  private indexed = false;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private closed = false;
  private facetCache: { generation: number; value: Promise<Row> } | undefined;
  private countCache: { generation: number; value: Promise<{ spans: number; runs: number }> } | undefined;
  /** Changes seen before the index exists (then the index counts them), where rows last came from, what the catch-up said. */
  private changes = 0;
  private caughtUpSig = '';
  private seenSig = '';
  private lastFrom: 'duckdb' | 'files' | 'duckdb+files' = 'duckdb';
  private catchUpNote: string | undefined;
  private changedAt = new Date();

  private constructor(dir: string, source: Source, private readonly pollMs: number,
    /** The viewer's own scratch directory (its database file, staged lines), removed on close. */
    private readonly work: string,
    private readonly instance: DuckDBInstance, private readonly loader: DuckDBConnection) {
    this.dir = dir;
    this.resources = new ResourceLookup(dir);
    this.source = source;
    this.pool = new ConnectionPool(instance);
    this.db = new TelemetryDb(dir, this.pool);
    this.indexer = new SpanIndexer(dir, source, loader, this.db, new Staging(work));
    void this.serial(() => this.watch()).finally(() => this.schedule());
  }

  /** The index (src/viewer/indexer.ts), built once on first need. */
  get ready(): Promise<void> {
    return (this.indexing ??= this.serial(async () => {
      this.loading = true;
      try {
        await this.indexer.fullLoad();
        this.indexed = true;
      } catch (err) {
        this.loadError = (err as Error).message;
      } finally {
        this.loading = false;
      }
    }));
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
    const work = makeWorkDir();
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path.join(work, 'viewer.duckdb'));
    } catch (err) {
      fs.rmSync(work, { recursive: true, force: true });
      throw err;
    }
    const loader = await instance.connect();
    await createIndexTables(loader);
    return new ViewerStore(dir, source, o.pollMs ?? 2000, work, instance, loader);
  }

  /** Where rows came from, and anything the user should know. */
  get notes(): string[] { return this.indexed ? this.indexer.notes : (this.catchUpNote ? [this.catchUpNote] : []); }
  get from(): 'duckdb' | 'files' | 'duckdb+files' { return this.indexed ? this.indexer.from : this.lastFrom; }
  /** Bumped whenever the rows change: the page reloads what it shows when it sees a new one. */
  get generation(): number {
    this.look();
    return this.changes + this.indexer.generation;
  }
  get updatedAt(): Date { return this.indexed ? this.indexer.updatedAt : this.changedAt; }

  /** Spans and runs in the index (0 until it is built). */
  get spanCount(): number { return this.indexer.spanCount; }
  get runCount(): number { return this.indexer.runCount; }

  /** Spans and runs in all (from the database when it can say, cached until the rows change). */
  counts(): Promise<{ spans: number; runs: number }> {
    if (this.countCache?.generation !== this.generation) {
      const value = (async () => {
        const fromDb = await this.fromDatabase(async (s) => {
          const [r] = (await s.query(`SELECT (SELECT count(*) FROM spans)::DOUBLE AS spans, (SELECT count(*) FROM (${s.runsSql('run_id')}))::DOUBLE AS runs`)).rows;
          return { spans: Number(r!.spans), runs: Number(r!.runs) };
        });
        if (fromDb) return fromDb;
        await this.ready;
        return { spans: this.indexer.spanCount, runs: this.indexer.runCount };
      })();
      value.catch(() => { this.countCache = undefined; });
      this.countCache = { generation: this.generation, value };
    }
    return this.countCache.value;
  }

  // ---------------------------------------------------------------- reading

  /** Runs one fixed statement with bound values on a connection of its own; rows as JSON values. */
  async query(sql: string, values: DuckDBValue[] = []): Promise<Row[]> {
    await this.ready;
    if (this.loadError) throw new QueryError(this.loadError);
    if (this.closed) throw new QueryError('the viewer is closing');
    const conn = await this.pool.acquire();
    try {
      return (await conn.runAndReadAll(sql, values)).getRowObjectsJson() as Row[];
    } finally {
      this.pool.release(conn);
    }
  }

  /**
   * `fn` over a query session on telemetry.duckdb as it is plus the files' rows beyond it, when its
   * runs come from the database's runs table; undefined otherwise (the index answers).
   */
  async fromDatabase<T>(fn: (s: QuerySession) => Promise<T>): Promise<T | undefined> {
    if (this.source === 'files' || this.closed) return undefined;
    return this.db.session(this.source, async (s) => {
      if (!s.runsStored) return undefined;
      this.lastFrom = s.source;
      return fn(s);
    });
  }

  /** Distinct values for the filters of the pages (cached until the rows change). */
  facets(): Promise<Row> {
    if (this.facetCache?.generation !== this.generation) {
      const fromDb = this.fromDatabase(async (s) => {
        const distinct = async (col: string, from: string, where: string) =>
          (await s.query(`SELECT DISTINCT ${col} AS v FROM ${from} WHERE ${col} IS NOT NULL AND ${where} ORDER BY 1 LIMIT 500`)).rows.map((r) => r.v);
        return {
          agents: await distinct('agent', `(${s.runsSql('agent')})`, 'TRUE'),
          statuses: await distinct('status', `(${s.runsSql('status')})`, 'TRUE'),
          models: await distinct('"gen_ai.request.model"', 'span_attrs', `"gen_ai.operation.name" IN ${LLM_OPS_SQL}`),
          tools: await distinct('"gen_ai.tool.name"', 'span_attrs', `"gen_ai.operation.name" = 'execute_tool'`),
        };
      });
      const distinct = (col: string, where: string, table = 'vspans') =>
        this.query(`SELECT DISTINCT ${col} AS v FROM ${table} WHERE ${col} IS NOT NULL AND ${where} ORDER BY 1 LIMIT 500`)
          .then((rows) => rows.map((r) => r.v));
      const value = (async () => (await fromDb) ?? ({
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
    // From the database (and the files' rows beyond it): what `agent-otel trace` reads.
    const fromDb = await this.fromDatabase(async (s) =>
      (await s.conn.runAndReadAll(`SELECT ${TRACE_COLUMNS} FROM spans WHERE trace_id = ?`, [traceId])).getRowObjectsJson() as Row[]);
    if (fromDb) return fromDb.length ? { spans: dedupe(fromDb), notes: [] } : undefined;
    const srcs = (await this.query('SELECT DISTINCT src FROM vspans WHERE trace_id = ?', [traceId])).map((r) => Number(r.src));
    if (srcs.length === 0) return undefined;
    const notes: string[] = [];
    let rows: Row[] = [];
    const parts = srcs.filter((s) => s !== SRC_DB).map((s) => this.indexer.file(s));
    let scanAll = parts.some((p) => p === undefined);
    if (!scanAll && parts.length) {
      try {
        rows.push(...await this.spansFrom(parts as LoadedFile[], traceId));
      } catch {
        scanAll = true; // a file was compacted or pruned meanwhile
      }
    }
    if (srcs.includes(SRC_DB)) {
      const fromDb = await this.db.read(async (alias, conn) => {
        // The table keeps each row's resource id only (an older database, the resource itself): joined back here.
        const spans = `SELECT * FROM ${alias}.spans WHERE trace_id = ?`;
        const namesResource = (await conn.runAndReadAll(`SELECT 1 FROM duckdb_columns() WHERE database_name = '${alias}' ` +
          `AND table_name = 'spans' AND column_name = 'resource_id'`)).currentRowCount > 0;
        const rows = namesResource ? withResourceSql(spans, `${alias}.resources`, 'spans') : spans;
        return (await conn.runAndReadAll(`SELECT ${TRACE_COLUMNS} FROM (${rows})`, [traceId])).getRowObjectsJson() as Row[];
      });
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
    return { spans: dedupe(rows), notes };
  }

  private async spansFrom(parts: LoadedFile[], traceId: string): Promise<Row[]> {
    const jsonl = [...new Set(parts.filter((p) => p.kind === 'jsonl').map((p) => p.file))];
    const parquet = [...new Set(parts.filter((p) => p.kind === 'parquet').map((p) => p.file))];
    const rows: Row[] = [];
    // the resource in, its id out: the rows as TRACE_COLUMNS reads them from the database and Parquet
    for (const file of jsonl) {
      rows.push(...(await scanJsonl(file, traceId)).map((r) => {
        const { resource_id: _id, ...row } = this.resources.fill(r, 'spans');
        return row;
      }));
    }
    if (parquet.length) rows.push(...await this.query(`SELECT ${TRACE_COLUMNS} FROM (${readParquetSql(parquet)}) WHERE trace_id = ?`, [traceId]));
    return rows;
  }

  // ---------------------------------------------------------------- polling

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
        this.indexer.notes = [...this.indexer.notes.filter((n) => !n.startsWith('refresh failed')), `refresh failed: ${err.message}`];
      }).finally(() => this.schedule());
    }, this.pollMs);
    this.timer.unref();
  }

  /** Checks for new rows now (the poll does this every `pollMs`). */
  refreshNow(): Promise<void> {
    return this.serial(() => this.refresh());
  }

  private async refresh(): Promise<void> {
    if (this.closed || this.loadError) return;
    if (this.indexed) await this.indexer.refresh();
    else if (!this.indexing) await this.watch();
  }

  /** The files' sizes and the database's: a new one means new rows. */
  private signature(): string {
    return `${listFiles(this.dir).map((f) => `${f.rel}:${f.size}`).join(',')}|${this.db.signature() ?? '-'}`;
  }

  /**
   * A new generation as soon as the directory changed: requests read the rows as they are now, so the
   * page must hear of a change at once, not after the next poll's catch-up.
   */
  private look(): void {
    const sig = this.signature();
    if (sig === this.seenSig) return;
    this.seenSig = sig;
    this.changes++;
    this.changedAt = new Date();
  }

  /** Before the index exists: when the files (or the database) changed, bring the database up to date. */
  private async watch(): Promise<void> {
    if (this.signature() === this.caughtUpSig) return;
    if (this.source === 'auto') {
      const why = await this.db.catchUp();
      this.catchUpNote = why && `${why}; reading what it lacks from the files`;
    }
    // After a catch-up the database's own signature moved: take the one it has now.
    this.caughtUpSig = this.signature();
    this.look();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.busy.catch(() => {});
    await this.db.settled();
    this.db.close();
    this.pool.close();
    try { this.loader.closeSync(); } catch { /* closed */ }
    try { this.instance.closeSync(); } catch { /* closed */ }
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

/** One row per span id (a span read from both the database and a file counts once). */
function dedupe(rows: Row[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const id = String(r.span_id);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
