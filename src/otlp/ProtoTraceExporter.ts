import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ProtobufSpanSerializer } from './ProtobufSpanSerializer.js';

export interface ProtoTraceExporterConfig {
  url?: string;
  headers?: Record<string, string>;
  timeoutMillis?: number;
  concurrencyLimit?: number;
}

/**
 * OTLP/HTTP protobuf trace exporter: the official exporter's machinery (@opentelemetry/otlp-exporter-base:
 * env configuration, headers, TLS, compression, retries with backoff, concurrency limit), with this
 * package's faster span encoder in place of the official serializer. Same wire format.
 */
export class ProtoTraceExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: ProtoTraceExporterConfig = {}) {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
      ProtobufSpanSerializer,
      'otlp_http_span_exporter',
      { name: 'span', countItems: (spans: ReadableSpan[]) => spans.length },
      undefined,
    ));
  }
}
