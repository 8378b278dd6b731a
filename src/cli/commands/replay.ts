import fs from 'node:fs';
import path from 'node:path';
import type { CAC } from 'cac';
import { DIR_LOGS } from '../../../semconv/logs.js';
import { AgentOtelConfigError } from '../../config.js';
import { OTLP_PROTOCOLS, otlpSignalUrl, type OtlpProtocol } from '../../parse/otlp.js';
import { parseDuration } from '../../parse/duration.js';
import { replayLogs } from '../../replay/replayLogs.js';
import { replaySpans, ReplaySendError, type ReplayResult } from '../../replay/replaySpans.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';
import { envValues } from '../../parse/env.js';

interface ReplayCliOptions extends CommonOptions {
  endpoint?: string; protocol?: string; headers?: string; batchSize?: string | number; timeout?: string; dryRun?: boolean; signal?: string;
}

type Signal = 'traces' | 'logs';
const SIGNALS: Record<Signal, { env: string; protocolEnv: string; noun: [string, string] }> = {
  traces: { env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', protocolEnv: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', noun: ['span', 'spans'] },
  logs: { env: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', protocolEnv: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', noun: ['log record', 'log records'] },
};

/**
 * `--endpoint http://host:4318` → `http://host:4318/v1/traces` (or `/v1/logs`); a URL already ending in
 * a signal's path (/v1/traces, /v1/logs, /v1/metrics) gets this signal's path instead.
 */
export function signalUrl(endpoint: string, name: string, signal: Signal = 'traces'): string {
  let url: URL | undefined;
  try { url = new URL(endpoint); } catch { /* below */ }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new AgentOtelConfigError(`${name} must be an http:// or https:// URL of an OTLP/HTTP endpoint, e.g. http://localhost:4318; got ${JSON.stringify(endpoint)}`);
  }
  const m = /\/v1\/(traces|logs|metrics)\/?$/.exec(url.pathname);
  if (!m) return otlpSignalUrl(endpoint, signal);
  if (m[1] === signal) return endpoint;
  url.pathname = url.pathname.slice(0, m.index) + `/v1/${signal}`;
  return url.href;
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
  cli.command('replay', 'Send the spans of spans/*.jsonl and the log records of logs/*.jsonl to an OTLP/HTTP endpoint (a collector, Jaeger for traces), for agents that ran offline')
    .option('--endpoint <url>', 'OTLP/HTTP endpoint; /v1/traces and /v1/logs are appended (default: env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / _LOGS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--signal <signal>', 'What to send: traces, logs or all (logs only when logs/ exists)', { default: 'all' })
    .option('--protocol <protocol>', `${OTLP_PROTOCOLS.join(' or ')} (default: env OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf)`)
    .option('--headers <pairs>', 'Request headers, key=value,key2=value2 (also env OTEL_EXPORTER_OTLP_HEADERS)')
    .option('--batch-size <n>', 'Spans (log records) per request', { default: 512 })
    .option('--timeout <duration>', 'Give up one request, retries included, after this long', { default: '10s' })
    .option('--dry-run', 'Count what would be sent; send nothing, record nothing')
    .example('agent-otel replay --endpoint http://localhost:4318')
    .example('agent-otel replay --endpoint https://otlp.example.com --headers x-api-key=$KEY --dry-run')
    .action(async (o: ReplayCliOptions) => {
      const dir = existingDir(o);
      const which = String(o.signal ?? 'all');
      if (!['traces', 'logs', 'all'].includes(which)) throw new AgentOtelConfigError(`--signal must be one of traces, logs, all; got ${JSON.stringify(o.signal)}`);
      // Logs go along when there are any (an agent with logs off, or an older one, has no logs/ folder).
      const signals: Signal[] = which === 'all' ? ['traces', ...(fs.existsSync(path.join(dir, DIR_LOGS)) ? ['logs' as const] : [])] : [which as Signal];
      const env = envValues(); // the OTLP variables, read as the agent's config reads them
      const base = env.str('OTEL_EXPORTER_OTLP_ENDPOINT');
      const urlOf = (signal: Signal): string | undefined => {
        const specific = env.str(SIGNALS[signal].env);
        return o.endpoint !== undefined ? signalUrl(String(o.endpoint), '--endpoint', signal)
          : specific ? signalUrl(specific, `env ${SIGNALS[signal].env}`, signal)
            : base ? signalUrl(base, 'env OTEL_EXPORTER_OTLP_ENDPOINT', signal) : undefined;
      };
      const urls = signals.map(urlOf);
      if (urls.some((u) => !u)) throw new AgentOtelConfigError('replay needs --endpoint <url> (e.g. http://localhost:4318), or env OTEL_EXPORTER_OTLP_ENDPOINT');
      const protocolOf = (signal: Signal): OtlpProtocol => {
        const protocol = (o.protocol ?? env.str(SIGNALS[signal].protocolEnv) ?? env.str('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf').trim();
        if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
          throw new AgentOtelConfigError(`${o.protocol !== undefined ? '--protocol' : 'the OTLP protocol env var'} must be one of ${OTLP_PROTOCOLS.join(', ')}; got ${JSON.stringify(protocol)}`);
        }
        return protocol as OtlpProtocol;
      };
      const protocols = signals.map(protocolOf);
      const batchSize = Number(o.batchSize);
      if (!Number.isInteger(batchSize) || batchSize <= 0) throw new AgentOtelConfigError(`--batch-size must be a positive integer; got ${JSON.stringify(o.batchSize)}`);
      const timeoutMillis = parseDuration(String(o.timeout), '--timeout');
      const dryRun = !!o.dryRun;
      const log = (line: string) => process.stderr.write(`agent-otel: ${line}\n`);
      const headers = parseHeaders(o.headers);
      for (let i = 0; i < signals.length; i++) {
        const signal = signals[i]!;
        const url = urls[i]!;
        const [one, many] = SIGNALS[signal].noun;
        const n = (k: number) => `${k} ${k === 1 ? one : many}`;
        const opts = { dir, url, protocol: protocols[i]!, headers, batchSize, timeoutMillis, dryRun, log };
        let r: ReplayResult;
        try {
          r = signal === 'traces' ? await replaySpans(opts) : await replayLogs(opts);
        } catch (err) {
          if (!(err instanceof ReplaySendError)) throw err;
          process.stderr.write(`agent-otel: replay stopped: ${err.message}. ${n(err.sent)} sent in this run; ` +
            'progress is saved, run the same command again to resume\n');
          process.exitCode = 1;
          return;
        }
        const verb = dryRun ? 'would send' : 'sent';
        for (const f of r.files) {
          process.stdout.write(`${f.file}: ${verb} ${n(f.spans)}` +
            `${f.alreadySent ? ` (${f.alreadySent} sent before)` : ''}${f.badLines ? `, ${f.badLines} bad line${f.badLines === 1 ? '' : 's'} skipped` : ''}\n`);
        }
        process.stdout.write(`${verb} ${n(r.spans)} in ${r.batches} batch${r.batches === 1 ? '' : 'es'} to ${url}` +
          `${r.upToDate ? `; ${r.upToDate} file${r.upToDate === 1 ? '' : 's'} already sent` : ''}` +
          `${dryRun ? ' (dry run: nothing sent, nothing recorded)' : ''}\n`);
      }
    });
}
