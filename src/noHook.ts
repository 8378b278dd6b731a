/**
 * A span processor hook the processor does not use (`onStart = NO_HOOK`). The SDK calls every hook of
 * every processor for every span; SpanPipeline (pipeline/SpanPipeline.ts) leaves these out.
 * Here, below every folder, so that dialects/ and governance/ processors can name it too.
 */
export const NO_HOOK = (): void => {};
