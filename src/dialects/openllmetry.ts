import type { Attributes, AttributeValue } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import * as O from '../../semconv/dialects/openllmetry.js';
import type { CallKind } from './types.js';
import type { Dialect } from './types.js';

const num = (v: AttributeValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: AttributeValue | undefined): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** `llm.request.type` → `gen_ai.operation.name` (`rerank` and `unknown` are no GenAI operation). */
const OPERATIONS: Readonly<Record<string, A.LlmOperation>> = {
  [O.LlmRequestType.CHAT]: 'chat',
  [O.LlmRequestType.COMPLETION]: 'text_completion',
  [O.LlmRequestType.EMBEDDING]: 'embeddings',
};

/**
 * What a Traceloop SDK span is: `traceloop.span.kind`, or, at start (the SDK sets its attributes just
 * after starting the span), the suffix of its `{name}.{kind}` name.
 */
function traceloopKind(a: Attributes, spanName: string): string | undefined {
  const kind = str(a[O.TRACELOOP_SPAN_KIND]);
  if (kind) return kind;
  if (a[O.LLM_REQUEST_TYPE] !== undefined || a[A.GEN_AI_OPERATION_NAME] !== undefined) return undefined;
  const dot = spanName.lastIndexOf('.');
  return dot > 0 ? spanName.slice(dot + 1) : undefined;
}

const providers = new Map<string, string>();
/** `OpenAI` → `openai`, `AWS` → `aws.bedrock` (legacy `gen_ai.system` values). */
function providerName(raw: string): string {
  let name = providers.get(raw);
  if (name === undefined) {
    const lower = raw.toLowerCase();
    name = O.OPENLLMETRY_PROVIDER_NAMES[lower] ?? lower;
    if (providers.size < 256) providers.set(raw, name);
  }
  return name;
}

/**
 * OpenLLMetry (Traceloop). Its current instrumentations write the GenAI conventions (the genai dialect
 * reads them); here the legacy model spans (`llm.request.type`, `gen_ai.system`,
 * `gen_ai.usage.prompt_tokens`, underscore cache keys) and the SDK's workflow/task/agent/tool spans
 * (`traceloop.span.kind`): `tool` is a tool call, `agent` an agent invocation (a run when outside one),
 * `workflow` a workflow; `task` is none of these.
 */
export const openllmetry: Dialect = {
  name: 'openllmetry',
  matches: (a, scope) => a[O.LLM_REQUEST_TYPE] !== undefined || a[O.TRACELOOP_SPAN_KIND] !== undefined || scope === O.TRACELOOP_SDK_SCOPE,
  kindOf(a, spanName): CallKind | undefined {
    const type = a[O.LLM_REQUEST_TYPE];
    if (type !== undefined) return typeof type === 'string' && OPERATIONS[type] ? 'llm' : undefined;
    const kind = traceloopKind(a, spanName);
    if (kind === O.TraceloopSpanKind.TOOL) return 'tool';
    if (kind === O.TraceloopSpanKind.AGENT) return 'agent';
    return undefined;
  },
  standardKeys(a, spanName): Attributes | undefined {
    const out: Attributes = {};
    const type = a[O.LLM_REQUEST_TYPE];
    if (type !== undefined) {
      const op = typeof type === 'string' ? OPERATIONS[type] : undefined;
      if (op) out[A.GEN_AI_OPERATION_NAME] = op;
      const system = str(a[A.GEN_AI_SYSTEM]);
      if (system) out[A.GEN_AI_PROVIDER_NAME] = providerName(system);
      out[A.GEN_AI_USAGE_INPUT_TOKENS] = num(a[O.GEN_AI_USAGE_PROMPT_TOKENS]);
      out[A.GEN_AI_USAGE_OUTPUT_TOKENS] = num(a[O.GEN_AI_USAGE_COMPLETION_TOKENS]);
    }
    out[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = num(a[O.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_OLD]);
    out[A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = num(a[O.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_OLD]);
    out[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = num(a[O.GEN_AI_USAGE_REASONING_TOKENS]);
    if (type !== undefined) return out;
    const kind = traceloopKind(a, spanName);
    // At start the SDK's span has only its name, `{entity name}.{kind}`.
    const name = str(a[O.TRACELOOP_ENTITY_NAME]) ?? (kind && spanName.endsWith(`.${kind}`) ? spanName.slice(0, spanName.length - kind.length - 1) || undefined : undefined);
    switch (kind) {
      case O.TraceloopSpanKind.TOOL:
        out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.EXECUTE_TOOL;
        out[A.GEN_AI_TOOL_NAME] = name;
        break;
      case O.TraceloopSpanKind.AGENT:
        out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.INVOKE_AGENT;
        out[A.GEN_AI_AGENT_NAME] = name;
        break;
      case O.TraceloopSpanKind.WORKFLOW:
        out[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.INVOKE_WORKFLOW;
        out[A.AGENT_WORKFLOW_NAME] = str(a[O.TRACELOOP_WORKFLOW_NAME]) ?? name;
        break;
    }
    return out;
  },
};
