import { safeText } from './format.js';
import { cac } from 'cac';
import { AgentOtelConfigError } from '../config.js';
import { QueryError, SOURCES } from '../query/session.js';
import { VERSION } from '../version.js';
import { defaultDir } from './common.js';
import * as audit from './commands/audit.js';
import * as compact from './commands/compact.js';
import * as doctor from './commands/doctor.js';
import * as ingest from './commands/ingest.js';
import * as logs from './commands/logs.js';
import * as prune from './commands/prune.js';
import * as replay from './commands/replay.js';
import * as report from './commands/report.js';
import * as runs from './commands/runs.js';
import * as sql from './commands/sql.js';
import * as tail from './commands/tail.js';
import * as trace from './commands/trace.js';
import * as ui from './commands/ui.js';

/** Every command: a module with `register(cli)`, one file each in commands/. */
const COMMANDS = [sql, trace, runs, report, tail, logs, ingest, compact, prune, replay, ui, audit, doctor];

/**
 * The `agent-otel` command. Errors the user can act on print one line and set exit code 1; anything
 * else prints its stack and sets 2. Returns the exit code (also set on process.exitCode).
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const cli = cac('agent-otel');
  cli.option('--dir <dir>', `Telemetry directory (env AGENT_OTEL_DIR)`, { default: defaultDir() });
  cli.option('--source <source>', `Where rows come from: ${SOURCES.join(', ')}`, { default: 'auto' });
  for (const c of COMMANDS) c.register(cli);
  cli.help();
  cli.version(VERSION);
  try {
    const parsed = cli.parse(argv, { run: false });
    if (!cli.matchedCommand) {
      if (parsed.options.help || parsed.options.version) return (process.exitCode = 0);
      const name = parsed.args[0];
      process.stderr.write(name ? `agent-otel: unknown command '${safeText(name)}'\n` : '');
      cli.outputHelp();
      return (process.exitCode = 1);
    }
    if (parsed.options.help) return (process.exitCode = 0);
    await cli.runMatchedCommand();
    return (process.exitCode ??= 0) as number;
  } catch (err) {
    const known = err instanceof QueryError || err instanceof AgentOtelConfigError || (err as Error)?.name === 'CACError';
    const text = known ? `agent-otel: ${(err as Error).message}` : `agent-otel: ${(err as Error)?.stack ?? String(err)}`;
    process.stderr.write(`${text.split('\n').map(safeText).join('\n')}\n`); // line by line: messages quote telemetry
    return (process.exitCode = known ? 1 : 2);
  }
}
