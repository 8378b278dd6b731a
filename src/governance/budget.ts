import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { AgentOtelConfigError } from '../errors.js';
import { background } from '../errorCounts.js';

export type BudgetScope = 'run' | 'day' | 'agent_day';

export interface BudgetExceeded {
  scope: BudgetScope;
  limitUsd: number;
  spentUsd: number;
  /** UTC day the spend is counted in. */
  day: string;
  agent?: string;
  runId?: string;
}

export interface BudgetOptions {
  perRunUsd?: number;
  perDayUsd?: number;
  perAgentDayUsd?: number;
  /** Refuse further LLM calls (BudgetExceededError) once a limit is crossed. */
  hard?: boolean;
  /** Called once per crossed limit (per run, per day, per agent and day). */
  onExceeded?: (e: BudgetExceeded) => void;
}

/** Thrown by `withLlmCall` before calling the model once a hard budget is spent. */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
  constructor(readonly exceeded: BudgetExceeded) {
    super(`agent-otel: ${exceeded.scope === 'run' ? `run ${exceeded.runId}` : exceeded.scope === 'agent_day' ? `agent ${exceeded.agent} on ${exceeded.day}` : `all agents on ${exceeded.day}`} ` +
      `spent $${exceeded.spentUsd.toFixed(4)} of a $${exceeded.limitUsd} budget`);
  }
}

export function validateBudget(b: unknown, where = 'option budget'): BudgetOptions | undefined {
  if (b === undefined) return undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new AgentOtelConfigError(`${where} must be an object { perRunUsd?, perDayUsd?, perAgentDayUsd?, hard?, onExceeded? }; got ${JSON.stringify(b)}`);
  const o = b as Record<string, unknown>;
  const keys = ['perRunUsd', 'perDayUsd', 'perAgentDayUsd', 'hard', 'onExceeded'];
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new AgentOtelConfigError(`unknown option '${where.replace(/^option /, '')}.${k}'; accepted: ${keys.join(', ')}`);
  for (const k of ['perRunUsd', 'perDayUsd', 'perAgentDayUsd']) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) throw new AgentOtelConfigError(`${where}.${k} must be a positive number of USD; got ${JSON.stringify(v)}`);
  }
  if (o.hard !== undefined && typeof o.hard !== 'boolean') throw new AgentOtelConfigError(`${where}.hard must be true or false; got ${JSON.stringify(o.hard)}`);
  if (o.onExceeded !== undefined && typeof o.onExceeded !== 'function') throw new AgentOtelConfigError(`${where}.onExceeded must be a function`);
  return o as BudgetOptions;
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Spend per run, per UTC day and per agent and day, against the limits. Crossing a limit is reported
 * once (per run / day / agent-day); the day's spend is read back from the local span files at startup,
 * so a restart within the day does not reset it.
 */
export class BudgetTracker {
  private day = today();
  private dayUsd = 0;
  private readonly agentUsd = new Map<string, number>();
  private readonly reported = new Set<string>();
  /** Resolves once the day's earlier spend has been read back. */
  ready: Promise<void> = Promise.resolve();

  constructor(readonly opts: BudgetOptions, private readonly notify: (e: BudgetExceeded) => void) {}

  /** Adds a call's cost; returns the limits this call crossed (each reported once). */
  add(usd: number, agent: string | undefined, run: { runId: string; costUsd: number } | undefined): BudgetExceeded[] {
    this.rollDay();
    this.dayUsd += usd;
    if (agent) this.agentUsd.set(agent, (this.agentUsd.get(agent) ?? 0) + usd);
    const crossed = this.over(agent, run).filter((e) => {
      const key = `${e.scope}|${e.day}|${e.agent ?? ''}|${e.runId ?? ''}`;
      if (this.reported.has(key)) return false;
      this.reported.add(key);
      return true;
    });
    for (const e of crossed) this.notify(e);
    return crossed;
  }

  /** The first limit already spent for this agent/run, if any (hard budgets refuse the next call). */
  check(agent: string | undefined, run: { runId: string; costUsd: number } | undefined): BudgetExceeded | undefined {
    this.rollDay();
    return this.over(agent, run)[0];
  }

  spent(agent?: string): number {
    this.rollDay();
    return agent ? this.agentUsd.get(agent) ?? 0 : this.dayUsd;
  }

  private over(agent: string | undefined, run: { runId: string; costUsd: number } | undefined): BudgetExceeded[] {
    const out: BudgetExceeded[] = [];
    const { perRunUsd, perDayUsd, perAgentDayUsd } = this.opts;
    if (perRunUsd !== undefined && run && run.costUsd >= perRunUsd) out.push({ scope: 'run', limitUsd: perRunUsd, spentUsd: run.costUsd, day: this.day, agent, runId: run.runId });
    if (perAgentDayUsd !== undefined && agent && (this.agentUsd.get(agent) ?? 0) >= perAgentDayUsd) out.push({ scope: 'agent_day', limitUsd: perAgentDayUsd, spentUsd: this.agentUsd.get(agent)!, day: this.day, agent });
    if (perDayUsd !== undefined && this.dayUsd >= perDayUsd) out.push({ scope: 'day', limitUsd: perDayUsd, spentUsd: this.dayUsd, day: this.day });
    return out;
  }

  private rollDay(): void {
    const d = today();
    if (d === this.day) return;
    this.day = d;
    this.dayUsd = 0;
    this.agentUsd.clear();
  }

  /**
   * Reads today's LLM spend (agent.cost.usd of spans that ended today) back from `<dir>/spans/`.
   * Never rejects: a file that cannot be read is skipped and counted (`background.budget_restore`),
   * and the spend read so far counts.
   */
  restore(dir: string): Promise<void> {
    this.ready = background('background.budget_restore', (async () => {
      const day = this.day;
      const spansDir = path.join(dir, 'spans');
      let names: string[];
      // Files rotate at the UTC day change, so today's spans are all in files named for today.
      try { names = fs.readdirSync(spansDir).filter((n) => n.endsWith('.jsonl') && n.startsWith(day)); } catch { return; }
      let failure: unknown;
      for (const name of names) {
        try {
          await this.readSpend(path.join(spansDir, name), day);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    })());
    return this.ready;
  }

  private async readSpend(file: string, day: string): Promise<void> {
    const input = fs.createReadStream(file);
    input.on('error', () => { /* reported through the line iterator; never an unhandled 'error' event */ });
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.includes('"agent.cost.usd"')) continue; // most lines: skip without parsing
        try {
          const row = JSON.parse(line) as { end_time: string; attributes: Record<string, unknown> };
          if (!row.end_time.startsWith(day)) continue;
          const usd = Number(row.attributes['agent.cost.usd']);
          if (!Number.isFinite(usd)) continue;
          this.dayUsd += usd;
          const agent = row.attributes['gen_ai.agent.name'];
          if (typeof agent === 'string') this.agentUsd.set(agent, (this.agentUsd.get(agent) ?? 0) + usd);
        } catch { /* torn line */ }
      }
    } finally {
      lines.close();
      input.destroy();
    }
  }
}
