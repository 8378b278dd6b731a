#!/usr/bin/env node
import module from 'node:module';
import { nodeVersionProblem } from '../nodeVersion.js';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  // Node keeps the compiled JavaScript of the CLI and its dependencies on disk (os.tmpdir()/node-compile-cache,
  // as npm does): every command after the first starts ~20–50 ms sooner (bench/README "Round 7").
  module.enableCompileCache?.();
  const { main } = await import('./main.js');
  await main();
}
