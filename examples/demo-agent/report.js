// A few lines read back from the files the demo just wrote, with the package's JSONL reader.
import path from 'node:path';
import { newReadStats, readJsonl } from 'agent-otel';

export async function report(dir) {
  const stats = newReadStats();
  const runs = new Map();
  let llm = 0, tools = 0, toolErrors = 0, tokens = 0, spans = 0;
  for await (const row of readJsonl(path.join(dir, 'spans'), stats)) {
    const s = /** @type {{ attributes: Record<string, any>, status_code: string }} */ (row);
    spans++;
    const op = s.attributes['gen_ai.operation.name'];
    if (op === 'invoke_agent') {
      const key = `${s.attributes['gen_ai.agent.name']} ${s.attributes['agent.run.status']}`;
      runs.set(key, (runs.get(key) ?? 0) + 1);
    } else if (op === 'chat') {
      llm++;
      tokens += (s.attributes['gen_ai.usage.input_tokens'] ?? 0) + (s.attributes['gen_ai.usage.output_tokens'] ?? 0);
    } else if (op === 'execute_tool') {
      tools++;
      if (s.status_code === 'ERROR') toolErrors++;
    }
  }
  const runList = [...runs].sort().map(([k, n]) => `${n} ${k}`).join(', ');
  return `${spans} spans in ${stats.files} file(s): runs: ${runList}; ${llm} LLM calls (${tokens} tokens); ${tools} tool calls (${toolErrors} failed)`;
}
