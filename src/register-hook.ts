import './requireNode.js';
/**
 * `node --import agent-otel/register app.js`: registers telemetry from env vars, with no code change.
 * A bad env value must not stop the agent: it is reported on stderr and telemetry stays off.
 */
import { registerTelemetry } from './register.js';

try {
  registerTelemetry();
} catch (err) {
  process.stderr.write(`agent-otel: telemetry is off: ${(err as Error).message}\n`);
}
