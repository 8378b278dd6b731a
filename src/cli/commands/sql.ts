import type { CAC } from 'cac';
import { formatRows } from '../format.js';
import { outputFormat, withSession, type CommonOptions } from '../common.js';

export function register(cli: CAC): void {
  cli.command('sql <query>', 'Run one read-only SQL query over the views: spans, metrics, llm_calls, tool_calls, agent_runs')
    .option('--json', 'Print rows as a JSON array')
    .option('--csv', 'Print rows as CSV with a header')
    .example(`agent-otel sql "SELECT model, sum(input_tokens) FROM llm_calls GROUP BY ALL"`)
    .action(async (query: string, o: CommonOptions) => {
      const format = outputFormat(o);
      const rows = await withSession(o, (s) => s.readOnlyQuery(query));
      process.stdout.write(formatRows(rows, format) + '\n');
    });
}
