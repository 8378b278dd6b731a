/**
 * Reads what the OpenAI Agents SDK keeps on its `generation` spans (Chat Completions: the request
 * messages and the raw `chat.completion` objects) and `response` spans (Responses API: `_input` and the
 * raw `_response`): usage, models, ids, finish reasons, the tool calls the model asked for, and the
 * content in the GenAI conventions' JSON shape (`[{role, parts:[{type, …}]}]`). Every reader tolerates
 * any shape (other model providers fill these fields their own way) and returns undefined when unsure.
 */

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Obj : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

export interface Usage { input?: number; output?: number; cacheRead?: number; cacheWrite?: number; reasoning?: number }

/**
 * Token counts from any of the SDK's usage shapes: Chat Completions (`prompt_tokens`, `*_details`),
 * Responses and the SDK's own (`input_tokens`, `input_tokens_details`, `details`), turn spans
 * (`cached_input_tokens`, `cache_write_input_tokens`).
 */
export function readUsage(value: unknown): Usage | undefined {
  const u = obj(value);
  if (!u) return undefined;
  const inDetails = obj(u.input_tokens_details) ?? obj(u.prompt_tokens_details) ?? obj(obj(u.details)?.input_tokens_details);
  const outDetails = obj(u.output_tokens_details) ?? obj(u.completion_tokens_details) ?? obj(obj(u.details)?.output_tokens_details);
  const usage: Usage = {
    input: count(u.input_tokens) ?? count(u.prompt_tokens),
    output: count(u.output_tokens) ?? count(u.completion_tokens),
    cacheRead: count(u.cached_input_tokens) ?? count(inDetails?.cached_tokens),
    cacheWrite: count(u.cache_write_input_tokens) ?? count(inDetails?.cache_write_tokens) ?? count(inDetails?.cache_creation_tokens),
    reasoning: count(outDetails?.reasoning_tokens),
  };
  return usage.input === undefined && usage.output === undefined ? undefined : usage;
}

/** What a model call's payload says besides content. */
export interface CallFacts {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: Usage;
  /** The tool calls the model asked for, in order (their ids go onto the tool spans). */
  toolCalls: { id: string; name: string }[];
}

/** Facts of a `generation` span: `output` holds Chat Completions responses (or another provider's shape). */
export function generationFacts(data: Obj): CallFacts {
  const facts: CallFacts = { usage: readUsage(data.usage), toolCalls: [] };
  const reasons: string[] = [];
  for (const item of arr(data.output)) {
    const o = obj(item);
    if (!o) continue;
    facts.responseModel ??= str(o.model);
    facts.responseId ??= str(o.id);
    facts.usage ??= readUsage(o.usage);
    for (const choice of arr(o.choices)) {
      const c = obj(choice);
      const reason = str(c?.finish_reason);
      if (reason) reasons.push(reason);
      for (const call of arr(obj(c?.message)?.tool_calls)) {
        const t = obj(call);
        const id = str(t?.id);
        const name = str(obj(t?.function)?.name) ?? str(t?.name);
        if (id && name) facts.toolCalls.push({ id, name });
      }
    }
  }
  if (reasons.length) facts.finishReasons = reasons;
  return facts;
}

/** Facts of a `response` span: `_response` is the Responses API object. */
export function responseFacts(data: Obj): CallFacts {
  const r = obj(data._response);
  const facts: CallFacts = { responseModel: str(r?.model), responseId: str(data.response_id) ?? str(r?.id), usage: readUsage(r?.usage), toolCalls: [] };
  for (const item of arr(r?.output)) {
    const o = obj(item);
    const id = str(o?.call_id);
    const name = str(o?.name);
    if (o?.type === 'function_call' && id && name) facts.toolCalls.push({ id, name });
  }
  const reason = responseFinishReason(r, facts.toolCalls.length > 0);
  if (reason) facts.finishReasons = [reason];
  return facts;
}

function responseFinishReason(r: Obj | undefined, calledTools: boolean): string | undefined {
  switch (r?.status) {
    case 'completed': return calledTools ? 'tool_call' : 'stop';
    case 'incomplete': return 'length';
    case 'failed': return 'error';
    default: return undefined;
  }
}

// --- content in the GenAI conventions' shape ----------------------------------------------------

type Part = Obj & { type: string };
interface Message { role: string; parts: Part[]; finish_reason?: string }
/** `gen_ai.system_instructions`, `gen_ai.input.messages`, `gen_ai.output.messages`, as parsed values. */
export interface CallContent { system?: Part[]; input?: Message[]; output?: Message[] }

const CHAT_FINISH: Record<string, string> = { tool_calls: 'tool_call', function_call: 'tool_call' };

/** Tool arguments as the JSON value they encode (the conventions record objects, not strings). */
function parseArguments(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try { return JSON.parse(v); } catch { return v; }
}

/** A message's content (a string, or parts like `{type:'text'|'input_text'|'output_text', text}`) as parts. */
function contentParts(content: unknown): Part[] {
  if (typeof content === 'string') return content ? [{ type: 'text', content }] : [];
  const parts: Part[] = [];
  for (const p of arr(content)) {
    const o = obj(p);
    if (!o) continue;
    const text = str(o.text) ?? str(o.refusal);
    if (text !== undefined) parts.push({ type: 'text', content: text });
    else parts.push({ ...o, type: str(o.type) ?? 'unknown' });
  }
  return parts;
}

const toolCallPart = (id: unknown, name: unknown, args: unknown): Part => ({ type: 'tool_call', id, name, arguments: parseArguments(args) });

/** One Chat Completions message (request or response side) in the conventions' shape. */
function chatMessage(m: Obj): Message {
  const role = str(m.role) ?? 'user';
  if (role === 'tool') return { role, parts: [{ type: 'tool_call_response', id: m.tool_call_id, response: m.content }] };
  const parts = contentParts(m.content);
  const reasoning = str(m.reasoning) ?? str(m.reasoning_content);
  if (reasoning) parts.unshift({ type: 'reasoning', content: reasoning });
  for (const call of arr(m.tool_calls)) {
    const t = obj(call);
    if (t) parts.push(toolCallPart(t.id, obj(t.function)?.name ?? t.name, obj(t.function)?.arguments ?? t.arguments));
  }
  return { role, parts };
}

/** A `generation` span's content: system/developer messages become the system instructions. */
export function generationContent(data: Obj): CallContent {
  const out: CallContent = {};
  const system: Part[] = [];
  const input: Message[] = [];
  for (const item of arr(data.input)) {
    const m = obj(item);
    if (!m) continue;
    if (m.role === 'system' || m.role === 'developer') system.push(...contentParts(m.content));
    else input.push(chatMessage(m));
  }
  if (system.length) out.system = system;
  if (input.length) out.input = input;
  const output: Message[] = [];
  for (const item of arr(data.output)) {
    const o = obj(item);
    if (!o) continue;
    const choices = arr(o.choices);
    if (!choices.length && (o.role !== undefined || o.content !== undefined)) output.push(chatMessage(o));
    for (const choice of choices) {
      const c = obj(choice);
      const message = obj(c?.message);
      if (!message) continue;
      const reason = str(c?.finish_reason);
      output.push({ ...chatMessage(message), finish_reason: reason ? CHAT_FINISH[reason] ?? reason : 'stop' });
    }
  }
  if (output.length) out.output = output;
  return out;
}

/** One Responses API input or output item as a message. */
function responsesItem(o: Obj): Message | undefined {
  switch (o.type) {
    case 'function_call': return { role: 'assistant', parts: [toolCallPart(o.call_id, o.name, o.arguments)] };
    case 'function_call_output': return { role: 'tool', parts: [{ type: 'tool_call_response', id: o.call_id, response: o.output }] };
    case 'reasoning': {
      const text = arr(o.summary).map((s) => str(obj(s)?.text)).filter(Boolean).join('\n');
      return text ? { role: 'assistant', parts: [{ type: 'reasoning', content: text }] } : undefined;
    }
    case undefined: case 'message': return { role: str(o.role) ?? 'user', parts: contentParts(o.content) };
    default: return { role: str(o.role) ?? 'assistant', parts: [{ type: String(o.type) }] };
  }
}

/** A `response` span's content: `_input` (a string or items), `_response.instructions` and `.output`. */
export function responseContent(data: Obj): CallContent {
  const out: CallContent = {};
  const r = obj(data._response);
  const system = typeof r?.instructions === 'string' ? contentParts(r.instructions) : [];
  const input: Message[] = [];
  if (typeof data._input === 'string') input.push({ role: 'user', parts: contentParts(data._input) });
  for (const item of arr(data._input)) {
    const o = obj(item);
    if (!o) continue;
    if (o.role === 'system' || o.role === 'developer') system.push(...contentParts(o.content));
    else {
      const m = responsesItem(o);
      if (m) input.push(m);
    }
  }
  if (system.length) out.system = system;
  if (input.length) out.input = input;
  const parts: Part[] = [];
  for (const item of arr(r?.output)) {
    const o = obj(item);
    const m = o && responsesItem(o);
    if (m) parts.push(...m.parts);
  }
  if (parts.length) {
    const facts = responseFacts(data);
    out.output = [{ role: 'assistant', parts, finish_reason: facts.finishReasons?.[0] ?? 'stop' }];
  }
  return out;
}
