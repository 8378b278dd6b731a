// logs: CPU per log record with 5 fields, agent-otel's logger() (threshold check, redaction, queue,
// JSONL row, file write, final flush included) against pino writing the same record to a file in the
// same run (pino.destination, sonic-boom, flushed at the end of each round). Target ≤ 1.5× (DESIGN.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { registerTelemetry } from '../dist/src/register.js';
import { resolveLogs } from '../dist/src/logs/config.js';
import { setupLogs } from '../dist/src/logs/setup.js';
import { logger } from '../dist/src/logs/logger.js';
import { alternate, fmt, report, yieldToLoop } from './lib.js';

const N = Number(process.env.BENCH_LOG_RECORDS ?? 20_000);
// An agent logs in bursts between awaits: both loggers get the event loop back every BURST records.
const BURST = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-otel-bench-logs-'));

const handle = registerTelemetry({ dir, duckdb: false, metricIntervalMillis: 3_600_000, handleSignals: false });
const cfg = handle.config;
// The wiring registerTelemetry does for logs (src/logs/setup.ts), with the same config.
const pipeline = setupLogs({
  resource: handle.resource, logs: /** @type {NonNullable<ReturnType<typeof resolveLogs>>} */ (resolveLogs(undefined, () => undefined)),
  files: { root: cfg.dir, maxFileBytes: cfg.maxFileBytes, maxAgeMs: cfg.maxAgeMs, maxTotalBytes: cfg.maxTotalBytes },
  privacy: cfg.governance.privacy, redactor: cfg.governance.redactor,
});
const ours = logger('planner');

const pinoDest = pino.destination({ dest: path.join(dir, 'pino.log'), sync: false, mkdir: true });
const pinoLog = pino({ base: undefined }, pinoDest).child({ component: 'planner' });

const fields = (i) => ({ run_id: 'run-7f3a', step: i, path: '/data/in/file-0042.csv', ok: true, duration_ms: 12.5 });

const result = await alternate({
  rounds: ROUNDS,
  baseline: async () => {
    for (let i = 0; i < N; i++) {
      pinoLog.info(fields(i), 'step.done');
      if (i % BURST === BURST - 1) await yieldToLoop();
    }
    await /** @type {Promise<void>} */ (new Promise((resolve) => pinoDest.flush(() => resolve())));
  },
  candidate: async () => {
    for (let i = 0; i < N; i++) {
      ours.info('step.done', fields(i));
      if (i % BURST === BURST - 1) await yieldToLoop();
    }
    await pipeline.forceFlush();
  },
});
const perB = result.baselineMedian / N;
const perC = result.candidateMedian / N;
const ratio = perC / perB;
report({
  name: 'logs', what: `CPU per log record with 5 fields, ${N} records a round (median of ${ROUNDS})`,
  rows: [{ label: 'logger() vs pino to a file', baseline: `${fmt(perB)} µs (pino)`, candidate: `${fmt(perC)} µs (agent-otel)`, result: `${fmt(ratio)}×`, target: '≤ 1.5×', pass: ratio <= 1.5 }],
  notes: [`log records dropped: ${pipeline.health().dropped} (must be 0 for a fair figure)`],
});
await pipeline.shutdown();
await handle.shutdown();
pinoDest.end();
fs.rmSync(dir, { recursive: true, force: true });
