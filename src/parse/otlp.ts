import { AgentOtelConfigError } from '../errors.js';

/** The OTLP/HTTP encodings agent-otel sends (gRPC is not one of them). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Where a local collector listens when `otlp: true` names no endpoint. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

/** An `http(s)://` URL option or env value, trimmed; else an error naming `name`. */
export function httpUrl(value: unknown, name: string): string {
  let url: URL | undefined;
  try { url = typeof value === 'string' ? new URL(value.trim()) : undefined; } catch { /* reported below */ }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AgentOtelConfigError(`${name} must be an http:// or https:// URL such as http://localhost:4318; got ${JSON.stringify(value)}`);
  }
  return (value as string).trim();
}

/** One of OTLP_PROTOCOLS; else an error naming `name` (and why gRPC is refused). */
export function otlpProtocol(value: unknown, name: string): OtlpProtocol {
  if (!(OTLP_PROTOCOLS as readonly unknown[]).includes(value)) {
    const grpc = value === 'grpc' ? ' (gRPC is not supported: use OTLP/HTTP, port 4318)' : '';
    throw new AgentOtelConfigError(`${name} must be one of ${OTLP_PROTOCOLS.join(', ')}${grpc}; got ${JSON.stringify(value)}`);
  }
  return value as OtlpProtocol;
}

/** `http://host:4318` + `traces` → `http://host:4318/v1/traces` (the spec's rule for the base endpoint). */
export function otlpSignalUrl(base: string, signal: 'traces' | 'metrics' | 'logs'): string {
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}
