import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** dist/bench/lib → the project root; the bench runs compiled, like production does. */
export const PROJECT_ROOT = join(__dirname, '..', '..', '..');
export const DIST = join(PROJECT_ROOT, 'dist');

export type Line = Record<string, unknown>;

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Resolves with the first stdout JSON line that matches; rejects if the process exits first. */
  waitFor(description: string, predicate: (line: Line) => boolean, timeoutMs?: number): Promise<Line>;
  /** Every JSON line seen so far. */
  lines: Line[];
  kill(): Promise<void>;
}

const running = new Set<Child>();

/** Spawns a Node.js script in its own process group, reading its stdout as JSON lines (pino or bench subjects). */
export function spawnNode(script: string, args: string[], env: Record<string, string>): Child {
  return spawnCommand(process.execPath, [script, ...args], env);
}

export function spawnCommand(command: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    detached: true,
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let pending = '';
  let exited = false;
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        continue;
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      for (const wake of waiters) wake();
      resolve();
    }),
  );
  const handle: Child = {
    process: child,
    pid: child.pid ?? -1,
    lines,
    waitFor(description, predicate, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs);
        const check = () => {
          const found = lines.find(predicate);
          if (found) finish(undefined, found);
          else if (exited) finish(new Error(`${command} exited before ${description}; stderr: ${stderr}`));
        };
        function finish(error: Error | undefined, line?: Line): void {
          clearTimeout(timer);
          waiters.delete(check);
          if (line) resolve(line);
          else reject(error ?? new Error(description));
        }
        waiters.add(check);
        check();
      });
    },
    async kill() {
      running.delete(handle);
      if (!exited && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          return;
        }
        await exit;
      }
    },
  };
  running.add(handle);
  return handle;
}

/** The CLI as users run it in production: compiled, from dist/. */
export function spawnCli(args: string[], env: Record<string, string>): Child {
  return spawnNode(join(DIST, 'src', 'cli', 'main.js'), args, env);
}

/** Kills whatever is still running (on exit, on Ctrl-C, after a failure). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}
