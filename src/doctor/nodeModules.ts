import fs from 'node:fs';
import path from 'node:path';

/** The parts of a package.json doctor reads. */
export interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  engines?: { node?: string };
}

/** A package found on disk under some node_modules. */
export interface InstalledPackage {
  /** The name in its package.json (an alias such as `ai6` → `npm:ai@6` has the real name here). */
  name: string;
  version: string;
  /** Where it is, as found (may be a symlink). */
  dir: string;
  /** Its real path: two entries with the same real path are the same copy. */
  real: string;
  /** The packages whose node_modules hold it, outermost first (empty: the project's own node_modules). */
  parents: string[];
}

export function readPackageJson(dir: string): PackageJson | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as unknown;
    return pkg && typeof pkg === 'object' ? (pkg as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

const readDir = (dir: string): string[] => {
  try { return fs.readdirSync(dir); } catch { return []; }
};

const realPath = (p: string): string => {
  try { return fs.realpathSync(p); } catch { return p; }
};

/** Package directories directly under one node_modules folder (`name` and `@scope/name`). */
function packageDirs(nm: string): Array<{ spec: string; dir: string }> {
  const out: Array<{ spec: string; dir: string }> = [];
  for (const entry of readDir(nm)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const sub of readDir(path.join(nm, entry))) if (!sub.startsWith('.')) out.push({ spec: `${entry}/${sub}`, dir: path.join(nm, entry, sub) });
    } else {
      out.push({ spec: entry, dir: path.join(nm, entry) });
    }
  }
  return out;
}

/** Enough for any real tree; stops a pathological one (or a symlink loop) from taking minutes. */
const MAX_PACKAGES = 100_000;
const MAX_DEPTH = 32;

/**
 * Every package under `<project>/node_modules`, nested ones too (npm and Yarn's node_modules layout).
 * With pnpm, packages live in node_modules/.pnpm/<id>/node_modules/: each is listed once with the
 * package of its <id> as the one that pulls it in.
 */
export function walkNodeModules(project: string): InstalledPackage[] {
  const found: InstalledPackage[] = [];
  const seenFolders = new Set<string>();
  const visit = (nm: string, parents: string[], depth: number): void => {
    const realNm = realPath(nm);
    if (depth > MAX_DEPTH || seenFolders.has(realNm) || found.length >= MAX_PACKAGES) return;
    seenFolders.add(realNm);
    for (const { dir } of packageDirs(nm)) {
      const pkg = readPackageJson(dir);
      if (!pkg?.name || typeof pkg.version !== 'string') continue;
      found.push({ name: pkg.name, version: pkg.version, dir, real: realPath(dir), parents });
      visit(path.join(dir, 'node_modules'), [...parents, pkg.name], depth + 1);
    }
  };
  const root = path.join(project, 'node_modules');
  visit(root, [], 0);
  // pnpm: <id> is `name@version` (scope `/` written `+`); its folder holds the package and links to its dependencies.
  const store = path.join(root, '.pnpm');
  for (const id of readDir(store)) {
    const nm = path.join(store, id, 'node_modules');
    const owner = /^(@?[^@]+)@/.exec(id)?.[1]?.replace('+', '/');
    for (const { spec, dir } of packageDirs(nm)) {
      if (spec === owner) continue;
      const pkg = readPackageJson(dir);
      if (!pkg?.name || typeof pkg.version !== 'string') continue;
      found.push({ name: pkg.name, version: pkg.version, dir, real: realPath(dir), parents: owner ? [owner] : [] });
    }
  }
  return found;
}

/**
 * The folder Node's resolution gives `require(name)` from `fromDir`: the nearest `node_modules/<name>`
 * going up (the project's own folder included).
 */
export function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let d = path.resolve(fromDir); ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (path.basename(d) !== 'node_modules' && fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}
