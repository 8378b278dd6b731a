// Issue 10, finding 6: size pruning by one process never deletes a file another live process still writes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSpans, runFixture, tmpDir, waitFor } from '../support/harness.js';

describe('pruning next to a live, idle writer', () => {
  it('keeps the idle agent\'s open files, deletes closed ones oldest first, warns once when only live files are left', async () => {
    const dir = tmpDir();
    // A closed file of a process long gone, older than anything else: the first to go.
    fs.mkdirSync(path.join(dir, 'spans'), { recursive: true, mode: 0o700 });
    const dead = path.join(dir, 'spans', '2020-01-01T000000Z-999999999-001.jsonl');
    fs.writeFileSync(dead, 'x'.repeat(50_000) + '\n');

    const idle = runFixture('faults-idle-writer.mjs', {}, [dir]);
    let opened: string[] = [];
    idle.child.stdout!.on('data', (d) => { opened = JSON.parse(String(d)).files; });
    await waitFor(() => opened.length > 0, 15_000, 'the idle agent to write its first run');
    // Idle for more than the minute that protects recently written files (time passed, simulated).
    const old = new Date(Date.now() - 10 * 60_000);
    for (const f of opened) fs.utimesSync(f, old, old);
    const deadOlder = new Date(Date.now() - 20 * 60_000);
    fs.utimesSync(dead, deadOlder, deadOlder);

    // Another agent in the same directory, rotating often under a total size far below what is there.
    const busy = await runFixture('writer.mjs', { AGENT_OTEL_MAX_TOTAL_SIZE: '1KB', AGENT_OTEL_DUCKDB: 'false' }, [dir, 'B', '300']);
    expect(busy.code, busy.stderr).toBe(0);
    expect(fs.existsSync(dead), 'the dead process\'s closed file is pruned').toBe(false);
    for (const f of opened) expect(fs.existsSync(f), `${path.basename(f)} of the live agent`).toBe(true);
    // Over the limit with only live files left: said once, not at every rotation.
    expect(busy.stderr.match(/over the size limit/g) ?? [], busy.stderr).toHaveLength(1);

    idle.child.kill('SIGUSR2');
    const r = await idle;
    expect(r.code, r.stderr).toBe(0);
    const runs = (await readSpans(dir)).filter((s) => s.attributes['gen_ai.agent.name'] === 'idler' && s.attributes['gen_ai.operation.name'] === 'invoke_agent');
    expect(runs.map((s) => s.attributes['agent.run.kind']).sort()).toEqual(['first', 'second']);
  });
});
