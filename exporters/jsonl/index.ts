export { JsonlSpanExporter, type JsonlExporterOptions } from './JsonlSpanExporter.js';
export { JsonlMetricExporter } from './JsonlMetricExporter.js';
export { RunStartWriter, type RunStartWriterOptions } from './RunStartWriter.js';
export { AppendFile, type AppendFileOptions } from './AppendFile.js';
export { pruneFiles, type RetentionOptions, type PruneResult } from './prune.js';
export { readJsonl, jsonlFiles, newReadStats, type ReadStats } from './readJsonl.js';
export { serializeSpanHead, resourceTail } from './serializeSpan.js';
export { SpanRowSerializer } from './SpanRowSerializer.js';
export { liveFiles, isAlive, parseFileName } from './liveFiles.js';
