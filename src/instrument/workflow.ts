import { context, SpanKind, type Attributes, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { spanNameWorkflow } from '../../semconv/spans.js';
import { recordInvocationMetrics } from '../metrics/genaiMetrics.js';
import { current } from '../metrics/instruments.js';
import { INVOCATION_KEY, insideInvocation, runOf } from '../runContext.js';
import { withSpan } from './withSpan.js';
import { asAttributes, asString, field } from './options.js';

export interface WorkflowOptions {
  /**
   * `gen_ai.workflow.name`: a named multi-step process whose control flow the application defines
   * (several agents or stages). Low cardinality: a static name, never an id.
   */
  name: string;
  conversationId?: string;
  attributes?: Attributes;
}

/**
 * Runs `fn` as a workflow invocation, as the GenAI conventions define it: an INTERNAL
 * `invoke_workflow {name}` span (`gen_ai.operation.name=invoke_workflow`, `gen_ai.workflow.name`,
 * `gen_ai.invocation.is_nested`) grouping the runs and calls inside it. Files written before this
 * release have `agent.workflow.name` instead.
 */
export function withWorkflow<T>(workflowOptions: WorkflowOptions, fn: (span: Span) => T | Promise<T>): Promise<T> {
  const options = {
    name: asString(field(workflowOptions, 'name'), 'withWorkflow name'),
    conversationId: asString(field(workflowOptions, 'conversationId'), 'withWorkflow conversationId'),
    attributes: asAttributes(field(workflowOptions, 'attributes'), 'withWorkflow attributes'),
  };
  const parent = context.active();
  const nested = insideInvocation(parent);
  const attributes: Attributes = Object.assign({
    [A.GEN_AI_OPERATION_NAME]: A.GenAiOperation.INVOKE_WORKFLOW,
    [A.GEN_AI_WORKFLOW_NAME]: options.name,
    [A.GEN_AI_INVOCATION_IS_NESTED]: nested,
    [A.GEN_AI_CONVERSATION_ID]: options.conversationId,
  }, options.attributes);
  const { instruments } = current();
  const name = options.name ? spanNameWorkflow(options.name) : A.GenAiOperation.INVOKE_WORKFLOW;
  return withSpan(name, SpanKind.INTERNAL, attributes, parent.setValue(INVOCATION_KEY, true), (span) => span, fn,
    ({ errorType, seconds }) => {
      recordInvocationMetrics(instruments, { operation: A.GenAiOperation.INVOKE_WORKFLOW, name: options.name, nested, errorType, seconds });
      if (errorType) {
        instruments.errors.add(1, {
          [A.GEN_AI_AGENT_NAME]: runOf(parent)?.agentName, [A.AGENT_OPERATION]: 'workflow', [A.ERROR_TYPE]: errorType,
        });
      }
    }, true);
}
