export { startViewer, jaegerBase, createApp, SECURITY_HEADERS, DEFAULT_HOST, DEFAULT_PORT, type Viewer, type ViewerOptions } from './server.js';
export { isLoopback } from '../parse/loopback.js';
export { ViewerStore, type ViewerStoreOptions } from './store.js';
