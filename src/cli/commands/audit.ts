import type { CAC } from 'cac';
import pc from 'picocolors';
import { verifyAudit } from '../../governance/auditVerify.js';
import { QueryError } from '../../query/session.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';

export function register(cli: CAC): void {
  cli.command('audit <action>', 'Check the audit trail: `audit verify` finds edited, removed or reordered entries')
    .option('--json', 'Print the report as JSON')
    .example('agent-otel audit verify')
    .action(async (action: string, o: CommonOptions) => {
      if (action !== 'verify') throw new QueryError(`unknown audit action '${action}'; accepted: verify`);
      const report = verifyAudit(existingDir(o));
      if (o.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      } else if (report.problems.length === 0) {
        process.stdout.write(`${pc.green('ok')}: ${report.entries} audit entries in ${report.files} file(s), chains intact\n`);
      } else {
        for (const p of report.problems) process.stdout.write(`${pc.red('TAMPERED')} ${p.file}:${p.line}: ${p.problem}\n`);
        process.stdout.write(`${report.problems.length} problem(s) in ${report.entries} entries\n`);
      }
      if (report.problems.length) process.exitCode = 1;
    });
}
