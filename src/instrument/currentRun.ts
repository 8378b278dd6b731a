import { context } from '@opentelemetry/api';
import { runOf } from '../runContext.js';

/** The `agent.run.id` of the run the caller is inside, if any (e.g. to tag a log line or a commit). */
export function currentRunId(): string | undefined {
  return runOf(context.active())?.runId;
}
