export * from './attributes.js';
export * from './metrics.js';
export * from './spans.js';
export * from './schema.js';
