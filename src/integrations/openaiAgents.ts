import { context, diag, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import * as O from '../../semconv/dialects/openaiAgents.js';
import { spanNameAgent, spanNameLlm, spanNameTool, spanNameWorkflow } from '../../semconv/spans.js';
import { current } from '../metrics/instruments.js';
import { VERSION } from '../version.js';
import {
  generationContent, generationFacts, readUsage, responseContent, responseFacts, type CallContent, type CallFacts, type Usage,
} from './openaiAgentsPayloads.js';

// The parts of the SDK's tracing types this processor reads, copied structurally: agent-otel does not
// depend on @openai/agents (see @openai/agents-core tracing/processor.d.ts, spans.d.ts, traces.d.ts).

/** An Agents SDK trace (one workflow: `withTrace()`, or one `run()` outside any). */
export interface AgentsTrace { traceId: string; name: string; groupId?: string | null }
/** An Agents SDK span; `spanData.type` says what it is (`agent`, `generation`, `function`, …). */
export interface AgentsSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  spanData: { type: string; [key: string]: unknown };
  error: { message: string; data?: Record<string, unknown> } | null;
  startedAt: string | null;
  endedAt: string | null;
}
/** The SDK's `TracingProcessor` interface (what `addTraceProcessor` / `setTraceProcessors` take). */
export interface AgentsTracingProcessor {
  onTraceStart(trace: AgentsTrace): Promise<void>;
  onTraceEnd(trace: AgentsTrace): Promise<void>;
  onSpanStart(span: AgentsSpan): Promise<void>;
  onSpanEnd(span: AgentsSpan): Promise<void>;
  shutdown(timeout?: number): Promise<void>;
  forceFlush(): Promise<void>;
}

export interface OpenAIAgentsProcessorOptions {
  /**
   * Record prompts, completions, tool arguments and results (under the GenAI content keys only).
   * Default: agent-otel's setting (on with privacy `full`); the privacy level still applies.
   */
  captureContent?: boolean;
}

/** An SDK trace or span while its OTel span is open. */
interface Open {
  /** The SDK's span id (trace id for a trace). */
  readonly key: string;
  readonly span: Span;
  /** The context its children start in. */
  readonly ctx: Context;
  readonly type: string;
  readonly traceId: string;
  readonly parent: Open | undefined;
  /** OTel children not ended yet: a parent ends after them, so run roll-ups see every call. */
  openChildren: number;
  /** Model calls started under it (a turn's usage belongs to its call when there is exactly one). */
  calls: number;
  /** Set when the SDK ended it: the end time to use once its children have ended. */
  ended?: { time: Date | undefined };
  /** Model calls under this turn that ended without usage and wait for the turn's. */
  waiting?: Open[];
  /** A turn's usage, once it ended. */
  usage?: unknown;
  /** Its OTel span has ended. */
  done?: boolean;
  /** Tool calls a model call under it asked for; tool spans under it take their ids. */
  toolCalls?: { id: string; name: string }[];
}

const LLM_TYPES = new Set(['generation', 'response']);

/**
 * The SDK stamps its spans with wall-clock ISO times (ms): they are the spans' real start and end (also
 * for replayed spans). Traces carry none: they get `new Date()`, the same clock (the OTel SDK's default
 * end time comes from the monotonic clock, which drifts from it by a fraction of a millisecond).
 */
function sdkTime(iso: string | null): Date | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * Turns the OpenAI Agents SDK's traces and spans into OpenTelemetry spans on the global tracer, with
 * the GenAI conventions, so they land like every other span (runs, LLM and tool calls, cost, privacy):
 * a trace is an `invoke_workflow` span, an agent span an `invoke_agent` span (a run of its own outside
 * any `withAgentRun`), a generation or response span a `chat {model}` call, a function span an
 * `execute_tool` call. Register it with the SDK's `setTraceProcessors([...])` (only local telemetry)
 * or `addTraceProcessor()` (also the SDK's export to OpenAI). It never throws into the SDK.
 */
export class OpenAIAgentsProcessor implements AgentsTracingProcessor {
  private readonly traces = new Map<string, Open>();
  private readonly spans = new Map<string, Open>();
  private failed = false;

  constructor(private readonly options: OpenAIAgentsProcessorOptions = {}) {}

  onTraceStart(t: AgentsTrace): Promise<void> {
    this.guard('trace start', () => {
      const name = str(t.name) ?? 'Agent workflow';
      const open = this.openSpan(t.traceId, t.traceId, 'trace', undefined, context.active(), spanNameWorkflow(name), SpanKind.INTERNAL, {
        [A.GEN_AI_OPERATION_NAME]: A.GenAiOperation.INVOKE_WORKFLOW,
        [A.AGENT_WORKFLOW_NAME]: name,
        [A.GEN_AI_CONVERSATION_ID]: str(t.groupId),
        [O.OPENAI_AGENTS_TRACE_ID]: t.traceId,
      }, new Date());
      this.traces.set(t.traceId, open);
    });
    return Promise.resolve();
  }

  onTraceEnd(t: AgentsTrace): Promise<void> {
    this.guard('trace end', () => {
      const open = this.traces.get(t.traceId);
      if (!open) return;
      open.ended = { time: new Date() };
      this.finishWhenDone(open);
    });
    return Promise.resolve();
  }

  onSpanStart(s: AgentsSpan): Promise<void> {
    this.guard('span start', () => {
      const parent = (s.parentId ? this.spans.get(s.parentId) : undefined) ?? this.traces.get(s.traceId);
      const { name, kind, attributes } = describe(s.spanData);
      if (s.spanData.type === 'function' && parent?.toolCalls) {
        const i = parent.toolCalls.findIndex((c) => c.name === s.spanData.name);
        if (i >= 0) attributes[A.GEN_AI_TOOL_CALL_ID] = parent.toolCalls.splice(i, 1)[0]!.id;
      }
      if (LLM_TYPES.has(s.spanData.type) && parent) parent.calls++;
      const open = this.openSpan(s.spanId, s.traceId, s.spanData.type, parent, parent?.ctx ?? context.active(), name, kind, attributes, sdkTime(s.startedAt));
      this.spans.set(s.spanId, open);
    });
    return Promise.resolve();
  }

  onSpanEnd(s: AgentsSpan): Promise<void> {
    this.guard('span end', () => {
      const open = this.spans.get(s.spanId);
      if (!open || open.ended) return;
      open.ended = { time: sdkTime(s.endedAt) };
      const data = s.spanData;
      if (s.error) {
        open.span.setStatus({ code: SpanStatusCode.ERROR, message: s.error.message });
        open.span.setAttribute(A.ERROR_TYPE, O.OPENAI_AGENTS_ERROR_TYPES[s.error.message] ?? '_OTHER');
      }
      if (LLM_TYPES.has(data.type)) {
        const facts = data.type === 'generation' ? generationFacts(data) : responseFacts(data);
        this.endCall(open, data, facts);
        const turn = open.parent;
        if (!facts.usage && turn?.type === 'turn') {
          // Without the SDK's sensitive data the call carries no usage; its turn does (when it ends).
          if (!turn.ended) {
            (turn.waiting ??= []).push(open);
            return;
          }
          if (turn.calls === 1) setUsage(open.span, readUsage(turn.usage));
        }
      } else {
        this.endOther(open, data);
      }
      this.finishWhenDone(open);
    });
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    // Spans the SDK ended that still wait for a child that never ended: end them now.
    this.guard('flush', () => {
      for (const open of [...this.spans.values(), ...this.traces.values()].reverse()) if (open.ended) this.finish(open);
    });
    return Promise.resolve();
  }

  shutdown(_timeout?: number): Promise<void> {
    return this.forceFlush();
  }

  private openSpan(key: string, traceId: string, type: string, parent: Open | undefined, parentCtx: Context, name: string, kind: SpanKind, attributes: Attributes, startTime: Date | undefined): Open {
    const span = trace.getTracer(O.OPENAI_AGENTS_SCOPE, VERSION).startSpan(name, { kind, attributes, startTime }, parentCtx);
    if (parent) parent.openChildren++;
    return { key, span, ctx: trace.setSpan(parentCtx, span), type, traceId, parent, openChildren: 0, calls: 0 };
  }

  /** A model call's end: model, ids, finish reasons, usage, the tool calls it asked for, content. */
  private endCall(open: Open, data: AgentsSpan['spanData'], facts: CallFacts): void {
    const span = open.span;
    const requestModel = str(data.model);
    const model = requestModel ?? facts.responseModel;
    if (model) span.updateName(spanNameLlm(A.GenAiOperation.CHAT, model));
    const config = data.model_config as Record<string, unknown> | undefined;
    span.setAttributes({
      [A.GEN_AI_REQUEST_MODEL]: requestModel,
      [A.GEN_AI_RESPONSE_MODEL]: facts.responseModel,
      [A.GEN_AI_RESPONSE_ID]: facts.responseId,
      [A.GEN_AI_RESPONSE_FINISH_REASONS]: facts.finishReasons,
      [A.GEN_AI_REQUEST_TEMPERATURE]: typeof config?.temperature === 'number' ? config.temperature : undefined,
    });
    setUsage(span, facts.usage);
    if (facts.toolCalls.length && open.parent) (open.parent.toolCalls ??= []).push(...facts.toolCalls);
    if (this.captureContent()) setContent(span, data.type === 'generation' ? generationContent(data) : responseContent(data));
  }

  /** Every other span's end: what its data says only at the end. */
  private endOther(open: Open, data: AgentsSpan['spanData']): void {
    const span = open.span;
    switch (data.type) {
      case 'function':
        if (this.captureContent()) {
          if (str(data.input)) span.setAttribute(A.GEN_AI_TOOL_CALL_ARGUMENTS, data.input as string);
          if (data.output !== undefined && data.output !== '') span.setAttribute(A.GEN_AI_TOOL_CALL_RESULT, typeof data.output === 'string' ? data.output : JSON.stringify(data.output));
        }
        break;
      case 'guardrail':
        span.setAttribute(O.AGENT_GUARDRAIL_TRIGGERED, data.triggered === true);
        break;
      case 'handoff':
        span.setAttributes({ [O.AGENT_HANDOFF_FROM]: str(data.from_agent), [O.AGENT_HANDOFF_TO]: str(data.to_agent) });
        break;
      case 'turn': {
        open.usage = data.usage;
        const waiting = open.waiting ?? [];
        open.waiting = undefined;
        // A turn's usage is its model call's when it made exactly one; otherwise the split is unknown.
        if (waiting.length === 1 && open.calls === 1) setUsage(waiting[0]!.span, readUsage(data.usage));
        for (const call of waiting) this.finishWhenDone(call);
        break;
      }
    }
  }

  /** Ends the OTel span once the SDK has ended it and all its children have ended. */
  private finishWhenDone(open: Open): void {
    if (open.ended && open.openChildren === 0 && !open.waiting?.length) this.finish(open);
  }

  private finish(open: Open): void {
    if (open.done) return;
    open.done = true;
    (open.type === 'trace' ? this.traces : this.spans).delete(open.key);
    open.span.end(open.ended?.time);
    const parent = open.parent;
    if (parent) {
      parent.openChildren--;
      this.finishWhenDone(parent);
    }
  }

  private captureContent(): boolean {
    return this.options.captureContent ?? current().captureContent;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!this.failed) diag.warn(`agent-otel: OpenAI Agents SDK ${what} could not be recorded: ${(err as Error)?.message ?? err}`);
      this.failed = true;
    }
  }
}

/** Name, kind and the attributes known at start, by span type. */
function describe(data: AgentsSpan['spanData']): { name: string; kind: SpanKind; attributes: Attributes } {
  const type = data.type;
  const attributes: Attributes = { [O.OPENAI_AGENTS_SPAN_TYPE]: type };
  const name = str(data.name);
  switch (type) {
    case 'agent':
      attributes[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.INVOKE_AGENT;
      attributes[A.GEN_AI_AGENT_NAME] = name;
      return { name: spanNameAgent(name ?? 'agent'), kind: SpanKind.INTERNAL, attributes };
    case 'generation':
    case 'response': {
      const model = str(data.model);
      attributes[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.CHAT;
      attributes[A.GEN_AI_PROVIDER_NAME] = O.OPENAI_PROVIDER;
      attributes[A.GEN_AI_REQUEST_MODEL] = model;
      return { name: model ? spanNameLlm(A.GenAiOperation.CHAT, model) : A.GenAiOperation.CHAT, kind: SpanKind.CLIENT, attributes };
    }
    case 'function':
      attributes[A.GEN_AI_OPERATION_NAME] = A.GenAiOperation.EXECUTE_TOOL;
      attributes[A.GEN_AI_TOOL_NAME] = name;
      // An MCP server's tool runs outside the agent: an `extension` in the conventions' terms.
      attributes[A.GEN_AI_TOOL_TYPE] = data.mcp_data ? 'extension' : 'function';
      return { name: spanNameTool(name ?? 'function'), kind: SpanKind.INTERNAL, attributes };
    case 'handoff':
      attributes[O.AGENT_HANDOFF_FROM] = str(data.from_agent);
      attributes[O.AGENT_HANDOFF_TO] = str(data.to_agent);
      return { name: O.SPAN_NAME_HANDOFF, kind: SpanKind.INTERNAL, attributes };
    case 'guardrail':
      attributes[O.AGENT_GUARDRAIL_NAME] = name;
      return { name: O.spanNameGuardrail(name ?? 'guardrail'), kind: SpanKind.INTERNAL, attributes };
    case 'task':
      attributes[O.OPENAI_AGENTS_TASK_NAME] = name;
      break;
    case 'turn':
      attributes[O.OPENAI_AGENTS_TURN] = typeof data.turn === 'number' ? data.turn : undefined;
      attributes[A.GEN_AI_AGENT_NAME] = str(data.agent_name);
      break;
    case 'mcp_tools':
      attributes[O.OPENAI_AGENTS_MCP_SERVER] = str(data.server);
      break;
    case 'custom':
      // A custom span's data is the app's own (it may be content): only its name is kept.
      return { name: name ?? O.spanNameOpenAIAgents(type), kind: SpanKind.INTERNAL, attributes };
    case 'transcription':
    case 'speech':
      attributes[A.GEN_AI_REQUEST_MODEL] = str(data.model);
      break;
  }
  return { name: O.spanNameOpenAIAgents(type), kind: SpanKind.INTERNAL, attributes };
}

function setUsage(span: Span, usage: Usage | undefined): void {
  if (!usage) return;
  span.setAttributes({
    [A.GEN_AI_USAGE_INPUT_TOKENS]: usage.input,
    [A.GEN_AI_USAGE_OUTPUT_TOKENS]: usage.output,
    [A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: usage.cacheRead,
    [A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: usage.cacheWrite || undefined,
    [A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: usage.reasoning || undefined,
  });
}

/** Content only under the GenAI conventions' keys (the privacy processor knows them). */
function setContent(span: Span, content: CallContent): void {
  if (content.system) span.setAttribute(A.GEN_AI_SYSTEM_INSTRUCTIONS, JSON.stringify(content.system));
  if (content.input) span.setAttribute(A.GEN_AI_INPUT_MESSAGES, JSON.stringify(content.input));
  if (content.output) span.setAttribute(A.GEN_AI_OUTPUT_MESSAGES, JSON.stringify(content.output));
}

/**
 * A trace processor for the OpenAI Agents SDK that records its traces as OpenTelemetry spans:
 * `setTraceProcessors([openAIAgentsProcessor()])` from `@openai/agents`.
 */
export function openAIAgentsProcessor(options?: OpenAIAgentsProcessorOptions): OpenAIAgentsProcessor {
  return new OpenAIAgentsProcessor(options);
}
