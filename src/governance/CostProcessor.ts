import { diag, type Attributes } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import * as A from '../../semconv/attributes.js';
import { RUN_OF, type MarkedSpan } from '../pipeline/spanMarks.js';
import type { BudgetTracker } from './budget.js';
import type { Pricing } from './pricing.js';
import { NO_HOOK } from '../noHook.js';

const LLM_OPS = new Set<unknown>(A.LLM_OPERATIONS);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
/** Attributes come from any library: a model or agent name that is not a string is treated as absent. */
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * Prices every LLM call as its span ends (helper-made or from any GenAI instrumentation; a wrapper
 * around calls is not a call): sets
 * `agent.cost.usd` (or `agent.cost.status = unpriced`: never a silent zero; a cost means priced, which
 * the `llm_calls` view's `cost_status` says without 28 bytes on every row), counts the cost as a
 * metric by agent/provider/model, adds it to the run (rolled up onto the run span as
 * `agent.run.cost.usd`) and to the budgets.
 */
export class CostProcessor implements SpanProcessor {
  private readonly warned = new Set<string>();

  constructor(private readonly pricing: Pricing, private readonly costCounter: { add(value: number, attributes: Attributes): void }, private readonly budget?: BudgetTracker) {}

  readonly onStart = NO_HOOK;

  onEnding(span: Span): void {
    const a = span.attributes as Attributes;
    const op = a[A.GEN_AI_OPERATION_NAME];
    const run = (span as MarkedSpan)[RUN_OF];
    if (op === A.GenAiOperation.INVOKE_AGENT) {
      // On the run's own span only: an agent span of a framework inside the run is not the run.
      if (run && run.costUsd > 0 && run.rootSpanId === span.spanContext().spanId) a[A.AGENT_RUN_COST_USD] = run.costUsd;
      return;
    }
    if (!LLM_OPS.has(op) || a[A.AGENT_CALL_WRAPPER] === true) return;
    const input = num(a[A.GEN_AI_USAGE_INPUT_TOKENS]);
    const output = num(a[A.GEN_AI_USAGE_OUTPUT_TOKENS]);
    if (input === undefined && output === undefined) return; // no usage reported: nothing to price
    const model = str(a[A.GEN_AI_RESPONSE_MODEL]) ?? str(a[A.GEN_AI_REQUEST_MODEL]);
    const price = this.pricing.lookup(model) ?? this.pricing.lookup(str(a[A.GEN_AI_REQUEST_MODEL]));
    if (!price) {
      a[A.AGENT_COST_STATUS] = 'unpriced';
      if (model && !this.warned.has(model)) {
        this.warned.add(model);
        diag.warn(`agent-otel: no price for model '${model}': its calls get agent.cost.status=unpriced, not a cost (add it with the pricing option or AGENT_OTEL_PRICING_FILE)`);
      }
      return;
    }
    const usd = this.pricing.cost(price, {
      input, output, cacheRead: num(a[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]), cacheWrite: num(a[A.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS]) ?? num(a[A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]),
    });
    // Written straight into the ending span's attributes, as the processors before this one do (no per-value SDK checks).
    a[A.AGENT_COST_USD] = usd;
    const agent = str(a[A.GEN_AI_AGENT_NAME]) ?? run?.agentName;
    this.costCounter.add(usd, {
      [A.GEN_AI_AGENT_NAME]: agent, [A.GEN_AI_PROVIDER_NAME]: a[A.GEN_AI_PROVIDER_NAME], [A.GEN_AI_REQUEST_MODEL]: a[A.GEN_AI_REQUEST_MODEL],
    });
    if (run) run.costUsd += usd;
    for (const e of this.budget?.add(usd, agent, run) ?? []) {
      span.addEvent('agent.budget.exceeded', {
        [A.AGENT_BUDGET_SCOPE]: e.scope, [A.AGENT_BUDGET_LIMIT_USD]: e.limitUsd, [A.AGENT_BUDGET_SPENT_USD]: e.spentUsd,
      });
    }
  }

  readonly onEnd = NO_HOOK;
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}
