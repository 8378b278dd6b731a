import { configure } from 'safe-stable-stringify';

/**
 * Captured content in the GenAI conventions' JSON shape (gen-ai-input-messages.json,
 * gen-ai-output-messages.json, gen-ai-system-instructions.json): messages are
 * `{ role, parts: [{ type: 'text', content }, { type: 'tool_call', id, name, arguments },
 * { type: 'tool_call_response', id, response }, ...] }`, output messages add `finish_reason`.
 * Converts what users pass today (a string, OpenAI / Anthropic / Vercel AI SDK messages, request
 * and response bodies, anything) so that one query reads every call the same way.
 * Span attributes cannot hold structures, so the values are JSON strings (the spec allows it).
 */

type Part = Record<string, unknown>;
export interface ChatMessage { role: string; parts: Part[]; name?: string; finish_reason?: string }

/** Insertion order kept (role before parts), circular references and BigInts never throw. */
const stringify = configure({ deterministic: false, bigint: true, circularValue: '[Circular]' });
export const toJson = (value: unknown): string => stringify(value) ?? String(value);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const text = (content: string): Part => ({ type: 'text', content });

/** Tool arguments and results are objects in the spec: JSON text is parsed (best effort), anything else kept. */
export function parseJsonish(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return value;
  try { return JSON.parse(value); } catch { return value; }
}

/** `gen_ai.tool.call.arguments` / `.result`: objects as JSON, JSON text normalised, plain text as it is. */
export function toolContentValue(value: unknown): string {
  const v = parseJsonish(value);
  return typeof v === 'string' ? v : toJson(v);
}

function dataUrl(url: string): { mime?: string; data: string } | undefined {
  const m = /^data:([^;,]*)(?:;[^,]*)?,(.*)$/s.exec(url);
  return m ? { mime: m[1] || undefined, data: m[2]! } : undefined;
}

function media(modality: string, url: string | undefined, mime?: string): Part {
  const d = url ? dataUrl(url) : undefined;
  if (d) return { type: 'blob', modality, mime_type: d.mime ?? mime ?? null, content: d.data };
  return { type: 'uri', modality, mime_type: mime ?? null, uri: url ?? '' };
}

const SPEC_PART = new Set(['text', 'tool_call', 'tool_call_response', 'server_tool_call', 'server_tool_call_response',
  'blob', 'file', 'uri', 'reasoning', 'compaction', 'generic']);

/** One content block of any of the common SDK formats → a spec part. */
function toPart(block: unknown): Part {
  if (typeof block === 'string') return text(block);
  if (!isObject(block)) return text(toJson(block));
  const type = str(block.type);
  switch (type) {
    case 'text': case 'input_text': case 'output_text':
      if (typeof block.text === 'string') return text(block.text);
      break;
    case 'image_url': { // OpenAI chat
      const u = block.image_url;
      return media('image', isObject(u) ? str(u.url) : str(u));
    }
    case 'input_image': return media('image', str(block.image_url)); // OpenAI responses
    case 'image': { // Anthropic (source) or Vercel AI SDK (image)
      const src = block.source;
      if (isObject(src)) {
        if (src.type === 'base64') return { type: 'blob', modality: 'image', mime_type: str(src.media_type) ?? null, content: str(src.data) ?? '' };
        return media('image', str(src.url));
      }
      if (typeof block.image === 'string') return media('image', block.image, str(block.mediaType));
      break;
    }
    case 'input_audio': {
      const a = isObject(block.input_audio) ? block.input_audio : {};
      return { type: 'blob', modality: 'audio', mime_type: a.format ? `audio/${String(a.format)}` : null, content: str(a.data) ?? '' };
    }
    case 'file': {
      const f = isObject(block.file) ? block.file : block;
      if (typeof f.file_id === 'string') return { type: 'file', modality: 'document', file_id: f.file_id };
      if (typeof f.file_data === 'string') return media('document', f.file_data);
      break;
    }
    case 'tool_use': return { type: 'tool_call', id: str(block.id) ?? null, name: str(block.name) ?? '', arguments: parseJsonish(block.input) };
    case 'tool-call': return { type: 'tool_call', id: str(block.toolCallId) ?? null, name: str(block.toolName) ?? '', arguments: parseJsonish(block.input ?? block.args) };
    case 'function_call': return { type: 'tool_call', id: str(block.call_id) ?? null, name: str(block.name) ?? '', arguments: parseJsonish(block.arguments) };
    case 'tool_result': return { type: 'tool_call_response', id: str(block.tool_use_id) ?? null, response: toolResponse(block.content) };
    case 'tool-result': return { type: 'tool_call_response', id: str(block.toolCallId) ?? null, response: block.output ?? block.result ?? null };
    case 'function_call_output': return { type: 'tool_call_response', id: str(block.call_id) ?? null, response: parseJsonish(block.output) };
    case 'thinking': return { type: 'reasoning', content: str(block.thinking) ?? '' };
    case 'reasoning':
      if (typeof block.content === 'string') return block;
      if (typeof block.text === 'string') return { type: 'reasoning', content: block.text };
      break;
  }
  if (type && SPEC_PART.has(type)) return block;
  // Anything else keeps its fields as a generic part, with its own type named.
  const { type: _t, ...rest } = block;
  return type ? { type: 'generic', generic_type: type, ...rest } : { type: 'generic', ...rest };
}

/** A tool result block's content: its text when it is only text, else the blocks as they are. */
function toolResponse(content: unknown): unknown {
  if (Array.isArray(content) && content.every((b) => isObject(b) && b.type === 'text' && typeof b.text === 'string')) {
    return content.map((b) => (b as { text: string }).text).join('');
  }
  return parseJsonish(content);
}

function contentParts(content: unknown): Part[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [text(content)];
  if (Array.isArray(content)) return content.map(toPart);
  if (isObject(content) && typeof content.type === 'string') return [toPart(content)];
  return [text(typeof content === 'object' ? toJson(content) : String(content))];
}

const SYSTEM_ROLES = new Set(['system', 'developer']);
/** Role-less OpenAI Responses items that are a message of their own. */
const ITEM_ROLES: Record<string, string> = { function_call: 'assistant', function_call_output: 'tool' };
/** Role-less content blocks only (`[{ type: 'text', text }, { type: 'image_url', … }]`): one message's parts. */
const onlyBlocks = (items: unknown[]): boolean =>
  items.length > 0 && items.every((b) => isObject(b) && typeof b.role !== 'string' && typeof b.type === 'string' && !Object.hasOwn(ITEM_ROLES, b.type));

/** One message of any common format; what is not a message becomes one of `defaultRole`. */
function toMessage(m: unknown, defaultRole: string): ChatMessage {
  if (typeof m === 'string') return { role: defaultRole, parts: [text(m)] };
  if (!isObject(m) || typeof m.role !== 'string') {
    // A content block or an OpenAI Responses item without a role.
    if (isObject(m) && typeof m.type === 'string') return { role: Object.hasOwn(ITEM_ROLES, m.type) ? ITEM_ROLES[m.type]! : defaultRole, parts: [toPart(m)] };
    return { role: defaultRole, parts: contentParts(m) };
  }
  const role = m.role;
  if (Array.isArray(m.parts) && m.content === undefined) return m as unknown as ChatMessage; // already the spec's shape
  let parts: Part[];
  if (role === 'tool' && typeof m.tool_call_id === 'string') {
    parts = [{ type: 'tool_call_response', id: m.tool_call_id, response: toolResponse(m.content) }];
  } else if (role === 'function') {
    parts = [{ type: 'tool_call_response', id: null, name: str(m.name), response: parseJsonish(m.content) }];
  } else {
    parts = contentParts(m.content);
  }
  if (Array.isArray(m.tool_calls)) { // OpenAI chat assistant message
    for (const c of m.tool_calls) {
      if (!isObject(c)) continue;
      const fn = isObject(c.function) ? c.function : {};
      parts.push({ type: 'tool_call', id: str(c.id) ?? null, name: str(fn.name) ?? '', arguments: parseJsonish(fn.arguments) });
    }
  }
  if (isObject(m.function_call)) {
    parts.push({ type: 'tool_call', id: null, name: str(m.function_call.name) ?? '', arguments: parseJsonish(m.function_call.arguments) });
  }
  const out: ChatMessage = { role: role === 'function' ? 'tool' : role, parts };
  if (typeof m.name === 'string' && role !== 'function') out.name = m.name;
  return out;
}

export interface InputContent {
  messages: ChatMessage[];
  /** `gen_ai.system_instructions` parts: the `system` option and the system messages. */
  system: Part[];
}

/**
 * `input` as the spec's input messages. A string is one user message; an array is messages (or
 * content blocks); a request body contributes `messages`/`input`/`prompt` and `system`/`instructions`.
 * System and developer messages go to the system instructions.
 */
export function inputContent(input: unknown, system?: unknown): InputContent {
  const out: InputContent = { messages: [], system: system === undefined ? [] : contentParts(system) };
  const addAll = (items: unknown): void => {
    if (Array.isArray(items) && onlyBlocks(items)) items = [{ role: 'user', content: items }];
    for (const item of Array.isArray(items) ? items : [items]) {
      const msg = toMessage(item, 'user');
      if (SYSTEM_ROLES.has(msg.role)) out.system.push(...msg.parts);
      else out.messages.push(msg);
    }
  };
  if (input === undefined || input === null) return out;
  if (isObject(input) && typeof input.role !== 'string' && typeof input.type !== 'string'
    && (Array.isArray(input.messages) || input.input !== undefined || typeof input.prompt === 'string')) {
    if (input.system !== undefined) out.system.push(...contentParts(input.system));
    if (typeof input.instructions === 'string') out.system.push(text(input.instructions));
    addAll(input.messages ?? input.input ?? input.prompt);
    return out;
  }
  addAll(input);
  return out;
}

const FINISH_REASONS: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  tool_calls: 'tool_call', function_call: 'tool_call', tool_use: 'tool_call', 'tool-calls': 'tool_call',
  end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', 'content-filter': 'content_filter',
});
/** A provider's finish reason in the spec's words (`stop`, `length`, `content_filter`, `tool_call`, `error`). */
export const finishReason = (r: string): string => FINISH_REASONS[r] ?? r;

/**
 * `output` as the spec's output messages, one per choice, each with a `finish_reason`: the
 * response's own, else the one given to setResponse, else `error` for a failed call, `tool_call`
 * when the message calls tools, `stop` otherwise.
 */
export function outputMessages(output: unknown, finishReasons: readonly string[] | undefined, failed: boolean): ChatMessage[] {
  const choices: Array<{ message: ChatMessage; reason?: string }> = [];
  if (isObject(output) && Array.isArray(output.choices)) { // OpenAI chat completion / completion
    for (const c of output.choices) {
      if (!isObject(c)) continue;
      const message = c.message !== undefined ? toMessage(c.message, 'assistant') : { role: 'assistant', parts: contentParts(c.text) };
      choices.push({ message, reason: str(c.finish_reason) });
    }
  } else if (isObject(output) && Array.isArray(output.output)) { // OpenAI responses: one message of every item
    const parts: Part[] = [];
    for (const item of output.output) {
      if (isObject(item) && item.type === 'message') parts.push(...contentParts(item.content));
      else if (isObject(item)) parts.push(toPart(item));
    }
    choices.push({ message: { role: 'assistant', parts } });
  } else if (Array.isArray(output) && output.length > 0 && output.every((o) => typeof o === 'string' || (isObject(o) && typeof o.role === 'string'))) {
    for (const o of output) choices.push({ message: toMessage(o, 'assistant') });
  } else if (isObject(output) && typeof output.role === 'string') { // one message (Anthropic: with stop_reason)
    choices.push({ message: toMessage(output, 'assistant'), reason: str(output.stop_reason) ?? str(output.finish_reason) });
  } else {
    choices.push({ message: { role: 'assistant', parts: contentParts(output) } });
  }
  return choices.map(({ message, reason }, i) => {
    const given = reason ?? message.finish_reason ?? finishReasons?.[i];
    const fallback = failed ? 'error' : message.parts.some((p) => p.type === 'tool_call') ? 'tool_call' : 'stop';
    return { ...message, finish_reason: given ? finishReason(given) : fallback };
  });
}
