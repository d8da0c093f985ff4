/**
 * The AWS JSON 1.1 protocol as our test servers speak it (Cost Explorer, the Price List Query
 * API): POST / with the operation in X-Amz-Target, errors as `__type` and `message` with the
 * x-amzn-ErrorType header (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html).
 * Around it: requests counted per operation, injected faults, and page tokens bound to the rest
 * of the request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Partition } from './caller.js';

const JSON_11 = 'application/x-amz-json-1.1';

export type JsonObject = Record<string, unknown>;

/** An error answer: the SDK reads the code from `__type` (or x-amzn-ErrorType). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface RequestStats {
  /** Every request received, including retries and injected failures. */
  total: number;
  byOperation: Record<string, number>;
}

export interface Faults {
  /** The next `count` requests (of `operation` only, if given) get the service's throttling error. */
  throttle(count: number, operation?: string): void;
  /** The next `count` requests (of `operation` only, if given) get HTTP 500. */
  serverError(count: number, operation?: string): void;
  /** Injected failures not yet served. */
  pending(): number;
  clear(): void;
}

export interface JsonServiceOptions {
  /** X-Amz-Target is this prefix and the operation's name. */
  targetPrefix: string;
  /** The codes the service answers when throttling (HTTP 400) and on an internal error (HTTP 500). */
  throttleCode: string;
  internalErrorCode: string;
  /** The operations answered here, each from the parsed request body to the response body. */
  operations: Record<string, (request: JsonObject, caller: Partition) => unknown>;
  /** Answers every other request; without it they get UnknownOperationException. */
  fallback?: (req: IncomingMessage, res: ServerResponse, body: Buffer, caller: Partition) => Promise<void>;
  /** The account and region a request acts in (./caller.ts); without it, always the default ones. */
  partition?: (req: IncomingMessage) => Promise<Partition>;
}

const DEFAULT_PARTITION: Partition = { account: '123456789012', region: 'us-east-1' };

export interface JsonService {
  url: string;
  /** Live counters; read them after the calls under test. */
  stats: RequestStats;
  faults: Faults;
  resetStats(): void;
  close(): Promise<void>;
}

interface Fault {
  kind: 'throttle' | 'server-error';
  operation: string | undefined;
  remaining: number;
}

export async function startJsonService(options: JsonServiceOptions): Promise<JsonService> {
  const { targetPrefix, operations, fallback } = options;
  const stats: RequestStats = { total: 0, byOperation: {} };
  const faults: Fault[] = [];

  const takeFault = (operation: string): Fault | undefined => {
    const fault = faults.find(
      (f) => f.remaining > 0 && (f.operation === undefined || f.operation === operation),
    );
    if (fault) fault.remaining--;
    return fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const target = header(req, 'x-amz-target') ?? '';
    const operation = target.startsWith(targetPrefix)
      ? target.slice(targetPrefix.length)
      : target || 'unknown';
    stats.total++;
    stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;

    const fault = takeFault(operation);
    if (fault?.kind === 'throttle') throw new ApiError(options.throttleCode, 'Rate exceeded');
    if (fault?.kind === 'server-error') {
      throw new ApiError(options.internalErrorCode, 'Injected failure', 500);
    }

    const caller = options.partition ? await options.partition(req) : DEFAULT_PARTITION;
    const handler = operations[operation];
    if (req.method !== 'POST' || !handler) {
      if (fallback) return fallback(req, res, body, caller);
      throw new ApiError('UnknownOperationException', `Unknown operation ${target}`);
    }
    if (!(header(req, 'content-type') ?? '').startsWith(JSON_11)) {
      throw new ApiError('UnsupportedMediaType', `Expected Content-Type ${JSON_11}`, 415);
    }
    sendJson(res, 200, handler(parseRequest(body), caller));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const apiError =
        error instanceof ApiError ? error : new ApiError(options.internalErrorCode, String(error), 500);
      if (res.headersSent) return void res.destroy();
      sendJson(res, apiError.status, { __type: apiError.code, message: apiError.message }, apiError.code);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const inject = (kind: Fault['kind'], count: number, operation?: string): void => {
    faults.push({ kind, operation, remaining: count });
  };

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    faults: {
      throttle: (count, operation) => inject('throttle', count, operation),
      serverError: (count, operation) => inject('server-error', count, operation),
      pending: () => faults.reduce((sum, f) => sum + f.remaining, 0),
      clear: () => void faults.splice(0),
    },
    resetStats: () => {
      // In place, so references the caller kept stay live.
      stats.total = 0;
      for (const operation of Object.keys(stats.byOperation)) delete stats.byOperation[operation];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}

// ---- Paging: the token is opaque to the client, and bound to the rest of the request ----

/** One page of `items` from the offset in the request's token (named `tokenField`). */
export function paginate<T>(
  request: JsonObject,
  items: T[],
  size: number,
  tokenField: string,
): { items: T[]; next?: string } {
  const { [tokenField]: token, MaxResults: _ignored, ...rest } = request;
  const fingerprint = JSON.stringify(rest);
  const offset = token === undefined ? 0 : decodeToken(token, fingerprint);
  const end = offset + Math.max(1, size);
  const next =
    end < items.length
      ? Buffer.from(JSON.stringify({ offset: end, fingerprint })).toString('base64url')
      : undefined;
  return { items: items.slice(offset, end), ...(next ? { next } : {}) };
}

function decodeToken(token: unknown, fingerprint: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (
      isObject(decoded) &&
      typeof decoded.offset === 'number' &&
      Number.isInteger(decoded.offset) &&
      decoded.offset >= 0 &&
      decoded.fingerprint === fingerprint
    ) {
      return decoded.offset;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError('InvalidNextTokenException', 'The pagination token is invalid.');
}

// ---- Small helpers ----

export function sendJson(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseRequest(body: Buffer): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.length ? body.toString('utf8') : '{}');
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!isObject(parsed))
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  return parsed;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
