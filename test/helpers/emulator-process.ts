import { type RunningProcess, spawnCli } from './child-process';

export interface EmulatorProcess {
  process: RunningProcess;
  endpoint: string;
  port: number;
}

/**
 * `sqs-jobs emulators --no-dynamodb` in a child process: the real SQS emulator, stoppable like a
 * real outage and restartable on the same port. It keeps queues in memory, so a restart loses them.
 */
export async function startEmulatorProcess(port = 0): Promise<EmulatorProcess> {
  const child = spawnCli(['emulators', '--no-dynamodb'], { EMBEDDED_SQS_PORT: String(port) });
  const ready = await child.waitForLog('the emulator to listen', (line) => line.msg === 'emulators listening (in memory)', 30_000);
  const endpoint = String(ready.sqs);
  return { process: child, endpoint, port: Number(new URL(endpoint).port) };
}

export async function stopEmulatorProcess(emulator: EmulatorProcess): Promise<void> {
  emulator.process.signalGroup('SIGTERM');
  await emulator.process.exited;
}
