import { EXIT_FORCED, exitOnShutdownSignals } from '../../src/runtime/shutdown';
import { captureLogger } from '../helpers/capture-logger';

describe('exitOnShutdownSignals', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('treats a repeat within half a second as the same request, and a later one as "force"', () => {
    const { logger, lines } = captureLogger('debug');
    const exits: number[] = [];
    let stops = 0;
    const remove = exitOnShutdownSignals(
      () => {
        stops += 1;
        return new Promise<void>(() => undefined);
      },
      logger,
      (code) => exits.push(code),
    );
    try {
      process.emit('SIGINT', 'SIGINT');
      jest.advanceTimersByTime(100);
      process.emit('SIGINT', 'SIGINT');
      expect({ stops, exits }).toEqual({ stops: 1, exits: [] });
      expect(lines.map((line) => line.msg)).toContain('repeated signal ignored: the same shutdown request');
      jest.advanceTimersByTime(600);
      process.emit('SIGTERM', 'SIGTERM');
      expect(exits).toEqual([EXIT_FORCED]);
    } finally {
      remove();
    }
  });
});
