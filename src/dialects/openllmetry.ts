import type { Dialect } from './types.js';

/** OpenLLMetry / Traceloop, current and legacy (gen_ai.prompt.N.*, llm.request.type, traceloop.span.kind). */
export const openllmetry: Dialect = {
  name: 'openllmetry',
  matches: () => false,
  kindOf: () => undefined,
  standardKeys: () => undefined,
};
