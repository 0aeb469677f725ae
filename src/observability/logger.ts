import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** auto: pretty when stdout is a terminal, JSON lines otherwise (for log shippers). */
  format?: 'auto' | 'json' | 'pretty';
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'auto';
  const usePretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY);
  const base = {
    level: options.level ?? 'info',
    name: options.name ?? 'sqs-jobs',
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(base, options.destination);
  if (usePretty) {
    // Loaded only for a terminal: JSON-logging processes (workers, Lambda) never carry pino-pretty.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load has to be a require in CommonJS
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino(base, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(base);
}
