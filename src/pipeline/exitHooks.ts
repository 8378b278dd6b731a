import type { ExportQueueProcessor } from './ExportQueueProcessor.js';

/**
 * Flush on exit: at `beforeExit` (asynchronously, once per burst of activity), at `exit` (synchronously:
 * queued spans written with writeSync) and on SIGTERM/SIGINT (flush, then let the signal act as it
 * would have, unless the program handles the signal itself).
 */
export function installExitHooks(queues: ExportQueueProcessor[], flush: () => Promise<void>, shutdown: () => Promise<void>,
  handleSignals: boolean): () => void {
  const token = { flushing: false, lastSeen: -1 };
  const seen = () => queues.reduce((s, q) => s + q.spansSeen, 0);
  // beforeExit fires again after our flush's I/O: flush only when spans ended since the last one.
  const onBeforeExit = () => {
    if (token.flushing || seen() === token.lastSeen) return;
    token.flushing = true;
    token.lastSeen = seen();
    flush().finally(() => { token.flushing = false; });
  };
  const onExit = () => { for (const q of queues) q.flushSync(); };
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  const onSignal = (signal: NodeJS.Signals) => {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    const othersHandle = process.listenerCount(signal) > 0;
    const timeout = new Promise<void>((r) => setTimeout(r, 3000).unref());
    void Promise.race([othersHandle ? flush() : shutdown(), timeout]).finally(() => {
      if (!othersHandle) process.kill(process.pid, signal);
    });
  };
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
}
