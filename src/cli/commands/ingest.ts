import type { CAC } from 'cac';
import { loadedRows } from '../../../exporters/duckdb/index.js';
import { DatabaseUnavailable } from '../../query/database.js';
import { ingest, openStore, type IngestResult } from '../../query/ingest.js';
import { QueryError } from '../../query/session.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';
import { fmtBytes } from '../../parse/size.js';
import { fmtCount, plural, Progress } from '../progress.js';

/** `[#####-----] 48%` of the bytes to load. */
function bar(done: number, total: number): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const n = Math.round(f * 20);
  return `[${'#'.repeat(n)}${'-'.repeat(20 - n)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

export function register(cli: CAC): void {
  cli.command('ingest', 'Bring telemetry.duckdb up to date with the JSONL/Parquet files (only what it does not hold yet; queries do this too)')
    .example('agent-otel ingest --dir ./telemetry')
    .action(async (o: CommonOptions) => {
      const dir = existingDir(o);
      const store = await openStore(dir).catch((err: unknown) => {
        if (err instanceof DatabaseUnavailable && err.held) {
          throw new QueryError(`${err.message}; run ingest again once it is done (queries read the JSONL files meanwhile)`);
        }
        throw err;
      });
      const progress = new Progress();
      const t0 = performance.now();
      let r: IngestResult;
      try {
        r = await ingest(store, {
          onProgress: (p) => {
            const s = (performance.now() - t0) / 1000;
            // Rows are counted as each transaction commits; bytes move while DuckDB reads.
            progress.update(`ingest: ${bar(p.bytes, p.totalBytes)} ${fmtBytes(p.bytes)} of ${fmtBytes(p.totalBytes)}, ` +
              `${p.done}/${p.total} files, ${fmtCount(p.rows)} rows` + (s > 0.5 ? `, ${fmtBytes(Math.round(p.bytes / s))}/s` : ''));
          },
        });
      } finally {
        progress.done();
        await store.close();
      }
      const rows = loadedRows(r.rows);
      const secs = (performance.now() - t0) / 1000;
      if (rows && secs > 0.5) process.stderr.write(`ingest: ${fmtCount(rows)} rows in ${secs.toFixed(1)} s (${fmtCount(Math.round(rows / secs))} rows/s)\n`);
      process.stdout.write(`loaded ${plural(r.files, 'file')}, ${plural(rows, 'row')} ` +
        `(${plural(r.rows.spans, 'span')}, ${plural(r.rows.metrics, 'metric point')}, ${plural(r.rows.logs, 'log record')}, ${plural(r.rows.run_starts, 'run start')}) into ${store.file}; ` +
        `${plural(r.upToDate, 'file')} already up to date\n`);
      for (const f of r.failed) process.stderr.write(`agent-otel: not loaded: ${f.rel}: ${f.error}\n`);
      if (r.failed.length) process.exitCode = 1;
    });
}
