import type { Dialect } from './types.js';

/** OpenInference (openinference.span.kind, llm.*, tool.*). */
export const openinference: Dialect = {
  name: 'openinference',
  matches: () => false,
  kindOf: () => undefined,
  standardKeys: () => undefined,
};
