import type { CAC } from 'cac';
import { QueryError } from '../../query/session.js';
import { isLoopback } from '../../parse/loopback.js';
import { PORT_ACCEPTED, portValue } from '../../parse/port.js';
import { jaegerUrlFromEnv } from '../../storageConfig.js';
import { DEFAULT_HOST, DEFAULT_PORT, startViewer } from '../../viewer/index.js';
import { resolveDir, type CommonOptions } from '../common.js';

interface UiOptions extends CommonOptions { port?: number | string; host?: string; allowRemote?: boolean; jaegerUrl?: string }

export function register(cli: CAC): void {
  cli.command('ui', 'Serve a local, read-only web viewer: runs, trace waterfalls, LLM/tool calls, charts (Ctrl-C to stop)')
    .option('--port <port>', `Port to listen on (0: any free port)`, { default: DEFAULT_PORT })
    .option('--host <host>', 'Address to bind; anything but loopback also needs --allow-remote', { default: DEFAULT_HOST })
    .option('--allow-remote', 'Allow a non-loopback --host (there is no login: whoever reaches it reads your telemetry)')
    .option('--jaeger-url <url>', 'Link traces to this Jaeger UI, e.g. http://localhost:16686 (env AGENT_OTEL_JAEGER_URL)')
    .example('agent-otel ui --dir ./telemetry')
    .example('agent-otel ui --port 8080 --jaeger-url http://localhost:16686')
    .action(async (o: UiOptions) => {
      const port = portValue(o.port);
      if (port === undefined) throw new QueryError(`--port must be ${PORT_ACCEPTED}; got ${JSON.stringify(String(o.port))}`);
      const host = String(o.host ?? DEFAULT_HOST);
      const jaegerUrl = o.jaegerUrl || jaegerUrlFromEnv();
      const viewer = await startViewer({ dir: resolveDir(o), port, host, allowRemote: !!o.allowRemote, jaegerUrl, source: o.source });
      if (!isLoopback(host)) {
        process.stderr.write(`agent-otel: WARNING: the viewer listens on ${host}, not only on this machine. It has no login: ` +
          'anyone who can reach this address can read the telemetry (prompts and outputs too, when captured).\n');
      }
      // Handlers first, then the URL: whoever reads it may stop the viewer at once.
      const stopped = new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stdout.write(`agent-otel ui: ${viewer.url}  (${viewer.store.dir}; read-only; Ctrl-C to stop)\n`);
      await stopped;
      await viewer.close();
    });
}
