export { startViewer, isLoopback, jaegerBase, createApp, SECURITY_HEADERS, DEFAULT_HOST, DEFAULT_PORT, type Viewer, type ViewerOptions } from './server.js';
export { ViewerStore, type ViewerStoreOptions } from './store.js';
