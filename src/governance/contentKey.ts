import { CONTENT_KEYS } from '../../semconv/content.js';

/**
 * Content attributes of every dialect (semconv/content.ts: GenAI conventions, OpenInference,
 * OpenLLMetry, Vercel AI SDK, Langfuse, OpenAI Agents), compiled once into one anchored pattern:
 * `{i}` is a list index, `tree` rules take the key and everything flattened under it. Used for spans
 * (PrivacyProcessor) and log records (LogGovernance) alike.
 */
export const CONTENT_KEY = new RegExp(`^(?:${CONTENT_KEYS.map((k) => {
  const p = k.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{i\\\}/g, '\\d+');
  return k.match === 'exact' ? `${p}$` : `${p}(?:\\.|$)`;
}).join('|')})`);
