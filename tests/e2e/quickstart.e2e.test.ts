import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readMetrics, readSpans, tmpDir } from '../support/harness.js';

/** The README quick start, run as written (npm run demo) in a copy of the package. */
describe('README quick start', () => {
  it('npm run demo fills ./telemetry in the working directory and says how to look at it', async () => {
    const work = tmpDir('agent-otel-e2e-');
    // a copy of the package as a user gets it (package files + installed node_modules linked)
    for (const f of ['package.json', 'tsconfig.json', 'src', 'exporters', 'semconv', 'examples']) {
      fs.cpSync(path.join(ROOT, f), path.join(work, f), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
    const env = { ...process.env };
    delete env.AGENT_OTEL_DIR;
    const out = execFileSync('npm', ['run', 'demo'], { cwd: work, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain(`telemetry written to ${path.join(work, 'telemetry')}`);
    const spans = await readSpans(path.join(work, 'telemetry'));
    expect(spans.length).toBeGreaterThan(30);
    expect((await readMetrics(path.join(work, 'telemetry'))).length).toBeGreaterThan(10);
  });
});
