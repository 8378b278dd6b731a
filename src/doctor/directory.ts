import fs from 'node:fs';
import path from 'node:path';
import { DUCKDB_FILE } from '../../semconv/schema.js';
import { DatabaseUnavailable, openDatabase } from '../query/database.js';
import { fmtBytes } from '../parse/size.js';
import { check, type Check } from './types.js';

/** Below this the agent's next files may not fit: a problem. Below the retention limit: a warning. */
const MIN_FREE = 100 * 1024 ** 2;
const MAX_LISTED = 5;

interface Entry { rel: string; mode: number; uid: number; dir: boolean }

/** The directory and everything in it (a few levels: spans/, metrics/, logs/, audit/, ...). */
function entries(dir: string): Entry[] {
  const out: Entry[] = [];
  const walk = (abs: string, rel: string, depth: number) => {
    let st: fs.Stats;
    try { st = fs.lstatSync(abs); } catch { return; }
    if (st.isSymbolicLink()) return;
    out.push({ rel: rel || '.', mode: st.mode & 0o777, uid: st.uid, dir: st.isDirectory() });
    if (!st.isDirectory() || depth > 3) return;
    let names: string[] = [];
    try { names = fs.readdirSync(abs); } catch { /* unreadable: reported by mode/owner */ }
    for (const n of names) walk(path.join(abs, n), rel ? `${rel}/${n}` : n, depth + 1);
  };
  walk(dir, '', 0);
  return out;
}

const octal = (m: number) => m.toString(8).padStart(4, '0');
const listed = (es: Entry[]) => es.slice(0, MAX_LISTED).map((e) => `${octal(e.mode)} ${e.rel}${e.dir ? '/' : ''}`)
  .concat(es.length > MAX_LISTED ? [`... and ${es.length - MAX_LISTED} more`] : []);

/** Exists, owner, modes (folders 0700, files 0600), free space, and whether telemetry.duckdb can be opened. */
export async function checkDirectory(dir: string, maxTotalBytes: number): Promise<Check[]> {
  if (!fs.existsSync(dir)) {
    return [check('dir', 'warn', `no telemetry directory at ${dir} yet: the agent creates it (0700) on its first run; set --dir (or AGENT_OTEL_DIR) if it writes elsewhere`)];
  }
  if (!fs.statSync(dir).isDirectory()) return [check('dir', 'problem', `${dir} is not a directory: the agent cannot write its telemetry there`)];
  const out: Check[] = [];
  const all = entries(dir);
  const uid = process.getuid?.();
  const foreign = uid === undefined ? [] : all.filter((e) => e.uid !== uid);
  out.push(foreign.length
    ? check('dir.owner', 'warn', `${foreign.length} entr${foreign.length === 1 ? 'y is' : 'ies are'} owned by another user (uid ${foreign[0]!.uid}): an agent running as you may not be able to write or prune them`, listed(foreign))
    : check('dir.owner', 'ok', `${dir}: ${all.length} entr${all.length === 1 ? 'y' : 'ies'}, all owned by you`));
  const writable = all.filter((e) => e.mode & 0o022);
  const readable = all.filter((e) => !(e.mode & 0o022) && e.mode & 0o044);
  // Others may search a folder (x) but not list it; still, the design is 0700/0600: nothing for anyone else.
  const loose = all.filter((e) => !(e.mode & 0o066) && e.mode & 0o011 && e.dir);
  if (writable.length) {
    out.push(check('dir.mode', 'problem', `${writable.length} entr${writable.length === 1 ? 'y is' : 'ies are'} writable by group or others: anyone could change or forge telemetry; ` +
      `chmod -R go-rwx ${dir}`, listed(writable)));
  }
  if (readable.length) {
    out.push(check('dir.mode', 'warn', `${readable.length} entr${readable.length === 1 ? 'y is' : 'ies are'} readable by group or others (telemetry may hold prompts and file paths): chmod -R go-rwx ${dir}`, listed(readable)));
  }
  if (!writable.length && !readable.length) {
    out.push(loose.length
      ? check('dir.mode', 'warn', `${loose.length} folder${loose.length === 1 ? '' : 's'} can be entered by group or others: chmod -R go-rwx ${dir}`, listed(loose))
      : check('dir.mode', 'ok', 'folders 0700 and files 0600: private to you'));
  }
  try {
    const s = fs.statfsSync(dir);
    const free = Number(s.bavail) * Number(s.bsize);
    if (free < MIN_FREE) out.push(check('dir.space', 'problem', `only ${fmtBytes(free)} free on the disk of ${dir}: the agent's next files may not fit; free space or move the directory`));
    else if (free < maxTotalBytes) out.push(check('dir.space', 'warn', `${fmtBytes(free)} free, less than the ${fmtBytes(maxTotalBytes)} the files may grow to (AGENT_OTEL_MAX_TOTAL_SIZE): lower it, or free space`));
    else out.push(check('dir.space', 'ok', `${fmtBytes(free)} free`));
  } catch (err) {
    out.push(check('dir.space', 'warn', `free space unknown: ${(err as Error).message}`));
  }
  const db = path.join(dir, DUCKDB_FILE);
  if (fs.existsSync(db)) {
    try {
      fs.accessSync(db, fs.constants.R_OK);
      const d = await openDatabase(db, true);
      d.close();
      out.push(check('dir.duckdb', 'ok', `${DUCKDB_FILE} opens read-only`));
    } catch (err) {
      if (err instanceof DatabaseUnavailable && err.held) out.push(check('dir.duckdb', 'warn', `${err.message}; queries read the JSONL files meanwhile`));
      else out.push(check('dir.duckdb', 'problem', `${DUCKDB_FILE} cannot be read (${(err as Error).message}): move it aside and run \`agent-otel ingest\` to rebuild it from the JSONL files`));
    }
  } else {
    out.push(check('dir.duckdb', 'ok', `no ${DUCKDB_FILE} (yet): queries read the JSONL files`));
  }
  return out;
}
