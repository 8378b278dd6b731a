import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { DIR_LOGS, type LogRow } from '../../semconv/logs.js';
import { createOtlpLogExporter } from '../logs/otlp.js';
import { ResourceLookup } from '../../exporters/jsonl/resources.js';
import { LogRowConverter } from './logFromRow.js';
import { replayFolder, type ReplayOptions, type ReplayResult } from './replaySpans.js';

/**
 * Sends the log records of `<dir>/logs/*.jsonl` to an OTLP logs endpoint (…/v1/logs), as replaySpans
 * sends spans: batched, progress saved per file after each accepted batch (its own progress file: the
 * URL differs), resumable and idempotent.
 */
export function replayLogs(o: Omit<ReplayOptions, 'exporter'> & { exporter?: LogRecordExporter }): Promise<ReplayResult> {
  const converter = new LogRowConverter(new ResourceLookup(o.dir));
  return replayFolder<ReadableLogRecord>(o, {
    folder: DIR_LOGS, what: 'log records',
    convert: (row) => converter.toLogRecord(row as LogRow),
    exporter: () => o.exporter ?? createOtlpLogExporter({ url: o.url, protocol: o.protocol, headers: o.headers, timeoutMillis: o.timeoutMillis ?? 10_000 }),
  });
}
