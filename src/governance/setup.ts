import os from 'node:os';
import { context, diag, trace, type Attributes, type Meter } from '@opentelemetry/api';
import type { Span as SdkSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import * as A from '../../semconv/attributes.js';
import * as M from '../../semconv/metrics.js';
import { AuditLog, type AuditEntry, type AuditInput } from './audit.js';
import { BudgetTracker, type BudgetExceeded } from './budget.js';
import type { ResolvedGovernance } from './config.js';
import { CostProcessor } from './CostProcessor.js';
import { detectGit, type GitInfo } from './git.js';
import { PrivacyProcessor } from './PrivacyProcessor.js';
import { Pricing } from './pricing.js';
import { SensorProcessor, Sensors } from './sensors.js';
import { dirFromEnv } from '../storageConfig.js';
import { tally } from '../metrics/tally.js';
import { callUser, guard } from '../errorCounts.js';
import type { Stage } from '../pipeline/SpanPipeline.js';

/** Metadata kept when privacy processing fails on a span: enumerated values and the ids that join it to its run. */
const KEPT_ON_FAILURE = new Set<string>([
  A.GEN_AI_OPERATION_NAME, A.GEN_AI_PROVIDER_NAME, A.GEN_AI_REQUEST_MODEL, A.GEN_AI_RESPONSE_MODEL, A.GEN_AI_AGENT_NAME,
  A.GEN_AI_TOOL_NAME, A.AGENT_RUN_ID, A.AGENT_RUN_STATUS, A.AGENT_COST_STATUS, A.ERROR_TYPE,
]);

/**
 * Privacy and redaction failed part-way on this span: it still goes out (nothing lost), but without any
 * free text it may hold (string attributes other than the metadata above, event attributes, status message).
 */
function failClosed(span: SdkSpan): void {
  const attrs = span.attributes as Attributes;
  const kept: Attributes = {};
  for (const key in attrs) {
    const v = attrs[key];
    const text = typeof v === 'string' || (Array.isArray(v) && v.some((x) => typeof x === 'string'));
    if (!text || KEPT_ON_FAILURE.has(key)) kept[key] = v;
  }
  (span as unknown as { attributes: Attributes }).attributes = kept;
  for (const event of span.events as TimedEvent[]) (event as { attributes?: Attributes }).attributes = {};
  if (span.status.message) (span as unknown as { status: { code: number } }).status = { code: span.status.code };
}

/**
 * Everything the governance features share in one registration: prices, budgets, privacy and
 * redaction (as span processors), the audit trail, the sensors, the run facts (git) and the mode.
 */
export class Governance {
  readonly pricing: Pricing;
  readonly budget: BudgetTracker | undefined;
  readonly sensors = new Sensors();
  readonly audit: AuditLog;
  readonly git: GitInfo | undefined;
  /** Cost, privacy and sensors: stages of the span pipeline, in this order (register.ts). */
  readonly stages: Stage[];
  private readonly modeCounter;

  constructor(readonly cfg: ResolvedGovernance, dir: string, meter: Meter) {
    this.pricing = new Pricing(cfg.prices);
    this.audit = new AuditLog(dir, { redactor: cfg.redactor ?? null, key: cfg.auditKey });
    this.git = cfg.git ? detectGit() : undefined;
    const exceeded = meter.createCounter(M.METRIC_AGENT_BUDGET_EXCEEDED, { unit: '{event}', description: 'Budget limits crossed, by scope (run, day, agent_day)' });
    this.modeCounter = meter.createCounter(M.METRIC_AGENT_MODE_TRANSITIONS, { unit: '{transition}', description: 'Agent mode transitions, by new and previous mode' });
    if (cfg.budget) {
      const onExceeded = cfg.budget.onExceeded;
      this.budget = new BudgetTracker(cfg.budget, (e: BudgetExceeded) => {
        exceeded.add(1, { [A.AGENT_BUDGET_SCOPE]: e.scope, [A.GEN_AI_AGENT_NAME]: e.scope === 'day' ? undefined : e.agent });
        diag.warn(`agent-otel: budget exceeded: ${describe(e)}${cfg.budget!.hard ? '; further LLM calls are refused (hard budget)' : ''}`);
        // Sync or async: a throw or a rejection is counted, never reaches the agent.
        if (onExceeded) callUser('callback.onExceeded', () => onExceeded(e));
      });
      void this.budget.restore(dir); // never rejects: a failure is counted as background.budget_restore
    }
    const cost = tally(meter, 'counter', M.METRIC_AGENT_COST, { unit: M.UNIT_USD, description: 'Cost of LLM calls in USD, by agent, provider and model' });
    this.stages = [
      ['cost', new CostProcessor(this.pricing, cost, this.budget)],
      ['privacy', new PrivacyProcessor(cfg.privacy, cfg.redactor), { onEndingFailed: failClosed }],
      ['sensors', new SensorProcessor(this.sensors)],
    ];
    registerRuntimeMetrics(meter, this.sensors);
  }

  /** Records an audit entry durably (and as an event on the active span). */
  record(input: AuditInput): AuditEntry {
    return this.audit.record(input);
  }

  /** Records a mode transition (e.g. normal → degraded): an event on the active span and a metric. */
  setMode(mode: string, reason?: string): void {
    guard('governance.set_mode', () => this.transition(String(mode), reason === undefined ? undefined : String(reason)));
  }

  private transition(mode: string, reason: string | undefined): void {
    const previous = this.sensors.setMode(mode);
    this.modeCounter.add(1, { [A.AGENT_MODE]: mode, [A.AGENT_MODE_PREVIOUS]: previous ?? 'none' });
    const attributes = { [A.AGENT_MODE]: mode, [A.AGENT_MODE_PREVIOUS]: previous ?? 'none', 'agent.mode.reason': reason };
    const span = trace.getActiveSpan();
    if (span) span.addEvent('agent.mode.transition', attributes);
    else trace.getTracer('agent-otel').startSpan('agent.mode.transition', { attributes }, context.active()).end();
  }

  close(): void {
    this.audit.close();
    this.sensors.stop();
  }
}

function describe(e: BudgetExceeded): string {
  const who = e.scope === 'run' ? `run ${e.runId}` : e.scope === 'agent_day' ? `agent ${e.agent} on ${e.day}` : `all agents on ${e.day}`;
  return `${who} spent $${e.spentUsd.toFixed(4)} of $${e.limitUsd}`;
}

/** Event-loop delay, heap and host memory/load, for dashboards and the stuck-agent question. */
function registerRuntimeMetrics(meter: Meter, sensors: Sensors): void {
  const loop = meter.createObservableGauge('nodejs.eventloop.delay.p99', { unit: 's', description: 'p99 event-loop delay of the agent process' });
  const heap = meter.createObservableGauge('process.runtime.nodejs.memory.heap.used', { unit: 'By', description: 'V8 heap in use' });
  const hostMem = meter.createObservableGauge('system.memory.usage', { unit: 'By', description: 'Host memory in use' });
  const load = meter.createObservableGauge('system.cpu.load_average.1m', { unit: '{thread}', description: 'Host 1-minute load average' });
  meter.addBatchObservableCallback((r) => {
    const p99 = sensors.eventLoopDelayP99Ms();
    if (p99 !== null) r.observe(loop, p99 / 1000);
    r.observe(heap, process.memoryUsage().heapUsed);
    r.observe(hostMem, os.totalmem() - os.freemem());
    r.observe(load, os.loadavg()[0]!);
  }, [loop, heap, hostMem, load]);
}

let active: Governance | undefined;
export const getGovernance = (): Governance | undefined => active;
export const setGovernance = (g: Governance | undefined): void => { active = g; };

/** Without a registration, audit entries still go somewhere durable: AGENT_OTEL_DIR or ./telemetry. */
let standalone: AuditLog | undefined;

/** The audit trail of the current registration (also `handle.audit`). */
export const audit = {
  record(entry: AuditInput): AuditEntry {
    const g = getGovernance();
    if (g) return g.record(entry);
    return (standalone ??= new AuditLog(dirFromEnv())).record(entry);
  },
};
