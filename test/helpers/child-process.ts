import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { waitFor } from './wait-for';

/** The nearest folder with a package.json: the repo from test/helpers, and from the bench's dist/test/helpers. */
function projectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PROJECT_ROOT = projectRoot(__dirname);
export const FIXTURE_HANDLERS = join(PROJECT_ROOT, 'test', 'fixtures', 'handlers');

export interface RunningProcess {
  child: ChildProcess;
  /** stdout lines parsed as JSON (pino), non-JSON lines as { raw }. */
  readonly lines: Record<string, unknown>[];
  readonly stderr: string;
  /** All of stdout as text (for commands that print JSON documents). */
  readonly stdout: string;
  /** Resolves when the process exited and its output streams are fully read. */
  closed: Promise<{ code: number | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(description: string, predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Signal the whole process group, as Ctrl-C in a terminal does. */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGKILL to the whole process group; resolves once the process has exited. */
  kill(): Promise<void>;
}

/** Runs the CLI from TypeScript sources in a real child process (its own process group). */
export function spawnCli(args: string[], env: Record<string, string> = {}): RunningProcess {
  return spawnProcess(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], env);
}

const spawned = new Set<ChildProcess>();

/** Kills every child a test started and is still running; call in afterEach so none outlives its test. */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...spawned].map(killGroup));
  spawned.clear();
}

function killGroup(child: ChildProcess): Promise<void> {
  spawned.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      resolve();
    }
  });
}

export function spawnProcess(command: string, args: string[], env: Record<string, string> = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    detached: true,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.add(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let stdout = '';
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete.filter((text) => text.trim())) lines.push(parseLine(line));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  const closed = new Promise<{ code: number | null }>((resolve) => {
    child.on('close', (code) => {
      resolve({ code });
    });
  });
  return {
    child,
    lines,
    get stderr() {
      return stderr;
    },
    get stdout() {
      return stdout;
    },
    closed,
    exited,
    waitForLog: (description, predicate, timeoutMs = 20_000) =>
      Promise.race([
        waitFor(description, () => lines.find(predicate), { timeoutMs }),
        // Fail fast when the process dies, unless the line made it out before the exit.
        exited.then(() => lines.find(predicate) ?? failExited(description, stderr)),
      ]),
    signalGroup(signal) {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
    kill: () => killGroup(child),
  };
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { raw: line };
  }
}

function failExited(description: string, stderr: string): never {
  throw new Error(`process exited before ${description}; stderr: ${stderr}`);
}

export interface RunRecord {
  event: 'start' | 'end';
  id: string;
  jobId: string;
  attempt: number;
  pid: number;
  /** Epoch milliseconds when the line was written. */
  at?: number;
}

/** The lines the record-run fixture job appended. */
export function readRunLog(path: string): RunRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
}
