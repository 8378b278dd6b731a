// Imported first by every entry point: fails the import with what to do on a Node.js older than 22.15.
import { nodeVersionProblem } from './nodeVersion.js';

const problem = nodeVersionProblem();
if (problem) throw new Error(problem);
