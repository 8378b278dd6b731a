import type { CAC } from 'cac';
import { AgentOtelConfigError, OTLP_PROTOCOLS, otlpSignalUrl, parseDuration, type OtlpProtocol } from '../../config.js';
import { replaySpans, ReplaySendError } from '../../replay/replaySpans.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';

interface ReplayCliOptions extends CommonOptions {
  endpoint?: string; protocol?: string; headers?: string; batchSize?: string | number; timeout?: string; dryRun?: boolean;
}

/** `--endpoint http://host:4318` → `http://host:4318/v1/traces`; a URL already ending in /v1/traces is kept. */
export function tracesUrl(endpoint: string, name: string): string {
  let url: URL | undefined;
  try { url = new URL(endpoint); } catch { /* below */ }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new AgentOtelConfigError(`${name} must be an http:// or https:// URL of an OTLP/HTTP endpoint, e.g. http://localhost:4318; got ${JSON.stringify(endpoint)}`);
  }
  return /\/v1\/traces\/?$/.test(url.pathname) ? endpoint : otlpSignalUrl(endpoint, 'traces');
}

function parseHeaders(v: string | undefined): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const pair of String(v).split(',')) {
    if (!pair.trim()) continue;
    const i = pair.indexOf('=');
    if (i <= 0) throw new AgentOtelConfigError(`--headers takes key=value pairs separated by commas, e.g. x-api-key=abc; got ${JSON.stringify(v)}`);
    out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

export function register(cli: CAC): void {
  cli.command('replay', 'Send the spans of spans/*.jsonl to an OTLP/HTTP endpoint (Jaeger, a collector), for agents that ran offline')
    .option('--endpoint <url>', 'OTLP/HTTP endpoint; /v1/traces is appended (default: env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--protocol <protocol>', `${OTLP_PROTOCOLS.join(' or ')} (default: env OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf)`)
    .option('--headers <pairs>', 'Request headers, key=value,key2=value2 (also env OTEL_EXPORTER_OTLP_HEADERS)')
    .option('--batch-size <n>', 'Spans per request', { default: 512 })
    .option('--timeout <duration>', 'Give up one request, retries included, after this long', { default: '10s' })
    .option('--dry-run', 'Count what would be sent; send nothing, record nothing')
    .example('agent-otel replay --endpoint http://localhost:4318')
    .example('agent-otel replay --endpoint https://otlp.example.com --headers x-api-key=$KEY --dry-run')
    .action(async (o: ReplayCliOptions) => {
      const dir = existingDir(o);
      const specific = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
      const base = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      const url = o.endpoint !== undefined ? tracesUrl(String(o.endpoint), '--endpoint')
        : specific ? tracesUrl(specific, 'env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
          : base ? tracesUrl(base, 'env OTEL_EXPORTER_OTLP_ENDPOINT') : undefined;
      if (!url) throw new AgentOtelConfigError('replay needs --endpoint <url> (e.g. http://localhost:4318), or env OTEL_EXPORTER_OTLP_ENDPOINT');
      const protocol = (o.protocol ?? process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
      if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
        throw new AgentOtelConfigError(`${o.protocol !== undefined ? '--protocol' : 'the OTLP protocol env var'} must be one of ${OTLP_PROTOCOLS.join(', ')}; got ${JSON.stringify(protocol)}`);
      }
      const batchSize = Number(o.batchSize);
      if (!Number.isInteger(batchSize) || batchSize <= 0) throw new AgentOtelConfigError(`--batch-size must be a positive integer; got ${JSON.stringify(o.batchSize)}`);
      const timeoutMillis = parseDuration(String(o.timeout), '--timeout');
      const dryRun = !!o.dryRun;
      const log = (line: string) => process.stderr.write(`agent-otel: ${line}\n`);
      try {
        const r = await replaySpans({
          dir, url, protocol: protocol as OtlpProtocol, headers: parseHeaders(o.headers), batchSize, timeoutMillis, dryRun, log,
        });
        const verb = dryRun ? 'would send' : 'sent';
        for (const f of r.files) {
          process.stdout.write(`${f.file}: ${verb} ${f.spans} span${f.spans === 1 ? '' : 's'}` +
            `${f.alreadySent ? ` (${f.alreadySent} sent before)` : ''}${f.badLines ? `, ${f.badLines} bad line${f.badLines === 1 ? '' : 's'} skipped` : ''}\n`);
        }
        process.stdout.write(`${verb} ${r.spans} span${r.spans === 1 ? '' : 's'} in ${r.batches} batch${r.batches === 1 ? '' : 'es'} to ${url}` +
          `${r.upToDate ? `; ${r.upToDate} file${r.upToDate === 1 ? '' : 's'} already sent` : ''}` +
          `${dryRun ? ' (dry run: nothing sent, nothing recorded)' : ''}\n`);
      } catch (err) {
        if (!(err instanceof ReplaySendError)) throw err;
        process.stderr.write(`agent-otel: replay stopped: ${err.message}. ${err.sent} span${err.sent === 1 ? '' : 's'} sent in this run; ` +
          'progress is saved, run the same command again to resume\n');
        process.exitCode = 1;
      }
    });
}
