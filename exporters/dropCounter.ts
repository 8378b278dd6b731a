import { diag } from '@opentelemetry/api';

/**
 * Counts what the pipeline could not deliver, by signal and reason, and warns once per reason so a
 * failing disk does not flood the agent's log. Read by the self-metrics and by `health()`.
 */
/** What was dropped: spans, metric points, or `run_starts` rows (exporters/jsonl/RunStartWriter.ts). */
export type DropSignal = 'spans' | 'metric_points' | 'run_starts';

export class DropCounter {
  private readonly counts = new Map<string, number>();
  private readonly warned = new Set<string>();

  add(signal: DropSignal, reason: string, n: number, detail?: string): void {
    if (n <= 0) return;
    const key = `${signal}:${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    if (!this.warned.has(key)) {
      this.warned.add(key);
      diag.warn(`agent-otel: dropping ${signal} (${reason})${detail ? `: ${detail}` : ''}; ` +
        `counted in ${signal === 'run_starts' ? 'health().dropped' : `agent_otel.${signal}.dropped`}, further drops of this kind are not logged`);
    }
  }

  /** [signal, reason, count] for every kind of drop seen so far. */
  entries(): Array<[signal: string, reason: string, count: number]> {
    return [...this.counts].map(([k, n]) => {
      const [signal, reason] = k.split(':') as [string, string];
      return [signal, reason, n];
    });
  }

  total(signal: DropSignal): number {
    let sum = 0;
    for (const [k, n] of this.counts) if (k.startsWith(signal + ':')) sum += n;
    return sum;
  }
}
