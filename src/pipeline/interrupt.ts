/** Ctrl-C or the runner's cancel: abort the run, so queries AWS already started are stopped. */
export async function untilInterrupted<T>(
  reason: () => Error,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort(reason());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
