/**
 * A pass-through HTTP proxy to a real server (moto) that can answer the next requests with an
 * injected response instead: a transient AWS error, for example, to prove retries survive it.
 * `rewrite` may change each forwarded response's body (lattice-clock.ts does); `intercept` may
 * answer a request itself (sts-gate.ts does).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InjectedResponse {
  status: number;
  body: string;
  contentType?: string;
}

export interface FaultProxy {
  url: string;
  /** Answer the next request(s) with these responses, in order. */
  inject(...responses: InjectedResponse[]): void;
  requests: number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Response headers that describe the connection or the encoding, not the body the client gets. */
const HOP_HEADERS = new Set([
  'connection',
  'content-encoding',
  'content-length',
  'keep-alive',
  'transfer-encoding',
]);

export async function startFaultProxy(
  target: string,
  options: {
    rewrite?: (body: Buffer) => Buffer;
    intercept?: (request: IncomingMessage, body: Buffer) => Promise<InjectedResponse | undefined>;
  } = {},
): Promise<FaultProxy> {
  const queue: InjectedResponse[] = [];
  const proxy: FaultProxy = {
    url: '',
    requests: 0,
    inject: (...responses) => queue.push(...responses),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    void (async () => {
      proxy.requests += 1;
      const body = await readBody(request);
      const injected = queue.shift() ?? (await options.intercept?.(request, body));
      if (injected) {
        response.writeHead(injected.status, { 'content-type': injected.contentType ?? 'text/xml' });
        response.end(injected.body);
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length')
          headers.set(name, value);
      }
      const upstream = await fetch(new URL(request.url ?? '/', target), {
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
      });
      const received = Buffer.from(await upstream.arrayBuffer());
      const payload = options.rewrite ? options.rewrite(received) : received;
      // The SDKs read error codes from headers too (x-amzn-errortype), so all but these pass.
      const passed: Record<string, string> = { 'content-type': 'text/xml' };
      upstream.headers.forEach((value, name) => {
        if (!HOP_HEADERS.has(name)) passed[name] = value;
      });
      response.writeHead(upstream.status, passed);
      response.end(payload);
    })().catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** STS's query-protocol error body. */
export function stsError(code: string, message = code): InjectedResponse {
  return {
    status: 400,
    body:
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

/** An error in the AWS JSON 1.1 protocol (Logs, Cost Explorer): the SDK reads `__type`. */
export function awsJsonError(code: string, message = code): InjectedResponse {
  return {
    status: 400,
    body: JSON.stringify({ __type: code, message }),
    contentType: 'application/x-amz-json-1.1',
  };
}
