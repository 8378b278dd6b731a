import path from 'node:path';
import { OPENAI_AGENTS_SCOPE } from '../../semconv/dialects/openaiAgents.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { readPackageJson, resolvePackageDir } from './nodeModules.js';
import type { ScopeCount, SpanCounts } from './spanCounts.js';
import { check, type Check } from './types.js';

/** A GenAI package the project depends on directly, as installed. */
export interface GenAiPackage { name: string; version: string; spec: string }

const OPENAI_INSTRUMENTATIONS = ['@opentelemetry/instrumentation-openai', '@arizeai/openinference-instrumentation-openai', '@traceloop/instrumentation-openai'];
const ANTHROPIC_INSTRUMENTATIONS = ['@arizeai/openinference-instrumentation-anthropic', '@traceloop/instrumentation-anthropic'];
const LANGCHAIN_INSTRUMENTATIONS = ['@arizeai/openinference-instrumentation-langchain', '@traceloop/instrumentation-langchain'];
/** The AI SDK names its tracers `ai` (5/6, and 7 through @ai-sdk/otel) and `gen_ai` (@ai-sdk/otel's GenAI spans). */
const AI_SDK_SCOPES = ['ai', 'gen_ai'];
const REGISTER_FIRST = 'register agent-otel and the instrumentation before the client is imported (ESM apps: the instrumentation\'s manuallyInstrument(module))';

const isInstrumentation = (n: string) => n === '@opentelemetry/instrumentation-openai' || /^@arizeai\/openinference-(instrumentation-|vercel$)/.test(n) ||
  /^@traceloop\/(instrumentation-|node-server-sdk$)/.test(n);
const isOpenAiAgents = (n: string) => n === '@openai/agents' || n === '@openai/agents-core' || n === '@openai/agents-openai';
/** Packages doctor knows how to tell about. */
export const isGenAiPackage = (n: string) => isInstrumentation(n) || isOpenAiAgents(n) || n === 'ai' || n === '@ai-sdk/otel' ||
  n === 'openai' || n === '@anthropic-ai/sdk' || n.startsWith('@langchain/');

/** The GenAI packages among the project's dependencies (aliases such as `"ai6": "npm:ai@6"` by their real name). */
export function genAiPackages(project: string): GenAiPackage[] {
  const pkg = readPackageJson(project);
  const specs = new Set(Object.keys({ ...pkg?.dependencies, ...pkg?.devDependencies, ...pkg?.optionalDependencies }));
  const out: GenAiPackage[] = [];
  for (const spec of specs) {
    const dir = resolvePackageDir(spec, project);
    const installed = dir ? readPackageJson(dir) : undefined;
    const name = installed?.name ?? spec;
    if (!isGenAiPackage(name)) continue;
    out.push({ name, version: installed?.version ?? '', spec });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const label = (p: GenAiPackage) => `${p.name}${p.version ? ` ${p.version}` : ' (not installed: run npm install)'}${p.spec !== p.name ? ` (as ${p.spec})` : ''}`;
const major = (v: string) => Number(v.split('.')[0]);

/** Which spans in the directory came from a package: by the scope its tracer uses, or the dialect agent-otel found. */
function arrived(counts: SpanCounts | undefined, scopes: (s: string) => boolean, dialects: string[] = []): { spans: number; llm: number } {
  let spans = 0;
  let llm = 0;
  for (const r of counts?.rows ?? []) {
    if (scopes(r.scope) || (r.dialect !== null && dialects.includes(r.dialect))) { spans += r.spans; llm += r.llm; }
  }
  return { spans, llm };
}

const inList = (list: string[]) => (s: string) => list.includes(s);

/**
 * One line per GenAI package: what it needs to make spans, and, when the directory has spans at all,
 * whether its spans arrived.
 */
export function checkInstrumentations(pkgs: GenAiPackage[], counts: SpanCounts | undefined, dir: string): Check[] {
  const names = new Set(pkgs.map((p) => p.name));
  const has = (list: string[]) => list.filter((n) => names.has(n));
  const fromCwd = path.relative(process.cwd(), dir);
  const rel = fromCwd === '' ? '.' : fromCwd.startsWith('..') ? dir : fromCwd;
  const total = (counts?.rows ?? []).reduce((s, r: ScopeCount) => s + r.spans, 0);
  const judge = counts !== undefined && total > 0;
  const out: Check[] = [];
  const report = (id: string, p: GenAiPackage | string, how: string, seen: { spans: number; llm: number } | undefined, missing: string) => {
    const what = typeof p === 'string' ? p : label(p);
    if (typeof p !== 'string' && !p.version) return out.push(check(id, 'problem', `${what}: it is in package.json but not in node_modules`));
    if (!judge || !seen) return out.push(check(id, 'ok', `${what}: ${how}`));
    if (seen.spans === 0) return out.push(check(id, 'warn', `${what} installed, but no spans from ${typeof p === 'string' ? 'them' : 'it'} in ${rel}: ${missing}`));
    return out.push(check(id, 'ok', `${what}: ${seen.spans} span${seen.spans === 1 ? '' : 's'} in ${rel}${seen.llm ? ` (${seen.llm} LLM call${seen.llm === 1 ? '' : 's'})` : ''}; ${how}`));
  };
  for (const p of pkgs) {
    const id = `instrumentation.${p.name}${p.spec !== p.name ? `@${p.spec}` : ''}`;
    if (p.name === 'ai') {
      const m = major(p.version);
      if (m >= 7) {
        if (!names.has('@ai-sdk/otel')) { out.push(check(id, 'warn', `${label(p)}: AI SDK 7 makes spans only through @ai-sdk/otel: npm install @ai-sdk/otel, then registerTelemetry(new OpenTelemetry()) from 'ai'`)); continue; }
        report(id, p, 'telemetry through @ai-sdk/otel', arrived(counts, inList(AI_SDK_SCOPES), ['vercel']),
          `did you call registerTelemetry(new OpenTelemetry()) from 'ai' (@ai-sdk/otel) at startup?`);
      } else {
        report(id, p, `built-in telemetry: pass experimental_telemetry: { isEnabled: true } to each call${m < 5 ? ' (AI SDK < 5 is not tested with agent-otel)' : ''}`,
          arrived(counts, inList(AI_SDK_SCOPES), ['vercel']), 'did you pass experimental_telemetry: { isEnabled: true } to generateText/streamText?');
      }
    } else if (p.name === '@ai-sdk/otel') {
      report(id, p, 'the AI SDK 7 OpenTelemetry integration', arrived(counts, inList(AI_SDK_SCOPES), ['vercel']), `did you call registerTelemetry(new OpenTelemetry()) from 'ai' at startup?`);
    } else if (p.name === '@arizeai/openinference-vercel') {
      out.push(check(id, 'ok', `${label(p)}: agent-otel reads the AI SDK's own spans; OpenInference's Vercel span processor is not needed with it (its attributes are understood when present)`));
    } else if (isInstrumentation(p.name)) {
      const own = p.name === '@traceloop/node-server-sdk' ? (s: string) => s.startsWith('@traceloop/') : inList([p.name]);
      report(id, p, 'its spans are normalised by agent-otel', arrived(counts, own), `did you ${REGISTER_FIRST}?`);
    } else if (isOpenAiAgents(p.name)) {
      if (p.name !== '@openai/agents' && names.has('@openai/agents')) continue;
      const disabled = process.env.OPENAI_AGENTS_DISABLE_TRACING && /^(1|true)$/i.test(process.env.OPENAI_AGENTS_DISABLE_TRACING);
      if (disabled || process.env.NODE_ENV === 'test') {
        out.push(check(id, 'warn', `${label(p)}: its tracing is off here (${disabled ? 'OPENAI_AGENTS_DISABLE_TRACING is set' : 'NODE_ENV=test turns it off by default'}): no agent, generation or function spans will be made`));
        continue;
      }
      report(id, p, 'its traces reach agent-otel through openAIAgentsProcessor()',
        arrived(counts, inList([OPENAI_AGENTS_SCOPE])), 'did you register agent-otel\'s processor with the SDK: setTraceProcessors([openAIAgentsProcessor()]) (or addTraceProcessor)?');
    } else if (p.name === 'openai' || p.name === '@anthropic-ai/sdk') {
      const list = p.name === 'openai' ? OPENAI_INSTRUMENTATIONS : ANTHROPIC_INSTRUMENTATIONS;
      const inst = has(list);
      if (inst.length === 0) {
        const own = arrived(counts, inList([SCOPE_NAME])).llm;
        out.push(check(id, judge && own > 0 ? 'ok' : 'warn', `${label(p)}: no OpenTelemetry instrumentation for it is installed, so its calls are recorded only inside withLlmCall()` +
          `${judge && own > 0 ? '' : `; install one of ${list.join(', ')}`}`));
        continue;
      }
      const seen = arrived(counts, inList(inst));
      if (!judge) out.push(check(id, 'ok', `${label(p)}: instrumented by ${inst.join(', ')}`));
      // An instrumentation of a client makes LLM spans only: any span of its scope is one (dialects name the operation).
      else if (seen.spans === 0) out.push(check(id, 'warn', `${label(p)} installed, but no LLM spans from ${inst.join(', ')} in ${rel}: did you ${REGISTER_FIRST}?`));
      else out.push(check(id, 'ok', `${label(p)}: ${seen.spans} span${seen.spans === 1 ? '' : 's'} from ${inst.join(', ')} in ${rel}`));
    }
  }
  const langchain = pkgs.filter((p) => p.name.startsWith('@langchain/'));
  if (langchain.length) {
    const inst = has(LANGCHAIN_INSTRUMENTATIONS);
    const what = langchain.map(label).join(', ');
    if (inst.length === 0) {
      out.push(check('instrumentation.langchain', 'warn', `${what}: LangChain.js makes no OpenTelemetry spans by itself: install ${LANGCHAIN_INSTRUMENTATIONS.join(' or ')}`));
    } else {
      report('instrumentation.langchain', what, `instrumented by ${inst.join(', ')}`, arrived(counts, inList(inst)),
        `did you call the instrumentation's manuallyInstrument(CallbackManagerModule) before using LangChain?`);
    }
  }
  if (counts && total === 0 && pkgs.length) out.push(check('instrumentation.spans', 'warn', `no spans in ${rel} yet: run the agent once, then run doctor again to see which instrumentations' spans arrive`));
  return out;
}
