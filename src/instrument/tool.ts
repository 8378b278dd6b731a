import { context, SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type Span } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { spanNameTool } from '../../semconv/spans.js';
import { current } from '../metrics/instruments.js';
import { toolContentValue } from './content.js';
import { safely, spanName, withSpan } from './withSpan.js';
import { countError } from '../errorCounts.js';
import { setValidAttribute } from '../pipeline/validAttribute.js';

const toolName = (_: string, name: string): string => spanNameTool(name);
import { asAttributes, asString, field, put } from './options.js';

export interface ToolCallOptions {
  /** `gen_ai.tool.name`: low cardinality (it labels metrics). */
  name: string;
  /** `gen_ai.tool.call.id`, as given by the model. */
  callId?: string;
  /** `gen_ai.tool.type`: `function`, `extension` or `datastore`. */
  type?: string;
  /** `agent.tool.risk_level`, e.g. `low` | `medium` | `high`. */
  riskLevel?: string;
  /**
   * Recorded as `gen_ai.tool.call.arguments` only when content capture is on: an object (as JSON),
   * or the model's JSON text, which is parsed and written back as JSON (the spec expects an object).
   */
  arguments?: unknown;
  attributes?: Attributes;
}

export interface ToolCall {
  readonly span: Span;
  /** Recorded as `gen_ai.tool.call.result` only when content capture is on (objects as JSON, text as it is). */
  setResult(result: unknown): void;
  /** Marks the call failed without throwing (a tool that returns an error result). */
  fail(errorType: string, message?: string): void;
  setAttribute(key: string, value: AttributeValue): void;
}

/** Runs `fn` as one tool call: an `execute_tool {name}` span and the tool call/duration/error metrics. */
export function withToolCall<T>(toolOptions: ToolCallOptions, fn: (tool: ToolCall) => T | Promise<T>): Promise<T> {
  const options = readOptions(toolOptions);
  const parent = context.active();
  const { captureContent } = current();
  const attributes: Attributes = { [A.GEN_AI_OPERATION_NAME]: A.GenAiOperation.EXECUTE_TOOL };
  put(attributes, A.GEN_AI_TOOL_NAME, options.name);
  put(attributes, A.GEN_AI_TOOL_CALL_ID, options.callId);
  put(attributes, A.GEN_AI_TOOL_TYPE, options.type);
  put(attributes, A.AGENT_TOOL_RISK_LEVEL, options.riskLevel);
  Object.assign(attributes, options.attributes);
  if (captureContent && options.arguments !== undefined) {
    safely('tool_arguments', () => { attributes[A.GEN_AI_TOOL_CALL_ARGUMENTS] = toolContentValue(options.arguments); });
  }
  let failed: string | undefined;

  // Every method is guarded: whatever is passed, the call goes on (bad values are ignored, warned once).
  // The try/catch is written in each method: one closure per method, not a guard around a closure.
  const makeHandle = (span: Span): ToolCall => ({
    span,
    setResult: (result: unknown) => {
      try {
        if (captureContent) span.setAttribute(A.GEN_AI_TOOL_CALL_RESULT, toolContentValue(result));
      } catch (err) { countError('helper.tool_result', err); }
    },
    fail: (errorType: string, message?: string) => {
      try {
        const type = asString(errorType, 'tool.fail errorType') || '_OTHER';
        failed = type;
        span.setAttribute(A.ERROR_TYPE, type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: asString(message, 'tool.fail message') ?? type });
      } catch (err) { countError('helper.fail', err); }
    },
    setAttribute: (k: string, v: AttributeValue) => { try { span.setAttribute(k, v); } catch (err) { countError('helper.set_attribute', err); } },
  });

  // The tool metrics are recorded when the span ends (CallAccountingProcessor), as for any instrumentation.
  const name = options.name ? spanName(A.GenAiOperation.EXECUTE_TOOL, options.name, toolName) : A.GenAiOperation.EXECUTE_TOOL;
  return withSpan(name, SpanKind.INTERNAL, attributes, parent, makeHandle, fn,
    ({ span, errorType }) => {
      setValidAttribute(span, A.AGENT_TOOL_OUTCOME, (errorType ?? failed) ? A.ToolOutcome.ERROR : A.ToolOutcome.SUCCESS);
    });
}

/** The options as given, read once and checked (options.ts): a bad value never stops the call. */
function readOptions(o: unknown) {
  return {
    name: asString(field(o, 'name'), 'withToolCall name'),
    callId: asString(field(o, 'callId'), 'withToolCall callId'),
    type: asString(field(o, 'type'), 'withToolCall type'),
    riskLevel: asString(field(o, 'riskLevel'), 'withToolCall riskLevel'),
    arguments: field(o, 'arguments'),
    attributes: asAttributes(field(o, 'attributes'), 'withToolCall attributes'),
  };
}
