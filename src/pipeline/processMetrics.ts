import type { Meter } from '@opentelemetry/api';

/** OpenTelemetry process semantic conventions (https://opentelemetry.io/docs/specs/semconv/system/process-metrics/). */
export const METRIC_PROCESS_MEMORY_USAGE = 'process.memory.usage';
export const METRIC_PROCESS_CPU_TIME = 'process.cpu.time';
export const ATTR_CPU_MODE = 'cpu.mode';

/**
 * The agent process's resident memory (`process.memory.usage`, bytes) and CPU time
 * (`process.cpu.time`, seconds, by `cpu.mode` user/system), read when metrics are collected
 * (on /metrics as `process_memory_usage_bytes` and `process_cpu_time_seconds_total`).
 */
export function registerProcessMetrics(meter: Meter): void {
  const memory = meter.createObservableUpDownCounter(METRIC_PROCESS_MEMORY_USAGE, {
    unit: 'By', description: 'Resident set size of the agent process',
  });
  const cpu = meter.createObservableCounter(METRIC_PROCESS_CPU_TIME, {
    unit: 's', description: 'CPU time used by the agent process, by mode (user, system)',
  });
  meter.addBatchObservableCallback((result) => {
    result.observe(memory, process.memoryUsage.rss());
    const c = process.cpuUsage();
    result.observe(cpu, c.user / 1e6, { [ATTR_CPU_MODE]: 'user' });
    result.observe(cpu, c.system / 1e6, { [ATTR_CPU_MODE]: 'system' });
  }, [memory, cpu]);
}
