import { context, SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { spanNameWorkflow } from '../../semconv/spans.js';
import { current, runOf } from './state.js';
import { withSpan } from './withSpan.js';

export interface WorkflowOptions {
  /** `agent.workflow.name`: a named multi-step process (several agents or stages). */
  name: string;
  conversationId?: string;
  attributes?: Attributes;
}

/** Runs `fn` as an `invoke_workflow {name}` span grouping the runs and calls inside it. */
export function withWorkflow<T>(options: WorkflowOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const parent = context.active();
  const attributes: Attributes = {
    [A.GEN_AI_OPERATION_NAME]: A.GenAiOperation.INVOKE_WORKFLOW,
    [A.AGENT_WORKFLOW_NAME]: options.name,
    [A.GEN_AI_CONVERSATION_ID]: options.conversationId,
    ...options.attributes,
  };
  return withSpan(spanNameWorkflow(options.name), SpanKind.INTERNAL, attributes, parent, (span) => span, fn,
    ({ errorType }) => {
      if (errorType) {
        current().instruments.errors.add(1, {
          [A.GEN_AI_AGENT_NAME]: runOf(parent)?.agentName, [A.AGENT_OPERATION]: 'workflow', [A.ERROR_TYPE]: errorType,
        });
      }
    });
}
