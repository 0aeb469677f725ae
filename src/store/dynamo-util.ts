/** DynamoDB TTL attributes are epoch seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** SDK errors are told apart by name (e.g. ConditionalCheckFailedException). */
export function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
