import type { Dialect } from './types.js';

/** Vercel AI SDK 5/6 (ai.* spans) and 7 (@ai-sdk/otel). */
export const vercel: Dialect = {
  name: 'vercel',
  matches: () => false,
  kindOf: () => undefined,
  standardKeys: () => undefined,
};
