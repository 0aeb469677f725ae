import { join } from 'node:path';
import { PROJECT_ROOT, type RunningProcess, spawnProcess } from '../../test/helpers/child-process';

/** Child processes as the tests run them (own process group, stdout read as JSON lines). */
export { killAllSpawned, PROJECT_ROOT, type RunningProcess, spawnProcess } from '../../test/helpers/child-process';

/** The bench runs compiled, like production does. */
export const DIST = join(PROJECT_ROOT, 'dist');

export function spawnNode(script: string, args: string[], env: Record<string, string>): RunningProcess {
  return spawnProcess(process.execPath, [script, ...args], env);
}

/** The CLI as users run it in production: compiled, from dist/. */
export function spawnCli(args: string[], env: Record<string, string>): RunningProcess {
  return spawnNode(join(DIST, 'src', 'cli', 'main.js'), args, env);
}
