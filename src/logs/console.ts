import { format } from 'node:util';
import type { Logger } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { LOG_CONSOLE_METHOD, LOG_SEVERITY } from '../../semconv/logs.js';

const METHODS = [
  ['debug', LOG_SEVERITY.debug, 'DEBUG'], ['log', LOG_SEVERITY.info, 'INFO'], ['info', LOG_SEVERITY.info, 'INFO'],
  ['warn', LOG_SEVERITY.warn, 'WARN'], ['error', LOG_SEVERITY.error, 'ERROR'],
] as const;

type ConsoleFn = (...args: unknown[]) => void;

/**
 * Records `console.debug|log|info|warn|error` calls as log records (body: the formatted text) while
 * still printing them. A record written while one is being recorded (a diag warning printed by the
 * pipeline itself) is printed only, never recorded, so capture cannot loop. Returns the undo, which
 * restores each method unless someone else replaced it since.
 */
export function captureConsole(logger: Logger, minSeverity: number): () => void {
  let busy = false;
  const patched: Array<[name: string, original: ConsoleFn, wrapper: ConsoleFn]> = [];
  const target = console as unknown as Record<string, ConsoleFn>;
  for (const [name, severity, text] of METHODS) {
    const original = target[name]!;
    const wrapper: ConsoleFn = function (this: unknown, ...args: unknown[]) {
      original.apply(this, args);
      if (busy || severity < minSeverity) return;
      busy = true;
      try {
        logger.emit({ timestamp: hrTime(), severityNumber: severity, severityText: text, body: format(...args), attributes: { [LOG_CONSOLE_METHOD]: name } });
      } catch { /* never into the agent */ } finally {
        busy = false;
      }
    };
    target[name] = wrapper;
    patched.push([name, original, wrapper]);
  }
  return () => {
    for (const [name, original, wrapper] of patched) if (target[name] === wrapper) target[name] = original;
  };
}
