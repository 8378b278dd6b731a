import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { countError } from '../errorCounts.js';

/**
 * A metric reader whose `forceFlush()` and `shutdown()` never reject nor throw: the meter provider
 * runs them at exit (beforeExit) and on `handle.forceFlush()`, where a rejection would be unhandled
 * and end the agent with exit code 1. A failure is counted as `reader.<name>` and logged once. The
 * reader itself is unchanged (a Proxy: `instanceof` and every other method work as before).
 */
export function guardMetricReader<R extends MetricReader>(name: string, reader: R): R {
  const cause = `reader.${name}`;
  const settle = (run: () => unknown): Promise<void> => {
    try {
      return Promise.resolve(run()).then(() => undefined, (err: unknown) => countError(cause, err));
    } catch (err) {
      countError(cause, err);
      return Promise.resolve();
    }
  };
  return new Proxy(reader, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      if (prop === 'forceFlush' || prop === 'shutdown') return (...args: unknown[]) => settle(() => v.apply(target, args));
      return v.bind(target); // `this` is the reader itself, private state included
    },
  });
}
