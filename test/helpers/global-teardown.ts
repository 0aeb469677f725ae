export default async function globalTeardown(): Promise<void> {
  await globalThis.__SQS_EMULATOR__?.close();
}
