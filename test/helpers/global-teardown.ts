export default async function globalTeardown(): Promise<void> {
  await Promise.all([globalThis.__SQS_EMULATOR__?.close(), globalThis.__DYNAMODB_EMULATOR__?.close()]);
}
