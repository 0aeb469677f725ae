import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { JobQueues } from '../../src/queues/provisioning';
import { isNativeMoveUnsupported } from '../../src/ops/redrive-native';
import { type RedriveProgress, redriveJob, requiresClientSide } from '../../src/ops/redrive';

const queues: JobQueues = {
  jobName: 'log-message',
  queue: { name: 'log-message', url: 'http://sqs/q/log-message', arn: 'arn:aws:sqs:us-east-1:000000000000:log-message' },
  dlq: { name: 'log-message-dlq', url: 'http://sqs/q/log-message-dlq', arn: 'arn:aws:sqs:us-east-1:000000000000:log-message-dlq' },
};

type Handler = (command: object) => unknown;

/** An SQSClient whose `send` answers from `handler`; every command is recorded. */
function mockSqs(handler: Handler): { sqs: SQSClient; sent: object[] } {
  const sent: object[] = [];
  const send = jest.fn((command: object) => {
    sent.push(command);
    try {
      return Promise.resolve(handler(command));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
  return { sqs: { send } as unknown as SQSClient, sent };
}

function depths(command: object): unknown {
  if (command instanceof GetQueueAttributesCommand) {
    return { Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0' } };
  }
  return undefined;
}

function sdkError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

describe('redriveJob: native message move', () => {
  it('uses StartMessageMoveTask, reports progress from ListMessageMoveTasks and returns the native summary', async () => {
    const tasks: ListMessageMoveTasksResultEntry[] = [
      { TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 },
      { TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 2, ApproximateNumberOfMessagesToMove: 3 },
      { Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 },
    ];
    const { sqs, sent } = mockSqs((command) => {
      if (command instanceof StartMessageMoveTaskCommand) return { TaskHandle: 'task-1' };
      if (command instanceof ListMessageMoveTasksCommand) return { Results: [tasks.shift()] };
      return depths(command);
    });
    const progress: RedriveProgress[] = [];

    const summary = await redriveJob(sqs, queues, { maxPerSecond: 50, pollIntervalMs: 0, onProgress: (entry) => progress.push(entry) });

    expect(summary).toEqual({ job: 'log-message', mode: 'native', moved: 3, matched: 3, skipped: 0, failed: 0, dryRun: false, interrupted: false });
    const start = sent.find((command) => command instanceof StartMessageMoveTaskCommand);
    expect(start?.input).toEqual({ SourceArn: queues.dlq.arn, DestinationArn: queues.queue.arn, MaxNumberOfMessagesPerSecond: 50 });
    expect(progress.map((entry) => [entry.mode, entry.moved, entry.total])).toEqual([
      ['native', 1, 3],
      ['native', 2, 3],
      ['native', 3, 3],
    ]);
    expect(sent.some((command) => command instanceof ReceiveMessageCommand)).toBe(false);
  });

  it('cancels the task when the signal aborts and reports the run as interrupted', async () => {
    const stop = new AbortController();
    let status: 'RUNNING' | 'CANCELLED' = 'RUNNING';
    const { sqs, sent } = mockSqs((command) => {
      if (command instanceof StartMessageMoveTaskCommand) return { TaskHandle: 'task-2' };
      if (command instanceof CancelMessageMoveTaskCommand) {
        status = 'CANCELLED';
        return { ApproximateNumberOfMessagesMoved: 1 };
      }
      if (command instanceof ListMessageMoveTasksCommand) {
        return { Results: [{ TaskHandle: 'task-2', Status: status, ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 }] };
      }
      return depths(command);
    });

    const summary = await redriveJob(sqs, queues, {
      pollIntervalMs: 1,
      signal: stop.signal,
      onProgress: () => {
        stop.abort();
      },
    });

    expect(summary).toMatchObject({ mode: 'native', moved: 1, interrupted: true });
    const cancel = sent.find((command) => command instanceof CancelMessageMoveTaskCommand);
    expect(cancel?.input).toEqual({ TaskHandle: 'task-2' });
  });

  it('fails with the task\'s reason when the move task fails', async () => {
    const { sqs } = mockSqs((command) => {
      if (command instanceof StartMessageMoveTaskCommand) return { TaskHandle: 'task-3' };
      if (command instanceof ListMessageMoveTasksCommand) return { Results: [{ Status: 'FAILED', FailureReason: 'AccessDenied' }] };
      return depths(command);
    });
    await expect(redriveJob(sqs, queues, { pollIntervalMs: 0 })).rejects.toThrow(/failed: AccessDenied/);
  });
});

describe('redriveJob: fallback to the client-side move', () => {
  const deadMessage: Message = {
    MessageId: 'dlq-1',
    ReceiptHandle: 'rh-1',
    Body: '{"text":"hi"}',
    MessageAttributes: {
      'job-id': { DataType: 'String', StringValue: 'job-1' },
      'trace-id': { DataType: 'String', StringValue: 'req-9' },
      'error-code': { DataType: 'String', StringValue: 'timeout' },
      attempts: { DataType: 'Number', StringValue: '3' },
    },
  };

  it('falls back when StartMessageMoveTask is rejected with InvalidAction, and the copy is rewritten', async () => {
    let receives = 0;
    const { sqs, sent } = mockSqs((command) => {
      if (command instanceof StartMessageMoveTaskCommand) throw sdkError('InvalidAction', 'Unknown action: StartMessageMoveTask');
      if (command instanceof ReceiveMessageCommand) return { Messages: (receives += 1) === 1 ? [deadMessage] : [] };
      if (command instanceof SendMessageBatchCommand) return { Successful: [{ Id: '0' }], Failed: [] };
      if (command instanceof DeleteMessageBatchCommand) return { Successful: [{ Id: '0' }], Failed: [] };
      return depths(command);
    });
    const fallbacks: string[] = [];

    const summary = await redriveJob(sqs, queues, { waitTimeSeconds: 0, onFallback: (reason) => fallbacks.push(reason) });

    expect(fallbacks).toEqual(['InvalidAction']);
    expect(summary).toMatchObject({ mode: 'client-side', moved: 1, matched: 1, failed: 0, interrupted: false });
    const send = sent.find((command) => command instanceof SendMessageBatchCommand);
    const attributes = send?.input.Entries?.[0]?.MessageAttributes ?? {};
    expect(Object.keys(attributes).sort()).toEqual(['job-id', 'redrive-count', 'redriven-at', 'trace-id']);
    expect(attributes['redrive-count']).toEqual({ DataType: 'Number', StringValue: '1' });
    // The delete comes only after the send.
    expect(sent.findIndex((command) => command instanceof DeleteMessageBatchCommand)).toBeGreaterThan(sent.indexOf(send as object));
  });

  it('does not delete a message whose send failed, and releases it', async () => {
    let receives = 0;
    const { sqs, sent } = mockSqs((command) => {
      if (command instanceof ReceiveMessageCommand) return { Messages: (receives += 1) === 1 ? [deadMessage] : [] };
      if (command instanceof SendMessageBatchCommand) return { Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] };
      if (command instanceof ChangeMessageVisibilityBatchCommand) return { Successful: [{ Id: '0' }] };
      return depths(command);
    });

    const summary = await redriveJob(sqs, queues, { clientSide: true, waitTimeSeconds: 0 });

    expect(summary).toMatchObject({ mode: 'client-side', moved: 0, failed: 1 });
    expect(sent.some((command) => command instanceof DeleteMessageBatchCommand)).toBe(false);
    expect(sent.some((command) => command instanceof StartMessageMoveTaskCommand)).toBe(false);
    const release = sent.find((command) => command instanceof ChangeMessageVisibilityBatchCommand);
    expect(release?.input.Entries).toEqual([{ Id: '0', ReceiptHandle: 'rh-1', VisibilityTimeout: 0 }]);
  });

  it('does not fall back on other errors', async () => {
    const { sqs } = mockSqs((command) => {
      if (command instanceof StartMessageMoveTaskCommand) throw sdkError('AccessDenied', 'not authorized');
      return depths(command);
    });
    await expect(redriveJob(sqs, queues)).rejects.toThrow('not authorized');
  });

  it('recognises unsupported-operation errors by name or text, and client-side-only options', () => {
    expect(isNativeMoveUnsupported(sdkError('InvalidAction'))).toBe(true);
    expect(isNativeMoveUnsupported(sdkError('AWS.SimpleQueueService.UnsupportedOperation'))).toBe(true);
    expect(isNativeMoveUnsupported(sdkError('UnknownOperationException'))).toBe(true);
    expect(isNativeMoveUnsupported(sdkError('Error', 'The action StartMessageMoveTask is not supported'))).toBe(true);
    expect(isNativeMoveUnsupported(sdkError('QueueDoesNotExist'))).toBe(false);
    expect(isNativeMoveUnsupported(undefined)).toBe(false);
    expect(requiresClientSide({})).toBe(false);
    expect(requiresClientSide({ maxPerSecond: 10 })).toBe(false);
    for (const options of [{ dryRun: true }, { limit: 5 }, { filters: [{ kind: 'job-id' as const, jobId: 'x' }] }, { ratePerSecond: 5 }, { clientSide: true }]) {
      expect(requiresClientSide(options)).toBe(true);
    }
  });
});
