import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import * as V from '../../semconv/dialects/vercel.js';
import type { CallKind } from './types.js';
import { kindOfOperation } from './kind.js';
import type { Dialect } from './types.js';

const AGENT_OPS = new Set<unknown>(V.AI_AGENT_OPERATIONS);
const num = (v: AttributeValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: AttributeValue | undefined): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** What an `ai.operationId` is: only `*.doGenerate` / `*.doStream` / `*.doEmbed` are model calls. */
function kindOfOperationId(op: AttributeValue | undefined): CallKind | undefined {
  if (typeof op !== 'string') return undefined;
  if (op === V.AI_OP_TOOL_CALL) return 'tool';
  if (op.endsWith(V.AI_OP_SUFFIX_GENERATE) || op.endsWith(V.AI_OP_SUFFIX_STREAM) || op.endsWith(V.AI_OP_SUFFIX_EMBED)) return 'llm';
  if (AGENT_OPS.has(op)) return 'agent';
  return undefined;
}

const providers = new Map<string, string>();
/** `openai.chat` → `openai`, `google.vertex.chat` → `gcp.vertex_ai` (as @ai-sdk/otel names them). */
function providerName(raw: string): string {
  let name = providers.get(raw);
  if (name !== undefined) return name;
  const lower = raw.toLowerCase();
  const known = V.AI_PROVIDER_NAMES.find(([p]) => lower === p || lower.startsWith(`${p}.`) || lower.startsWith(`${p}-`));
  name = known ? known[1] : lower.split('.')[0]!;
  if (providers.size < 256) providers.set(raw, name);
  return name;
}

/** Token counts in any AI SDK version's names (the newest first). */
function addUsage(a: Attributes, out: Attributes, embedding: boolean): void {
  out[A.GEN_AI_USAGE_INPUT_TOKENS] = embedding ? num(a[V.AI_USAGE_TOKENS])
    : num(a[V.AI_USAGE_INPUT_TOKENS]) ?? num(a[V.AI_USAGE_PROMPT_TOKENS]);
  if (embedding) return;
  out[A.GEN_AI_USAGE_OUTPUT_TOKENS] = num(a[V.AI_USAGE_OUTPUT_TOKENS]) ?? num(a[V.AI_USAGE_COMPLETION_TOKENS]);
  addTokenDetails(a, out);
}

function addTokenDetails(a: Attributes, out: Attributes): void {
  out[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = num(a[V.AI_USAGE_CACHE_READ_TOKENS]) ?? num(a[V.AI_USAGE_CACHED_INPUT_TOKENS]);
  out[A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = num(a[V.AI_USAGE_CACHE_WRITE_TOKENS]);
  out[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = num(a[V.AI_USAGE_OUTPUT_REASONING_TOKENS]) ?? num(a[V.AI_USAGE_REASONING_TOKENS]);
}

/** Model, provider and response keys, on model calls and on the calls around them. */
function addModel(a: Attributes, out: Attributes): void {
  const provider = str(a[V.AI_MODEL_PROVIDER]);
  if (provider) out[A.GEN_AI_PROVIDER_NAME] = providerName(provider);
  out[A.GEN_AI_REQUEST_MODEL] = str(a[V.AI_MODEL_ID]);
}

/**
 * The Vercel AI SDK. 5/6 (and 7's LegacyOpenTelemetry) name spans after `ai.operationId`: the
 * `*.doGenerate` / `*.doStream` / `*.doEmbed` spans are the model calls; the `ai.generateText` around
 * them is, as AI SDK 7 itself says, an agent invocation (never a model call: its usage is the sum of
 * its steps); `ai.toolCall` is a tool call. 7's `@ai-sdk/otel` writes the GenAI conventions itself
 * (the genai dialect reads them); here only the token details it keeps under `ai.usage.*`.
 */
export const vercel: Dialect = {
  name: 'vercel',
  matches: (a, scope) => a[V.AI_OPERATION_ID] !== undefined || scope === V.VERCEL_SCOPE_OTEL,
  kindOf: (a) => kindOfOperationId(a[V.AI_OPERATION_ID]),
  standardKeys(a): Attributes | undefined {
    const op = a[V.AI_OPERATION_ID];
    const kind = kindOfOperationId(op);
    if (kind === undefined) {
      if (op !== undefined || kindOfOperation(a[A.GEN_AI_OPERATION_NAME]) !== 'llm') return undefined;
      const out: Attributes = {};
      addTokenDetails(a, out); // AI SDK 7 with `usage: true`
      return out;
    }
    const out: Attributes = {};
    if (kind === 'tool') {
      out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.EXECUTE_TOOL;
      out[A.GEN_AI_TOOL_NAME] = str(a[V.AI_TOOL_CALL_NAME]);
      out[A.GEN_AI_TOOL_CALL_ID] = str(a[V.AI_TOOL_CALL_ID]);
      out[A.GEN_AI_TOOL_TYPE] = 'function';
      return out;
    }
    if (kind === 'agent') {
      out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.INVOKE_AGENT;
      out[A.GEN_AI_AGENT_NAME] = str(a[V.AI_TELEMETRY_FUNCTION_ID]);
      addModel(a, out);
      return out;
    }
    const embedding = (op as string).endsWith(V.AI_OP_SUFFIX_EMBED);
    out[A.GEN_AI_OPERATION_NAME] = embedding ? A.GenAiOperation.EMBEDDINGS : A.GenAiOperation.CHAT;
    addModel(a, out);
    out[A.GEN_AI_RESPONSE_MODEL] = str(a[V.AI_RESPONSE_MODEL]);
    out[A.GEN_AI_RESPONSE_ID] = str(a[V.AI_RESPONSE_ID]);
    const finish = str(a[V.AI_RESPONSE_FINISH_REASON]);
    if (finish) out[A.GEN_AI_RESPONSE_FINISH_REASONS] = [finish];
    addUsage(a, out, embedding);
    return out;
  },
};
