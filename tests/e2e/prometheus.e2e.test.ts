// The dashboards and alerts against a real Prometheus (Debian package `prometheus`): a child process
// runs an agent workload with /metrics on, Prometheus scrapes it every second on loopback with the alert
// rules loaded, then every PromQL expression of every dashboard panel and every alert rule is run through
// Prometheus's HTTP API and must parse and return data.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, tmpDir, waitFor } from '../support/harness.js';

// agent.cost.usd (agent_cost_usd_total) comes from the package's cost processor pricing the gpt-4o and
// claude calls; slow-model is unpriced on purpose (no cost, a warning).
const WORKLOAD = `
import { registerTelemetry, withAgentRun, withLlmCall, withToolCall } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/src/index.js')).href)};
import readline from 'node:readline';
const telemetry = registerTelemetry({
  serviceName: 'e2e-agent', dir: process.env.WORK_DIR, duckdb: false, logLevel: 'error', prometheus: { port: 0 },
  spanQueue: { maxQueueSize: 512, maxExportBatchSize: 128 },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

async function llm(agent, provider, model, ms) {
  await withLlmCall({ provider, model, operation: 'chat' }, async (call) => {
    await sleep(ms);
    // Long prompts (a big context each call): enough spend for CostBurnRateHigh within seconds.
    const input = 20_000 + Math.round(random() * 20_000);
    const output = 1000 + Math.round(random() * 2000);
    call.recordUsage({ inputTokens: input, outputTokens: output });
    call.setResponse({ model, finishReasons: ['stop'] });
  });
}

async function planner() {
  for (;;) {
    await withAgentRun({ agentName: 'planner', runKind: 'plan' }, async (run) => {
      await llm('planner', 'openai', 'gpt-4o', 20 + random() * 30);
      await withToolCall({ name: 'web_search' }, () => sleep(5));
      let ok = 0, failed = 0;
      for (let i = 0; i < 3; i++) {
        try {
          await withToolCall({ name: 'fetch_page' }, async () => { await sleep(3); if (random() < 0.4) throw new Error('timeout'); });
          ok++;
        } catch { failed++; }
      }
      run.setItems({ discovered: 3, succeeded: ok, failed });
    });
    await sleep(50);
  }
}

async function flaky() {
  for (;;) {
    await withAgentRun({ agentName: 'flaky', runKind: 'scrape' }, async () => {
      await llm('flaky', 'anthropic', 'claude-3-5-haiku', 10);
      if (random() < 0.5) throw new RangeError('bad page');
    }).catch(() => {});
    await sleep(80);
  }
}

// A run that never finishes and makes no progress (AgentStuck).
void withAgentRun({ agentName: 'stuck', runKind: 'wait' }, () => new Promise(() => {}));
// Two slow calls (LlmLatencyHigh): 21 s each, ending 2 s apart so Prometheus sees the histogram grow.
void withAgentRun({ agentName: 'slowpoke', runKind: 'think' }, () => llm('slowpoke', 'openai', 'slow-model', 21_000));
setTimeout(() => void withAgentRun({ agentName: 'slowpoke', runKind: 'think' }, () => llm('slowpoke', 'openai', 'slow-model', 21_000)), 2000);
void planner();
void flaky();

// "burst" on stdin: more spans at once than the queue holds (TelemetryDropping, dropped spans panel).
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'burst') return;
  for (let i = 0; i < 3000; i++) telemetry.tracer.startSpan('burst').end();
  console.log('burst done', JSON.stringify(telemetry.health().dropped));
});
await new Promise((r) => { const t = setInterval(() => { if (telemetry.health().prometheus?.listening) { clearInterval(t); r(); } }, 20); });
console.log('metrics at ' + telemetry.health().prometheus.url);
process.on('SIGTERM', () => process.exit(0));
`;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface QueryResult { status: string; error?: string; data?: { resultType: string; result: unknown[] } }

/** Grafana's variables, as the dashboard would interpolate them with "All" selected. */
const concrete = (expr: string): string => expr
  .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '1m')
  .replace(/\$__range|\$\{__range\}/g, '5m')
  .replace(/\$\{?(service|agent)\}?/g, '.*');

describe('dashboards and alert rules on a real Prometheus', () => {
  it('every panel query and every alert rule parses and returns data', async () => {
    const work = tmpDir('agent-otel-prom-e2e-');
    const script = path.join(work, 'workload.mjs');
    fs.writeFileSync(script, WORKLOAD);

    // 1. The agent workload with /metrics on a free loopback port.
    const agent = spawn(process.execPath, [script], { cwd: work, env: { ...process.env, WORK_DIR: path.join(work, 'telemetry') }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(agent);
    let agentOut = '';
    let agentErr = '';
    agent.stdout!.on('data', (d) => { agentOut += d; });
    agent.stderr!.on('data', (d) => { agentErr += d; });
    await waitFor(() => /metrics at /.test(agentOut) || agent.exitCode !== null, 20_000, 'the workload\'s /metrics');
    const metricsUrl = /metrics at (\S+)/.exec(agentOut)?.[1];
    expect(metricsUrl, agentErr).toBeTruthy();
    const target = new URL(metricsUrl!).host;

    // 2. Prometheus scraping it every second, with the shipped alert rules.
    const promPort = await freePort();
    const config = path.join(work, 'prometheus.yml');
    fs.writeFileSync(config, [
      'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
      'rule_files:', `  - ${JSON.stringify(path.join(ROOT, 'prometheus', 'alerts.yml'))}`,
      'scrape_configs:', '  - job_name: agent-otel', '    static_configs:', `      - targets: [${JSON.stringify(target)}]`, '',
    ].join('\n'));
    const prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(prom);
    let promLog = '';
    prom.stderr!.on('data', (d) => { promLog += d; });
    prom.on('error', (err) => { promLog += `\n${err.message} (is the Debian package prometheus installed?)`; });
    const api = `http://127.0.0.1:${promPort}`;
    const query = async (q: string): Promise<QueryResult> => {
      const r = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`);
      return (await r.json()) as QueryResult;
    };
    await waitFor(async () => {
      if (prom.exitCode !== null) throw new Error(`prometheus exited: ${promLog.slice(-2000)}`);
      try { return (await fetch(`${api}/-/ready`)).ok; } catch { return false; }
    }, 30_000, 'Prometheus to be ready');

    // 3. Once a few scrapes have the zero of the drop counter, overflow the span queue once.
    await waitFor(async () => {
      const r = await query('count_over_time(agent_otel_spans_dropped_total[1m])');
      return Number((r.data?.result[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0) >= 3;
    }, 30_000, 'three scrapes of the agent');
    agent.stdin!.write('burst\n');
    await waitFor(() => /burst done/.test(agentOut), 5000, 'the burst');
    expect(JSON.parse(/burst done (.*)/.exec(agentOut)![1]!).spans).toBeGreaterThan(0);

    // 4. Every expression of every dashboard panel and alert rule.
    const exprs: Array<{ where: string; expr: string }> = [];
    const dashDir = path.join(ROOT, 'grafana', 'dashboards');
    for (const f of fs.readdirSync(dashDir).filter((n) => n.endsWith('.json'))) {
      const dash = JSON.parse(fs.readFileSync(path.join(dashDir, f), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr?: string }>; panels?: unknown[] }> };
      for (const p of dash.panels) {
        for (const t of p.targets ?? []) if (t.expr) exprs.push({ where: `${f}: ${p.title}`, expr: concrete(t.expr) });
      }
    }
    const rules = parse(fs.readFileSync(path.join(ROOT, 'prometheus', 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    for (const g of rules.groups) for (const r of g.rules) exprs.push({ where: `alert ${r.alert}`, expr: r.expr });
    expect(exprs.length).toBeGreaterThanOrEqual(25);

    // Data arrives over ~30 s (the slow LLM calls take 21 s): poll until every expression has some, or report which do not.
    const pending = new Map(exprs.map((e) => [e.where + e.expr, e]));
    const last = new Map<string, QueryResult>();
    const deadline = Date.now() + 75_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const [key, e] of pending) {
        const r = await query(e.expr);
        last.set(key, r);
        expect(r.status, `${e.where}: ${r.error}\n${e.expr}`).toBe('success'); // parses and evaluates
        if ((r.data?.result.length ?? 0) > 0) pending.delete(key);
      }
      if (process.env.E2E_DEBUG) console.log(`${new Date().toISOString()} pending: ${[...pending.values()].map((e) => e.where).join('; ')}`);
      if (pending.size) await new Promise((r) => setTimeout(r, 1000));
    }
    const empty = [...pending.values()].map((e) => `${e.where}:\n  ${e.expr.replace(/\s+/g, ' ')}`);
    expect(empty, `no data for:\n${empty.join('\n')}\nworkload stderr: ${agentErr.slice(-1000)}`).toEqual([]);

    // The rules are loaded and evaluate cleanly in Prometheus itself.
    const loaded = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const ruleStates = loaded.data.groups.flatMap((g) => g.rules);
    expect(ruleStates.map((r) => r.name).sort()).toEqual(rules.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort());
    for (const r of ruleStates) expect(r.health, `${r.name}: ${r.lastError}`).toBe('ok');

    agent.kill('SIGTERM');
    prom.kill('SIGTERM');
    await waitFor(() => agent.exitCode !== null || agent.signalCode !== null, 10_000, 'the workload to exit');
    await waitFor(() => prom.exitCode !== null || prom.signalCode !== null, 10_000, 'Prometheus to exit');
  }, 180_000);
});
