import { logs, type LoggerProvider } from '@opentelemetry/api';

/**
 * The global of `@opentelemetry/api-logs` (0.2xx), which log bridges such as
 * @opentelemetry/winston-transport still use: a separate global from API 1.10's `logs`. Its API reads
 * `globalThis[key](1)` for the provider (1 = its compatibility version).
 */
const LEGACY_LOGS_KEY = Symbol.for('io.opentelemetry.js.api.logs');
const LEGACY_API_VERSION = 1;

type LegacyGetter = (version: number) => LoggerProvider | undefined;

/**
 * Registers `provider` as the global logger provider of API 1.10 (`logs.getLogger`, the pino
 * instrumentation) and of @opentelemetry/api-logs (the winston transport), where no other provider
 * is registered. Returns the undo, and whether API 1.10's global is ours.
 */
export function registerLoggerProvider(provider: LoggerProvider): { owns: boolean; unregister(): void } {
  const owns = logs.setGlobalLoggerProvider(provider);
  const g = globalThis as unknown as Record<symbol, LegacyGetter | undefined>;
  let getter: LegacyGetter | undefined;
  if (!g[LEGACY_LOGS_KEY]) {
    getter = (version) => (version === LEGACY_API_VERSION ? provider : undefined); // other versions: their no-op
    g[LEGACY_LOGS_KEY] = getter;
  }
  return {
    owns,
    unregister() {
      if (owns) logs.disable();
      if (getter && g[LEGACY_LOGS_KEY] === getter) delete g[LEGACY_LOGS_KEY];
    },
  };
}
