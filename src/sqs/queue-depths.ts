import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';

export type DepthState = 'visible' | 'in_flight' | 'delayed';
export type QueueDepths = Record<DepthState, number>;

export const DEPTH_ATTRIBUTES: readonly (readonly [DepthState, QueueAttributeName])[] = [
  ['visible', 'ApproximateNumberOfMessages'],
  ['in_flight', 'ApproximateNumberOfMessagesNotVisible'],
  ['delayed', 'ApproximateNumberOfMessagesDelayed'],
];

/**
 * A queue's approximate message counts. Bounded by `timeoutMs` with an abort signal and a timer
 * of its own, because the SDK's retry pauses do not all stop on abort.
 */
export async function readQueueDepths(sqs: SQSClient, url: string, timeoutMs: number): Promise<QueueDepths> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`GetQueueAttributes timed out after ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const request = sqs
    .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: DEPTH_ATTRIBUTES.map(([, attribute]) => attribute) }), {
      abortSignal: controller.signal,
    })
    .then((result) => toDepths(url, result.Attributes ?? {}));
  try {
    return await Promise.race([request, deadline]);
  } finally {
    clearTimeout(timer);
    request.catch(() => undefined);
  }
}

function toDepths(url: string, attributes: Partial<Record<string, string>>): QueueDepths {
  const depths: Partial<QueueDepths> = {};
  for (const [state, attribute] of DEPTH_ATTRIBUTES) {
    const value = Number(attributes[attribute] ?? Number.NaN);
    if (!Number.isFinite(value)) throw new Error(`${url} reported no ${attribute}`);
    depths[state] = value;
  }
  return depths as QueueDepths;
}
