import { randomFillSync } from 'node:crypto';
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

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const idBytes = Buffer.alloc(16 * 256);
let idNext = idBytes.length;
/**
 * A new run id: 16 random base-32 characters (79 bits), e.g. `k3v9x0q2m1tt8c4a`. It is on every span
 * of the run, where a UUID took 20 bytes more. The 9th character is always a letter, so no run id holds
 * the chain of 13 digits that redaction would take for a card number. Random bytes come 256 ids at a time.
 */
export function newRunId(): string {
  if (idNext === idBytes.length) {
    randomFillSync(idBytes);
    idNext = 0;
  }
  let id = '';
  for (let i = 0; i < 16; i++) {
    const b = idBytes[idNext++]!;
    id += ID_ALPHABET[i === 8 ? 10 + (b & 15) : b & 31];
  }
  return id;
}
