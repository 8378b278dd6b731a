import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { withTransaction } from '../../exporters/duckdb/index.js';
import { DUCKDB_FILE, INGESTED_TABLE } from '../../semconv/schema.js';
import { listFiles, notIngested, readCompleteLines, tornFiles, type FilePart } from '../query/files.js';
import { isLiveProcess, liveProcessesSql, markerStatusSql } from '../query/runStatus.js';
import { QueryError, readParquetSql, type Source } from '../query/session.js';
import {
  hasTypedColumnsSql, insertSlimSql, newRunStartsSql, readJsonWithFile, readParquetWithFile, readRunStartsJson, runsSql, slimSelect,
  slimSelectTyped, VRUN_STARTS_DDL, VRUNS_DDL, VSPANS_DDL,
} from './sql.js';
import type { Staging } from './staging.js';
import type { TelemetryDb } from './telemetryDb.js';

/** A data file whose rows are in `vspans` (under `src = id`), and how far. */
export interface LoadedFile { id: number; rel: string; file: string; kind: 'jsonl' | 'parquet'; offset: number }

/** The `src` of rows read from telemetry.duckdb. */
export const SRC_DB = 0;
const BATCH_BYTES = 256 * 1024 * 1024;

/** Creates the viewer's tables (empty) on its loader connection. */
export async function createIndexTables(loader: DuckDBConnection): Promise<void> {
  await loader.run(VSPANS_DDL);
  await loader.run(VRUN_STARTS_DDL);
  for (const sql of liveProcessesSql([])) await loader.run(sql);
  await loader.run(VRUNS_DDL);
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

/** SQL: the database's `run_starts` rows into `table` (empty when a database made before it has none). */
async function copyDbRunStarts(conn: DuckDBConnection, alias: string, table: string): Promise<void> {
  const has = (await conn.runAndReadAll(`SELECT 1 FROM duckdb_tables() WHERE database_name = '${alias}' AND table_name = 'run_starts'`)).currentRowCount > 0;
  await conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT * FROM ${has ? `${alias}.run_starts` : 'vrun_starts LIMIT 0'}`);
}

/** How to make slim rows of the attached database's spans: from its typed columns when it has them. */
async function storedSlim(conn: DuckDBConnection, alias: string): Promise<typeof slimSelect> {
  const [r] = (await conn.runAndReadAll(hasTypedColumnsSql(alias))).getRowObjectsJS();
  return r?.typed === true ? slimSelectTyped : slimSelect;
}

/**
 * Keeps `vspans`, `vrun_starts` and `vruns` current with a telemetry directory: a full load (the
 * database when it is free, plus what the files hold that it does not), then per poll the new files and
 * the new lines of growing files appended, rows only the database holds picked up, and the runs they
 * touch recomputed. Calls must not overlap (the store runs them in turn).
 */
export class SpanIndexer {
  /** Where rows came from, and anything the user should know. */
  notes: string[] = [];
  from: 'duckdb' | 'files' | 'duckdb+files' = 'files';
  /** Bumped whenever the rows change. */
  generation = 0;
  spanCount = 0;
  runCount = 0;
  updatedAt = new Date();

  private readonly files = new Map<string, LoadedFile>();
  /** Run-start files (`runs/`) and the bytes of each read so far (all of a Parquet file). */
  private readonly runFiles = new Map<string, number>();
  private readonly byId = new Map<number, LoadedFile>();
  private nextId = 1;
  private dbSig: string | undefined;

  constructor(private readonly dir: string, private readonly source: Source, private readonly loader: DuckDBConnection,
    private readonly db: TelemetryDb, private readonly staging: Staging) {}

  /** The file whose rows are under `src = id`, if it is still followed. */
  file(id: number): LoadedFile | undefined {
    return this.byId.get(id);
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
  async fullLoad(): Promise<void> {
    const c = this.loader;
    const notes: string[] = [];
    const all = listFiles(this.dir).filter((f) => f.signal === 'spans');
    this.files.clear();
    this.byId.clear();
    await c.run('DROP TABLE IF EXISTS vspans_next');
    await c.run(VSPANS_DDL.replace('vspans', 'vspans_next'));
    await c.run('DROP TABLE IF EXISTS vrun_starts_next');
    await c.run(VRUN_STARTS_DDL.replace('vrun_starts', 'vrun_starts_next'));
    let parts: FilePart[] = this.source === 'duckdb' ? [] : all;
    let fromDb = false;
    if (this.source === 'auto') {
      const why = await this.db.catchUp();
      if (why) notes.push(`${why}; reading what it lacks from the files`);
    }
    const sig = this.db.signature();
    if (this.source !== 'files' && sig !== undefined) {
      const held = await this.db.read(async (alias, conn) => {
        const rows = (await conn.runAndReadAll(`SELECT file, bytes FROM ${alias}.${INGESTED_TABLE}`)).getRowObjectsJS();
        await conn.run(`CREATE OR REPLACE TABLE vspans_db AS ${(await storedSlim(conn, alias))(`SELECT * FROM ${alias}.spans`, `${SRC_DB} AS src`)}`);
        await copyDbRunStarts(conn, alias, 'vrun_starts_db');
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
      await this.run(insertSlimSql('vspans_next', readJsonWithFile(batch.map((f) => f.file), this.dir), ids));
    }
    const parquet = parts.filter((p) => p.kind === 'parquet');
    ids.clear();
    for (const f of parquet) ids.set(f.file, this.register(f, f.size).id);
    if (parquet.length) await this.run(insertSlimSql('vspans_next', readParquetWithFile(parquet.map((f) => f.file)), ids));
    const tails = parts.filter((p) => p.kind === 'jsonl' && p.offset > 0);
    if (tails.length) {
      const staged = this.staging.stage(tails.map((f) => {
        const buf = readCompleteLines(f);
        return { lf: this.register(f, f.offset + buf.length), buf };
      }));
      if (staged.size) await this.run(insertSlimSql('vspans_next', readJsonWithFile([...staged.keys()], this.dir), staged));
      this.staging.unstage();
    }
    if (fromDb) {
      // Rows the database holds that the files (read above, a moment later) do not: never a row twice. The
      // files' rows (few: what the database lacks) go into the database's, not the other way round.
      await c.run(`DELETE FROM vspans_db d WHERE EXISTS (SELECT 1 FROM vspans_next v WHERE v.trace_id = d.trace_id AND v.span_id = d.span_id)`);
      await c.run('INSERT INTO vspans_db SELECT * FROM vspans_next');
      await c.run('DROP TABLE vspans_next');
      await c.run('ALTER TABLE vspans_db RENAME TO vspans_next');
      await c.run(`INSERT INTO vrun_starts_next ${newRunStartsSql('vrun_starts_next', 'SELECT * FROM vrun_starts_db')}`);
      await c.run('DROP TABLE vrun_starts_db');
    }
    await this.loadRunStartFiles(true);
    const torn = tornFiles(all);
    if (torn.length) notes.push(`${torn.length} file(s) end in a partial line (a writer was killed, or is writing): its last line is read once complete`);
    await withTransaction(c, async () => {
      await c.run('DROP TABLE vspans');
      await c.run('ALTER TABLE vspans_next RENAME TO vspans');
      await c.run('DROP TABLE vrun_starts');
      await c.run('ALTER TABLE vrun_starts_next RENAME TO vrun_starts');
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

  /**
   * The run starts the `runs/` files gained since the last call (all of them for a full load) that the
   * index lacks, into `vrun_starts_next` (full load) or the temp table `vstarts_delta`; returns how many.
   * Rows are small and few (one per run): read whole, with the database's copy deduplicated.
   */
  private async loadRunStartFiles(full: boolean): Promise<number> {
    const c = this.loader;
    const table = full ? 'vrun_starts_next' : 'vstarts_delta';
    if (full) this.runFiles.clear();
    else await c.run('CREATE OR REPLACE TEMP TABLE vstarts_delta AS SELECT * FROM vrun_starts LIMIT 0');
    if (this.source === 'duckdb') return 0;
    // Only rows neither the target nor (on a poll) the index holds: a compacted file is read again whole.
    const into = (relation: string) =>
      c.run(`INSERT INTO ${table} ${newRunStartsSql(table, full ? relation : newRunStartsSql('vrun_starts', relation))}`);
    const files = listFiles(this.dir).filter((f) => f.signal === 'run_starts');
    const onDisk = new Set(files.map((f) => f.rel));
    for (const rel of [...this.runFiles.keys()]) if (!onDisk.has(rel)) this.runFiles.delete(rel);
    const tails: Array<{ lf: { id: number }; buf: Buffer }> = [];
    const parquet: string[] = [];
    for (const f of files) {
      const read = this.runFiles.get(f.rel);
      if (f.kind === 'parquet') {
        // A compacted JSONL file's rows are read again from its Parquet twin: only those not held are added.
        if (read === undefined) parquet.push(f.file);
        this.runFiles.set(f.rel, f.size);
      } else if (f.size > (read ?? 0)) {
        const buf = readCompleteLines({ ...f, offset: read ?? 0 });
        this.runFiles.set(f.rel, (read ?? 0) + buf.length);
        tails.push({ lf: { id: 0 }, buf });
      }
    }
    if (parquet.length) await into(readParquetSql(parquet));
    const staged = this.staging.stage(tails);
    try {
      if (staged.size) await into(readRunStartsJson([...staged.keys()]));
    } finally {
      this.staging.unstage();
    }
    if (full) return 0;
    return Number((await c.runAndReadAll('SELECT count(*)::DOUBLE AS n FROM vstarts_delta')).getRowObjectsJson()[0]!.n);
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
  async refresh(): Promise<void> {
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
    const sig = this.source === 'files' ? undefined : this.db.signature();
    if (sig !== undefined && sig !== this.dbSig) {
      // The database changed (an agent finished, or `ingest` ran): pick up rows only it holds.
      const got = await this.db.read(async (alias, conn) => {
        await conn.run(`CREATE OR REPLACE TABLE vdelta_db AS ${(await storedSlim(conn, alias))(`SELECT * FROM ${alias}.spans s
          WHERE NOT EXISTS (SELECT 1 FROM vspans v WHERE v.trace_id = s.trace_id AND v.span_id = s.span_id)`, `${SRC_DB} AS src`)}`);
        await copyDbRunStarts(conn, alias, 'vstarts_db');
        return true;
      });
      if (got === true) {
        this.dbSig = sig;
        fromDb = true;
      }
    }
    let starts = 0;
    try {
      starts = await this.loadRunStartFiles(false);
      if (fromDb) {
        await c.run(`INSERT INTO vstarts_delta ${newRunStartsSql('vstarts_delta', newRunStartsSql('vrun_starts', 'SELECT * FROM vstarts_db'))}`);
      }
    } finally {
      if (fromDb) await c.run('DROP TABLE IF EXISTS vstarts_db');
    }
    if (tails.length === 0 && parquet.length === 0 && compacted.length === 0 && !fromDb && starts === 0) {
      const n = await withTransaction(c, () => this.markLiveRuns());
      if (n) await this.changed();
      return;
    }
    const staged = this.staging.stage(tails);
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
      if (staged.size) await this.run(insertSlimSql('vdelta', readJsonWithFile([...staged.keys()], this.dir), staged));
      if (pq.size) await this.run(insertSlimSql('vdelta', readParquetWithFile([...pq.keys()]), pq));
      if (fromDb) await c.run('INSERT INTO vdelta SELECT * FROM vdelta_db');
    } finally {
      this.staging.unstage();
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
      await c.run('INSERT INTO vrun_starts SELECT * FROM vstarts_delta');
      await c.run(`CREATE OR REPLACE TEMP TABLE vaffected AS SELECT DISTINCT run_id FROM
        (SELECT run_id FROM vdelta UNION ALL SELECT run_id FROM vstarts_delta) WHERE run_id IS NOT NULL`);
      await c.run('DELETE FROM vruns WHERE run_id IN (SELECT run_id FROM vaffected)');
      await c.run(`INSERT INTO vruns ${runsSql('run_id IN (SELECT run_id FROM vaffected)')}`);
      await this.markLiveRuns();
    });
    if (fromDb) this.from = this.from === 'files' ? 'duckdb+files' : this.from;
    await this.changed();
  }
}
