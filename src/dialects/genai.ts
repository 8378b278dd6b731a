import type { Attributes } from '@opentelemetry/api';
import * as A from '../../semconv/attributes.js';
import { GEN_AI_USAGE_COMPLETION_TOKENS, GEN_AI_USAGE_PROMPT_TOKENS } from '../../semconv/dialects.js';
import type { Dialect } from './types.js';
import { kindOfOperation } from './kind.js';

/**
 * The GenAI semantic conventions themselves, as the official instrumentations write them, including
 * the names earlier versions used (`gen_ai.system`, `gen_ai.usage.prompt_tokens`, cache writes).
 */
export const genai: Dialect = {
  name: 'genai',
  matches: (a) => a[A.GEN_AI_OPERATION_NAME] !== undefined || a[A.GEN_AI_SYSTEM] !== undefined,
  kindOf: (a) => kindOfOperation(a[A.GEN_AI_OPERATION_NAME]),
  standardKeys(a): Attributes | undefined {
    const out: Attributes = {};
    if (a[A.GEN_AI_SYSTEM] !== undefined) out[A.GEN_AI_PROVIDER_NAME] = a[A.GEN_AI_SYSTEM];
    if (a[GEN_AI_USAGE_PROMPT_TOKENS] !== undefined) out[A.GEN_AI_USAGE_INPUT_TOKENS] = a[GEN_AI_USAGE_PROMPT_TOKENS];
    if (a[GEN_AI_USAGE_COMPLETION_TOKENS] !== undefined) out[A.GEN_AI_USAGE_OUTPUT_TOKENS] = a[GEN_AI_USAGE_COMPLETION_TOKENS];
    if (a[A.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] !== undefined) {
      out[A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = a[A.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS];
    }
    return out;
  },
};
