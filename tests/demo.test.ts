import { describe, expect, it } from 'vitest';
import { readMetrics, readSpans, runFixture, tmpDir } from './support/harness.js';

describe('npm run demo (examples/demo-agent)', () => {
  it('simulates a multi-agent workload offline and leaves the telemetry directory filled', async () => {
    const dir = tmpDir();
    const r = await runFixture('../../examples/demo-agent/index.js', { AGENT_OTEL_DIR: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`telemetry written to ${dir}`);
    expect(r.stdout).toMatch(/\d+ spans in \d+ file\(s\)/);

    const spans = await readSpans(dir);
    const op = (name: string) => spans.filter((s) => s.attributes['gen_ai.operation.name'] === name);
    const workflow = op('invoke_workflow');
    expect(workflow).toHaveLength(1);
    const runs = op('invoke_agent');
    expect(new Set(runs.map((s) => s.attributes['gen_ai.agent.name']))).toEqual(new Set(['planner', 'worker', 'reviewer']));
    // nested: every run sits inside the workflow's trace, directly under it
    for (const run of runs) expect(run.parent_span_id).toBe(workflow[0]!.span_id);
    expect(runs.filter((s) => s.attributes['agent.run.status'] === 'failed')).toHaveLength(1);

    const llm = op('chat');
    expect(llm.length).toBeGreaterThanOrEqual(5);
    for (const call of llm) {
      expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(100);
      expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(50);
      expect(call.duration_ms).toBeGreaterThan(100);
    }
    expect(new Set(llm.map((s) => s.attributes['gen_ai.provider.name']))).toEqual(new Set(['openai', 'anthropic']));

    const tools = op('execute_tool');
    const failedTools = tools.filter((s) => s.status_code === 'ERROR');
    expect(failedTools.length).toBeGreaterThan(0);
    expect(failedTools.length).toBeLessThan(tools.length / 2);
    // the one retry: a rate-limited fetch followed by a successful fetch of the same URL in the same run
    const limited = tools.find((s) => s.attributes['error.type'] === 'RateLimitError')!;
    expect(limited).toBeDefined();
    const retried = tools.filter((s) => s.name === 'execute_tool fetch_page' && s.parent_span_id === limited.parent_span_id && s.start_time > limited.start_time);
    expect(retried[0]!.status_code).toBe('UNSET');

    const metrics = await readMetrics(dir);
    for (const name of ['gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'agent.runs', 'agent.tool.calls', 'agent.errors']) {
      expect(metrics.some((m) => m.name === name), name).toBe(true);
    }
    expect(JSON.stringify(spans)).not.toContain('Summarise'); // content capture is off by default
  });
});
