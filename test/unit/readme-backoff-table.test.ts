import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { job as deliverWebhook } from '../../handlers/deliver-webhook';
import { job as logMessage } from '../../handlers/log-message';
import { backoffCeilingSeconds, type BackoffPolicy, DEFAULT_BACKOFF } from '../../src/runtime/backoff';

/** The README's delay table is documentation users plan retries with: it must match the code. */
describe('README backoff table', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const table = /<!-- backoff-table:start[^>]*-->([\s\S]*?)<!-- backoff-table:end -->/.exec(readme)?.[1] ?? '';
  const rows = new Map(
    table
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| policy') && !line.startsWith('| ---'))
      .map((line) => {
        const [label = '', ...cells] = line.split('|').slice(1, -1).map((cell) => cell.trim());
        return [label.split(' ')[0] ?? '', cells.map(Number)] as const;
      }),
  );

  it.each<[string, BackoffPolicy]>([
    ['default', DEFAULT_BACKOFF],
    ['deliver-webhook', deliverWebhook.retry.backoff],
    ['log-message', logMessage.retry.backoff],
  ])('%s row matches backoffCeilingSeconds', (label, policy) => {
    const expected = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffCeilingSeconds(policy, attempt));
    expect(rows.get(label)).toEqual(expected);
  });
});
