// Vitest global setup: every temporary directory of a test run (os.tmpdir() in the tests, the fixtures
// and the CLIs they start) goes under one directory, removed when the run ends. The suite makes ~800 of
// them (~0.5 GB), and each run used to leave them all in /tmp.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-otel-tests-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root; // the test processes are forked after this, with this environment
  return () => {
    fs.rmSync(root, { recursive: true, force: true });
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  };
}
