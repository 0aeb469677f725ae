import type { Logger } from '../observability/logger';

export const EXIT_FORCED = 130;

/**
 * First SIGINT/SIGTERM: graceful stop, then exit 0 (1 if stopping failed). A second signal exits
 * at once — messages of interrupted jobs reappear after their visibility timeout, so nothing is lost.
 */
export function exitOnShutdownSignals(
  stop: () => Promise<void>,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(EXIT_FORCED);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down (send the signal again to force)');
    stop().then(
      () => {
        exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
