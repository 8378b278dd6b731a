import { execFileSync } from 'node:child_process';

/** The repository a run's code came from (OTel VCS attribute names). */
export interface GitInfo {
  'vcs.ref.head.revision': string;
  'vcs.ref.head.name'?: string;
  'vcs.repository.url.full'?: string;
  /** True when the work tree has uncommitted changes. */
  'vcs.ref.head.dirty'?: boolean;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Strips credentials from a remote URL (`https://user:token@host/...`). */
export const safeUrl = (url: string): string => url.replace(/\/\/[^@/]+@/, '//');

/** Commit, branch and remote of the repository at `cwd`, once at startup; undefined outside a repo. */
export function detectGit(cwd = process.cwd()): GitInfo | undefined {
  const revision = git(cwd, ['rev-parse', 'HEAD']);
  if (!revision) return undefined;
  const info: GitInfo = { 'vcs.ref.head.revision': revision };
  const branch = git(cwd, ['rev-parse', '--abbrev-ref', 'HEAD']);
  if (branch && branch !== 'HEAD') info['vcs.ref.head.name'] = branch;
  const url = git(cwd, ['config', '--get', 'remote.origin.url']);
  if (url) info['vcs.repository.url.full'] = safeUrl(url);
  info['vcs.ref.head.dirty'] = Boolean(git(cwd, ['status', '--porcelain', '--untracked-files=no']));
  return info;
}
