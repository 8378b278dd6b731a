import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import * as O from '../../semconv/dialects/openinference.js';
import type { CallKind } from './types.js';
import type { Dialect } from './types.js';

const K = O.OpenInferenceSpanKind;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function kindOfSpanKind(kind: AttributeValue | undefined): CallKind | undefined {
  switch (kind) {
    case K.LLM: case K.EMBEDDING: return 'llm';
    case K.TOOL: return 'tool';
    case K.AGENT: return 'agent';
    default: return undefined; // CHAIN, RETRIEVER, RERANKER, GUARDRAIL, EVALUATOR, PROMPT: not calls we count
  }
}

/** A JSON object attribute (`llm.invocation_parameters`, `metadata`), or undefined when it is not one. */
function jsonObject(v: AttributeValue | undefined): Record<string, unknown> | undefined {
  if (typeof v !== 'string' || v.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const o: unknown = JSON.parse(v);
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function providerName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const lower = raw.toLowerCase();
  return O.OPENINFERENCE_PROVIDER_NAMES[lower] ?? lower;
}

/** Model, provider, request parameters and usage of an LLM or EMBEDDING span. */
function modelCall(a: Attributes, spanName: string, embedding: boolean, out: Attributes): void {
  const metadata = a[O.METADATA] !== undefined ? jsonObject(a[O.METADATA]) : undefined;
  out[A.GEN_AI_PROVIDER_NAME] = providerName(str(a[O.LLM_PROVIDER]) ?? str(a[O.LLM_SYSTEM]) ?? str(metadata?.[O.METADATA_LS_PROVIDER]));
  if (embedding) {
    out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.EMBEDDINGS;
    out[A.GEN_AI_REQUEST_MODEL] = str(a[O.EMBEDDING_MODEL_NAME]) ?? str(a[O.LLM_MODEL_NAME]);
  } else {
    const textCompletion = spanName === O.OPENAI_COMPLETIONS_SPAN_NAME || metadata?.[O.METADATA_LS_MODEL_TYPE] === O.LS_MODEL_TYPE_TEXT_COMPLETION;
    out[A.GEN_AI_OPERATION_NAME] = textCompletion ? A.GenAiOperation.TEXT_COMPLETION : A.GenAiOperation.CHAT;
    // The OpenAI instrumentation overwrites llm.model_name with the response's model: the request's is in the parameters.
    const params = jsonObject(a[O.LLM_INVOCATION_PARAMETERS]);
    const model = str(a[O.LLM_MODEL_NAME]);
    out[A.GEN_AI_REQUEST_MODEL] = str(a[O.LLM_REQUEST_MODEL_NAME]) ?? str(params?.[O.INVOCATION_MODEL]) ?? str(params?.[O.INVOCATION_MODEL_NAME]) ?? model;
    out[A.GEN_AI_RESPONSE_MODEL] = str(a[O.LLM_RESPONSE_MODEL_NAME]) ?? model;
    if (params) {
      out[A.GEN_AI_REQUEST_TEMPERATURE] = num(params[O.INVOCATION_TEMPERATURE]);
      for (const k of O.INVOCATION_MAX_TOKENS) {
        const max = num(params[k]);
        if (max !== undefined) { out[A.GEN_AI_REQUEST_MAX_TOKENS] = max; break; }
      }
    }
    const finish = str(a[O.LLM_FINISH_REASON]);
    if (finish) out[A.GEN_AI_RESPONSE_FINISH_REASONS] = [finish];
  }
  out[A.GEN_AI_USAGE_INPUT_TOKENS] = num(a[O.LLM_TOKEN_COUNT_PROMPT]);
  out[A.GEN_AI_USAGE_OUTPUT_TOKENS] = num(a[O.LLM_TOKEN_COUNT_COMPLETION]);
  out[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = num(a[O.LLM_TOKEN_COUNT_CACHE_READ]);
  out[A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = num(a[O.LLM_TOKEN_COUNT_CACHE_WRITE]);
  out[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = num(a[O.LLM_TOKEN_COUNT_REASONING]);
}

/**
 * OpenInference (Arize Phoenix's conventions): `openinference.span.kind` says what a span is. LLM and
 * EMBEDDING spans are model calls (chat, text_completion or embeddings), TOOL spans tool calls, AGENT
 * spans agent invocations; CHAIN, RETRIEVER, RERANKER, GUARDRAIL, EVALUATOR and PROMPT spans get no
 * standard keys (they are steps, not calls anyone prices or counts).
 *
 * OpenInference's tracer sets every attribute just after the span started, so `kindOf` sees nothing at
 * start: the run context learns an OpenInference span's kind when its first child starts or it ends.
 */
export const openinference: Dialect = {
  name: 'openinference',
  matches: (a) => a[O.OPENINFERENCE_SPAN_KIND] !== undefined,
  kindOf: (a) => kindOfSpanKind(a[O.OPENINFERENCE_SPAN_KIND]),
  standardKeys(a, spanName): Attributes | undefined {
    const kind = a[O.OPENINFERENCE_SPAN_KIND];
    const out: Attributes = {};
    switch (kind) {
      case K.LLM: case K.EMBEDDING:
        modelCall(a, spanName, kind === K.EMBEDDING, out);
        break;
      case K.TOOL:
        out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.EXECUTE_TOOL;
        out[A.GEN_AI_TOOL_NAME] = str(a[O.TOOL_NAME]) ?? spanName;
        out[A.GEN_AI_TOOL_CALL_ID] = str(a[O.TOOL_ID]) ?? str(a[O.TOOL_CALL_ID]);
        break;
      case K.AGENT:
        out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.INVOKE_AGENT;
        out[A.GEN_AI_AGENT_NAME] = str(a[O.AGENT_NAME]) ?? spanName;
        break;
      default:
        return undefined;
    }
    out[A.GEN_AI_CONVERSATION_ID] = str(a[O.SESSION_ID]);
    return out;
  },
};
