/** Runs `task` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * A value built on first use and kept, unless building it failed: then the next call builds it
 * again (a Lambda cold start that met an unreachable endpoint must not break the container for good).
 */
export function memoizeUnlessFailed<T>(build: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    if (!current) {
      const started = build();
      current = started;
      started.catch(() => {
        if (current === started) current = undefined;
      });
    }
    return current;
  };
}
