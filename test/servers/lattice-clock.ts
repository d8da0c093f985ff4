/**
 * VPC Lattice with creation times of a test's choosing: a pass-through proxy to moto that sets
 * `createdAt` in its answers. moto 5.2.1 gives a service no creation time at all
 * (moto/vpclattice/models.py: VPCLatticeService.to_dict has no createdAt; only listeners and
 * associations get one, from the wall clock) and has no API to set one, while the test logs are
 * from a fixed window in the past.
 *
 * Requests pass unchanged. In a JSON answer, the object itself (GetService) and each of its `items`
 * (ListServices) whose `arn` is in `createdAt` get that time: an ISO 8601 string, as the API
 * reference shows it, or epoch seconds where moto already wrote a number. Point the SDK at it with
 * AWS_ENDPOINT_URL_VPC_LATTICE (the client's serviceId is "VPC Lattice").
 */
import { startFaultProxy } from './fault-proxy.js';

export interface LatticeClock {
  url: string;
  /** Service ARN → its creation time, ISO 8601; services not here keep moto's. */
  createdAt: Map<string, string>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `body` with the creation times of `times` put in, or unchanged when it holds none of them. */
function rewriteCreatedAt(body: Buffer, times: ReadonlyMap<string, string>): Buffer {
  if (times.size === 0 || body[0] !== 0x7b /* { */) return body;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (!isObject(json)) return body;
  let changed = false;
  const items = Array.isArray(json.items) ? json.items.filter(isObject) : [];
  for (const o of [json, ...items]) {
    const time = typeof o.arn === 'string' ? times.get(o.arn) : undefined;
    if (time === undefined) continue;
    o.createdAt = typeof o.createdAt === 'number' ? Date.parse(time) / 1000 : time;
    changed = true;
  }
  return changed ? Buffer.from(JSON.stringify(json)) : body;
}

export async function startLatticeClock(motoUrl: string): Promise<LatticeClock> {
  const createdAt = new Map<string, string>();
  const proxy = await startFaultProxy(motoUrl, { rewrite: (body) => rewriteCreatedAt(body, createdAt) });
  return { url: proxy.url, createdAt, close: () => proxy.close() };
}
