import fs from 'node:fs';
import { diag } from '@opentelemetry/api';

/**
 * Creating files under the telemetry directory so that nobody else can read them or redirect them.
 * Names are predictable (time, pid, sequence), so a new file is created exclusively and without
 * following a symlink: a name planted in advance is refused, never written through.
 */
export const O_NEW_FILE = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_EXCL |
  (fs.constants.O_NOFOLLOW ?? 0);
/** For a file that must not be created here, only opened (never through a symlink). */
export const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

const warned = new Set<string>();

/**
 * Makes `dir` (and missing parents) with mode 0700. Throws when it is not a directory (a symlink is
 * refused, except for the directory the user named: `userGiven`); warns once per directory when it already exists and group or others may write to it
 * (they could swap files in it), or when it belongs to another user.
 */
export function ensurePrivateDir(dir: string, userGiven = false): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = userGiven ? fs.statSync(dir) : fs.lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (a symlink?): refusing to write through it`);
  if (warned.has(dir)) return;
  const uid = process.getuid?.();
  if ((st.mode & 0o022) !== 0 || (uid !== undefined && st.uid !== uid)) {
    warned.add(dir);
    diag.warn(`agent-otel: ${dir} is ${(st.mode & 0o022) !== 0 ? `writable by ${(st.mode & 0o020) ? 'group' : ''}` +
      `${(st.mode & 0o022) === 0o022 ? ' and ' : ''}${(st.mode & 0o002) ? 'others' : ''} (mode ${(st.mode & 0o777).toString(8)})`
      : `owned by uid ${st.uid}, not this process`}: others could replace or read telemetry files; chmod 700 it`);
  }
}

/**
 * Creates `file` for appending, exclusively, without following a symlink, mode 0600. When the name
 * exists (a planted file or link, or a clash), `next()` gives another name to try, a few times.
 * Returns the descriptor and the name used.
 */
export function createExclusive(file: string, next: () => string, tries = 5): { fd: number; file: string } {
  for (let i = 0; ; i++) {
    try {
      const fd = fs.openSync(file, O_NEW_FILE, 0o600);
      return { fd, file };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'EEXIST' && code !== 'ELOOP') || i >= tries) throw err;
      diag.warn(`agent-otel: ${file} already exists (${code === 'ELOOP' ? 'a symlink' : 'not created by this process'}): not written; using a new name`);
      file = next();
    }
  }
}

/**
 * Sets 0600 on the files and 0700 on the directories that exist among `paths` (created by another
 * library, DuckDB, with the umask); never follows a symlink.
 */
export function makePrivate(...paths: string[]): void {
  for (const p of paths) {
    try {
      const st = fs.lstatSync(p);
      if (st.isFile() && (st.mode & 0o077) !== 0) fs.chmodSync(p, 0o600);
      else if (st.isDirectory() && (st.mode & 0o077) !== 0) fs.chmodSync(p, 0o700);
    } catch { /* absent, or not ours to change */ }
  }
}
