import { AgentOtelConfigError } from '../errors.js';

/*
 * Checks of option values given in code (already typed: no text parsing, which is src/parse/env.ts's
 * job). Each error names the option and what is accepted.
 */

export function positive(value: unknown, name: string, integer = true): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) throw new AgentOtelConfigError(`${name} must be a positive ${integer ? 'integer' : 'number'}; got ${JSON.stringify(value)}`);
  return value as number;
}

export function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new AgentOtelConfigError(`${name} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

export function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AgentOtelConfigError(`${name} must be a non-empty string; got ${JSON.stringify(value)}`);
  return value;
}
