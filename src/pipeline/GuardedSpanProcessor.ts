import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { countError } from '../errorCounts.js';

export interface GuardOptions {
  /**
   * Called (guarded too) when `onEnding` fails, before the span goes on: a processor whose job is to
   * remove something (privacy, redaction) fails closed here instead of letting the span out as it was.
   */
  onEndingFailed?(span: Span): void;
}

/**
 * Wraps one span processor so that a throw in any of its hooks neither reaches the code that started
 * or ended the span (the SDK calls the hooks inside `startSpan()` and `span.end()`) nor stops the
 * processors after it: the export queues still get the span. Failures are counted as
 * `processor.<name>` in `health().errors` and logged once.
 */
export class GuardedSpanProcessor implements SpanProcessor {
  private readonly cause: string;

  constructor(name: string, readonly inner: SpanProcessor, private readonly opts: GuardOptions = {}) {
    this.cause = `processor.${name}`;
  }

  onStart(span: Span, parentContext: Context): void {
    try { this.inner.onStart(span, parentContext); } catch (err) { countError(this.cause, err); }
  }

  onEnding(span: Span): void {
    if (!this.inner.onEnding) return;
    try {
      this.inner.onEnding(span);
    } catch (err) {
      countError(this.cause, err);
      if (this.opts.onEndingFailed) {
        try { this.opts.onEndingFailed(span); } catch (e) { countError(`${this.cause}.fail_closed`, e); }
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    try { this.inner.onEnd(span); } catch (err) { countError(this.cause, err); }
  }

  forceFlush(): Promise<void> {
    return this.settle(() => this.inner.forceFlush());
  }

  shutdown(): Promise<void> {
    return this.settle(() => this.inner.shutdown());
  }

  /** A flush or shutdown that throws or rejects resolves anyway: the other processors still flush. */
  private settle(fn: () => Promise<void>): Promise<void> {
    try {
      return Promise.resolve(fn()).then(() => undefined, (err: unknown) => countError(this.cause, err));
    } catch (err) {
      countError(this.cause, err);
      return Promise.resolve();
    }
  }
}

/** Wraps each `[name, processor]` in a GuardedSpanProcessor. */
export const guardProcessors = (list: ReadonlyArray<readonly [string, SpanProcessor, GuardOptions?]>): GuardedSpanProcessor[] =>
  list.map(([name, p, opts]) => new GuardedSpanProcessor(name, p, opts));
