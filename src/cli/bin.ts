#!/usr/bin/env node
import module from 'node:module';
import { nodeVersionProblem } from '../nodeVersion.js';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  // Node keeps the compiled modules on disk (os.tmpdir()/node-compile-cache, as npm does): every command
  // after the first loads the CLI, DuckDB's bindings and the views ~50 ms sooner (bench/README "Round 7").
  module.enableCompileCache?.();
  const { main } = await import('./main.js');
  await main();
}
