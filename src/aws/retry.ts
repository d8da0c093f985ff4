/**
 * The one retry helper: full-jitter exponential backoff (sleep a random time up to
 * base·2^attempt, capped), with the list of transient errors kept in one place.
 * SDK calls also have the SDK's own retry strategy; this covers what it does not:
 * the OIDC token request, STS's IDPCommunicationError, and Logs Insights concurrency limits.
 */

/** Error names that mean "try again later". */
const TRANSIENT_NAMES = new Set([
  'IDPCommunicationErrorException',
  'IDPCommunicationError',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** @testseam */
export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorShape;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && (NETWORK_CODES.has(e.code) || TRANSIENT_NAMES.has(e.code))) return true;
  const status = e.$metadata?.httpStatusCode ?? e.statusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  // fetch wraps socket errors: "fetch failed" with the real code in `cause`.
  return e.cause !== undefined && e.cause !== error && isTransient(e.cause);
}

export interface RetryOptions {
  /** Total attempts, including the first. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  isRetryable?: (error: unknown) => boolean;
  signal?: AbortSignal;
  /** Called before each wait; for logs. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 8, baseMs: 200, maxMs: 20_000 };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Full jitter: a uniformly random wait in [0, min(max, base·2^attempt)). @testseam */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'random'>,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  const retryable = options.isRetryable ?? isTransient;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (attempt + 1 >= options.attempts || !retryable(error)) throw error;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(error, attempt + 1, delay);
      await wait(delay, options.signal);
    }
  }
}
