import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

/**
 * The `X-Webhook-Signature` value: HMAC-SHA256 over `${timestamp}.${body}`. The timestamp is part
 * of the signed text so a captured request cannot be replayed later with a fresh timestamp.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${String(timestamp)}.${body}`).digest('hex')}`;
}

/**
 * For receivers: true only if `header` is the signature of exactly this raw body and timestamp,
 * and the timestamp is within `toleranceSeconds` of now (both directions, for clock skew). Verify
 * the raw bytes as received; re-serialized JSON will not match.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  timestamp: number | string | undefined,
  body: string,
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (header === undefined || timestamp === undefined) return false;
  const stamp = String(timestamp);
  if (!TIMESTAMP_PATTERN.test(stamp) || Math.abs(nowSeconds - Number(stamp)) > toleranceSeconds) return false;
  const given = SIGNATURE_PATTERN.exec(header.trim())?.[1];
  if (given === undefined) return false;
  const expected = createHmac('sha256', secret).update(`${stamp}.${body}`).digest();
  // Constant-time: an early-exit comparison would let an attacker find the signature byte by byte.
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}
