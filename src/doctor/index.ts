import fs from 'node:fs';
import path from 'node:path';
import { QueryError } from '../query/session.js';
import { checkApiCopies, type ApiCopy } from './apiCopies.js';
import { checkContent, resolveEnvConfig } from './content.js';
import { checkDirectory } from './directory.js';
import { checkInstrumentations, genAiPackages, type GenAiPackage } from './instrumentations.js';
import { checkNode } from './nodeCheck.js';
import { readPackageJson, walkNodeModules } from './nodeModules.js';
import { checkApiAtRuntime } from './runtimeApi.js';
import { countSpans, type ScopeCount } from './spanCounts.js';
import { check, type Check } from './types.js';

export interface DoctorOptions {
  /** The project (its package.json and node_modules). */
  project: string;
  /** The telemetry directory. */
  dir: string;
  /** Also load agent-otel and every API copy in a child process (default true). */
  runtime?: boolean;
}

export interface DoctorReport {
  project: string;
  dir: string;
  checks: Check[];
  apiCopies: ApiCopy[];
  packages: GenAiPackage[];
  spans: ScopeCount[];
  ok: boolean;
}

/** Every check, in the order a user fixes things: the API, Node, config, instrumentations, content, the directory. */
export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const project = path.resolve(o.project);
  const dir = path.resolve(o.dir);
  if (!fs.existsSync(project) || !fs.statSync(project).isDirectory()) throw new QueryError(`--project: no directory at ${project}`);
  const pkg = readPackageJson(project);
  const checks: Check[] = [];
  if (!pkg) checks.push(check('project', 'warn', `no package.json in ${project}: is this the project's folder? (--project <path>)`));

  const api = checkApiCopies(project, walkNodeModules(project));
  checks.push(...api.checks);
  if (o.runtime !== false) {
    const rt = await checkApiAtRuntime(project, api.agentOtelDir, api.copies);
    if (rt) checks.push(rt);
  }
  checks.push(...checkNode(pkg));
  const { config, checks: configChecks } = resolveEnvConfig();
  checks.push(...configChecks);

  const packages = genAiPackages(project);
  let spans: ScopeCount[] = [];
  let counts: Awaited<ReturnType<typeof countSpans>>;
  try {
    counts = await countSpans(dir);
    spans = counts?.rows ?? [];
  } catch (err) {
    checks.push(check('dir.spans', 'problem', `the spans in ${dir} cannot be read: ${(err as Error).message}`));
  }
  checks.push(...checkInstrumentations(packages, counts, dir));
  checks.push(...checkContent(packages, config, dir));
  checks.push(...await checkDirectory(dir, config?.maxTotalBytes ?? 1024 ** 3));
  return { project, dir, checks, apiCopies: api.copies, packages, spans, ok: !checks.some((c) => c.status === 'problem') };
}

export type { Check, CheckStatus } from './types.js';
