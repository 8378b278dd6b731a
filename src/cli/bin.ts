#!/usr/bin/env node
import { nodeVersionProblem } from '../nodeVersion.js';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  const { main } = await import('./main.js');
  await main();
}
