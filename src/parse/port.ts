/**
 * A TCP port given as a number or as digits (`--port 8080`, `OTEL_EXPORTER_PROMETHEUS_PORT=9464`):
 * 0 to 65535, 0 asking for any free port. Undefined when it is not one; the caller's error names the
 * option (a config error in the agent, a usage error in the CLI).
 */
export function portValue(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** What every port error says is accepted. */
export const PORT_ACCEPTED = 'a port number from 0 to 65535 (0 picks a free port)';
