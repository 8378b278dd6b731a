import { AgentOtelConfigError, resolveConfig, type ResolvedConfig } from '../config.js';
import type { GenAiPackage } from './instrumentations.js';
import { check, type Check } from './types.js';

const CAPTURE = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** An env switch as instrumentations read it: undefined when unset. */
function envFlag(name: string): boolean | undefined {
  const v = process.env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  return v === 'true' || v === '1';
}

/** agent-otel's own configuration from this environment (what registerTelemetry() without options would use). */
export function resolveEnvConfig(): { config?: ResolvedConfig; checks: Check[] } {
  try {
    return { config: resolveConfig({}), checks: [] };
  } catch (err) {
    if (!(err instanceof AgentOtelConfigError)) throw err;
    return { checks: [check('config', 'problem', `agent-otel's configuration from the environment is invalid: registerTelemetry() would throw: ${err.message}`)] };
  }
}

/**
 * Content capture (prompts, completions, tool arguments) as each installed instrumentation is told,
 * against agent-otel's privacy level: at `metadata`/`none` content is dropped before anything is written,
 * at `full` it is written to disk. Options passed in code cannot be seen; environment variables can.
 */
export function checkContent(pkgs: GenAiPackage[], config: ResolvedConfig | undefined, dir: string): Check[] {
  if (!config) return [];
  const privacy = config.governance.privacy;
  const full = privacy === 'full';
  const names = new Set(pkgs.map((p) => p.name));
  const out: Check[] = [];
  const dropped = `agent-otel's privacy level '${privacy}' drops it before anything is written`;
  const warn = (id: string, message: string) => out.push(check(`content.${id}`, 'warn', message));

  if (names.has('@opentelemetry/instrumentation-openai') && full && envFlag(CAPTURE) !== true) {
    warn('official', `privacy is 'full' but ${CAPTURE} is not true: @opentelemetry/instrumentation-openai records no messages; set ${CAPTURE}=true`);
  }
  if ([...names].some((n) => n.startsWith('@arizeai/openinference-instrumentation-'))) {
    const hidden = ['OPENINFERENCE_HIDE_INPUTS', 'OPENINFERENCE_HIDE_OUTPUTS', 'OPENINFERENCE_HIDE_INPUT_MESSAGES', 'OPENINFERENCE_HIDE_OUTPUT_MESSAGES']
      .filter((n) => envFlag(n) === true);
    const shown = ['OPENINFERENCE_HIDE_INPUTS', 'OPENINFERENCE_HIDE_OUTPUTS'].filter((n) => envFlag(n) === false);
    if (full && hidden.length) warn('openinference', `privacy is 'full' but ${hidden.join(', ')} ${hidden.length === 1 ? 'is' : 'are'} set: OpenInference leaves that content out`);
    if (!full && shown.length) warn('openinference', `${shown.join(', ')}=false tells OpenInference to record content, but ${dropped}; set them to true (or use privacy 'full')`);
  }
  if ([...names].some((n) => n.startsWith('@traceloop/'))) {
    const tc = envFlag('TRACELOOP_TRACE_CONTENT');
    if (!full && tc === true) warn('openllmetry', `TRACELOOP_TRACE_CONTENT=true tells OpenLLMetry to record prompts and completions, but ${dropped}; set it to false (or use privacy 'full')`);
    if (full && tc === false) warn('openllmetry', `privacy is 'full' but TRACELOOP_TRACE_CONTENT=false: OpenLLMetry records no prompts or completions`);
  }
  if (full) {
    const sinks = [dir, config.otlp ? 'the OTLP endpoint' : ''].filter(Boolean).join(' and ');
    out.push(check('content.privacy', 'warn', `privacy is 'full': prompts, completions and tool arguments/results are written to ${sinks} (redaction of secrets ${config.governance.redactor ? 'on' : 'OFF'}); ` +
      `set AGENT_OTEL_PRIVACY=metadata unless you mean to keep them`));
  } else {
    const defaults = [names.has('ai') ? 'the AI SDK (recordInputs/recordOutputs)' : '', [...names].some((n) => n.startsWith('@arizeai/')) ? 'OpenInference' : '',
      [...names].some((n) => n.startsWith('@traceloop/')) ? 'OpenLLMetry' : '', names.has('@openai/agents') ? 'the OpenAI Agents SDK' : ''].filter(Boolean);
    out.push(check('content.privacy', 'ok', `privacy '${privacy}': prompts, completions and tool arguments are dropped before any file, database or OTLP payload` +
      (defaults.length ? ` (${defaults.join(', ')} capture${defaults.length === 1 ? 's' : ''} content by default: it is dropped here)` : '')));
  }
  return out;
}
