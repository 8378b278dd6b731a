/**
 * The compatibility rule of @opentelemetry/api, as its src/internal/semver.ts implements it (1.9 and 1.10
 * alike): a copy of version `own` reads the globals registered by a copy of version `global` when
 * - the two are equal (a prerelease `own` accepts only that), or, both being plain x.y.z,
 * - the majors are equal and own minor <= global minor (a newer API may call what an older global lacks);
 * - for major 0, the minor must be equal and own patch <= global patch.
 * Patch differences do not matter otherwise. Anything that is not x.y.z[-pre] is refused.
 */
const RE = /^(\d+)\.(\d+)\.(\d+)(-(.+))?$/;

export function canReadGlobal(own: string, global: string): boolean {
  const o = RE.exec(own);
  if (!o) return false;
  if (o[4] !== undefined) return global === own;
  if (global === own) return true;
  const g = RE.exec(global);
  if (!g || g[4] !== undefined) return false;
  const [om, on, op] = [+o[1]!, +o[2]!, +o[3]!];
  const [gm, gn, gp] = [+g[1]!, +g[2]!, +g[3]!];
  if (om !== gm) return false;
  if (om === 0) return on === gn && op <= gp;
  return on <= gn;
}

/** `1.10.0` → [1, 10, 0]; undefined when not a version. */
export function parseVersion(v: string): [number, number, number] | undefined {
  const m = RE.exec(v);
  return m ? [+m[1]!, +m[2]!, +m[3]!] : undefined;
}

/** a < b by major, minor, patch (prerelease tags ignored). */
export function versionBelow(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return false;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}
