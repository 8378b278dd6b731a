import fs from 'node:fs';
import { AgentOtelConfigError } from '../errors.js';
import BUILTIN from './prices.json' with { type: 'json' };

/** USD per million tokens. */
export interface ModelPrice { input: number; output: number; input_cache_read?: number; input_cache_write?: number }
export type PriceTable = Record<string, ModelPrice>;

const FIELDS = ['input', 'output', 'input_cache_read', 'input_cache_write'] as const;

/** Validates one table; `where` names its origin in errors (a file and line, or an option). */
export function validatePrices(table: unknown, where: string, lineOf?: (model: string) => number): PriceTable {
  const at = (model: string) => (lineOf ? `${where}:${lineOf(model)}` : where);
  if (!table || typeof table !== 'object' || Array.isArray(table)) {
    throw new AgentOtelConfigError(`${where}: pricing must be an object of model → { input, output, input_cache_read?, input_cache_write? } (USD per million tokens)`);
  }
  const out: PriceTable = {};
  for (const [model, price] of Object.entries(table as Record<string, unknown>)) {
    if (!price || typeof price !== 'object') throw new AgentOtelConfigError(`${at(model)}: price of '${model}' must be an object; got ${JSON.stringify(price)}`);
    for (const key of Object.keys(price)) {
      if (!(FIELDS as readonly string[]).includes(key)) {
        throw new AgentOtelConfigError(`${at(model)}: unknown price field '${key}' for '${model}'; accepted: ${FIELDS.join(', ')}`);
      }
    }
    for (const f of FIELDS) {
      const v = (price as Record<string, unknown>)[f];
      const required = f === 'input' || f === 'output';
      if (v === undefined && !required) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new AgentOtelConfigError(`${at(model)}: '${model}'.${f} must be a non-negative number (USD per million tokens); got ${JSON.stringify(v)}`);
      }
    }
    out[model.toLowerCase()] = price as ModelPrice;
  }
  return out;
}

/** Reads a JSON pricing file (`{ "models": { … } }` or just the models object); errors name the line. */
export function loadPricingFile(file: string): PriceTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentOtelConfigError(`pricing file ${file} cannot be read: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
    throw new AgentOtelConfigError(`pricing file ${file}${line ? `:${line}` : ''} is not valid JSON: ${msg}`);
  }
  const models = (parsed as { models?: unknown })?.models ?? parsed;
  const lineOf = (model: string) => text.slice(0, Math.max(0, text.indexOf(JSON.stringify(model)))).split('\n').length;
  return validatePrices(models, `pricing file ${file}`, lineOf);
}

/**
 * Looks up a model's price: exact name first, then without a date/version suffix
 * (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`, `…@2024`, `…-latest`), then the longest known prefix.
 */
export class Pricing {
  private readonly table: PriceTable;
  private readonly cache = new Map<string, ModelPrice | undefined>();
  private readonly keys: string[];

  constructor(overrides: PriceTable = {}, useBuiltin = true) {
    this.table = { ...(useBuiltin ? validatePrices(BUILTIN.models, 'built-in prices') : {}), ...overrides };
    this.keys = Object.keys(this.table).sort((a, b) => b.length - a.length);
  }

  lookup(model: string | undefined): ModelPrice | undefined {
    if (typeof model !== 'string' || !model) return undefined; // any attribute type may arrive here
    if (this.cache.has(model)) return this.cache.get(model);
    const m = model.toLowerCase().replace(/^(models\/|[a-z0-9-]+\/)/, '');
    const bare = m.replace(/(@.*|-latest|-\d{4}-\d{2}-\d{2}|-\d{8}|-v\d+(:\d+)?)$/, '');
    // A known name followed by a version-like suffix only: `o3-mini` must not be priced as `o3`.
    const prefix = this.keys.find((k) => bare.startsWith(k) && /^[-.@](\d|preview|exp|latest)/.test(bare.slice(k.length)));
    const price = this.table[m] ?? this.table[bare] ?? (prefix ? this.table[prefix] : undefined);
    this.cache.set(model, price);
    return price;
  }

  /**
   * USD for one call. Input tokens include cached ones (GenAI convention): those are charged at the
   * cache prices when the model has them.
   */
  cost(price: ModelPrice, t: { input?: number; output?: number; cacheRead?: number; cacheWrite?: number }): number {
    const cacheRead = t.cacheRead ?? 0;
    const cacheWrite = t.cacheWrite ?? 0;
    const plain = Math.max(0, (t.input ?? 0) - cacheRead - cacheWrite);
    const usd = plain * price.input + (t.output ?? 0) * price.output +
      cacheRead * (price.input_cache_read ?? price.input) + cacheWrite * (price.input_cache_write ?? price.input);
    return usd / 1e6;
  }
}
