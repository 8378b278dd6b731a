import type { CAC } from 'cac';
import { DatabaseUnavailable } from '../../query/database.js';
import { ingest, openStore } from '../../query/ingest.js';
import { QueryError } from '../../query/session.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';
import { fmtCount, plural, Progress } from '../progress.js';

export function register(cli: CAC): void {
  cli.command('ingest', 'Load the JSONL/Parquet files into telemetry.duckdb (only what it does not hold yet)')
    .example('agent-otel ingest --dir ./telemetry')
    .action(async (o: CommonOptions) => {
      const dir = existingDir(o);
      const store = await openStore(dir).catch((err: unknown) => {
        if (err instanceof DatabaseUnavailable && err.held) {
          throw new QueryError(`${err.message}; run ingest once it has exited (queries read the JSONL files meanwhile)`);
        }
        throw err;
      });
      const progress = new Progress();
      let r;
      try {
        r = await ingest(store, { onProgress: (p) => progress.update(`ingest: ${p.done}/${p.total} files, ${fmtCount(p.rows)} rows`) });
      } finally {
        progress.done();
        await store.close();
      }
      const rows = r.rows.spans + r.rows.metrics;
      process.stdout.write(`loaded ${plural(r.files, 'file')}, ${plural(rows, 'row')} ` +
        `(${plural(r.rows.spans, 'span')}, ${plural(r.rows.metrics, 'metric point')}) into ${store.file}; ` +
        `${plural(r.upToDate, 'file')} already up to date\n`);
      for (const f of r.failed) process.stderr.write(`agent-otel: not loaded: ${f.rel}: ${f.error}\n`);
      if (r.failed.length) process.exitCode = 1;
    });
}
