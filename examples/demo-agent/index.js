// A simulated multi-agent workload: a research workflow where a planner agent plans with an LLM and
// hands tasks to worker agents that call tools (some fail, one is retried) and summarise with an LLM.
// No network; a few seconds long; leaves ./telemetry filled (or $AGENT_OTEL_DIR).
import path from 'node:path';
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall, withWorkflow } from 'agent-otel';
import { report } from './report.js';
import { simulateModel, simulateTool, ToolError } from './simulate.js';

const telemetry = registerTelemetry({ serviceName: 'demo-research-agent', serviceVersion: '1.0.0' });
const dir = telemetry.config.dir;
const started = Date.now();
const TOPICS = ['solar storage', 'battery recycling', 'grid batteries', 'sodium-ion cells', 'hydrogen buffers', 'heat pumps'];

async function callModel(model, provider, prompt, expectedOut) {
  return withLlmCall({ provider, model, operation: 'chat', input: prompt }, async (call) => {
    const r = await simulateModel(model, prompt, expectedOut);
    call.recordUsage({ inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: r.cacheReadTokens });
    call.setResponse({ model: r.model, id: r.id, finishReasons: ['stop'] });
    call.setOutput(r.text);
    return r;
  });
}

async function useTool(name, args, attempt = 1) {
  try {
    return await withToolCall({ name, callId: `call_${name}_${Math.random().toString(36).slice(2, 8)}`, arguments: args, riskLevel: name === 'write_file' ? 'medium' : 'low' },
      () => simulateTool(name, args));
  } catch (err) {
    // A rate-limited fetch is retried once; other failures are reported to the worker.
    if (err instanceof ToolError && err.name === 'RateLimitError' && attempt === 1) return useTool(name, { ...args, force429: false, retry: true }, 2);
    throw err;
  }
}

async function worker(topic, index) {
  return withAgentRun({ agentName: 'worker', runKind: 'research_topic' }, async (run) => {
    const sources = /** @type {string[]} */ (await useTool('web_search', { q: topic }));
    let ok = 0;
    let failed = 0;
    for (const url of sources.slice(0, 3)) {
      try {
        await useTool('fetch_page', { url, force429: index === 1 && ok === 0 });
        ok++;
      } catch {
        failed++;
      }
    }
    run.setItems({ discovered: sources.length, succeeded: ok, failed });
    await callModel(index % 2 ? 'claude-3-5-haiku' : 'gpt-4o-mini', index % 2 ? 'anthropic' : 'openai', `Summarise ${topic}`, 350);
    await useTool('write_file', { path: `notes/${topic.replace(/ /g, '_')}.md` });
    if (index === 4) throw new ToolError('DiskQuotaError', 'notes volume is full'); // one run fails
  });
}

let traceId = '';
await withWorkflow({ name: 'weekly_research' }, async (span) => {
  traceId = span.spanContext().traceId;
  const plan = await withAgentRun({ agentName: 'planner', runKind: 'plan_research' }, async (run) => {
    const r = await callModel('gpt-4o', 'openai', 'Plan research on energy storage', 600);
    run.setItems({ discovered: TOPICS.length, succeeded: TOPICS.length, failed: 0 });
    return r;
  });
  // Workers run two at a time, as a real orchestrator would limit concurrency.
  const results = [];
  for (let i = 0; i < TOPICS.length; i += 2) {
    results.push(...await Promise.allSettled([worker(TOPICS[i], i), worker(TOPICS[i + 1], i + 1)]));
  }
  await withAgentRun({ agentName: 'reviewer', runKind: 'review' }, () =>
    callModel('claude-3-5-sonnet', 'anthropic', `Review ${results.length} summaries after ${plan.id}`, 900));
});

await telemetry.shutdown();
const summary = await report(dir);
const rel = path.relative(process.cwd(), dir) || '.';
const dirFlag = rel === 'telemetry' ? '' : ` --dir ${rel}`;
console.log(`
demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s
${summary}
telemetry written to ${dir}
  spans:    ${rel}/spans/*.jsonl    (one span per line)
  metrics:  ${rel}/metrics/*.jsonl  (one data point per line)
  database: ${rel}/telemetry.duckdb (tables spans, metrics)
look at it:
  npx agent-otel report --since all${dirFlag}
  npx agent-otel runs${dirFlag}
  npx agent-otel sql "SELECT model, count(*) AS calls, sum(input_tokens) AS tokens_in FROM llm_calls GROUP BY model"${dirFlag}
  npx agent-otel trace ${traceId}${dirFlag}
row formats: semconv/README.md`);
