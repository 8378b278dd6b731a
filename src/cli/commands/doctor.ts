import path from 'node:path';
import type { CAC } from 'cac';
import pc from 'picocolors';
import { runDoctor, type Check } from '../../doctor/index.js';
import { defaultDir, type CommonOptions } from '../common.js';

interface DoctorOptions extends CommonOptions { project?: string; static?: boolean }

const MARK: Record<Check['status'], string> = { ok: pc.green('ok     '), warn: pc.yellow('warn   '), problem: pc.red('problem') };

/** One line per check, details indented under it, and a count at the end. */
export function renderChecks(checks: Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${MARK[c.status]}  ${c.message}`);
    for (const d of c.details ?? []) lines.push(pc.dim(`           ${d}`));
  }
  const n = (s: Check['status']) => checks.filter((c) => c.status === s).length;
  lines.push('', `${n('ok')} ok, ${n('warn')} warning${n('warn') === 1 ? '' : 's'}, ${n('problem')} problem${n('problem') === 1 ? '' : 's'}`);
  return lines.join('\n');
}

export function register(cli: CAC): void {
  cli.command('doctor', 'Check a project\'s setup: @opentelemetry/api copies, GenAI instrumentations and their spans, Node, content capture vs privacy, the telemetry directory (exit 1 on a problem)')
    .option('--project <path>', 'The project to check: its package.json and node_modules (default: the current directory)')
    .option('--static', 'Judge @opentelemetry/api copies by the version rule alone: do not load agent-otel and each copy in a child process')
    .option('--json', 'Print the checks (and what they found) as JSON')
    .example('agent-otel doctor --project ./my-agent --dir ./my-agent/telemetry')
    .action(async (o: DoctorOptions) => {
      const project = path.resolve(o.project ?? '.');
      // The default directory is the project's (where its agent writes), not the current directory's.
      const dirOpt = o.dir ?? defaultDir();
      const dir = path.isAbsolute(dirOpt) || o.dir !== defaultDir() ? path.resolve(dirOpt) : path.resolve(project, dirOpt);
      const report = await runDoctor({ project, dir, runtime: !o.static });
      process.stdout.write((o.json ? JSON.stringify(report, null, 2) : renderChecks(report.checks)) + '\n');
      process.exitCode = report.ok ? 0 : 1;
    });
}
