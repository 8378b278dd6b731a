// Privacy across dialects: spans made with the plain OTel API carrying exactly the content keys of each
// instrumentation dialect (named by the constants their own semantic-convention packages export, where
// they exist), each with a unique marker, plus metadata that only looks like content. At `metadata` no
// marker reaches the JSONL files, the DuckDB database or an OTLP payload and the metadata stays; at
// `full` every marker is there (positive control).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { trace, type Attributes } from '@opentelemetry/api';
import * as OIPackage from '@arizeai/openinference-semantic-conventions';
import { EventAttributes as TLE, Events as TLEvents, SpanAttributes as TL } from '@traceloop/ai-semantic-conventions';
import * as GENAI from '@opentelemetry/semantic-conventions/incubating';
import { registerTelemetry, type TelemetryHandle } from '../dist/src/index.js';
import { startReceiver, type Receiver } from './support/otlpReceiver.js';
import { catchUp, filesContaining, queryViews } from './support/store.js';
import { readSpans, ROOT, tmpDir, waitFor } from './support/harness.js';

/** Every attribute name the OpenInference package exports (AUDIO_* are not in its SemanticConventions object). */
const OI = Object.fromEntries(Object.entries(OIPackage).filter(([, v]) => typeof v === 'string')) as Record<string, string> &
  typeof OIPackage.SemanticConventions & { AUDIO_URL: string; AUDIO_TRANSCRIPT: string };

let handle: TelemetryHandle | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  await receiver?.close();
  receiver = undefined;
});

type Value = string | number | boolean | string[];
interface Fixture {
  dialect: string;
  scope: string;
  span: string;
  /** Content keys: each gets its own marker as value (a one-element array where the library records lists). */
  content: string[];
  arrays?: string[];
  /** Keys that only look like content: kept at every level. */
  metadata: Record<string, Value>;
  events?: Array<{ name: string; content: string[]; metadata?: Record<string, Value>; contentEvent?: boolean }>;
}

// Vercel AI SDK keys: `ai` has no exported constants; these are the names in node_modules/ai6/dist/index.mjs
// and node_modules/@ai-sdk/otel/dist/index.js (the gated ones are also read from there, below).
const FIXTURES: Fixture[] = [
  {
    dialect: 'genai', scope: '@opentelemetry/instrumentation-openai', span: 'chat gpt-4o',
    content: [
      GENAI.ATTR_GEN_AI_INPUT_MESSAGES, GENAI.ATTR_GEN_AI_OUTPUT_MESSAGES, GENAI.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
      GENAI.ATTR_GEN_AI_TOOL_DEFINITIONS, GENAI.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS, GENAI.ATTR_GEN_AI_TOOL_CALL_RESULT,
      GENAI.ATTR_GEN_AI_RETRIEVAL_DOCUMENTS, GENAI.ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT, GENAI.ATTR_GEN_AI_PROMPT,
      GENAI.ATTR_GEN_AI_COMPLETION, GENAI.ATTR_GEN_AI_EVALUATION_EXPLANATION,
      // semantic-conventions-genai model/gen-ai/registry.yaml (not yet in the 1.45 package)
      'gen_ai.memory.records', 'gen_ai.memory.query.text',
    ],
    metadata: {
      [GENAI.ATTR_GEN_AI_PROMPT_NAME]: 'analyze-code', [GENAI.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [GENAI.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o', [GENAI.ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: ['stop'],
      [GENAI.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 11, [GENAI.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 7,
      [GENAI.ATTR_GEN_AI_TOOL_NAME]: 'web_search', [GENAI.ATTR_GEN_AI_TOOL_DESCRIPTION]: 'Searches the web',
      [GENAI.ATTR_GEN_AI_CONVERSATION_ID]: 'conv-1', [GENAI.ATTR_GEN_AI_DATA_SOURCE_ID]: 'H7STPQYOND',
      'gen_ai.memory.store.id': 'prefs', 'gen_ai.memory.record.id': 'mem_1', 'gen_ai.memory.record.count': 3,
    },
    events: [
      { name: 'gen_ai.content.prompt', content: [GENAI.ATTR_GEN_AI_PROMPT], contentEvent: true },
      { name: 'gen_ai.content.completion', content: [GENAI.ATTR_GEN_AI_COMPLETION], contentEvent: true },
      { name: GENAI.EVENT_GEN_AI_SYSTEM_MESSAGE, content: ['content'], contentEvent: true },
      { name: GENAI.EVENT_GEN_AI_USER_MESSAGE, content: ['content'], contentEvent: true },
      { name: GENAI.EVENT_GEN_AI_ASSISTANT_MESSAGE, content: ['content'], contentEvent: true },
      { name: GENAI.EVENT_GEN_AI_TOOL_MESSAGE, content: ['content'], contentEvent: true },
      { name: GENAI.EVENT_GEN_AI_CHOICE, content: ['message'], metadata: { index: 0, finish_reason: 'stop' }, contentEvent: true },
      { name: GENAI.EVENT_GEN_AI_CLIENT_INFERENCE_OPERATION_DETAILS, content: [GENAI.ATTR_GEN_AI_INPUT_MESSAGES, GENAI.ATTR_GEN_AI_OUTPUT_MESSAGES], contentEvent: true },
      // not a content event: it stays, without the explanation
      { name: GENAI.EVENT_GEN_AI_EVALUATION_RESULT, content: [GENAI.ATTR_GEN_AI_EVALUATION_EXPLANATION],
        metadata: { [GENAI.ATTR_GEN_AI_EVALUATION_NAME]: 'Relevance', [GENAI.ATTR_GEN_AI_EVALUATION_SCORE_VALUE]: 4 } },
      { name: 'tool.progress', content: [GENAI.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS], metadata: { [GENAI.ATTR_GEN_AI_TOOL_NAME]: 'web_search' } },
    ],
  },
  {
    dialect: 'openinference', scope: '@arizeai/openinference-instrumentation-openai', span: 'OpenAI Chat Completions',
    content: [
      OI.INPUT_VALUE, OI.OUTPUT_VALUE, `${OI.INPUT_IMAGES}.0.${OI.IMAGE_URL}`, `${OI.OUTPUT_IMAGES}.0.${OI.IMAGE_URL}`,
      `${OI.LLM_INPUT_MESSAGES}.0.${OI.MESSAGE_CONTENT}`, `${OI.LLM_INPUT_MESSAGES}.1.${OI.MESSAGE_CONTENTS}.0.${OI.MESSAGE_CONTENT_TEXT}`,
      `${OI.LLM_INPUT_MESSAGES}.1.${OI.MESSAGE_CONTENTS}.1.${OI.MESSAGE_CONTENT_IMAGE}.${OI.IMAGE_URL}`,
      `${OI.LLM_OUTPUT_MESSAGES}.0.${OI.MESSAGE_CONTENT}`,
      `${OI.LLM_OUTPUT_MESSAGES}.0.${OI.MESSAGE_TOOL_CALLS}.0.${OI.TOOL_CALL_FUNCTION_ARGUMENTS_JSON}`,
      `${OI.LLM_TOOLS}.0.${OI.TOOL_JSON_SCHEMA}`, OI.LLM_FUNCTION_CALL, OI.PROMPT_TEMPLATE_TEMPLATE, OI.PROMPT_TEMPLATE_VARIABLES,
      OI.TOOL_PARAMETERS, `${OI.RETRIEVAL_DOCUMENTS}.0.${OI.DOCUMENT_CONTENT}`, `${OI.RETRIEVAL_DOCUMENTS}.0.${OI.DOCUMENT_METADATA}`,
      `${OI.RERANKER_INPUT_DOCUMENTS}.0.${OI.DOCUMENT_CONTENT}`, `${OI.RERANKER_OUTPUT_DOCUMENTS}.0.${OI.DOCUMENT_CONTENT}`,
      OI.RERANKER_QUERY, `${OI.EMBEDDING_EMBEDDINGS}.0.${OI.EMBEDDING_TEXT}`, `${OI.EMBEDDING_EMBEDDINGS}.0.${OI.EMBEDDING_VECTOR}`,
      OI.AUDIO_TRANSCRIPT, OI.EVALUATION_EXPLANATION,
    ],
    arrays: [OI.LLM_PROMPTS],
    metadata: {
      [OI.OPENINFERENCE_SPAN_KIND]: 'LLM', [OI.LLM_MODEL_NAME]: 'gpt-4o', [OI.LLM_PROVIDER]: 'openai', [OI.LLM_SYSTEM]: 'openai',
      [OI.LLM_TOKEN_COUNT_PROMPT]: 11, [OI.LLM_TOKEN_COUNT_COMPLETION]: 7, [OI.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ]: 3,
      [OI.LLM_FINISH_REASON]: 'stop', [OI.PROMPT_TEMPLATE_VERSION]: 'v3', [OI.PROMPT_ID]: 'prompt-7', [OI.PROMPT_VENDOR]: 'phoenix',
      [OI.SESSION_ID]: 'session-1', [OI.USER_ID]: 'user-1', [OI.INPUT_MIME_TYPE]: 'application/json', [OI.TOOL_NAME]: 'web_search',
      [OI.TOOL_DESCRIPTION]: 'Searches the web', [OI.TOOL_CALL_ID]: 'call_1', [OI.METADATA]: '{"team":"search"}',
      [OI.EMBEDDING_MODEL_NAME]: 'text-embedding-3-small', [OI.RERANKER_MODEL_NAME]: 'rerank-2', [OI.RERANKER_TOP_K]: 3,
      [OI.DOCUMENT_ID]: 'doc-1', [OI.MESSAGE_ROLE]: 'user', [OI.AGENT_NAME]: 'planner',
    },
  },
  {
    dialect: 'openllmetry', scope: '@traceloop/instrumentation-openai', span: 'openai.chat',
    content: [
      `${GENAI.ATTR_GEN_AI_PROMPT}.0.content`, `${GENAI.ATTR_GEN_AI_PROMPT}.0.role`, `${GENAI.ATTR_GEN_AI_COMPLETION}.0.content`,
      `${GENAI.ATTR_GEN_AI_COMPLETION}.0.tool_calls.0.arguments`, `${TL.LLM_REQUEST_FUNCTIONS}.0.parameters`,
      TL.TRACELOOP_ENTITY_INPUT, TL.TRACELOOP_ENTITY_OUTPUT, TL.GEN_AI_GUARDRAIL_INPUT, TL.GEN_AI_GUARDRAIL_OUTPUT,
      TL.GEN_AI_GUARDRAIL_ERROR_MESSAGE, TL.MCP_RESPONSE_VALUE,
      // instrumentation-openai image generation; traceloop prompt registry (node-server-sdk)
      'gen_ai.response.revised_prompt', 'traceloop.prompt.template', 'traceloop.prompt.template_variables.subject',
    ],
    metadata: {
      [TL.LLM_REQUEST_TYPE]: 'chat', [TL.TRACELOOP_SPAN_KIND]: 'task', [TL.TRACELOOP_ENTITY_NAME]: 'summarize',
      [TL.TRACELOOP_WORKFLOW_NAME]: 'research', [TL.GEN_AI_GUARDRAIL_NAME]: 'pii', [TL.GEN_AI_GUARDRAIL_STATUS]: 'PASSED',
      [TL.GEN_AI_USAGE_TOTAL_TOKENS]: 18, [TL.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 3, [TL.MCP_REQUEST_ID]: 'req-1',
      'gen_ai.usage.prompt_tokens': 11, 'gen_ai.usage.completion_tokens': 7,
      'traceloop.prompt.key': 'joke', 'traceloop.prompt.version': 5, 'traceloop.prompt.version_hash': 'abc123',
    },
    events: [
      { name: TLEvents.DB_QUERY_RESULT, content: [TLE.DB_QUERY_RESULT_DOCUMENT, TLE.DB_QUERY_RESULT_METADATA, TLE.DB_QUERY_RESULT_VECTOR],
        metadata: { [TLE.DB_QUERY_RESULT_ID]: 'doc-1', [TLE.DB_QUERY_RESULT_SCORE]: 0.9 } },
      { name: TLEvents.DB_QUERY_EMBEDDINGS, content: [TLE.DB_QUERY_EMBEDDINGS_VECTOR], metadata: { [TLE.VECTOR_DB_QUERY_TOP_K]: 3 } },
      { name: 'db.vector.query.result', content: [TLE.VECTOR_DB_QUERY_RESULT_VALUES.replace('{i}', '0'), TLE.VECTOR_DB_QUERY_RESULT_METADATA.replace('{i}', '0')],
        metadata: { [TLE.VECTOR_DB_QUERY_RESULT_ID.replace('{i}', '0')]: 'doc-2' } },
    ],
  },
  {
    dialect: 'vercel', scope: 'ai', span: 'ai.generateText.doGenerate',
    content: [
      'ai.prompt', 'ai.prompt.messages', 'ai.prompt.toolChoice', 'ai.response.text', 'ai.response.object', 'ai.response.reasoning',
      'ai.response.toolCalls', 'ai.response.providerMetadata', 'ai.response.files', 'ai.schema', 'ai.request.text',
      'ai.decision.questions', 'ai.toolCall.args', 'ai.toolCall.result', 'ai.value', 'ai.embedding', 'ai.documents', 'ai.ranking',
    ],
    arrays: ['ai.prompt.tools', 'ai.values', 'ai.embeddings'],
    metadata: {
      'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o', 'ai.model.provider': 'openai.chat',
      'ai.usage.inputTokens': 11, 'ai.usage.outputTokens': 7, 'ai.response.finishReason': 'stop', 'ai.response.model': 'gpt-4o',
      'ai.response.id': 'resp-1', 'ai.schema.name': 'Recipe', 'ai.schema.description': 'A recipe', 'ai.ranking.type': 'text',
      'ai.toolCall.name': 'web_search', 'ai.toolCall.id': 'call_1', 'ai.telemetry.functionId': 'chat-fn',
      'ai.telemetry.metadata.tier': 'pro', 'ai.settings.maxOutputTokens': 100, 'ai.usage.tokens': 5,
    },
    events: [{ name: 'ai.stream.firstChunk', content: [], metadata: { 'ai.response.msToFirstChunk': 12 } }],
  },
  {
    dialect: 'langfuse', scope: 'langfuse-sdk', span: 'generation',
    content: ['langfuse.observation.input', 'langfuse.observation.output', 'langfuse.trace.input', 'langfuse.trace.output'],
    metadata: {
      'langfuse.observation.type': 'generation', 'langfuse.observation.prompt.name': 'support-answer',
      'langfuse.observation.prompt.version': 2, 'langfuse.observation.model.name': 'gpt-4o',
      'langfuse.observation.usage_details': '{"input":11,"output":7}', 'langfuse.observation.metadata.team': 'search',
      'langfuse.trace.name': 'support',
    },
  },
  {
    dialect: 'openai-agents', scope: 'agent-otel/openai-agents', span: 'guardrail pii_check',
    content: ['agent.guardrail.input', 'agent.guardrail.output'],
    metadata: { 'gen_ai.agent.name': 'triage', 'agent.guardrail.name': 'pii_check', 'agent.guardrail.triggered': false },
  },
];

// llm.invocation_parameters stays, without the request's content fields (Anthropic `system`, tools).
const INVOCATION = { key: OI.LLM_INVOCATION_PARAMETERS, kept: { model: 'claude-3-5-haiku', temperature: 0.3, max_tokens: 100 } };

interface Emitted { markers: Map<string, string>; contentEvents: string[] }

let seq = 0;
/** Emits every fixture as a span through the plain OTel API; returns marker → "dialect key" for messages. */
function emitFixtures(): Emitted {
  const markers = new Map<string, string>();
  const mark = (where: string) => { const m = `pv-${++seq}-zq`; markers.set(m, where); return m; };
  const contentEvents: string[] = [];
  for (const f of FIXTURES) {
    const span = trace.getTracer(f.scope).startSpan(f.span);
    const attrs: Attributes = { ...f.metadata };
    for (const k of f.content) attrs[k] = mark(`${f.dialect} ${k}`);
    for (const k of f.arrays ?? []) attrs[k] = [mark(`${f.dialect} ${k}`)];
    if (f.dialect === 'openinference') {
      attrs[INVOCATION.key] = JSON.stringify({ ...INVOCATION.kept, system: mark('openinference invocation system'), tools: [{ name: mark('openinference invocation tools') }] });
    }
    span.setAttributes(attrs);
    for (const e of f.events ?? []) {
      const ea: Attributes = { ...e.metadata };
      for (const k of e.content) ea[k] = mark(`${f.dialect} event ${e.name} ${k}`);
      span.addEvent(e.name, ea);
      if (e.contentEvent) contentEvents.push(e.name);
    }
    span.end();
  }
  return { markers, contentEvents };
}

/** Every marker's findings: files (JSONL, DuckDB, anything), the DuckDB spans table, the OTLP payloads. */
async function where(dir: string, markers: Map<string, string>) {
  const duck = JSON.stringify(await queryViews(dir, 'SELECT name, attributes, events FROM spans', 'duckdb'));
  const otlp = JSON.stringify(receiver!.spans);
  const found: Record<'files' | 'duckdb' | 'otlp' | 'jsonl', string[]> = { files: [], duckdb: [], otlp: [], jsonl: [] };
  for (const [m, what] of markers) {
    const files = filesContaining(dir, m);
    if (files.length) found.files.push(`${what}: ${files.map((f) => path.relative(dir, f)).join(', ')}`);
    if (files.some((f) => f.endsWith('.jsonl'))) found.jsonl.push(what);
    if (duck.includes(m)) found.duckdb.push(what);
    if (otlp.includes(m)) found.otlp.push(what);
  }
  return found;
}

async function run(privacy: 'none' | 'metadata' | 'full') {
  receiver = await startReceiver();
  const dir = tmpDir();
  handle = registerTelemetry({ dir, privacy, logLevel: 'none', otlp: { endpoint: receiver.url } });
  const emitted = emitFixtures();
  await handle.shutdown();
  handle = undefined;
  await waitFor(() => receiver!.spans.length >= FIXTURES.length, 5000, 'spans at the OTLP receiver');
  await catchUp(dir); // the database, as a first query brings it up to date
  expect(fs.existsSync(path.join(dir, 'telemetry.duckdb'))).toBe(true);
  return { dir, ...emitted, spans: await readSpans(dir) };
}

describe('privacy across dialects', () => {
  it('metadata: no content of any dialect reaches a file, DuckDB or OTLP; look-alike metadata stays', async () => {
    const { dir, markers, contentEvents, spans } = await run('metadata');
    expect(await where(dir, markers)).toEqual({ files: [], duckdb: [], otlp: [], jsonl: [] });

    for (const f of FIXTURES) {
      const row = spans.find((s) => s.name === f.span)!;
      const sent = receiver!.spans.find((s) => s.name === f.span)!;
      expect(row.attributes, f.dialect).toMatchObject(f.metadata);
      expect(sent.attributes, f.dialect).toMatchObject(f.metadata);
      for (const e of f.events ?? []) {
        const kept = row.events.find((x) => x.name === e.name);
        if (e.contentEvent) expect(kept, `${f.dialect} event ${e.name}`).toBeUndefined();
        else expect(kept?.attributes, `${f.dialect} event ${e.name}`).toEqual(e.metadata ?? {});
      }
    }
    expect(contentEvents.length).toBe(8);
    const oi = spans.find((s) => s.name === 'OpenAI Chat Completions')!;
    expect(JSON.parse(oi.attributes[INVOCATION.key] as string)).toEqual(INVOCATION.kept);
  });

  it('full: every marker is recorded in the files, DuckDB and OTLP (positive control)', async () => {
    const { dir, markers, contentEvents, spans } = await run('full');
    const found = await where(dir, markers);
    const all = [...markers.values()];
    expect(found.jsonl).toEqual(all);
    expect(found.duckdb).toEqual(all);
    expect(found.otlp).toEqual(all);
    const names = spans.flatMap((s) => s.events.map((e) => e.name));
    for (const e of contentEvents) expect(names).toContain(e);
  });

  it('none: content goes as at metadata', async () => {
    const { dir, markers } = await run('none');
    expect(await where(dir, markers)).toEqual({ files: [], duckdb: [], otlp: [], jsonl: [] });
  });
});

// ---------------------------------------------------------------------------------------------------
// Following the libraries: every attribute name their packages export is set on a span; at `metadata`
// exactly the ones listed here as content go. A new content attribute in a library update (an
// AI SDK attribute gated by recordInputs/recordOutputs, say) fails this test until it is classified.

/** Attributes the AI SDK records only when recordInputs / recordOutputs are on: `"key": { input|output: …`. */
function vercelGatedKeys(): string[] {
  const keys = new Set<string>();
  for (const file of ['node_modules/ai6/dist/index.mjs', 'node_modules/@ai-sdk/otel/dist/index.js']) {
    const src = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of src.matchAll(/["']((?:ai|gen_ai)\.[A-Za-z_.]+)["']\s*:\s*(?:[^{},;]*[?:]\s*)?\{\s*(?:input|output)\s*:/g)) keys.add(m[1]!);
  }
  return [...keys].sort();
}

const LIBRARIES: Array<{ name: string; keys: Record<string, string>; content: string[] }> = [
  {
    name: '@arizeai/openinference-semantic-conventions', keys: OI,
    content: [
      'INPUT_VALUE', 'OUTPUT_VALUE', 'INPUT_IMAGES', 'OUTPUT_IMAGES', 'LLM_INPUT_MESSAGES', 'LLM_OUTPUT_MESSAGES', 'LLM_PROMPTS',
      'LLM_FUNCTION_CALL', 'LLM_TOOLS', 'PROMPT_TEMPLATE_TEMPLATE', 'PROMPT_TEMPLATE_VARIABLES', 'TOOL_PARAMETERS', 'TOOL_JSON_SCHEMA',
      'RETRIEVAL_DOCUMENTS', 'RERANKER_INPUT_DOCUMENTS', 'RERANKER_OUTPUT_DOCUMENTS', 'RERANKER_QUERY', 'EMBEDDING_EMBEDDINGS',
      'EMBEDDING_TEXT', 'EMBEDDING_VECTOR', 'EVALUATION_EXPLANATION', 'ANNOTATION_EXPLANATION', 'MESSAGE_CONTENT', 'MESSAGE_CONTENTS',
      'MESSAGE_TOOL_CALLS', 'MESSAGE_FUNCTION_CALL_ARGUMENTS_JSON', 'MESSAGE_CONTENT_TEXT', 'MESSAGE_CONTENT_IMAGE',
      'MESSAGE_CONTENT_AUDIO', 'MESSAGE_CONTENT_VIDEO', 'MESSAGE_CONTENT_DATA', 'MESSAGE_CONTENT_ENCRYPTED_CONTENT',
      'TOOL_CALL_FUNCTION_ARGUMENTS_JSON', 'DOCUMENT_CONTENT', 'DOCUMENT_METADATA', 'IMAGE_URL', 'VIDEO_URL', 'AUDIO_URL',
      'AUDIO_TRANSCRIPT',
    ],
  },
  {
    name: '@traceloop/ai-semantic-conventions',
    keys: Object.fromEntries([...Object.entries(TL), ...Object.entries(TLE)].map(([k, v]) => [k, v.replace('{i}', '0')])),
    content: [
      'GEN_AI_GUARDRAIL_INPUT', 'GEN_AI_GUARDRAIL_OUTPUT', 'GEN_AI_GUARDRAIL_ERROR_MESSAGE', 'LLM_REQUEST_FUNCTIONS',
      'TRACELOOP_ENTITY_INPUT', 'TRACELOOP_ENTITY_OUTPUT', 'MCP_RESPONSE_VALUE', 'DB_QUERY_EMBEDDINGS_VECTOR',
      'DB_QUERY_RESULT_METADATA', 'DB_QUERY_RESULT_VECTOR', 'DB_QUERY_RESULT_DOCUMENT', 'VECTOR_DB_QUERY_EMBEDDINGS_VECTOR',
      'VECTOR_DB_QUERY_RESULT_VALUES', 'VECTOR_DB_QUERY_RESULT_SPARSE_INDICES', 'VECTOR_DB_QUERY_RESULT_SPARSE_VALUES',
      'VECTOR_DB_QUERY_RESULT_METADATA',
    ],
  },
  {
    name: '@opentelemetry/semantic-conventions/incubating (gen_ai.*)',
    keys: Object.fromEntries(Object.entries(GENAI).filter(([k, v]) => k.startsWith('ATTR_GEN_AI_') && typeof v === 'string')) as Record<string, string>,
    content: [
      'ATTR_GEN_AI_INPUT_MESSAGES', 'ATTR_GEN_AI_OUTPUT_MESSAGES', 'ATTR_GEN_AI_SYSTEM_INSTRUCTIONS', 'ATTR_GEN_AI_TOOL_DEFINITIONS',
      'ATTR_GEN_AI_TOOL_CALL_ARGUMENTS', 'ATTR_GEN_AI_TOOL_CALL_RESULT', 'ATTR_GEN_AI_RETRIEVAL_DOCUMENTS',
      'ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT', 'ATTR_GEN_AI_PROMPT', 'ATTR_GEN_AI_COMPLETION', 'ATTR_GEN_AI_EVALUATION_EXPLANATION',
    ],
  },
];

describe('privacy follows the semantic-convention packages', () => {
  it('at metadata, exactly the content attributes each package names are dropped', async () => {
    const gated = vercelGatedKeys();
    expect(gated).toEqual(expect.arrayContaining(['ai.prompt.messages', 'ai.toolCall.args', 'ai.toolCall.result', 'gen_ai.input.messages']));
    // Gated too, but only sizes, media types and formats of the audio: metadata.
    const vercelContent = gated.filter((k) => !/^ai\.(request|response)\.audio\./.test(k));
    const libs = [...LIBRARIES, { name: 'ai 6 + @ai-sdk/otel (recordInputs/recordOutputs)', keys: Object.fromEntries(gated.map((k) => [k, k])), content: vercelContent }];

    const dir = tmpDir();
    handle = registerTelemetry({ dir, privacy: 'metadata', logLevel: 'none', duckdb: false });
    for (const lib of libs) {
      const span = trace.getTracer('library-keys').startSpan(lib.name);
      for (const [name, key] of Object.entries(lib.keys)) {
        span.setAttribute(key, key === OI.LLM_INVOCATION_PARAMETERS ? '{"temperature":0}' : `value of ${name}`);
      }
      span.end();
    }
    await handle.shutdown();
    handle = undefined;
    const spans = await readSpans(dir);
    for (const lib of libs) {
      const kept = spans.find((s) => s.name === lib.name)!.attributes;
      const dropped = Object.entries(lib.keys).filter(([, key]) => !(key in kept)).map(([name]) => name).sort();
      expect(dropped, lib.name).toEqual([...new Set(lib.content)].sort());
    }
  });
});
