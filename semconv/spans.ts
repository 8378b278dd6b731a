/** Span names (GenAI conventions: `{operation} {target}`) and the instrumentation scope. */
export const SCOPE_NAME = 'agent-otel';

export const spanNameAgent = (agentName: string): string => `invoke_agent ${agentName}`;
export const spanNameLlm = (operation: string, model: string): string => `${operation} ${model}`;
export const spanNameTool = (toolName: string): string => `execute_tool ${toolName}`;
/** A workflow invocation: `{gen_ai.operation.name} {gen_ai.workflow.name}`, as the spec names invocation spans. */
export const spanNameWorkflow = (workflowName: string): string => `invoke_workflow ${workflowName}`;
/**
 * Legacy: the zero-length run-start span that stores written before `run_starts` (the `runs/` rows) hold.
 * No longer written; readers still take it as a run's start.
 */
export const SPAN_NAME_RUN_START = 'agent.run.start';
