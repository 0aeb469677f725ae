import type { Logger } from '../observability/logger';

export const EXIT_FORCED = 130;
/**
 * One Ctrl-C often arrives more than once: the terminal signals the whole process group, and
 * wrappers such as npm forward it to their child as well. A repeat this soon is that same press.
 */
const DUPLICATE_SIGNAL_WINDOW_MS = 500;

/**
 * First SIGINT/SIGTERM: graceful stop, then exit 0 (1 if stopping failed). A second signal (half a
 * second or more later) exits at once — messages of interrupted jobs reappear after their
 * visibility timeout, so nothing is lost.
 */
export function exitOnShutdownSignals(
  stop: () => Promise<void>,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  let stopping = false;
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping && Date.now() - firstSignalAt < DUPLICATE_SIGNAL_WINDOW_MS) {
      logger.debug({ signal }, 'repeated signal ignored: the same shutdown request');
      return;
    }
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(EXIT_FORCED);
      return;
    }
    stopping = true;
    firstSignalAt = Date.now();
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
