import { context, trace, SpanKind, type Attributes, type AttributeValue, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { spanNameLlm } from '../../semconv/spans.js';
import { BudgetExceededError, type BudgetExceeded } from '../governance/budget.js';
import { getGovernance } from '../governance/setup.js';
import { current } from '../metrics/instruments.js';
import { runOf } from '../runContext.js';
import { inputContent, outputMessages, toJson } from './content.js';
import { safely, spanName, withSpan } from './withSpan.js';
import { setValidAttribute } from '../pipeline/validAttribute.js';
import { asAttributes, asNumber, asString, field, put } from './options.js';
import { countError, warnOnce } from '../errorCounts.js';

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

/** The options as given, read once and checked (options.ts): a bad value never stops the call. */
interface LlmSettings {
  provider?: string; model?: string; operation: string; conversationId?: string; temperature?: number; maxTokens?: number;
  input: unknown; system: unknown; attributes: Attributes;
}

function readOptions(o: unknown): LlmSettings {
  return {
    provider: asString(field(o, 'provider'), 'withLlmCall provider'),
    model: asString(field(o, 'model'), 'withLlmCall model'),
    operation: asString(field(o, 'operation'), 'withLlmCall operation') || A.GenAiOperation.CHAT,
    conversationId: asString(field(o, 'conversationId'), 'withLlmCall conversationId'),
    temperature: asNumber(field(o, 'temperature'), 'withLlmCall temperature'),
    maxTokens: asNumber(field(o, 'maxTokens'), 'withLlmCall maxTokens'),
    input: field(o, 'input'),
    system: field(o, 'system'),
    attributes: asAttributes(field(o, 'attributes'), 'withLlmCall attributes'),
  };
}

/**
 * Runs `fn` as one model call: a `{operation} {model}` CLIENT span with the GenAI attributes, and the
 * GenAI client metrics `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`.
 */
export function withLlmCall<T>(options: LlmCallOptions, fn: (call: LlmCall) => T | Promise<T>): Promise<T> {
  const settings = readOptions(options);
  const budget = getGovernance()?.budget;
  if (!budget?.opts.hard) return llmCall(settings, fn);
  // A hard budget refuses the call before the model is asked (and before any span is made), once
  // today's earlier spend has been read back from the files (`ready` never rejects).
  const parent = context.active();
  return budget.ready.then(() => {
    let over: BudgetExceeded | undefined;
    safely('budget_check', () => {
      const run = runOf(parent);
      over = budget.check(run?.agentName, run);
    });
    if (!over) return context.with(parent, () => llmCall(settings, fn));
    const refused = over;
    safely('budget_event', () => trace.getSpan(parent)?.addEvent('agent.budget.blocked', {
      [A.AGENT_BUDGET_SCOPE]: refused.scope, [A.AGENT_BUDGET_LIMIT_USD]: refused.limitUsd, [A.AGENT_BUDGET_SPENT_USD]: refused.spentUsd,
      [A.GEN_AI_REQUEST_MODEL]: settings.model,
    }));
    throw new BudgetExceededError(refused);
  });
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Finish reasons as strings: one string is a list of one; other values are ignored (warned once). */
function finishReasonList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...v] as string[];
  warnOnce('setResponse finishReasons', 'setResponse finishReasons must be an array of strings; ignored');
  return undefined;
}

function llmCall<T>(options: LlmSettings, fn: (call: LlmCall) => T | Promise<T>): Promise<T> {
  const parent = context.active();
  const { operation } = options;
  const { captureContent } = current();
  const attributes: Attributes = { [A.GEN_AI_OPERATION_NAME]: operation };
  put(attributes, A.GEN_AI_PROVIDER_NAME, options.provider);
  put(attributes, A.GEN_AI_REQUEST_MODEL, options.model);
  put(attributes, A.GEN_AI_CONVERSATION_ID, options.conversationId);
  put(attributes, A.GEN_AI_REQUEST_TEMPERATURE, options.temperature);
  put(attributes, A.GEN_AI_REQUEST_MAX_TOKENS, options.maxTokens);
  Object.assign(attributes, options.attributes);
  if (captureContent && (options.input !== undefined || options.system !== undefined)) {
    safely('prompt', () => {
      const { messages, system } = inputContent(options.input, options.system);
      if (options.input !== undefined) attributes[A.GEN_AI_INPUT_MESSAGES] = toJson(messages);
      if (system.length) attributes[A.GEN_AI_SYSTEM_INSTRUCTIONS] = toJson(system);
    });
  }
  let finishReasons: string[] | undefined;
  let output: { value: unknown } | undefined;

  // Every method is guarded: whatever is passed, the call goes on (bad values are ignored, warned once).
  // The try/catch is written in each method: one closure per method, not a guard around a closure.
  const makeHandle = (span: Span): LlmCall => ({
    span,
    recordUsage: (u: TokenUsage) => {
      try {
        for (const [k, attrs] of USAGE_KEYS) {
          const v = field(u, k);
          if (v === undefined) continue;
          if (!isCount(v)) {
            warnOnce(`recordUsage ${k}`, `recordUsage ${k} must be a non-negative number, got ${typeof v === 'number' ? v : typeof v}; ignored`);
            continue;
          }
          for (const attr of attrs) setValidAttribute(span, attr, v);
        }
      } catch (err) { countError('helper.record_usage', err); }
    },
    setResponse: (r: LlmResponse) => {
      try {
        const model = asString(field(r, 'model'), 'setResponse model');
        const id = asString(field(r, 'id'), 'setResponse id');
        const reasons = field(r, 'finishReasons');
        if (model) span.setAttribute(A.GEN_AI_RESPONSE_MODEL, model);
        if (id) span.setAttribute(A.GEN_AI_RESPONSE_ID, id);
        if (reasons !== undefined) {
          finishReasons = finishReasonList(reasons);
          if (finishReasons) span.setAttribute(A.GEN_AI_RESPONSE_FINISH_REASONS, finishReasons);
        }
      } catch (err) { countError('helper.set_response', err); }
    },
    // Converted when the call ends, when the finish reasons and the outcome are known.
    setOutput: (value: unknown) => { if (captureContent) output = { value }; },
    setAttribute: (k: string, v: AttributeValue) => { try { span.setAttribute(k, v); } catch (err) { countError('helper.set_attribute', err); } },
  });

  // The GenAI client metrics and the run's token totals are recorded when the span ends
  // (CallAccountingProcessor), the same way for every instrumentation.
  const name = options.model ? spanName(operation, options.model, spanNameLlm) : operation;
  return withSpan(name, SpanKind.CLIENT, attributes, parent, makeHandle, fn, ({ span, errorType }) => {
    if (output) {
      const value = output.value;
      safely('output', () => span.setAttribute(A.GEN_AI_OUTPUT_MESSAGES, toJson(outputMessages(value, finishReasons, errorType !== undefined))));
    }
  });
}
