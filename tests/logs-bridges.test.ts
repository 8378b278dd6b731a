// pino and winston records arrive through their OpenTelemetry instrumentations (the pino stream on API
// 1.10's `logs` global, the winston transport on @opentelemetry/api-logs' own global) in the same
// files as the Logs API, stamped with the run's span; records still queued at process.exit() are written.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../dist/exporters/jsonl/readJsonl.js';
import { readSpans, runFixture, tmpDir } from './support/harness.js';

describe('log bridges', () => {
  it('pino, winston and the Logs API land in logs/*.jsonl with the run span ids, exit included', async () => {
    const dir = tmpDir('agent-otel-logs-bridges-');
    const res = await runFixture('logs-bridges.mjs', { AGENT_OTEL_DIR: dir });
    expect(res.code, res.stderr).toBe(0);
    const run = (await readSpans(dir)).find((s) => s.name === 'invoke_agent bridged')!;
    // read back whole (format v3 rows leave out a null trace_id/span_id)
    const rows: Record<string, unknown>[] = [];
    for await (const r of readJsonl(path.join(dir, 'logs'))) rows.push(r);
    const by = (body: string) => rows.find((r) => r.body === body);
    expect(by('pino says hello')).toMatchObject({ component: '@opentelemetry/instrumentation-pino', severity_number: 9, trace_id: run.trace_id, span_id: run.span_id, attributes: { order: 42 } });
    expect(by('winston says hello')).toMatchObject({ component: '@opentelemetry/winston-transport', severity_number: 9, trace_id: run.trace_id, span_id: run.span_id, attributes: { order: 43 } });
    expect(by('api says hello')).toMatchObject({ component: 'plain-api', severity_number: 13, trace_id: run.trace_id, span_id: run.span_id });
    expect(by('outside any span')).toMatchObject({ trace_id: null, span_id: null }); // written by the exit hook
  });
});
