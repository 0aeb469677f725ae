import type { Message } from '@aws-sdk/client-sqs';
import { messagesToDelete } from '../../src/lambda/sqs-bridge';

const messages: Message[] = ['m1', 'm2', 'm3'].map((id) => ({ MessageId: id, ReceiptHandle: `r-${id}` }));
const ids = (deleted: Message[]) => deleted.map((message) => message.MessageId);

/** The event source mapping's rules for partial batch responses, as AWS documents them. */
describe('messagesToDelete', () => {
  it.each([
    ['no response', undefined],
    ['null', null],
    ['an empty object', {}],
    ['null batchItemFailures', { batchItemFailures: null }],
    ['an empty list', { batchItemFailures: [] }],
  ])('deletes the whole batch for %s', (_label, response) => {
    expect(ids(messagesToDelete(messages, response))).toEqual(['m1', 'm2', 'm3']);
  });

  it('keeps exactly the reported failures', () => {
    expect(ids(messagesToDelete(messages, { batchItemFailures: [{ itemIdentifier: 'm2' }] }))).toEqual(['m1', 'm3']);
  });

  it.each([
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'm9' }] }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelled key', { batchItemFailures: [{ itemId: 'm1' }] }],
    ['a list that is not a list', { batchItemFailures: 'm1' }],
    ['a string response', 'ok'],
    ['an array response', []],
  ])('treats %s as a failure of the whole batch', (_label, response) => {
    expect(messagesToDelete(messages, response)).toEqual([]);
  });
});
