import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { type RunningProcess, spawnCli, spawnProcess } from './child';

export interface Endpoints {
  sqs: string;
  dynamodb: string;
  /** The emulator processes the bench started (none for SQS_ENDPOINT + DYNAMODB_ENDPOINT). */
  children: RunningProcess[];
}

/**
 * SQS_ENDPOINT and DYNAMODB_ENDPOINT when both are set (e.g. ElasticMQ and DynamoDB Local);
 * otherwise `sqs-jobs emulators` processes: one for SQS and one for DynamoDB, as on AWS they are
 * separate services, and neither shares an event loop with what is measured.
 */
export async function startEndpoints(): Promise<Endpoints> {
  const { SQS_ENDPOINT: sqs, DYNAMODB_ENDPOINT: dynamodb } = process.env;
  if (sqs && dynamodb) return { sqs, dynamodb, children: [] };
  const isReady = (line: Record<string, unknown>) => line.msg === 'emulators listening (in memory)';
  const sqsChild = spawnCli(['emulators', '--no-dynamodb'], { EMBEDDED_SQS_PORT: '0', LOG_LEVEL: 'info' });
  // This one's own SQS emulator stays idle: `emulators` has no DynamoDB-only switch.
  const dynamoChild = spawnCli(['emulators'], { EMBEDDED_SQS_PORT: '0', EMBEDDED_DYNAMODB_PORT: '0', LOG_LEVEL: 'info' });
  const [sqsReady, dynamoReady] = await Promise.all([
    sqsChild.waitForLog('the SQS emulator to listen', isReady, 60_000),
    dynamoChild.waitForLog('the DynamoDB emulator to listen', isReady, 60_000),
  ]);
  return { sqs: String(sqsReady.sqs), dynamodb: String(dynamoReady.dynamodb), children: [sqsChild, dynamoChild] };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export type Redis = { port: number; stop(): Promise<void> } | { skipped: string };

const REDIS_PORT = 6379;
const BENCH_REDIS_PORT = 6390;

/**
 * A Redis on loopback for the BullMQ baseline: the one on 6379 if it answers; otherwise
 * redis-server from Debian's packages (installed with apt-get when missing), started here without
 * persistence and stopped by `stop()`.
 */
export async function ensureRedis(log: (text: string) => void): Promise<Redis> {
  if (await portOpen(REDIS_PORT)) return { port: REDIS_PORT, stop: () => Promise.resolve() };
  if (!hasCommand('redis-server')) {
    log('redis-server not found; installing Debian package redis-server (apt-get)…');
    try {
      execFileSync('sh', ['-c', 'apt-get install -y redis-server || (apt-get update && apt-get install -y redis-server)'], { stdio: 'ignore' });
    } catch {
      return { skipped: 'redis-server is not installed and apt-get could not install it' };
    }
  }
  const server = spawnProcess('redis-server', ['--port', String(BENCH_REDIS_PORT), '--save', '', '--appendonly', 'no'], {});
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(BENCH_REDIS_PORT))) {
    if (Date.now() > deadline) {
      await server.kill();
      return { skipped: `redis-server did not listen on ${BENCH_REDIS_PORT}` };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port: BENCH_REDIS_PORT, stop: () => server.kill() };
}
