import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Redactor } from './redaction.js';

export const PRIVACY_LEVELS = ['none', 'metadata', 'full'] as const;
export type PrivacyLevel = (typeof PRIVACY_LEVELS)[number];

/**
 * Content attributes: GenAI conventions and the names other instrumentations use (OpenLLMetry
 * `gen_ai.prompt.N.*`, OpenInference `input.value`, Vercel AI SDK `ai.prompt`…), so content stays out
 * of the files unless `full` capture is asked for, whoever recorded it.
 */
const CONTENT_KEY = /^(gen_ai\.(input\.messages|output\.messages|system_instructions|tool\.call\.(arguments|result)|prompt\b|completion\b)|llm\.(prompts|completions|input_messages|output_messages)|(input|output)\.value$|ai\.(prompt|response\.(text|object|toolCalls))|traceloop\.entity\.(input|output))/;
/** Under `none`, free text that may quote user data goes too (error types and names stay). */
const FREE_TEXT_EVENT_KEYS = new Set(['exception.message', 'exception.stacktrace']);

/**
 * Applies the privacy level and redaction to every span before any exporter sees it (in onEnding,
 * while the span is still writable): drops content unless `full`, drops free text under `none`, and
 * replaces secrets and personal data in whatever is left with a marker.
 */
export class PrivacyProcessor implements SpanProcessor {
  private readonly contentKeys = new Map<string, boolean>();

  constructor(private readonly level: PrivacyLevel, private readonly redactor: Redactor | undefined) {}

  onStart(_span: Span, _ctx: Context): void {}

  onEnding(span: Span): void {
    let attrs = span.attributes as Attributes;
    if (this.level !== 'full') {
      // Deleting keys would leave V8 a slow dictionary object for every later step: copy instead (rare).
      let content = false;
      for (const key in attrs) if (this.isContent(key)) { content = true; break; }
      if (content) {
        const kept: Attributes = {};
        for (const key in attrs) if (!this.isContent(key)) kept[key] = attrs[key];
        (span as unknown as { attributes: Attributes }).attributes = attrs = kept;
      }
    }
    if (this.redactor) {
      for (const key in attrs) {
        const v = attrs[key];
        const r = this.redactor.value(key, v) as Attributes[string];
        if (r !== v) attrs[key] = r;
      }
    }
    for (const event of span.events) {
      const ea = event.attributes as Attributes | undefined;
      if (!ea) continue;
      for (const key in ea) {
        if ((this.level !== 'full' && this.isContent(key)) || (this.level === 'none' && FREE_TEXT_EVENT_KEYS.has(key))) {
          delete ea[key];
          continue;
        }
        if (this.redactor) ea[key] = this.redactor.value(key, ea[key]) as Attributes[string];
      }
      if (this.redactor) (event as { name: string }).name = this.redactor.redact(event.name);
    }
    const status = span.status;
    if (status.message) {
      const message = this.level === 'none' ? undefined : this.redactor ? this.redactor.redact(status.message) : status.message;
      if (message !== status.message) span.setStatus({ code: status.code, message });
    }
    if (this.redactor) {
      const name = this.redactor.redact(span.name);
      if (name !== span.name) span.updateName(name);
    }
  }

  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }

  private isContent(key: string): boolean {
    let hit = this.contentKeys.get(key);
    if (hit === undefined) this.contentKeys.set(key, (hit = CONTENT_KEY.test(key)));
    return hit;
  }
}
