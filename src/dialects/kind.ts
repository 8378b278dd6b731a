import type { AttributeValue } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import type { CallKind } from './types.js';

const LLM_OPS = new Set<unknown>(A.LLM_OPERATIONS);

/** The kind of call a `gen_ai.operation.name` value names. */
export function kindOfOperation(op: AttributeValue | undefined): CallKind | undefined {
  if (op === undefined) return undefined;
  if (LLM_OPS.has(op)) return 'llm';
  if (op === A.GenAiOperation.EXECUTE_TOOL) return 'tool';
  if (op === A.GenAiOperation.INVOKE_AGENT) return 'agent';
  return undefined;
}
