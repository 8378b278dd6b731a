import { createContextKey, type Context } from '@opentelemetry/api';

/** What every span inside a run inherits, carried in the OTel context. */
export interface RunInfo {
  readonly runId: string;
  readonly agentName: string;
  /** The span that is the run (its roll-ups are written there only); set when the span starts. */
  rootSpanId?: string;
  inputTokens: number;
  outputTokens: number;
  /** USD of the run's priced LLM calls (added by the cost processor). */
  costUsd: number;
  /** Counted LLM and tool calls the run made itself (its sub-runs count their own). */
  llmCalls?: number;
  toolCalls?: number;
}
export const RUN_KEY = createContextKey('agent-otel.run');
export const runOf = (ctx: Context): RunInfo | undefined => ctx.getValue(RUN_KEY) as RunInfo | undefined;

/** Set inside withWorkflow and withAgentRun: an invocation started there is nested (gen_ai.invocation.is_nested). */
export const INVOCATION_KEY = createContextKey('agent-otel.invocation');
export const insideInvocation = (ctx: Context): boolean => ctx.getValue(INVOCATION_KEY) === true || runOf(ctx) !== undefined;
