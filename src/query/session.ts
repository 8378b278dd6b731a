import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import {
  COLUMNS, createTableSql, duckdbPathProblem, globLit, isLockError, lit, namesResource, readJsonColumns, MAX_ROW_BYTES, withResourceSql, type Signal,
} from '../../exporters/duckdb/index.js';
import { columnList, SPAN_ATTRIBUTE_COLUMNS, spanAttributesSql } from '../../exporters/duckdb/tables.js';
import { RUNS_TABLE } from '../../exporters/duckdb/runs.js';
import { SPAN_COLUMNS } from '../../semconv/schema.js';
import { DUCKDB_FILE, INGESTED_TABLE } from '../../semconv/schema.js';
import { listFiles, notIngested, readCompleteLines, tornFiles, type FilePart } from './files.js';
import { catchUp, needsCatchUp, type IngestProgress } from './ingest.js';
import { liveProcessesSql, liveWriters } from './runStatus.js';
import { agentRunsSql, spanAttrsSql, storedAgentRunsSql, viewStatements } from './views.js';
import { logsViewStatements } from '../logs/view.js';

export type Source = 'auto' | 'files' | 'duckdb';
export const SOURCES: Source[] = ['auto', 'files', 'duckdb'];

import { QueryError } from './database.js';

export { QueryError };

/**
 * `read_json` over JSONL files: typed columns; a line that does not parse (a torn last line, a corrupt
 * line) comes back from ignore_errors as an all-NULL row, so rows without their key column are dropped.
 */
export const readJsonSql = (signal: Signal, files: string[]): string =>
  `SELECT * FROM read_json([${files.map(globLit).join(', ')}], format='newline_delimited', ` +
  `columns=${readJsonColumns(COLUMNS[signal])}, ignore_errors=true, maximum_object_size=${MAX_ROW_BYTES}) ` +
  `WHERE ${{ resources: 'resource_id', spans: 'span_id', metrics: 'name', logs: 'time', run_starts: 'run_id' }[signal]} IS NOT NULL`;

export const readParquetSql = (files: string[]): string =>
  `SELECT * FROM read_parquet([${files.map(globLit).join(', ')}], union_by_name=true)`;

export interface SessionOptions {
  /** Progress of bringing telemetry.duckdb up to date first (source `auto`), for a progress bar. */
  onIngestProgress?: (p: IngestProgress) => void;
  /** How long to wait for another process's hold on telemetry.duckdb (one ingest or query), ms; default 2000. */
  waitMs?: number;
  /** False: read telemetry.duckdb as it is plus the files, never writing it (the viewer catches up on its own turn). */
  catchUp?: boolean;
}

/**
 * A DuckDB connection with the ready views (`spans`, `metrics`, `logs`, `run_starts`, `llm_calls`, `tool_calls`,
 * `agent_runs`) over a telemetry directory. With source `auto`, telemetry.duckdb — a materialized view
 * of the files — is first brought up to date (only what it lacks is loaded; the file is held for that
 * one ingest), then rows come from it (attached read-only) plus whatever the files gained since. When
 * another process has the database for longer than `waitMs`, what it lacks is read from the files, and
 * when it cannot be read at all, everything is. The answer is the same either way. Source `duckdb`
 * reads only what the database holds, as it is; `files` never opens it.
 */
export class QuerySession {
  /** Where rows came from, and anything the user should know (shown on stderr by the CLI). */
  readonly notes: string[] = [];
  source: 'duckdb' | 'files' | 'duckdb+files' = 'files';
  /** True when `span_attrs` reads the database's typed attribute columns (only rows from the files are parsed). */
  attributesStored = false;
  /** True when `agent_runs` reads the database's runs table (computing only runs the files add rows to). */
  runsStored = false;
  /** The runs (`agent_runs` rows) as a query, with other columns of the run SQL if asked (the viewer's `start_span_id`). */
  runsSql: (columns?: string) => string = () => 'SELECT * FROM agent_runs';
  private staged: string[] = [];
  /** telemetry.duckdb, while the views read it (attached as `store`). */
  private attachedFile: string | undefined;

  private constructor(readonly dir: string, readonly conn: DuckDBConnection, private readonly instance: DuckDBInstance,
    private readonly opts: SessionOptions) {}

  static async open(dir: string, source: Source = 'auto', opts: SessionOptions = {}): Promise<QuerySession> {
    if (!SOURCES.includes(source)) throw new QueryError(`--source must be one of ${SOURCES.join(', ')}; got ${JSON.stringify(source)}`);
    const abs = path.resolve(dir);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
      throw new QueryError(`no telemetry directory at ${abs} (set --dir or AGENT_OTEL_DIR to where the agent writes)`);
    }
    const instance = await DuckDBInstance.create(':memory:');
    const session = new QuerySession(abs, await instance.connect(), instance, opts);
    try {
      await session.build(source);
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  /** Attaches telemetry.duckdb read-only; while a writer has it (one load), tries again until `deadline`. */
  private async attach(dbFile: string, deadline: number): Promise<void> {
    for (let pause = 20; ; pause = Math.min(pause * 2, 200)) {
      try {
        await this.conn.run(`ATTACH IF NOT EXISTS ${lit(dbFile)} AS store (READ_ONLY)`);
        return;
      } catch (err) {
        if (!isLockError(err) || Date.now() + pause > deadline) throw err;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /** Tables of the attached database (one made by an older version may lack `logs`). */
  private storeTables = new Set<string>();
  /** Whether its `spans` table has the typed attribute columns (an older version's has not, until a writer adds them). */
  private storeTyped = false;
  private storeSpanColumns = new Set<string>();
  /** The attached database's tables with a `resource_id` column (an older version's may lack it). */
  private storeNamesResource = new Set<string>();

  private async held(): Promise<Map<string, number>> {
    const columns = (await this.conn.runAndReadAll(`SELECT table_name, column_name FROM duckdb_columns()
      WHERE database_name = 'store' AND schema_name = 'main'`)).getRowObjectsJS();
    this.storeTables = new Set(columns.map((r) => String(r.table_name)));
    this.storeSpanColumns = new Set(columns.filter((r) => r.table_name === 'spans').map((r) => String(r.column_name)));
    this.storeNamesResource = new Set(columns.filter((r) => r.column_name === 'resource_id').map((r) => String(r.table_name)));
    this.storeTyped = SPAN_ATTRIBUTE_COLUMNS.every(([name]) => this.storeSpanColumns.has(name));
    // A file without the bookkeeping holds nothing of ours (made by a DuckDB shell, or a store killed while
    // it created its tables): the next catch-up makes the tables.
    if (!this.storeTables.has(INGESTED_TABLE)) return new Map();
    const rows = (await this.conn.runAndReadAll(`SELECT file, bytes FROM store.${INGESTED_TABLE}`)).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.file), Number(r.bytes)]));
  }

  /** (Re)creates the views over what the directory holds now (call again to see new rows). */
  async build(source: Source): Promise<void> {
    let files = listFiles(this.dir);
    const dbFile = path.join(this.dir, DUCKDB_FILE);
    const problem = duckdbPathProblem(dbFile);
    const deadline = Date.now() + (this.opts.waitMs ?? 2000);
    let parts = files;
    let attached = false;
    let held: Map<string, number> | undefined;
    const tryAttach = async (): Promise<void> => {
      try {
        if (problem) throw new Error(problem);
        await this.attach(dbFile, deadline);
        attached = true;
        held = await this.held();
      } catch (err) {
        attached = false;
        const why = isLockError(err) ? `${DUCKDB_FILE} is held by another process` : `${DUCKDB_FILE} cannot be read: ${(err as Error).message}`;
        if (source === 'duckdb') throw new QueryError(`${why}; query the files instead (--source files)`);
        this.notes.push(`${why}; reading the JSONL/Parquet files`);
      }
    };
    if (source !== 'files' && fs.existsSync(dbFile)) await tryAttach();
    else if (source === 'duckdb') throw new QueryError(`no ${DUCKDB_FILE} in ${this.dir}; run \`agent-otel ingest\` or use --source files`);

    // The database is a materialized view of the files: bring it up to date before reading it.
    const canWrite = !problem && (attached || !fs.existsSync(dbFile));
    // An older database without the typed attribute columns (or the runs table) gets them from the writer too.
    if (source === 'auto' && canWrite && this.opts.catchUp !== false && (needsCatchUp(files, held) || (attached && !(this.storeTyped && this.storeTables.has(RUNS_TABLE))))) {
      if (attached) await this.conn.run('DETACH store');
      attached = false;
      // Held by another reader (its query has it read-only), a catch-up would wait for that whole query:
      // try briefly, then read it as it is plus the files. Held by a writer, the attach below waits.
      const r = await catchUp(this.dir, { waitMs: Math.min(250, Math.max(0, deadline - Date.now())), onProgress: this.opts.onIngestProgress });
      if (!r.ok && !r.held) this.notes.push(`${r.why}; reading what it lacks from the files`);
      files = listFiles(this.dir);
      if (fs.existsSync(dbFile)) await tryAttach();
    }
    this.attachedFile = attached ? dbFile : undefined;
    if (attached) {
      parts = notIngested(files, held!);
      if (source === 'duckdb') parts = [];
      this.source = parts.length ? 'duckdb+files' : 'duckdb';
    } else {
      this.source = 'files';
    }
    const torn = tornFiles(files);
    if (torn.length) this.notes.push(`${torn.length} file(s) end in a partial line (a writer was killed, or is writing): skipped (${torn.slice(0, 3).join(', ')})`);
    const union = (signal: Signal, fromStore = attached) => this.unionSql(signal, fromStore, parts.filter((p) => p.signal === signal));
    await this.conn.run(`CREATE OR REPLACE TEMP VIEW resources AS ${await union('resources')}`);
    // `spans` has exactly the row's columns (those an older database has; the empty typed table adds the
    // rest); span_attrs reads the database's typed columns where it has them.
    const stored = attached && this.storeTables.has('spans');
    const fileSpans = await union('spans', false);
    const storeColumns = columnList(SPAN_COLUMNS.filter(([n]) => this.storeSpanColumns.has(n)));
    await this.conn.run(`CREATE OR REPLACE TEMP VIEW spans AS ${stored ? `${this.storeRows('spans', `SELECT ${storeColumns} FROM store.spans`)} UNION ALL BY NAME ` : ''}${fileSpans}`);
    await this.conn.run(`CREATE OR REPLACE TEMP VIEW metrics AS ${await union('metrics')}`);
    const startParts = parts.filter((p) => p.signal === 'run_starts');
    const fileStarts = await union('run_starts', false);
    const storedStarts = attached && this.storeTables.has('run_starts');
    await this.conn.run(`CREATE OR REPLACE TEMP VIEW run_starts AS ${storedStarts ? 'SELECT * FROM store.run_starts UNION ALL BY NAME ' : ''}${fileStarts}`);
    await this.conn.run(`CREATE OR REPLACE TEMP VIEW _log_rows AS ${await union('logs')}`);
    for (const sql of liveProcessesSql(liveWriters(files))) await this.conn.run(sql);
    this.attributesStored = stored && this.storeTyped;
    await this.conn.run(this.attributesStored ? spanAttrsSql('store.spans', fileSpans) : spanAttrsSql(undefined, 'SELECT * FROM spans'));
    // Runs: telemetry.duckdb's runs table, but computed over all rows for the runs the files add rows to.
    this.runsStored = this.attributesStored && this.storeTables.has(RUNS_TABLE);
    let runs: string | undefined;
    if (this.runsStored) {
      const fromFiles = parts.some((p) => p.signal === 'spans') || startParts.length > 0;
      if (fromFiles) {
        await this.conn.run(`CREATE OR REPLACE TEMP TABLE _file_runs AS SELECT DISTINCT run_id FROM (
          SELECT "agent.run.id" AS run_id FROM (SELECT ${spanAttributesSql('s.attributes')} FROM (${fileSpans}) s)
          UNION ALL SELECT run_id FROM (${fileStarts})) WHERE run_id IS NOT NULL`);
      }
      this.runsSql = (columns) => storedAgentRunsSql(`store.${RUNS_TABLE}`, fromFiles ? '_file_runs' : undefined, 'span_attrs', 'run_starts', true, columns);
      runs = this.runsSql();
    } else {
      this.runsSql = (columns) => agentRunsSql('span_attrs', 'run_starts', 'TRUE', this.attributesStored, columns);
    }
    for (const sql of viewStatements('span_attrs', 'run_starts', this.attributesStored, runs)) await this.conn.run(sql);
    for (const sql of logsViewStatements(this.dir, '_log_rows')) await this.conn.run(sql);
  }

  private async unionSql(signal: Signal, attached: boolean, parts: FilePart[]): Promise<string> {
    const selects: string[] = [];
    // Rows that name their resource (JSONL, the database's) get it back from the `resources` view, with
    // what format v3 leaves out; Parquet files hold theirs already.
    const joined = (sql: string) => (namesResource(signal) ? withResourceSql(sql, 'resources', signal) : sql);
    if (attached && this.storeTables.has(signal)) selects.push(this.storeRows(signal, `SELECT * FROM store.${signal}`));
    const jsonl = parts.filter((p) => p.kind === 'jsonl' && p.offset === 0).map((p) => p.file);
    if (jsonl.length) selects.push(joined(readJsonSql(signal, jsonl)));
    const parquet = parts.filter((p) => p.kind === 'parquet').map((p) => p.file);
    if (parquet.length) selects.push(readParquetSql(parquet));
    // Tails of files the database holds the start of: their complete lines, staged into a temp file.
    const tails = parts.filter((p) => p.kind === 'jsonl' && p.offset > 0);
    if (tails.length) {
      const staging = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-otel-')), `${signal}.jsonl`);
      fs.writeFileSync(staging, Buffer.concat(tails.map(readCompleteLines)), { mode: 0o600 });
      this.staged.push(staging);
      await this.conn.run(`CREATE OR REPLACE TEMP TABLE _tail_${signal} AS ${readJsonSql(signal, [staging])}`);
      selects.push(joined(`SELECT * FROM _tail_${signal}`));
    }
    // Always there, typed and empty: every column exists even when the database predates some of them.
    await this.conn.run(createTableSql(`_empty_${signal}`, COLUMNS[signal]).replace('CREATE TABLE', 'CREATE TEMP TABLE'));
    selects.push(`SELECT * FROM _empty_${signal}`);
    return selects.join(' UNION ALL BY NAME ');
  }

  /** Rows of the database's table for `signal` (`sql`), with the resource each names joined back in (the table keeps only its id). */
  private storeRows(signal: Signal, sql: string): string {
    return namesResource(signal) && this.storeNamesResource.has(signal) ? withResourceSql(sql, 'resources', signal) : sql;
  }

  /**
   * Lets go of telemetry.duckdb, keeping the views (over the alias `store`), so that a process can keep
   * the session between uses without holding the file: `resume` attaches it again. Only for a database
   * and files unchanged since `build` (the caller checks): the views' file offsets and staged tails are
   * those of then.
   */
  async suspend(): Promise<void> {
    if (this.attachedFile) await this.conn.run('DETACH DATABASE IF EXISTS store');
  }

  /**
   * Attaches telemetry.duckdb again after `suspend` (once: held by a writer now, it throws at once and
   * the caller opens a session of its own, which waits), and checks anew which processes live (a run's status).
   */
  async resume(): Promise<void> {
    if (this.attachedFile) await this.attach(this.attachedFile, Date.now());
    for (const sql of liveProcessesSql(liveWriters(listFiles(this.dir)))) await this.conn.run(sql);
  }

  /** Runs one statement; DuckDB's own message on error, as a QueryError. */
  async query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    try {
      const reader = await this.conn.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    } catch (err) {
      throw new QueryError((err as Error).message);
    }
  }

  /**
   * `agent-otel sql`: exactly one read-only statement (a query, or EXPLAIN of one). Before it runs the
   * session is locked: file access is limited to the telemetry directory (and this session's staging
   * files), no extension is installed or loaded, and the configuration cannot be changed back by SQL.
   * Together with the statement check, nothing a user types can write a file or change the store.
   */
  async readOnlyQuery(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    await this.lock();
    try {
      const statements = await this.conn.extractStatements(sql);
      if (statements.count !== 1) {
        throw new QueryError(`agent-otel sql runs exactly one statement; this text has ${statements.count}`);
      }
      const prepared = await statements.prepare(0);
      const type = prepared.statementType;
      if (type !== StatementType.SELECT && type !== StatementType.EXPLAIN) {
        throw new QueryError(`agent-otel sql runs read-only queries (SELECT, WITH, FROM, DESCRIBE, SHOW, EXPLAIN); this is a ${StatementType[type] ?? type} statement`);
      }
      const reader = await prepared.runAndReadAll();
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    } catch (err) {
      throw err instanceof QueryError ? err : new QueryError((err as Error).message);
    }
  }

  private locked = false;

  private async lock(): Promise<void> {
    if (this.locked) return;
    // Each folder also as the pattern globLit makes of it: DuckDB checks the path it was given.
    const dirs = [this.dir, ...this.staged.map((f) => path.dirname(f))].map((d) => (d.endsWith(path.sep) ? d : d + path.sep))
      .flatMap((d) => [lit(d), globLit(d)]);
    for (const setting of [
      `SET allowed_directories = [${dirs.join(', ')}]`, 'SET enable_external_access = false',
      'SET autoinstall_known_extensions = false', 'SET autoload_known_extensions = false', 'SET allow_community_extensions = false',
      'SET lock_configuration = true',
    ]) await this.conn.run(setting);
    this.locked = true;
  }

  close(): void {
    try { this.conn.closeSync(); } catch { /* already closed */ }
    try { this.instance.closeSync(); } catch { /* already closed */ }
    for (const f of this.staged) fs.rmSync(path.dirname(f), { recursive: true, force: true });
    this.staged = [];
  }
}
