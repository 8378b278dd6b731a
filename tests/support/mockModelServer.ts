// A local mock model server for the dialect tests: OpenAI-compatible chat completions (with a tool
// call when the request offers tools and has no tool result yet), embeddings and responses, and
// Anthropic messages. Fixed usage numbers so tests can assert tokens and cost exactly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const USAGE = { input: 11, output: 7, cacheRead: 3 } as const;
/** Text the model answers with: tests search the files for it (content must stay out at `metadata`). */
export const COMPLETION_MARKER = 'COMPLETION-MARKER-5b1e';

export interface MockModelServer { url: string; requests: { path: string; body: any }[]; close(): Promise<void> }

export async function startMockModelServer(): Promise<MockModelServer> {
  const requests: { path: string; body: any }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => { raw += d; });
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      const path = (req.url ?? '').replace(/\?.*$/, '');
      requests.push({ path, body });
      const send = (obj: unknown) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
      if (path.endsWith('/chat/completions')) {
        const wantsTool = Array.isArray(body.tools) && body.tools.length > 0 && !body.messages?.some((m: any) => m.role === 'tool');
        const message = wantsTool
          ? { role: 'assistant', content: null, tool_calls: [{ id: 'call_mock_1', type: 'function', function: { name: body.tools[0].function.name, arguments: JSON.stringify({ city: 'ARGS-MARKER-77' }) } }] }
          : { role: 'assistant', content: COMPLETION_MARKER };
        if (body.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1, model: body.model };
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: message, finish_reason: null }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: wantsTool ? 'tool_calls' : 'stop' }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: openAiUsage() })}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        return send({
          id: 'chatcmpl-mock', object: 'chat.completion', created: 1, model: body.model,
          choices: [{ index: 0, message, finish_reason: wantsTool ? 'tool_calls' : 'stop', logprobs: null }],
          usage: openAiUsage(),
        });
      }
      if (path.endsWith('/embeddings')) {
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        return send({
          object: 'list', model: body.model, data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
          usage: { prompt_tokens: USAGE.input, total_tokens: USAGE.input },
        });
      }
      if (path.endsWith('/responses')) {
        return send({
          id: 'resp_mock', object: 'response', created_at: 1, status: 'completed', model: body.model,
          output: [{ type: 'message', id: 'msg_mock', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: COMPLETION_MARKER, annotations: [] }] }],
          usage: { input_tokens: USAGE.input, output_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output, input_tokens_details: { cached_tokens: USAGE.cacheRead }, output_tokens_details: { reasoning_tokens: 0 } },
        });
      }
      if (path.endsWith('/messages')) {
        return send({
          id: 'msg_mock', type: 'message', role: 'assistant', model: body.model, stop_reason: 'end_turn', stop_sequence: null,
          content: [{ type: 'text', text: COMPLETION_MARKER }],
          usage: { input_tokens: USAGE.input, output_tokens: USAGE.output, cache_read_input_tokens: USAGE.cacheRead, cache_creation_input_tokens: 0 },
        });
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `mock server: no route for ${path}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function openAiUsage() {
  return {
    prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output,
    prompt_tokens_details: { cached_tokens: USAGE.cacheRead }, completion_tokens_details: { reasoning_tokens: 0 },
  };
}
