// rowSize: bytes of a typical LLM-call span row (withLlmCall + recordUsage, priced) as the JSONL
// exporter writes it, inside a run (withAgentRun: run id, agent name, parent) and alone, through the
// public API. The baseline is the same row as format v2 wrote it (every field, scope and service_name on
// the row, a UUID run id, `agent.cost.status: priced`), rebuilt from the row and its resource row in the same run.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { registerTelemetry, withAgentRun, withLlmCall } from '../dist/src/index.js';
import { fmt, report, tmpDir, withoutDuckDb } from './lib.js';

const dir = tmpDir('rowsize');
const handle = registerTelemetry(withoutDuckDb({ dir, serviceName: 'row-demo', handleSignals: false }));
const call = (c) => { c.recordUsage({ inputTokens: 1200, outputTokens: 340 }); };
await withAgentRun({ agentName: 'planner' }, () => withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, call));
await withLlmCall({ provider: 'openai', model: 'gpt-4o-mini' }, call);
await handle.shutdown();

const lines = (signal) => fs.readdirSync(path.join(dir, signal)).sort()
  .flatMap((n) => fs.readFileSync(path.join(dir, signal, n), 'utf8').split('\n').filter(Boolean));
const resources = new Map(lines('resources').map((l) => JSON.parse(l)).map((r) => [r.resource_id, r]));

/** The row as format v2 wrote it: every field, the scope and service name on the row, a UUID run id, the cost status. */
function asV2(row) {
  const res = resources.get(row.resource_id) ?? {};
  const attributes = { ...row.attributes };
  if (attributes['agent.run.id'] !== undefined) attributes['agent.run.id'] = randomUUID();
  if (attributes['agent.cost.usd'] !== undefined) attributes['agent.cost.status'] ??= 'priced';
  return JSON.stringify({
    trace_id: row.trace_id, span_id: row.span_id, parent_span_id: row.parent_span_id ?? null, name: row.name, kind: row.kind,
    start_time: row.start_time, end_time: row.end_time, duration_ms: row.duration_ms,
    status_code: row.status_code, status_message: row.status_message ?? null, scope: row.scope ?? res.scope,
    attributes, events: row.events ?? [], links: row.links ?? [], service_name: row.service_name ?? res.service_name,
    resource_id: row.resource_id,
  });
}

const calls = lines('spans').filter((l) => l.includes('"name":"chat gpt-4o-mini"'));
if (calls.length !== 2) throw new Error(`expected 2 LLM-call rows, found ${calls.length}`);
const [inRun, alone] = calls.map((l) => ({ bytes: Buffer.byteLength(l) + 1, v2: Buffer.byteLength(asV2(JSON.parse(l))) + 1 }));
fs.rmSync(dir, { recursive: true, force: true });

report({
  name: 'rowSize',
  what: 'bytes of a typical LLM-call span row in spans/*.jsonl (withLlmCall + recordUsage), the row as written vs the same row with every field of format v2',
  rows: [
    { label: 'LLM-call row inside a run', baseline: `${inRun.v2} B (v2)`, candidate: `${inRun.bytes} B`, result: `${fmt(inRun.bytes / inRun.v2)}×`, target: '≤ 600 B', pass: inRun.bytes <= 600 },
    { label: 'LLM-call row alone', baseline: `${alone.v2} B (v2)`, candidate: `${alone.bytes} B`, result: `${fmt(alone.bytes / alone.v2)}×`, target: '', info: true },
  ],
  data: { inRun, alone },
});
