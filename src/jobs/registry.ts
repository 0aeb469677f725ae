import { readdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { JobDefinitionError, UnknownJobError } from '../errors';
import { BUILTIN_JOBS } from './builtin/ping';
import type { AnyJob } from './define-job';

const MODULE_EXTENSIONS = new Set(['.ts', '.js', '.cjs']);

export class JobRegistry {
  private readonly byName: ReadonlyMap<string, AnyJob>;

  constructor(jobs: readonly AnyJob[]) {
    const byName = new Map<string, AnyJob>();
    for (const job of jobs) {
      if (byName.has(job.name)) throw new JobDefinitionError(`duplicate job name '${job.name}'`);
      byName.set(job.name, job);
    }
    this.byName = byName;
  }

  get jobs(): AnyJob[] {
    return [...this.byName.values()];
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  find(name: string): AnyJob | undefined {
    return this.byName.get(name);
  }

  get(name: string): AnyJob {
    const job = this.byName.get(name);
    if (!job) throw new UnknownJobError(name, this.names);
    return job;
  }

  /** The subset named in a comma-separated list (e.g. WORKER_JOBS); all jobs when empty. */
  select(names: string | undefined): AnyJob[] {
    const wanted = (names ?? '').split(',').map((name) => name.trim()).filter(Boolean);
    return wanted.length === 0 ? this.jobs : wanted.map((name) => this.get(name));
  }
}

/**
 * Loads every job module in `directory`: each file `<name>.ts` must export `job`, the result of
 * defineJob, whose name equals the file name, so a job is always found where its name says.
 * The built-in jobs (`ping`) come first; a handler file with a built-in's name is a duplicate.
 */
export function loadRegistry(directory: string): JobRegistry {
  const absolute = resolve(directory);
  let files: string[];
  try {
    files = readdirSync(absolute);
  } catch (error) {
    throw new JobDefinitionError(`cannot read handlers directory ${absolute}: ${(error as Error).message}`);
  }
  const jobs: AnyJob[] = [...BUILTIN_JOBS];
  for (const file of files.sort()) {
    const extension = extname(file);
    const name = basename(file, extension);
    if (!MODULE_EXTENSIONS.has(extension) || file.endsWith('.d.ts')) continue;
    jobs.push(loadJobModule(join(absolute, file), name));
  }
  return new JobRegistry(jobs);
}

function loadJobModule(path: string, expectedName: string): AnyJob {
  // require (not import()) so the same code loads .ts under tsx and jest, and .js from dist/.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path) as { job?: unknown };
  const job = loaded.job;
  if (!isJob(job)) {
    throw new JobDefinitionError(`${path} must export \`job\` created with defineJob()`);
  }
  if (job.name !== expectedName) {
    throw new JobDefinitionError(`${path} defines job '${job.name}'; rename the file or the job so they match`);
  }
  return job;
}

function isJob(value: unknown): value is AnyJob {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AnyJob>;
  return typeof candidate.name === 'string' && typeof candidate.handler === 'function' && candidate.retry !== undefined;
}
