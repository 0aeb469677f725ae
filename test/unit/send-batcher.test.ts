import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendBatcher, SendEntryFailedError } from '../../src/sqs/send-batcher';

/** A client whose SendMessageBatch stores entry 0 and refuses entry 1. */
function partlyFailingClient(): SQSClient {
  const send = () =>
    Promise.resolve({
      Successful: [{ Id: '0', MessageId: 'stored-0' }],
      Failed: [{ Id: '1', Code: 'InternalError', Message: 'try again', SenderFault: false }],
    });
  return { send } as unknown as SQSClient;
}

/** A client that records each batch's size and answers only when the test says so. */
function heldClient(): { sqs: SQSClient; sizes: number[]; answerAll(): void } {
  const sizes: number[] = [];
  let waiting: (() => void)[] = [];
  const send = (command: { input: { Entries: unknown[] } }) => {
    const entries = command.input.Entries;
    const batchNumber = sizes.push(entries.length);
    return new Promise((resolve) => {
      waiting.push(() => resolve({ Successful: entries.map((_, index) => ({ Id: String(index), MessageId: `m${batchNumber}-${index}` })) }));
    });
  };
  return {
    sqs: { send } as unknown as SQSClient,
    sizes,
    answerAll() {
      const answers = waiting;
      waiting = [];
      for (const answer of answers) answer();
    },
  };
}

const flushTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SendBatcher gathering', () => {
  it('sends a lone message at once, and gathers what arrives while the endpoint is busy', async () => {
    const client = heldClient();
    const batcher = new SendBatcher(client.sqs, { maxPartialInFlight: 1 });
    const message = { body: '{}', delaySeconds: 0, attributes: {} };
    const firstSent = batcher.send('q', message);
    await flushTurn();
    expect(client.sizes).toEqual([1]);
    const rest = Array.from({ length: 25 }, () => batcher.send('q', message));
    await flushTurn();
    // Full batches go at once; the partial one waits for a request to come back.
    expect(client.sizes).toEqual([1, 10, 10]);
    client.answerAll();
    await firstSent;
    await flushTurn();
    expect(client.sizes).toEqual([1, 10, 10, 5]);
    client.answerAll();
    expect(new Set(await Promise.all(rest)).size).toBe(25);
  });
});

describe('SendBatcher results per entry', () => {
  it('resolves the stored entry and rejects the refused one with its code', async () => {
    const batcher = new SendBatcher(partlyFailingClient());
    const message = { body: '{}', delaySeconds: 0, attributes: {} };
    const [stored, refused, unreported] = await Promise.allSettled([
      batcher.send('q', message),
      batcher.send('q', message),
      batcher.send('q', message),
    ]);
    expect(stored).toEqual({ status: 'fulfilled', value: 'stored-0' });
    const refusal = (refused as PromiseRejectedResult).reason as SendEntryFailedError;
    expect(refusal).toBeInstanceOf(SendEntryFailedError);
    expect(refusal).toMatchObject({ code: 'InternalError', senderFault: false });
    // Neither stored nor refused: the caller must not be told it was stored.
    expect((unreported as PromiseRejectedResult).reason).toMatchObject({ code: 'unconfirmed' });
  });

  it('close() sends what is gathered and waits for it', async () => {
    const batcher = new SendBatcher(partlyFailingClient());
    const sent = batcher.send('q', { body: '{}', delaySeconds: 0, attributes: {} });
    await batcher.close();
    await expect(sent).resolves.toBe('stored-0');
  });
});
