import { context, diag, trace, SpanKind, type Attributes, type AttributeValue, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { spanNameLlm } from '../../semconv/spans.js';
import { BudgetExceededError } from '../governance/budget.js';
import { getGovernance } from '../governance/setup.js';
import { current, runOf } from './state.js';
import { inputContent, outputMessages, toJson } from './content.js';
import { safely, withSpan } from './withSpan.js';

export interface LlmCallOptions {
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`, `aws.bedrock`. */
  provider: string;
  /** `gen_ai.request.model`. */
  model: string;
  /** `gen_ai.operation.name` (default `chat`). */
  operation?: A.LlmOperation;
  conversationId?: string;
  temperature?: number;
  maxTokens?: number;
  /**
   * The prompt, recorded only when content capture is on, as `gen_ai.input.messages` in the spec's
   * shape (`[{ role, parts: [{ type: 'text', content }] }]`): a string (one user message), messages
   * as OpenAI, Anthropic or the AI SDK take them (system ones go to `gen_ai.system_instructions`), or
   * a request body with `messages`.
   */
  input?: unknown;
  /** System instructions given apart from the messages: `gen_ai.system_instructions`, only with content capture on. */
  system?: unknown;
  attributes?: Attributes;
}

export interface TokenUsage {
  /** All prompt tokens, cached ones included. */
  inputTokens?: number;
  /** All completion tokens, reasoning ones included. */
  outputTokens?: number;
  cacheReadTokens?: number;
  /** Prompt tokens written to the cache: `gen_ai.usage.cache_write.input_tokens` (and `cache_creation`, its earlier name). */
  cacheWriteTokens?: number;
  /** @deprecated The same as cacheWriteTokens. */
  cacheCreationTokens?: number;
  /** `gen_ai.usage.reasoning.output_tokens`. */
  reasoningTokens?: number;
}
export interface LlmResponse { model?: string; id?: string; finishReasons?: string[] }

export interface LlmCall {
  readonly span: Span;
  recordUsage(usage: TokenUsage): void;
  setResponse(response: LlmResponse): void;
  /**
   * The completion, recorded only when content capture is on, as `gen_ai.output.messages` (one message
   * per choice with its `finish_reason`): a string, a message, or a chat completion / message / response body.
   */
  setOutput(output: unknown): void;
  setAttribute(key: string, value: AttributeValue): void;
}

// Cache writes go under the spec's name and the earlier one, which the views and cost read.
const USAGE_KEYS = [
  ['inputTokens', [A.GEN_AI_USAGE_INPUT_TOKENS]],
  ['outputTokens', [A.GEN_AI_USAGE_OUTPUT_TOKENS]],
  ['cacheReadTokens', [A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]],
  ['cacheWriteTokens', [A.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]],
  ['cacheCreationTokens', [A.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]],
  ['reasoningTokens', [A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]],
] as const;

/**
 * Runs `fn` as one model call: a `{operation} {model}` CLIENT span with the GenAI attributes, and the
 * GenAI client metrics `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`.
 */
export function withLlmCall<T>(options: LlmCallOptions, fn: (call: LlmCall) => T | Promise<T>): Promise<T> {
  const budget = getGovernance()?.budget;
  if (!budget?.opts.hard) return llmCall(options, fn);
  // A hard budget refuses the call before the model is asked (and before any span is made), once
  // today's earlier spend has been read back from the files.
  const parent = context.active();
  return budget.ready.then(() => {
    const run = runOf(parent);
    const over = budget.check(run?.agentName, run);
    if (!over) return context.with(parent, () => llmCall(options, fn));
    trace.getSpan(parent)?.addEvent('agent.budget.blocked', {
      [A.AGENT_BUDGET_SCOPE]: over.scope, [A.AGENT_BUDGET_LIMIT_USD]: over.limitUsd, [A.AGENT_BUDGET_SPENT_USD]: over.spentUsd,
      [A.GEN_AI_REQUEST_MODEL]: options.model,
    });
    throw new BudgetExceededError(over);
  });
}

function llmCall<T>(options: LlmCallOptions, fn: (call: LlmCall) => T | Promise<T>): Promise<T> {
  const parent = context.active();
  const operation = options.operation ?? A.GenAiOperation.CHAT;
  const { captureContent } = current();
  const attributes: Attributes = {
    [A.GEN_AI_OPERATION_NAME]: operation,
    [A.GEN_AI_PROVIDER_NAME]: options.provider,
    [A.GEN_AI_REQUEST_MODEL]: options.model,
    [A.GEN_AI_CONVERSATION_ID]: options.conversationId,
    [A.GEN_AI_REQUEST_TEMPERATURE]: options.temperature,
    [A.GEN_AI_REQUEST_MAX_TOKENS]: options.maxTokens,
    ...options.attributes,
  };
  if (captureContent && (options.input !== undefined || options.system !== undefined)) {
    safely('recording the prompt', () => {
      const { messages, system } = inputContent(options.input, options.system);
      if (options.input !== undefined) attributes[A.GEN_AI_INPUT_MESSAGES] = toJson(messages);
      if (system.length) attributes[A.GEN_AI_SYSTEM_INSTRUCTIONS] = toJson(system);
    });
  }
  let finishReasons: string[] | undefined;
  let output: { value: unknown } | undefined;

  const makeHandle = (span: Span): LlmCall => ({
    span,
    recordUsage(u) {
      for (const [k, attrs] of USAGE_KEYS) {
        const v = u?.[k];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          diag.warn(`agent-otel: recordUsage ${k} must be a non-negative number, got ${String(v)}; ignored`);
          continue;
        }
        for (const attr of attrs) span.setAttribute(attr, v);
      }
    },
    setResponse(r) {
      if (r.model) span.setAttribute(A.GEN_AI_RESPONSE_MODEL, r.model);
      if (r.id) span.setAttribute(A.GEN_AI_RESPONSE_ID, r.id);
      if (r.finishReasons) {
        finishReasons = r.finishReasons;
        span.setAttribute(A.GEN_AI_RESPONSE_FINISH_REASONS, r.finishReasons);
      }
    },
    // Converted when the call ends, when the finish reasons and the outcome are known.
    setOutput(value) {
      if (captureContent) output = { value };
    },
    setAttribute: (k, v) => { span.setAttribute(k, v); },
  });

  // The GenAI client metrics and the run's token totals are recorded when the span ends
  // (CallAccountingProcessor), the same way for every instrumentation.
  return withSpan(spanNameLlm(operation, options.model), SpanKind.CLIENT, attributes, parent, makeHandle, fn, ({ span, errorType }) => {
    if (output) span.setAttribute(A.GEN_AI_OUTPUT_MESSAGES, toJson(outputMessages(output.value, finishReasons, errorType !== undefined)));
  });
}
