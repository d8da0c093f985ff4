/**
 * Errors the user can act on. Each message names what was wrong and how to fix it;
 * the entry points print the message alone, without a stack trace.
 */

/** Bad invocation: an unknown flag, a missing path, an invalid input value. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The data or the run failed: unreadable file, no valid record, an AWS call that failed. Exit code 1. */
export class DataError extends Error {
  override name = 'DataError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Duck-typed: errors from Node internals may come from another realm (Jest's VM), so no instanceof.
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** No AWS access at all for this job (no OIDC token, no credentials): a pull request can still be priced at list prices. */
export class NoAwsAccess extends UsageError {}
