/**
 * An in-memory GitHub Actions cache service, v1 protocol (`_apis/artifactcache`, the one GHES
 * serves and the one `@actions/cache` speaks when `ACTIONS_CACHE_SERVICE_V2` is unset), so the
 * bundled action's real `restoreCache`/`saveCache` calls can run against it end to end.
 *
 * Point a process at it with `ACTIONS_CACHE_URL=server.url` (it ends with '/', as the runner's
 * does: the client appends `_apis/artifactcache/...` without a separator) and
 * `ACTIONS_RUNTIME_TOKEN=server.token`; leave `ACTIONS_CACHE_SERVICE_V2` unset.
 *
 * What `@actions/cache` 6.3 sends, and what this server answers:
 * - lookup   `GET  {url}_apis/artifactcache/cache?keys=k1,k2&version=V` → 204 on a miss, else 200
 *   `{cacheKey, scope, cacheVersion, creationTime, archiveLocation}`.
 * - list     `GET  {url}_apis/artifactcache/caches?key=K` (only when RUNNER_DEBUG is set, after a
 *   miss) → 200 `{totalCount, artifactCaches}`.
 * - reserve  `POST {url}_apis/artifactcache/caches` `{key, version, cacheSize}` → 201 `{cacheId}`;
 *   409 when key+version+scope exists or is being uploaded; 400 over `maxCacheSize`.
 * - upload   `PATCH {url}_apis/artifactcache/caches/{id}`, `Content-Range: bytes a-b/*`,
 *   `application/octet-stream` chunk (32 MiB each by default) → 204.
 * - commit   `POST {url}_apis/artifactcache/caches/{id}` `{size}` → 204 once the chunks cover
 *   exactly [0, size); 400 otherwise.
 * - download `GET` (or `HEAD`, with `Range`) of `archiveLocation`: a URL on this server with a
 *   SAS-like `sig` query, no bearer token, like the real blob URLs. Its host is not
 *   `*.blob.core.windows.net`, so the client takes the plain http-client path: one GET, no Range.
 * JSON calls carry `Authorization: Bearer <token>` (401 otherwise) and
 * `Accept: application/json;api-version=6.0-preview.1`.
 *
 * Scope: the real service scopes entries to the ref that saved them (it knows the ref from the
 * token; the client never sends it) and lets a run read its own ref, then the default branch.
 * Here every save lands in `server.scope` (default `refs/heads/main`), lookups search
 * `server.scope` then `defaultBranchScope`; a test may change `server.scope` between runs to play
 * a pull request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type CacheEndpoint = 'lookup' | 'list' | 'reserve' | 'upload' | 'commit' | 'download';

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  scope: string;
  /** Bytes of the committed archive. */
  size: number;
  /** ISO 8601, the commit time. */
  createdAt: string;
  /** The archive as uploaded: a tar compressed with zstd or gzip (see `archiveCompression`). */
  archive: Buffer;
}

export interface CacheRequestRecord {
  method: string;
  endpoint: CacheEndpoint | 'unknown';
  /** Path and query after the base URL, e.g. `_apis/artifactcache/caches/3`. */
  path: string;
  /** The path and query exactly as received. */
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body of a POST. */
  body?: Json;
  /** Bytes in the request body. */
  bytes: number;
  /** The answer came from `failNext`. */
  injected: boolean;
}

export interface ActionsCacheServerOptions {
  token?: string;
  /** The ref saves are scoped to and lookups search first. Default `refs/heads/main`. */
  scope?: string;
  /** Searched after `scope` on a miss, as GitHub falls back to the default branch. */
  defaultBranchScope?: string;
  /** Reservations with a larger `cacheSize` get 400, as the service's size cap answers. */
  maxCacheSize?: number;
}

export interface ActionsCacheServer {
  /** `ACTIONS_CACHE_URL`: ends with '/'. */
  url: string;
  /** `ACTIONS_RUNTIME_TOKEN`. */
  token: string;
  /** The ref of the "current run"; may be changed between runs. */
  scope: string;
  /** Committed entries, oldest first (a live array, emptied by `clear`). */
  readonly entries: CacheEntry[];
  /** Every request, in arrival order (a live array, emptied by `clear`). */
  readonly requests: CacheRequestRecord[];
  /** The next `count` requests (to `endpoint` only, if given) get `status` (default 500). */
  failNext(count: number, status?: number, endpoint?: CacheEndpoint): void;
  /** Drops entries, reservations, recorded requests and pending faults; ids restart at 1. */
  clear(): void;
  close(): Promise<void>;
}

/** The client's `CompressionMethod` values: part of the version hash. */
export type CompressionMethod = 'gzip' | 'zstd' | 'zstd-without-long';

/**
 * The `version` @actions/cache sends (cacheUtils.getCacheVersion): sha256 of the paths exactly as
 * passed to restoreCache/saveCache, the compression method and a salt, joined by '|'.
 */
export function cacheVersion(
  paths: readonly string[],
  compressionMethod: CompressionMethod,
  enableCrossOsArchive = false,
): string {
  const components = [...paths, compressionMethod];
  if (process.platform === 'win32' && !enableCrossOsArchive) components.push('windows-only');
  components.push('1.0');
  return createHash('sha256').update(components.join('|')).digest('hex');
}

/** Which compressor produced an archive, from its magic bytes. */
export function archiveCompression(archive: Buffer): 'zstd' | 'gzip' | 'unknown' {
  if (archive.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  if (archive[0] === 0x1f && archive[1] === 0x8b) return 'gzip';
  return 'unknown';
}

interface Reservation {
  id: number;
  key: string;
  version: string;
  scope: string;
  cacheSize: number | undefined;
  chunks: Array<{ start: number; data: Buffer }>;
}

interface Fault {
  remaining: number;
  status: number;
  endpoint: CacheEndpoint | undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const API_PREFIX = '_apis/artifactcache/';

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The route a request addresses, from its path after the base URL. */
function classify(method: string, path: string): { endpoint: CacheEndpoint | 'unknown'; id?: number } {
  const [pathname = ''] = path.split('?');
  if (pathname.startsWith('_archives/')) {
    const id = Number(pathname.slice('_archives/'.length));
    return (method === 'GET' || method === 'HEAD') && Number.isInteger(id)
      ? { endpoint: 'download', id }
      : { endpoint: 'unknown' };
  }
  if (!pathname.startsWith(API_PREFIX)) return { endpoint: 'unknown' };
  const resource = pathname.slice(API_PREFIX.length);
  if (resource === 'cache' && method === 'GET') return { endpoint: 'lookup' };
  if (resource === 'caches' && method === 'GET') return { endpoint: 'list' };
  if (resource === 'caches' && method === 'POST') return { endpoint: 'reserve' };
  const match = /^caches\/(\d+)$/.exec(resource);
  if (match) {
    const id = Number(match[1]);
    if (method === 'PATCH') return { endpoint: 'upload', id };
    if (method === 'POST') return { endpoint: 'commit', id };
  }
  return { endpoint: 'unknown' };
}

export async function startActionsCacheServer(
  options: ActionsCacheServerOptions = {},
): Promise<ActionsCacheServer> {
  const token = options.token ?? `ghs_cache_${randomBytes(12).toString('hex')}`;
  const defaultBranchScope = options.defaultBranchScope ?? 'refs/heads/main';
  // The runner's ACTIONS_CACHE_URL has a path (`https://…/<id>/`); keeping one here proves the
  // client joins it correctly.
  const basePath = `/${randomBytes(6).toString('hex')}/`;
  const entries: CacheEntry[] = [];
  const requests: CacheRequestRecord[] = [];
  const reservations = new Map<number, Reservation>();
  const signatures = new Map<number, string>();
  const faults: Fault[] = [];
  let nextId = 1;
  let origin = '';

  const api: ActionsCacheServer = {
    url: '',
    token,
    scope: options.scope ?? 'refs/heads/main',
    entries,
    requests,
    failNext(count, status = 500, endpoint) {
      if (count > 0) faults.push({ remaining: count, status, endpoint });
    },
    clear() {
      entries.length = 0;
      requests.length = 0;
      faults.length = 0;
      reservations.clear();
      signatures.clear();
      // Ids restart so each test sees the same ones.
      nextId = 1;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };

  function takeFault(endpoint: CacheEndpoint | 'unknown'): Fault | undefined {
    const index = faults.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint);
    const fault = faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  /** Scopes a lookup may read, in the order GitHub searches them. */
  function readableScopes(): string[] {
    return api.scope === defaultBranchScope ? [api.scope] : [api.scope, defaultBranchScope];
  }

  /** GitHub's matching: exact primary key, then each key as a prefix, newest first; per scope. */
  function findEntry(keys: string[], version: string): CacheEntry | undefined {
    for (const scope of readableScopes()) {
      // `entries` is in commit order, so reversing it is newest first even within one millisecond.
      const candidates = entries.filter((e) => e.scope === scope && e.version === version).reverse();
      const exact = candidates.find((e) => e.key === keys[0]);
      if (exact) return exact;
      for (const key of keys) {
        const prefixed = candidates.find((e) => e.key.startsWith(key));
        if (prefixed) return prefixed;
      }
    }
    return undefined;
  }

  function archiveLocation(entry: CacheEntry): string {
    let sig = signatures.get(entry.id);
    if (!sig) {
      sig = randomBytes(16).toString('hex');
      signatures.set(entry.id, sig);
    }
    return `${origin}${basePath}_archives/${entry.id}?sv=2019-12-12&sig=${sig}`;
  }

  function sendJson(response: ServerResponse, status: number, body: Json): number {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
    return status;
  }

  /** Azure DevOps' error body; the client only reads `message`. */
  function sendError(response: ServerResponse, status: number, message: string): number {
    return sendJson(response, status, {
      $id: '1',
      innerException: null,
      message,
      typeName: 'Microsoft.Azure.DevOps.PipelineCache.WebApi.ArtifactCacheException',
      typeKey: 'ArtifactCacheException',
      errorCode: 0,
      eventId: 3000,
    });
  }

  function parseJson(body: Buffer): Json {
    try {
      return JSON.parse(body.toString('utf8')) as Json;
    } catch {
      throw new HttpError(400, 'The request body is not valid JSON.');
    }
  }

  function lookup(query: URLSearchParams, response: ServerResponse): number {
    const keys = (query.get('keys') ?? '').split(',').filter((k) => k !== '');
    const version = query.get('version');
    if (keys.length === 0 || !version) throw new HttpError(400, 'keys and version are required.');
    const entry = findEntry(keys, version);
    if (!entry) {
      response.writeHead(204);
      response.end();
      return 204;
    }
    return sendJson(response, 200, {
      scope: entry.scope,
      cacheKey: entry.key,
      cacheVersion: entry.version,
      creationTime: entry.createdAt,
      archiveLocation: archiveLocation(entry),
    });
  }

  function list(query: URLSearchParams, response: ServerResponse): number {
    const key = query.get('key') ?? '';
    const found = entries.filter((e) => e.key === key);
    return sendJson(response, 200, {
      totalCount: found.length,
      artifactCaches: found.map((e) => ({
        cacheKey: e.key,
        scope: e.scope,
        cacheVersion: e.version,
        creationTime: e.createdAt,
      })),
    });
  }

  function reserve(body: Json, response: ServerResponse): number {
    if (!isObject(body) || typeof body.key !== 'string' || body.key === '') {
      throw new HttpError(400, 'A cache key is required.');
    }
    if (typeof body.version !== 'string' || body.version === '') {
      throw new HttpError(400, 'A cache version is required.');
    }
    const { key, version } = body;
    const cacheSize = typeof body.cacheSize === 'number' ? body.cacheSize : undefined;
    const scope = api.scope;
    const taken =
      entries.some((e) => e.key === key && e.version === version && e.scope === scope) ||
      [...reservations.values()].some((r) => r.key === key && r.version === version && r.scope === scope);
    if (taken) {
      // The real service's wording; the client appends it to "another job may be creating this cache".
      throw new HttpError(409, `Cache already exists. Scope: ${scope}, Key: ${key}, Version: ${version}`);
    }
    if (options.maxCacheSize !== undefined && cacheSize !== undefined && cacheSize > options.maxCacheSize) {
      throw new HttpError(
        400,
        `Cache size of ${cacheSize} bytes is over the ${options.maxCacheSize} bytes limit, not saving cache.`,
      );
    }
    const id = nextId++;
    reservations.set(id, { id, key, version, scope, cacheSize, chunks: [] });
    return sendJson(response, 201, { cacheId: id });
  }

  function upload(id: number, request: IncomingMessage, body: Buffer, response: ServerResponse): number {
    const reservation = reservations.get(id);
    if (!reservation) throw new HttpError(404, `Cache ${id} is not reserved or is already committed.`);
    const range = /^bytes (\d+)-(\d+)\/(\*|\d+)$/.exec(request.headers['content-range'] ?? '');
    if (!range) throw new HttpError(400, 'Content-Range must be "bytes start-end/*".');
    const start = Number(range[1]);
    const end = Number(range[2]);
    if (end < start || body.length !== end - start + 1) {
      throw new HttpError(
        400,
        `Content-Range ${start}-${end} does not match a body of ${body.length} bytes.`,
      );
    }
    reservation.chunks.push({ start, data: body });
    response.writeHead(204);
    response.end();
    return 204;
  }

  function commit(id: number, body: Json, response: ServerResponse): number {
    const reservation = reservations.get(id);
    if (!reservation) throw new HttpError(404, `Cache ${id} is not reserved or is already committed.`);
    if (!isObject(body) || typeof body.size !== 'number') throw new HttpError(400, 'A size is required.');
    const chunks = [...reservation.chunks].sort((a, b) => a.start - b.start);
    // Chunks must tile [0, size) exactly: a gap or overlap means a lost or repeated upload.
    let covered = 0;
    for (const chunk of chunks) {
      if (chunk.start !== covered) {
        throw new HttpError(400, `Uploaded chunks are not contiguous at byte ${covered}.`);
      }
      covered += chunk.data.length;
    }
    if (covered !== body.size) {
      throw new HttpError(
        400,
        `Uploaded cache size ${covered} does not match the committed size ${body.size}.`,
      );
    }
    if (reservation.cacheSize !== undefined && reservation.cacheSize !== body.size) {
      throw new HttpError(
        400,
        `Committed size ${body.size} differs from the reserved ${reservation.cacheSize}.`,
      );
    }
    reservations.delete(id);
    const archive = Buffer.concat(chunks.map((c) => c.data));
    entries.push({
      id,
      key: reservation.key,
      version: reservation.version,
      scope: reservation.scope,
      size: archive.length,
      createdAt: new Date().toISOString(),
      archive,
    });
    response.writeHead(204);
    response.end();
    return 204;
  }

  function download(
    id: number,
    query: URLSearchParams,
    request: IncomingMessage,
    response: ServerResponse,
  ): number {
    const entry = entries.find((e) => e.id === id);
    // Azure answers a bad SAS with 403 and an XML body; the client never sees one here.
    if (!entry || query.get('sig') !== signatures.get(id)) {
      response.writeHead(403, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>');
      return 403;
    }
    const size = entry.archive.length;
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
    };
    let status = 200;
    let body = entry.archive;
    const rangeHeader = request.headers.range;
    if (rangeHeader) {
      // One range only, as the concurrent blob download path asks for.
      const range = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader);
      let start = range?.[1] ? Number(range[1]) : undefined;
      let end = range?.[2] ? Number(range[2]) : undefined;
      if (start === undefined && end !== undefined) {
        start = Math.max(0, size - end);
        end = size - 1;
      }
      start ??= 0;
      end = Math.min(end ?? size - 1, size - 1);
      if (!range || (range[1] === '' && range[2] === '') || start > end || start >= size) {
        response.writeHead(416, { 'content-range': `bytes */${size}` });
        response.end();
        return 416;
      }
      status = 206;
      body = entry.archive.subarray(start, end + 1);
      headers['content-range'] = `bytes ${start}-${end}/${size}`;
    }
    headers['content-length'] = body.length;
    response.writeHead(status, headers);
    response.end(request.method === 'HEAD' ? undefined : body);
    return status;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.startsWith(basePath) ? url.slice(basePath.length) : url;
    // Anything outside the base path is an unknown route.
    const { endpoint, id } = classify(method, url.startsWith(basePath) ? path : '');
    const query = new URLSearchParams(path.split('?')[1] ?? '');
    const raw = await readBody(request);
    const record: CacheRequestRecord = {
      method,
      endpoint,
      path,
      url,
      status: 0,
      headers: request.headers,
      bytes: raw.length,
      injected: false,
    };
    requests.push(record);
    try {
      if (method === 'POST' && raw.length > 0) record.body = parseJson(raw);
      const fault = takeFault(endpoint);
      if (fault) {
        record.injected = true;
        record.status = sendError(response, fault.status, `Injected failure (HTTP ${fault.status}).`);
        return;
      }
      if (endpoint === 'unknown') throw new HttpError(404, `No route for ${method} ${url}.`);
      if (endpoint === 'download') {
        record.status = download(id ?? 0, query, request, response);
        return;
      }
      if (request.headers.authorization !== `Bearer ${token}`) {
        throw new HttpError(401, 'The bearer token is missing or does not match ACTIONS_RUNTIME_TOKEN.');
      }
      switch (endpoint) {
        case 'lookup':
          record.status = lookup(query, response);
          return;
        case 'list':
          record.status = list(query, response);
          return;
        case 'reserve':
          record.status = reserve(record.body ?? null, response);
          return;
        case 'upload':
          record.status = upload(id ?? 0, request, raw, response);
          return;
        case 'commit':
          record.status = commit(id ?? 0, record.body ?? null, response);
          return;
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      record.status = sendError(response, status, error instanceof Error ? error.message : String(error));
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.url = `${origin}${basePath}`;
  return api;
}
