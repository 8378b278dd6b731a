import { MIN_NODE, nodeVersionProblem } from '../nodeVersion.js';
import type { PackageJson } from './nodeModules.js';
import { check, type Check } from './types.js';

/** The lowest version a simple `engines.node` range allows (`>=20`, `^20 || ^22`, `22.x`): its smallest version number. */
function lowestAllowed(range: string): [number, number] | undefined {
  const versions = [...range.matchAll(/(\d+)(?:\.(\d+|x|X|\*))?(?:\.(?:\d+|x|X|\*))?/g)].map((m) => [Number(m[1]), Number.isNaN(Number(m[2])) ? 0 : Number(m[2] ?? 0)] as [number, number]);
  if (/</.test(range) && !/>/.test(range)) return [0, 0];
  return versions.sort((a, b) => a[0] - b[0] || a[1] - b[1])[0];
}

/** This Node (the one running doctor, and so the one `npx` gives the app) and what the project's engines allow. */
export function checkNode(pkg: PackageJson | undefined, version = process.versions.node): Check[] {
  const out: Check[] = [];
  const problem = nodeVersionProblem(version);
  out.push(problem ? check('node', 'problem', problem) : check('node', 'ok', `Node.js ${version} (agent-otel needs >= ${MIN_NODE.join('.')})`));
  const range = pkg?.engines?.node;
  const low = range ? lowestAllowed(range) : undefined;
  if (range && low && (low[0] < MIN_NODE[0] || (low[0] === MIN_NODE[0] && low[1] < MIN_NODE[1]))) {
    out.push(check('node.engines', 'warn', `package.json engines.node is '${range}', which allows Node.js older than ${MIN_NODE.join('.')}, where agent-otel does not start: raise it to >=${MIN_NODE.join('.')}`));
  }
  return out;
}
