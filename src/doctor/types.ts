/** How a check came out: `problem` makes `agent-otel doctor` exit 1. */
export type CheckStatus = 'ok' | 'warn' | 'problem';

/** One finding of `agent-otel doctor`: one line for people, one object in --json. */
export interface Check {
  /** Stable id for scripts, e.g. `api.root`, `instrumentation.openai`, `dir.mode`. */
  id: string;
  status: CheckStatus;
  /** What was found, and for warn/problem what to do about it. */
  message: string;
  /** Supporting lines (every copy of the API, files with a wrong mode, ...). */
  details?: string[];
}

export const check = (id: string, status: CheckStatus, message: string, details?: string[]): Check =>
  details?.length ? { id, status, message, details } : { id, status, message };
