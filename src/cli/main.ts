import { cac, type CAC } from 'cac';
import { AgentOtelConfigError } from '../errors.js';
import { QueryError, SOURCES } from '../query/session.js';
import { VERSION } from '../version.js';
import { defaultDir } from './common.js';
import { safeText } from './format.js';

/**
 * Every command: a module with `register(cli)`, one file each in commands/. Only the commands named on
 * the command line are loaded (all of them for help): loading modules is most of a short query's time.
 */
const COMMANDS: Record<string, () => Promise<{ register(cli: CAC): void }>> = {
  sql: () => import('./commands/sql.js'), trace: () => import('./commands/trace.js'), runs: () => import('./commands/runs.js'),
  report: () => import('./commands/report.js'), tail: () => import('./commands/tail.js'), logs: () => import('./commands/logs.js'),
  ingest: () => import('./commands/ingest.js'), compact: () => import('./commands/compact.js'), prune: () => import('./commands/prune.js'),
  replay: () => import('./commands/replay.js'), ui: () => import('./commands/ui.js'), audit: () => import('./commands/audit.js'),
  doctor: () => import('./commands/doctor.js'),
};
/**
 * The `agent-otel` command. Errors the user can act on print one line and set exit code 1; anything
 * else prints its stack and sets 2. Returns the exit code (also set on process.exitCode).
 */
export async function main(argv: string[] = process.argv): Promise<number> {
  const cli = cac('agent-otel');
  cli.option('--dir <dir>', `Telemetry directory (env AGENT_OTEL_DIR)`, { default: defaultDir() });
  cli.option('--source <source>', `Where rows come from: ${SOURCES.join(', ')}`, { default: 'auto' });
  // A word of the command line that names a command (an option's value may too: loading one more is harmless).
  const named = Object.keys(COMMANDS).filter((name) => argv.slice(2).includes(name));
  for (const c of await Promise.all((named.length ? named : Object.keys(COMMANDS)).map((name) => COMMANDS[name]!()))) c.register(cli);
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
