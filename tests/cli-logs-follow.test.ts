import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from './support/cli.js';
import { tmpDir, waitFor } from './support/harness.js';

const running: Array<ReturnType<typeof spawnCli>> = [];
afterEach(() => { for (const t of running.splice(0)) if (t.child.exitCode === null) t.child.kill('SIGKILL'); });

const row = (event: string, severity: number, component = 'planner') => JSON.stringify({
  time: new Date().toISOString().replace('Z', '000Z'), severity_text: severity >= 17 ? 'ERROR' : 'INFO', severity_number: severity,
  body: event, event_name: event, component, trace_id: null, span_id: null, attributes: {}, scope: { name: component },
  service_name: 'agent', resource: {},
}) + '\n';

describe('agent-otel logs --follow', () => {
  it('prints the records written after it started, of every file, filtered by level, and a line only once it is whole', async () => {
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
    const first = path.join(dir, 'logs', '2026-03-04T100000Z-1-001.jsonl');
    fs.writeFileSync(first, row('before.follow', 17));
    const cli = spawnCli(['logs', '--dir', dir, '--follow', '--json', '--level', 'error']);
    running.push(cli);
    await waitFor(() => cli.output().stderr.includes('Ctrl-C to stop'), 10_000, 'logs --follow to start');
    fs.appendFileSync(first, row('info.skipped', 9) + row('error.one', 17));
    const second = path.join(dir, 'logs', '2026-03-04T100500Z-2-001.jsonl');
    const torn = row('error.two', 17);
    fs.writeFileSync(second, torn.slice(0, 40)); // still being written
    const events = () => cli.output().stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).event_name);
    await waitFor(() => events().includes('error.one'), 10_000, 'error.one');
    expect(events()).toEqual(['error.one']);
    fs.appendFileSync(second, torn.slice(40));
    await waitFor(() => events().includes('error.two'), 10_000, 'error.two');
    expect(events()).toEqual(['error.one', 'error.two']);
    cli.child.kill('SIGTERM');
    expect((await cli).code).toBe(0);
  });
});
