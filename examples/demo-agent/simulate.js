// Deterministic stand-ins for a model API and tools: realistic token counts and latencies (scaled
// down so the demo takes seconds), and a few failures.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class ToolError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

export async function simulateModel(model, prompt, expectedOut) {
  const outputTokens = Math.round(expectedOut * (0.6 + random() * 0.8));
  await sleep(150 + outputTokens / 2); // real models stream ~50-100 tokens/s: scaled down ~20x
  return {
    model: `${model}-2024-08-06`,
    id: `resp_${Math.floor(random() * 1e9).toString(36)}`,
    inputTokens: 300 + prompt.length * 4 + Math.round(random() * 1500),
    outputTokens,
    cacheReadTokens: random() < 0.5 ? 256 : 0,
    text: `(${outputTokens} tokens about ${prompt})`,
  };
}

export async function simulateTool(name, args) {
  await sleep(10 + random() * 120);
  if (name === 'web_search') return Array.from({ length: 3 + Math.floor(random() * 4) }, (_, i) => `https://example.org/${encodeURIComponent(args.q)}/${i}`);
  if (name === 'fetch_page') {
    if (args.force429) throw new ToolError('RateLimitError', '429 Too Many Requests');
    if (!args.retry && random() < 0.15) throw new ToolError('TimeoutError', `fetch ${args.url} timed out after 10 s`);
    return `<html>${args.url}</html>`;
  }
  return { ok: true };
}
