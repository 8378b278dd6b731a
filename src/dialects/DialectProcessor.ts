import { diag, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { AGENT_DIALECT, ERROR_TYPE, GEN_AI_OPERATION_NAME } from '../../semconv/attributes.js';
import { kindOfOperation } from './kind.js';
import { SCOPE_NAME } from '../../semconv/spans.js';
import { DIALECTS } from './index.js';
import { NO_HOOK } from '../noHook.js';

/**
 * Adds the standard GenAI keys to the spans of other instrumentation libraries as they end (in
 * onEnding, while the span is still writable), before cost, privacy and every exporter see them.
 * The originals stay; a key the span already has is never overwritten. Our own spans are skipped.
 */
export class DialectProcessor implements SpanProcessor {
  private failed = false;

  readonly onStart = NO_HOOK;

  onEnding(span: Span): void {
    const scope = span.instrumentationScope.name;
    if (scope === SCOPE_NAME) return;
    const attrs = span.attributes as Attributes;
    try {
      let first: string | undefined;
      for (const d of DIALECTS) {
        if (!d.matches(attrs, scope)) continue;
        const add = d.standardKeys(attrs, span.name);
        if (!add) continue;
        let added = false;
        for (const key in add) {
          const v = add[key];
          if (v === undefined || v === null || attrs[key] !== undefined) continue;
          attrs[key] = v;
          added = true;
        }
        if (added) first ??= d.name;
      }
      if (first && attrs[AGENT_DIALECT] === undefined) attrs[AGENT_DIALECT] = first;
      // A failed call whose instrumentation names no error class: the recorded exception's type, else _OTHER.
      if (span.status.code === SpanStatusCode.ERROR && attrs[ERROR_TYPE] === undefined && kindOfOperation(attrs[GEN_AI_OPERATION_NAME])) {
        attrs[ERROR_TYPE] = exceptionType(span.events) ?? '_OTHER';
      }
    } catch (err) {
      if (!this.failed) diag.warn(`agent-otel: reading the attributes of span '${span.name}' failed: ${(err as Error)?.message ?? err}`);
      this.failed = true;
    }
  }

  readonly onEnd = NO_HOOK;
  forceFlush(): Promise<void> { return Promise.resolve(); }
  shutdown(): Promise<void> { return Promise.resolve(); }
}

function exceptionType(events: readonly TimedEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const t = events[i]!.name === 'exception' ? events[i]!.attributes?.['exception.type'] : undefined;
    if (typeof t === 'string' && t) return t;
  }
  return undefined;
}
