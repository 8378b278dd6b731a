import fs from 'node:fs';
import type { CAC } from 'cac';
import pc from 'picocolors';
import { auditKeyFromEnv } from '../../governance/config.js';
import { verifyAudit } from '../../governance/auditVerify.js';
import { QueryError } from '../../query/session.js';
import { existingDir } from '../dir.js';
import type { CommonOptions } from '../common.js';

export function register(cli: CAC): void {
  cli.command('audit <action>', 'Check the audit trail: `audit verify` finds edited, removed, reordered or cut-off entries and deleted files')
    .option('--json', 'Print the report as JSON')
    .option('--key-file <path>', 'File holding the audit key (HMAC chain); default: env AGENT_OTEL_AUDIT_KEY')
    .example('agent-otel audit verify')
    .example('AGENT_OTEL_AUDIT_KEY=… agent-otel audit verify')
    .action(async (action: string, o: CommonOptions & { keyFile?: string }) => {
      if (action !== 'verify') throw new QueryError(`unknown audit action '${action}'; accepted: verify`);
      let key: string | Buffer | undefined = auditKeyFromEnv();
      if (o.keyFile) {
        try {
          key = fs.readFileSync(o.keyFile, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          throw new QueryError(`cannot read the key file ${o.keyFile}: ${(err as Error).message}`);
        }
        if (!key) throw new QueryError(`the key file ${o.keyFile} is empty`);
      }
      const report = verifyAudit(existingDir(o), { key });
      if (o.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      } else {
        for (const p of report.problems) process.stdout.write(`${pc.red('TAMPERED')} ${p.file}:${p.line}: ${p.problem}\n`);
        for (const n of report.notes) process.stdout.write(`${pc.yellow('note')} ${n.file}:${n.line}: ${n.problem}\n`);
        if (report.problems.length === 0) {
          process.stdout.write(`${pc.green('ok')}: ${report.entries} audit entries in ${report.files} file(s), chains intact${key === undefined ? '' : ' (HMAC checked with the key)'}\n`);
        } else {
          process.stdout.write(`${report.problems.length} problem(s) in ${report.entries} entries\n`);
        }
      }
      if (report.problems.length) process.exitCode = 1;
    });
}
