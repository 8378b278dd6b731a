/**
 * Names for the OpenAI Agents SDK (`@openai/agents`) trace processor (names only; the logic is in
 * src/integrations/openaiAgents.ts). Its spans use the GenAI conventions (`invoke_agent`, `chat`,
 * `execute_tool`); what those lack (guardrails, handoffs, the SDK's task and turn spans) is named here.
 */

/** Tracer scope of the OTel spans made from the SDK's traces and spans. */
export const OPENAI_AGENTS_SCOPE = 'agent-otel/openai-agents';

/** The SDK's span data type (`agent`, `generation`, `response`, `function`, `handoff`, `guardrail`, `task`, `turn`, `custom`, …). */
export const OPENAI_AGENTS_SPAN_TYPE = 'openai_agents.span.type';
/** The SDK's own trace id (`trace_…`), on the workflow span: finds the same trace in OpenAI's dashboard. */
export const OPENAI_AGENTS_TRACE_ID = 'openai_agents.trace_id';
/** `task` span: one `run()` invocation, named after the workflow. */
export const OPENAI_AGENTS_TASK_NAME = 'openai_agents.task.name';
/** `turn` span: one model turn of an agent (1, 2, …). */
export const OPENAI_AGENTS_TURN = 'openai_agents.turn';
/** `mcp_tools` span: the MCP server whose tools were listed. */
export const OPENAI_AGENTS_MCP_SERVER = 'openai_agents.mcp.server';

/** Guardrail spans: which guardrail ran and whether its tripwire fired. */
export const AGENT_GUARDRAIL_NAME = 'agent.guardrail.name';
export const AGENT_GUARDRAIL_TRIGGERED = 'agent.guardrail.triggered';
/** Handoff spans: the agent handing over and the agent taking over. */
export const AGENT_HANDOFF_FROM = 'agent.handoff.from_agent';
export const AGENT_HANDOFF_TO = 'agent.handoff.to_agent';

/** Span names (the GenAI ones come from semconv/spans.ts). */
export const SPAN_NAME_HANDOFF = 'agent.handoff';
export const spanNameGuardrail = (name: string): string => `agent.guardrail ${name}`;
/** The SDK's other span types, e.g. `openai_agents.task`, `openai_agents.turn`, `openai_agents.mcp_tools`. */
export const spanNameOpenAIAgents = (type: string): string => `openai_agents.${type}`;

/** The model provider the SDK's OpenAI models call. */
export const OPENAI_PROVIDER = 'openai';

/**
 * `error.type` for the SDK's fixed span error messages; any other message is `_OTHER` (messages may
 * quote user data and are not low-cardinality).
 */
export const OPENAI_AGENTS_ERROR_TYPES: Readonly<Record<string, string>> = {
  'Max turns exceeded': 'max_turns_exceeded',
  'Guardrail tripwire triggered': 'guardrail_tripwire_triggered',
  'Error running tool': 'tool_error',
  'Error running tool (non-fatal)': 'tool_error',
  'Multiple handoffs requested': 'multiple_handoffs',
  'Error in agent run': 'agent_run_error',
  'Error getting response': 'response_error',
  'Error streaming response': 'response_error',
};
