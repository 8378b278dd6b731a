import type { LoggerProvider } from '@opentelemetry/sdk-logs';

/** What the `logger()` helper writes to: the pipeline registerTelemetry() set up, if any. */
export interface ActiveLogs {
  provider: LoggerProvider;
  /** Records below this SeverityNumber are not recorded. */
  minSeverity: number;
}

let active: ActiveLogs | undefined;
/** Bumped at every change, so loggers re-resolve their SDK logger. */
let generation = 0;

export const getActiveLogs = (): ActiveLogs | undefined => active;
export const activeGeneration = (): number => generation;

export function setActiveLogs(next: ActiveLogs | undefined): void {
  active = next;
  generation++;
}
