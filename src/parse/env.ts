import { AgentOtelConfigError } from '../errors.js';

/** Reads one environment variable: undefined when unset or empty (the two mean the same). */
export type EnvReader = (name: string) => string | undefined;

/**
 * The process environment. The config modules (src/config.ts and those it calls, src/storageConfig.ts)
 * are its only readers, so every variable is resolved, validated and documented in one place.
 */
export const processEnv: EnvReader = (name) => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

/** Env values are strings: these turn them into an option's type, naming the variable on error. */
export interface EnvValues {
  str(name: string): string | undefined;
  /** true/1, false/0 (any case). */
  bool(name: string): boolean | undefined;
  /** A positive number (`unit` names what it counts in the error, e.g. `USD`). */
  num(name: string, unit?: string): number | undefined;
  /** A positive integer. */
  int(name: string): number | undefined;
}

export function envValues(read: EnvReader = processEnv): EnvValues {
  return {
    str: (name) => {
      const v = read(name);
      return v === undefined || v === '' ? undefined : v;
    },
    bool(name) {
      const v = this.str(name);
      return v === undefined ? undefined : boolText(v, `env ${name}`);
    },
    num(name, unit) {
      const v = this.str(name);
      if (v === undefined) return undefined;
      if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !(Number(v) > 0)) {
        throw new AgentOtelConfigError(`env ${name} must be a positive number${unit ? ` of ${unit}` : ''}; got ${JSON.stringify(v)}`);
      }
      return Number(v);
    },
    int(name) {
      const v = this.str(name);
      if (v === undefined) return undefined;
      if (!/^\s*\d+\s*$/.test(v) || !(Number(v) > 0)) throw new AgentOtelConfigError(`env ${name} must be a positive integer; got ${JSON.stringify(v)}`);
      return Number(v);
    },
  };
}

/** `true`/`1`, `false`/`0` (any case, spaces ignored) → boolean; anything else is an error naming `name`. */
export function boolText(text: string, name: string): boolean {
  const l = text.trim().toLowerCase();
  if (l === 'true' || l === '1') return true;
  if (l === 'false' || l === '0') return false;
  throw new AgentOtelConfigError(`${name} must be one of true, false, 1, 0; got ${JSON.stringify(text)}`);
}
