import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { countError } from '../errorCounts.js';
import { NO_HOOK } from '../noHook.js';

export interface GuardOptions {
  /**
   * Called (guarded too) when `onEnding` fails, before the span goes on: a processor whose job is to
   * remove something (privacy, redaction) fails closed here instead of letting the span out as it was.
   */
  onEndingFailed?(span: Span): void;
}

/** One stage of a pipeline: its name (errors are counted as `processor.<name>`), the processor, its options. */
export type Stage = readonly [name: string, processor: SpanProcessor, opts?: GuardOptions];


interface Guarded { readonly cause: string; readonly p: SpanProcessor; readonly opts: GuardOptions | undefined }

/**
 * Span processors run in order as one processor, each hook of each stage in its own try/catch: a
 * throw in any hook neither reaches the code that started or ended the span (the SDK calls the hooks
 * inside `startSpan()` and `span.end()`) nor stops the stages after it: the export queues still get
 * the span. Failures are counted as `processor.<name>` in `health().errors` and logged once.
 * One processor rather than one guard object per stage: per span, only the hooks the stages use are
 * called (NO_HOOK ones are left out when the pipeline is built). Each is looked up on its processor
 * as it is called, as the SDK does, so a hook replaced later (bench/governance.js) takes effect.
 */
export class SpanPipeline implements SpanProcessor {
  private readonly starts: Guarded[] = [];
  private readonly endings: Guarded[] = [];
  private readonly ends: Guarded[] = [];
  private readonly all: Guarded[] = [];

  constructor(stages: readonly Stage[]) {
    for (const [name, p, opts] of stages) {
      const g = { cause: `processor.${name}`, p, opts };
      if (typeof p.onStart === 'function' && p.onStart !== NO_HOOK) this.starts.push(g);
      if (typeof p.onEnding === 'function' && p.onEnding !== NO_HOOK) this.endings.push(g);
      if (typeof p.onEnd === 'function' && p.onEnd !== NO_HOOK) this.ends.push(g);
      this.all.push(g);
    }
  }

  onStart(span: Span, parentContext: Context): void {
    const list = this.starts;
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      try { g.p.onStart(span, parentContext); } catch (err) { countError(g.cause, err); }
    }
  }

  onEnding(span: Span): void {
    const list = this.endings;
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      try {
        g.p.onEnding!(span);
      } catch (err) {
        countError(g.cause, err);
        if (g.opts?.onEndingFailed) {
          try { g.opts.onEndingFailed(span); } catch (e) { countError(`${g.cause}.fail_closed`, e); }
        }
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    const list = this.ends;
    for (let i = 0; i < list.length; i++) {
      const g = list[i]!;
      try { g.p.onEnd(span); } catch (err) { countError(g.cause, err); }
    }
  }

  /** Every stage flushes; one that throws or rejects is counted and the others still flush. */
  async forceFlush(): Promise<void> {
    await Promise.all(this.all.map((g) => settle(g.cause, () => g.p.forceFlush())));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.all.map((g) => settle(g.cause, () => g.p.shutdown())));
  }
}

/** A flush or shutdown that throws or rejects resolves anyway, counted. */
function settle(cause: string, fn: () => Promise<void>): Promise<void> {
  try {
    return Promise.resolve(fn()).then(() => undefined, (err: unknown) => countError(cause, err));
  } catch (err) {
    countError(cause, err);
    return Promise.resolve();
  }
}

/** One processor guarded on its own: a pipeline of one stage. */
export class GuardedSpanProcessor extends SpanPipeline {
  constructor(name: string, readonly inner: SpanProcessor, opts?: GuardOptions) {
    super([[name, inner, opts]]);
  }
}
