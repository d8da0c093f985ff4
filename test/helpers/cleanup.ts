/**
 * What a test file or a helper started, closed again whatever happened: a failed setup must not
 * leave a server listening, a process running or a folder in /tmp behind (Jest would not even
 * exit while a server listens).
 */

export class Cleanup {
  private readonly closers: Array<() => unknown> = [];

  /** Registers `close` for `resource`, which is returned. */
  add<T>(resource: T, close: (resource: T) => unknown): T {
    this.closers.push(() => close(resource));
    return resource;
  }

  /** `started`, registered with `close` as soon as it resolves. */
  track<T>(started: Promise<T>, close: (resource: T) => unknown): Promise<T> {
    return started.then((resource) => this.add(resource, close));
  }

  /** Closes everything, newest first; every closer runs even if one fails, which is then thrown. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    while (this.closers.length > 0) {
      try {
        await this.closers.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several resources failed to close');
  }
}

/**
 * Promise.all that waits for every promise to settle before throwing the first failure: with
 * Promise.all, a rejection returns while the other starts are still running, so what they start
 * afterwards is registered after the caller has already cleaned up.
 */
export async function allSettledOrThrow<T extends readonly unknown[] | []>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises as readonly unknown[]);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return Promise.all(promises);
}

/**
 * Runs `start` with a fresh Cleanup; if it throws, closes what it had registered before
 * rethrowing, so a helper that fails halfway leaves nothing behind. On success the result owns
 * the Cleanup (its close() should call cleanup.close()).
 */
export async function startOrClean<T>(start: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  try {
    return await start(cleanup);
  } catch (error) {
    await cleanup.close().catch(() => undefined);
    throw error;
  }
}
