import path from 'node:path';
import type { CAC } from 'cac';
import { parseDuration } from '../../parse/duration.js';
import { SpanFollower } from '../../query/follow.js';
import { followLines } from '../follow.js';
import type { SpanRow } from '../../../semconv/schema.js';
import { withDefaults } from '../../../exporters/jsonl/resources.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';
import { plural } from '../progress.js';
import { formatSpanLine } from '../spanLine.js';
import { safeJsonText } from '../format.js';

/** How often the files are checked for new lines. */

interface TailOptions extends CommonOptions { since?: string | number }

export function register(cli: CAC): void {
  cli.command('tail', 'Follow spans as agents write them, one line each (Ctrl-C to stop)')
    .option('--since <duration>', 'Start with the spans that ended in this last period (e.g. 10s, 5m); default: only new spans')
    .option('--json', 'Print each span as its raw JSON row')
    .example('agent-otel tail --since 1m')
    .action(async (o: TailOptions) => {
      const dir = existingDir(o);
      const sinceMs = o.since === undefined ? undefined : Date.now() - parseDuration(String(o.since), '--since');
      const follower = new SpanFollower(dir);
      const files = follower.start(sinceMs);
      process.stderr.write(`agent-otel: following ${path.join(dir, 'spans')} (${plural(files, 'file')}; Ctrl-C to stop)\n`);
      await followLines(follower, (line) => {
        let row: SpanRow;
        try { row = withDefaults(JSON.parse(line) as SpanRow, 'spans'); } catch { return undefined; } // not a span row: skipped
        if (sinceMs !== undefined && !(Date.parse(row.end_time) >= sinceMs)) return undefined;
        return o.json ? safeJsonText(line) : formatSpanLine(row);
      });
    });
}
