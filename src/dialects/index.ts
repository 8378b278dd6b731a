import type { Attributes } from '@opentelemetry/api';
import type { CallKind } from './types.js';
import { genai } from './genai.js';
import { openinference } from './openinference.js';
import { openllmetry } from './openllmetry.js';
import { vercel } from './vercel.js';
import type { Dialect } from './types.js';

/**
 * Every dialect the DialectProcessor knows, most specific first: a span may speak several (a Vercel AI
 * SDK span that OpenInference's processor also annotated), and the first to name a key wins.
 * The GenAI conventions come last: other libraries often write a few gen_ai.* keys next to their own.
 */
export const DIALECTS: readonly Dialect[] = [openinference, vercel, openllmetry, genai];

/** The kind of a span that is starting, as the first dialect that recognises it says. */
export function kindAtStart(attributes: Attributes, scope: string, spanName: string): CallKind | undefined {
  for (const d of DIALECTS) {
    if (!d.matches(attributes, scope)) continue;
    const kind = d.kindOf(attributes, spanName);
    if (kind) return kind;
  }
  return undefined;
}

export type { Dialect } from './types.js';
