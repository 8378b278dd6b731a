import { parseSize } from './parse/size.js';
import { envValues, type EnvValues } from './parse/env.js';

/*
 * Where telemetry goes and how long it stays, with their env variables: the one definition the agent's
 * config (src/config.ts), the CLI (`--dir`, `prune`) and the query side (DuckDB threads) all resolve.
 */

/** Directory default (relative to the working directory; env AGENT_OTEL_DIR). */
export const DEFAULT_DIR = 'telemetry';
/** Files older than this are deleted (env AGENT_OTEL_RETENTION_DAYS). */
export const DEFAULT_RETENTION_DAYS = 30;
/** spans/ + metrics/ + logs/ are kept under this (env AGENT_OTEL_MAX_TOTAL_SIZE). */
export const DEFAULT_MAX_TOTAL_BYTES = 1024 ** 3;
/** A JSONL file is rotated past this (env AGENT_OTEL_MAX_FILE_SIZE). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 ** 2;

/** AGENT_OTEL_DIR, else `telemetry` (unresolved: callers resolve it against their own base). */
export function dirFromEnv(env: EnvValues = envValues()): string {
  return env.str('AGENT_OTEL_DIR') ?? DEFAULT_DIR;
}

/** The agent's retention limits from env (AGENT_OTEL_RETENTION_DAYS, AGENT_OTEL_MAX_TOTAL_SIZE), else the defaults. */
export function retentionFromEnv(env: EnvValues = envValues()): { maxAgeMs: number; maxTotalBytes: number } {
  const size = env.str('AGENT_OTEL_MAX_TOTAL_SIZE');
  return {
    maxAgeMs: (env.num('AGENT_OTEL_RETENTION_DAYS') ?? DEFAULT_RETENTION_DAYS) * 86400e3,
    maxTotalBytes: size !== undefined ? parseSize(size, 'env AGENT_OTEL_MAX_TOTAL_SIZE') : DEFAULT_MAX_TOTAL_BYTES,
  };
}

/**
 * DuckDB worker threads for readers (ingest, queries): AGENT_OTEL_DUCKDB_THREADS, else undefined
 * (DuckDB's default, every core). The agent's live writer always uses one.
 */
export function duckdbThreadsFromEnv(env: EnvValues = envValues()): number | undefined {
  return env.int('AGENT_OTEL_DUCKDB_THREADS');
}

/** AGENT_OTEL_JAEGER_URL: the Jaeger UI the viewer links traces to (`agent-otel ui --jaeger-url`). */
export function jaegerUrlFromEnv(env: EnvValues = envValues()): string | undefined {
  return env.str('AGENT_OTEL_JAEGER_URL');
}
