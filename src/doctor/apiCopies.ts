import path from 'node:path';
import { canReadGlobal, versionBelow } from './apiSemver.js';
import { readPackageJson, resolvePackageDir, type InstalledPackage } from './nodeModules.js';
import { check, type Check } from './types.js';

export const API = '@opentelemetry/api';
/** The oldest API the 3.x SDK line (and so agent-otel) works with. */
export const MIN_API = '1.10.0';

/** One copy of @opentelemetry/api on disk and the packages that get it from require(). */
export interface ApiCopy {
  version: string;
  /** Relative to the project. */
  path: string;
  real: string;
  /** Who pulls it in: `a > b` chains of the packages whose node_modules hold it; `the app` for the project's own node_modules. */
  pulledInBy: string[];
  /** The app's copy (what the project resolves). */
  root: boolean;
  /** The copy agent-otel registers the global providers through. */
  registrar: boolean;
  /** By the API's own rule: does this copy see what the registrar registered? */
  seesProviders?: boolean;
}

export interface ApiFindings { copies: ApiCopy[]; checks: Check[]; agentOtelDir?: string }

/** Where agent-otel is for this project: installed in node_modules, or the project is agent-otel itself. */
export function findAgentOtel(project: string): string | undefined {
  if (readPackageJson(project)?.name === 'agent-otel') return project;
  return resolvePackageDir('agent-otel', project);
}

/** Every copy of @opentelemetry/api, who pulls it in, and whether each sees the providers agent-otel registers. */
export function checkApiCopies(project: string, packages: InstalledPackage[]): ApiFindings {
  const byReal = new Map<string, ApiCopy>();
  for (const p of packages) {
    if (p.name !== API) continue;
    const copy = byReal.get(p.real) ?? { version: p.version, path: path.relative(project, p.dir) || '.', real: p.real, pulledInBy: [], root: false, registrar: false };
    const by = p.parents.length ? p.parents.join(' > ') : 'the app';
    if (!copy.pulledInBy.includes(by)) copy.pulledInBy.push(by);
    byReal.set(p.real, copy);
  }
  const rootDir = resolvePackageDir(API, project);
  const agentOtelDir = findAgentOtel(project);
  const registrarDir = agentOtelDir ? resolvePackageDir(API, agentOtelDir) : rootDir;
  const real = (dir: string | undefined) => (dir ? packages.find((p) => p.dir === dir)?.real ?? dir : undefined);
  const addOutside = (dir: string | undefined) => {
    // A copy above the project (a monorepo's hoisted node_modules) is not under <project>/node_modules.
    if (!dir || byReal.has(real(dir)!)) return;
    const v = readPackageJson(dir)?.version;
    if (v) byReal.set(real(dir)!, { version: v, path: path.relative(project, dir), real: real(dir)!, pulledInBy: ['the app'], root: false, registrar: false });
  };
  addOutside(rootDir);
  addOutside(registrarDir);
  const copies = [...byReal.values()];
  const root = copies.find((c) => c.real === real(rootDir));
  const registrar = copies.find((c) => c.real === real(registrarDir));
  if (root) root.root = true;
  if (registrar) registrar.registrar = true;
  for (const c of copies) if (registrar) c.seesProviders = canReadGlobal(c.version, registrar.version);
  copies.sort((a, b) => Number(b.root) - Number(a.root) || a.path.localeCompare(b.path));

  const checks: Check[] = [];
  const details = copies.map((c) => `${c.version.padEnd(8)} ${c.path}  ← ${c.pulledInBy.join(', ')}` +
    `${c.root ? ' (the copy the app resolves)' : ''}${c.registrar ? ' (agent-otel registers through it)' : ''}` +
    `${c.seesProviders === false ? ' — cannot see the providers' : ''}`);
  const fixRoot = `npm install ${API}@^1.10 (agent-otel's peer dependency: the app's one copy)`;
  if (!root) {
    checks.push(check('api.root', 'problem', `no ${API} in ${project}: ${fixRoot}`, details));
    return { copies, checks, agentOtelDir };
  }
  if (versionBelow(root.version, MIN_API)) {
    checks.push(check('api.root', 'problem', `${API} ${root.version} is the app's copy; agent-otel needs >= ${MIN_API}: ${fixRoot}`, details));
  } else {
    checks.push(check('api.root', 'ok', `${API} ${root.version} is the app's copy (${copies.length} cop${copies.length === 1 ? 'y' : 'ies'} in all)`, details));
  }
  if (!agentOtelDir) {
    checks.push(check('api.agent-otel', 'warn', `agent-otel is not installed in ${project}: npm install agent-otel (the checks below assume it would use the app's copy)`));
  } else if (registrar && registrar !== root) {
    checks.push(check('api.agent-otel', 'problem', `agent-otel registers its providers through its own copy of ${API} ${registrar.version} (${registrar.path}), not the app's ${root.version}` +
      `${root.seesProviders ? '' : ': the app\'s spans are no-ops'}; remove the nested copy (npm dedupe, or reinstall agent-otel >= 0.2, where the API is a peer dependency)`));
  }
  if (!registrar) return { copies, checks, agentOtelDir };
  const others = copies.filter((c) => c !== registrar && c.version !== registrar.version);
  const blind = others.filter((c) => !c.seesProviders);
  const older = others.filter((c) => c.seesProviders);
  const who = (cs: ApiCopy[]) => [...new Set(cs.flatMap((c) => c.pulledInBy))].join(', ');
  const versions = (cs: ApiCopy[]) => [...new Set(cs.map((c) => c.version))].join(', ');
  if (blind.length) {
    checks.push(check('api.incompatible', 'problem', `${who(blind)} use${blind.length === 1 && blind[0]!.pulledInBy.length === 1 ? 's' : ''} ${API} ${versions(blind)}, ` +
      `which cannot see the providers registered through ${registrar.version} (a copy only reads a global of the same major and an equal or higher minor): their spans are no-ops. ` +
      (registrar === root ? `Upgrade the app's ${API} to the highest of these (npm install ${API}@^${highest(blind)}) so that one copy serves all` : 'Remove agent-otel\'s nested copy (above)')));
  }
  if (older.length) {
    checks.push(check('api.older', 'warn', `${who(older)} nest${older.length === 1 ? 's' : ''} an older ${API} (${versions(older)}): it still sees the providers registered through ${registrar.version} ` +
      `(same major, lower minor), but each copy is loaded separately; npm dedupe merges them when their ranges allow`));
  }
  if (!blind.length && !older.length && copies.length === 1) checks.push(check('api.copies', 'ok', `one copy of ${API}: every instrumentation shares agent-otel's providers`));
  return { copies, checks, agentOtelDir };
}

function highest(cs: ApiCopy[]): string {
  return cs.map((c) => c.version).reduce((a, b) => (versionBelow(a, b) ? b : a));
}
