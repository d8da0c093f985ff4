import { describe, expect, it } from '@jest/globals';
import { backoffDelay, isTransient, withRetry } from '../../src/aws/retry.js';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

describe('isTransient', () => {
  it.each([
    ['IDPCommunicationErrorException', true],
    ['ThrottlingException', true],
    ['LimitExceededException', true],
    ['ServiceUnavailableException', true],
    ['AccessDeniedException', false],
    ['InvalidIdentityTokenException', false],
    ['ValidationException', false],
  ])('%s -> %s', (name, expected) => {
    expect(isTransient(named(name))).toBe(expected);
  });

  it('treats 5xx and 429 responses and socket errors as transient', () => {
    expect(isTransient(named('UnknownError', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isTransient(named('UnknownError', { $metadata: { httpStatusCode: 429 } }))).toBe(true);
    expect(isTransient(named('UnknownError', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isTransient(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } }))).toBe(
      true,
    );
  });
});

describe('backoffDelay', () => {
  it('draws uniformly below min(max, base·2^attempt)', () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 1000, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(10, { baseMs: 100, maxMs: 1000, random: () => 0 })).toBe(0);
  });
});

describe('withRetry', () => {
  const instant = { baseMs: 100, maxMs: 1000, sleep: async () => {} };

  it('retries transient failures until one succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw named('IDPCommunicationErrorException');
        return 'ok';
      },
      { ...instant, attempts: 5, random: () => 0.5, onRetry: (_e, _n, delay) => waits.push(delay) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw named('ThrottlingException');
        },
        { ...instant, attempts: 4 },
      ),
    ).rejects.toThrow('ThrottlingException');
    expect(calls).toBe(4);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw named('AccessDeniedException');
        },
        { ...instant, attempts: 4 },
      ),
    ).rejects.toThrow('AccessDeniedException');
    expect(calls).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const pending = withRetry(
      async () => {
        throw named('ThrottlingException');
      },
      { attempts: 5, baseMs: 60_000, maxMs: 60_000, random: () => 1, signal: controller.signal },
    );
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
