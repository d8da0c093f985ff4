/**
 * The in-memory Actions cache service (test/servers/actions-cache.ts), driven by the real
 * `@actions/cache` in child Node processes, as the bundled action runs it: real tar, real zstd (or
 * gzip), real HTTP. If restoreCache/saveCache round-trip files, match keys as GitHub documents and
 * report failures as they do on a runner, the action's end-to-end tests can trust this server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runNode } from '../helpers/bundle.js';
import {
  archiveCompression,
  cacheVersion,
  startActionsCacheServer,
  type ActionsCacheServer,
  type CacheEndpoint,
} from '../servers/actions-cache.js';

/** The client's own test: `zstd --quiet --version` printing anything means zstd. */
function hasZstd(): boolean {
  const probe = spawnSync('zstd', ['--quiet', '--version'], { encoding: 'utf8' });
  return !probe.error && `${probe.stdout}${probe.stderr}`.trim() !== '';
}

const HAS_ZSTD = hasZstd();
const COMPRESSION = HAS_ZSTD ? 'zstd-without-long' : 'gzip';
const CACHE_PATHS = ['data'];
const REPO_ROOT = process.cwd();

// Runs from the repository root so `@actions/cache` resolves, then moves into the workspace:
// relative cache paths are globbed from the cwd and tarred relative to GITHUB_WORKSPACE.
const CHILD_SCRIPT = `
import * as cache from '@actions/cache';
process.chdir(process.env.GITHUB_WORKSPACE);
const paths = JSON.parse(process.env.TEST_CACHE_PATHS);
const key = process.env.TEST_CACHE_KEY;
let outcome;
try {
  const value = process.env.TEST_CACHE_OP === 'save'
    ? await cache.saveCache(paths, key)
    : await cache.restoreCache(paths, key, JSON.parse(process.env.TEST_CACHE_RESTORE_KEYS));
  outcome = { threw: false, value: value === undefined ? 'undefined' : value };
} catch (error) {
  outcome = { threw: true, name: error.name, message: error.message };
}
console.log('OUTCOME ' + JSON.stringify(outcome));
`;

interface Outcome {
  threw: boolean;
  /** saveCache's number, restoreCache's key, or the string 'undefined'. */
  value?: number | string;
  name?: string;
  message?: string;
}

interface CacheRun {
  code: number | null;
  outcome: Outcome;
  stdout: string;
  stderr: string;
  /** `::warning::` and `::error::` workflow commands, decoded. */
  warnings: string[];
  errors: string[];
}

type CacheCall =
  | { op: 'save'; key: string; paths?: string[] }
  | { op: 'restore'; key: string; restoreKeys?: string[]; paths?: string[] };

function commands(stdout: string, name: 'warning' | 'error'): string[] {
  const prefix = `::${name}::`;
  return stdout
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) =>
      line.slice(prefix.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'),
    );
}

describe('Actions cache test server with the real @actions/cache', () => {
  let server: ActionsCacheServer;
  let root: string;
  let runnerTemp: string;
  let workspaces = 0;

  beforeAll(async () => {
    server = await startActionsCacheServer();
    root = await mkdtemp(join(tmpdir(), 'actions-cache-server-'));
    runnerTemp = join(root, 'runner-temp');
    await mkdir(runnerTemp);
  });

  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    server.clear();
  });

  /** A fresh GITHUB_WORKSPACE holding `files` (paths relative to it). */
  async function workspace(files: Record<string, string> = {}): Promise<string> {
    const dir = join(root, `ws-${++workspaces}`);
    await mkdir(dir);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    return dir;
  }

  /** A clean env: nothing from the outer job (ACTIONS_CACHE_SERVICE_V2, RUNNER_DEBUG…) leaks in. */
  async function run(call: CacheCall, dir: string, env: NodeJS.ProcessEnv = {}): Promise<CacheRun> {
    const result = await runNode(['--input-type=module', '-e', CHILD_SCRIPT], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        // ~25 children load @actions/cache and its dependencies: compile them once.
        NODE_COMPILE_CACHE: join(root, 'compile-cache'),
        ACTIONS_CACHE_URL: server.url,
        ACTIONS_RUNTIME_TOKEN: server.token,
        RUNNER_TEMP: runnerTemp,
        // github.com is not GHES, so v2 would be chosen if ACTIONS_CACHE_SERVICE_V2 were set.
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_WORKSPACE: dir,
        TEST_CACHE_OP: call.op,
        TEST_CACHE_KEY: call.key,
        TEST_CACHE_PATHS: JSON.stringify(call.paths ?? CACHE_PATHS),
        TEST_CACHE_RESTORE_KEYS: JSON.stringify(call.op === 'restore' ? (call.restoreKeys ?? []) : []),
        ...env,
      },
    });
    const line = result.stdout.split('\n').find((l) => l.startsWith('OUTCOME '));
    if (!line)
      throw new Error(`child printed no outcome (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    return {
      code: result.code,
      outcome: JSON.parse(line.slice('OUTCOME '.length)) as Outcome,
      stdout: result.stdout,
      stderr: result.stderr,
      warnings: commands(result.stdout, 'warning'),
      errors: commands(result.stdout, 'error'),
    };
  }

  async function save(
    key: string,
    files: Record<string, string>,
    env?: NodeJS.ProcessEnv,
  ): Promise<CacheRun> {
    return run({ op: 'save', key }, await workspace(files), env);
  }

  function endpoints(): Array<CacheEndpoint | 'unknown'> {
    return server.requests.map((r) => r.endpoint);
  }

  it('answers a lookup on an empty cache with 204: restoreCache returns undefined', async () => {
    const restored = await run(
      { op: 'restore', key: 'lcr-main-1', restoreKeys: ['lcr-main-'] },
      await workspace(),
    );

    expect(restored.outcome).toEqual({ threw: false, value: 'undefined' });
    expect(restored.warnings).toEqual([]);
    expect(restored.code).toBe(0);
    expect(server.requests).toHaveLength(1);
    const [lookup] = server.requests;
    const version = cacheVersion(CACHE_PATHS, COMPRESSION);
    expect(lookup).toMatchObject({
      method: 'GET',
      endpoint: 'lookup',
      path: `_apis/artifactcache/cache?keys=${encodeURIComponent('lcr-main-1,lcr-main-')}&version=${version}`,
      status: 204,
    });
    expect(lookup?.headers).toMatchObject({
      authorization: `Bearer ${server.token}`,
      accept: 'application/json;api-version=6.0-preview.1',
      'user-agent': expect.stringMatching(/^@actions\/cache-6\./),
    });
  });

  it('saves a directory and restores it into an empty workspace through a restore-key prefix', async () => {
    const files = { 'data/report.json': '{"total":12.5}\n', 'data/nested/state.json': '{"runs":3}\n' };
    const saved = await save('lcr-main-abc', files);

    expect(saved.warnings).toEqual([]);
    expect(server.entries).toHaveLength(1);
    const [entry] = server.entries;
    if (!entry) throw new Error('no entry');
    expect(saved.outcome).toEqual({ threw: false, value: entry.id });
    expect(entry).toMatchObject({
      key: 'lcr-main-abc',
      version: cacheVersion(CACHE_PATHS, COMPRESSION),
      scope: 'refs/heads/main',
      size: entry.archive.length,
    });
    expect(archiveCompression(entry.archive)).toBe(HAS_ZSTD ? 'zstd' : 'gzip');
    expect(endpoints()).toEqual(['reserve', 'upload', 'commit']);
    const [reserve, upload, commit] = server.requests;
    expect(reserve).toMatchObject({
      status: 201,
      body: { key: 'lcr-main-abc', version: entry.version, cacheSize: entry.size },
    });
    expect(upload).toMatchObject({ method: 'PATCH', status: 204, bytes: entry.size });
    expect(upload?.headers).toMatchObject({
      'content-range': `bytes 0-${entry.size - 1}/*`,
      'content-type': 'application/octet-stream',
      authorization: `Bearer ${server.token}`,
    });
    expect(commit).toMatchObject({ method: 'POST', status: 204, body: { size: entry.size } });

    server.requests.length = 0;
    const target = await workspace();
    const restored = await run({ op: 'restore', key: 'lcr-main-xyz', restoreKeys: ['lcr-main-'] }, target);

    expect(restored.outcome).toEqual({ threw: false, value: 'lcr-main-abc' });
    expect(restored.warnings).toEqual([]);
    expect(await readFile(join(target, 'data/report.json'), 'utf8')).toBe(files['data/report.json']);
    expect(await readFile(join(target, 'data/nested/state.json'), 'utf8')).toBe(
      files['data/nested/state.json'],
    );
    expect(endpoints()).toEqual(['lookup', 'download']);
    // The plain http-client download: one GET, no bearer token, no Range.
    const download = server.requests[1];
    expect(download).toMatchObject({ method: 'GET', status: 200 });
    expect(download?.headers.authorization).toBeUndefined();
    expect(download?.headers.range).toBeUndefined();
  });

  it('restores the newest entry among several prefix matches', async () => {
    await save('state-1', { 'data/v.txt': 'one' });
    await save('state-2', { 'data/v.txt': 'two' });
    const target = await workspace();

    const restored = await run({ op: 'restore', key: 'state-9', restoreKeys: ['state-'] }, target);

    expect(restored.outcome.value).toBe('state-2');
    expect(await readFile(join(target, 'data/v.txt'), 'utf8')).toBe('two');
  });

  it('prefers an exact primary key over a newer prefix match, and prefix-matches the primary key', async () => {
    await save('cfg', { 'data/v.txt': 'exact' });
    await save('cfg-later', { 'data/v.txt': 'later' });

    const exact = await workspace();
    expect((await run({ op: 'restore', key: 'cfg' }, exact)).outcome.value).toBe('cfg');
    expect(await readFile(join(exact, 'data/v.txt'), 'utf8')).toBe('exact');

    const viaRestoreKey = await workspace();
    expect(
      (await run({ op: 'restore', key: 'cfg-x', restoreKeys: ['cfg'] }, viaRestoreKey)).outcome.value,
    ).toBe('cfg-later');
    // GitHub also prefix-matches the primary key before trying restore keys.
    const viaPrimary = await workspace();
    expect((await run({ op: 'restore', key: 'cfg-l', restoreKeys: ['zzz'] }, viaPrimary)).outcome.value).toBe(
      'cfg-later',
    );
  });

  it('misses when the paths differ, because they are hashed into the version', async () => {
    await save('ver', { 'data/v.txt': 'x', 'other/w.txt': 'y' });

    const restored = await run({ op: 'restore', key: 'ver', paths: ['data', 'other'] }, await workspace());

    expect(restored.outcome.value).toBe('undefined');
    const lookup = server.requests.find((r) => r.endpoint === 'lookup');
    expect(lookup?.path).toContain(`version=${cacheVersion(['data', 'other'], COMPRESSION)}`);
    expect(lookup?.status).toBe(204);
  });

  (HAS_ZSTD ? it : it.skip)(
    'misses across compressors: an archive saved with gzip is not seen with zstd',
    async () => {
      // A PATH with tar and gzip but no zstd makes the client fall back to gzip.
      const bin = join(root, 'bin-no-zstd');
      await mkdir(bin, { recursive: true });
      for (const tool of ['tar', 'gzip']) {
        const found = spawnSync('which', [tool], { encoding: 'utf8' }).stdout.trim();
        await symlink(found, join(bin, tool)).catch(() => undefined);
      }
      const gzipEnv = { PATH: bin };
      await save('comp', { 'data/v.txt': 'gz' }, gzipEnv);
      expect(server.entries[0]?.version).toBe(cacheVersion(CACHE_PATHS, 'gzip'));
      expect(archiveCompression(server.entries[0]?.archive ?? Buffer.alloc(0))).toBe('gzip');

      expect((await run({ op: 'restore', key: 'comp' }, await workspace())).outcome.value).toBe('undefined');
      const target = await workspace();
      expect((await run({ op: 'restore', key: 'comp' }, target, gzipEnv)).outcome.value).toBe('comp');
      expect(await readFile(join(target, 'data/v.txt'), 'utf8')).toBe('gz');
    },
  );

  it('refuses a duplicate key+version with 409: saveCache logs info (not a warning) and returns -1', async () => {
    await save('dup', { 'data/v.txt': 'first' });
    const second = await save('dup', { 'data/v.txt': 'second' });

    expect(second.outcome).toEqual({ threw: false, value: -1 });
    expect(second.warnings).toEqual([]);
    expect(second.errors).toEqual([]);
    const version = cacheVersion(CACHE_PATHS, COMPRESSION);
    expect(second.stdout).toContain(
      `Failed to save: Unable to reserve cache with key dup, another job may be creating this cache. ` +
        `More details: Cache already exists. Scope: refs/heads/main, Key: dup, Version: ${version}`,
    );
    expect(server.requests.at(-1)).toMatchObject({ endpoint: 'reserve', status: 409 });
    expect(server.entries).toHaveLength(1);
  });

  it('a 500 on reserve: saveCache warns, returns -1 and does not throw or retry', async () => {
    server.failNext(1, 500);
    const saved = await save('boom', { 'data/v.txt': 'x' });

    expect(saved.outcome).toEqual({ threw: false, value: -1 });
    expect(saved.code).toBe(0);
    expect(saved.warnings).toEqual(['Failed to save: reserveCache failed: Cache service responded with 500']);
    expect(saved.errors).toEqual([]);
    expect(server.requests).toEqual([
      expect.objectContaining({ endpoint: 'reserve', status: 500, injected: true }),
    ]);
    expect(server.entries).toEqual([]);
  });

  it('a 500 during upload or commit: saveCache warns but still returns the reserved id', async () => {
    server.failNext(1, 500, 'upload');
    const upload = await save('half-1', { 'data/v.txt': 'x' });
    const reserved = server.requests.find((r) => r.endpoint === 'reserve');

    expect(upload.outcome).toEqual({ threw: false, value: 1 });
    expect(reserved?.status).toBe(201);
    expect(upload.warnings).toEqual([
      expect.stringMatching(
        /^Failed to save: uploadChunk \(start: 0, end: \d+\) failed: Cache service responded with 500$/,
      ),
    ]);

    server.failNext(1, 500, 'commit');
    const commit = await save('half-2', { 'data/v.txt': 'x' });

    expect(commit.outcome).toEqual({ threw: false, value: 2 });
    expect(commit.warnings).toEqual(['Failed to save: commitCache failed: Cache service responded with 500']);
    expect(server.entries).toEqual([]);

    // The failed reservation lingers, as the service's does: the next save of that key gets 409.
    const retry = await save('half-1', { 'data/v.txt': 'x' });
    expect(retry.outcome.value).toBe(-1);
    expect(retry.stdout).toContain('another job may be creating this cache');
  });

  it('a 500 on lookup or download: restoreCache warns and returns undefined', async () => {
    await save('r', { 'data/v.txt': 'x' });

    server.failNext(1, 500, 'lookup');
    const lookup = await run({ op: 'restore', key: 'r' }, await workspace());
    expect(lookup.outcome).toEqual({ threw: false, value: 'undefined' });
    expect(lookup.warnings).toEqual([
      'Failed to restore: getCacheEntry failed: Cache service responded with 500',
    ]);

    server.failNext(1, 500, 'download');
    const target = await workspace();
    const download = await run({ op: 'restore', key: 'r' }, target);
    expect(download.outcome).toEqual({ threw: false, value: 'undefined' });
    expect(download.warnings).toEqual([
      'Failed to restore: downloadCache failed: Cache service responded with 500',
    ]);
    await expect(readFile(join(target, 'data/v.txt'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('retries a 503 once, after the client’s 5 s delay', async () => {
    await save('again', { 'data/v.txt': 'x' });
    server.requests.length = 0;
    server.failNext(1, 503, 'lookup');

    const restored = await run({ op: 'restore', key: 'again' }, await workspace());

    expect(restored.outcome.value).toBe('again');
    expect(restored.warnings).toEqual([]);
    expect(server.requests.map((r) => `${r.endpoint} ${r.status}`)).toEqual([
      'lookup 503',
      'lookup 200',
      'download 200',
    ]);
  });

  it('throws only for validation: a comma in a key, or save paths that match nothing', async () => {
    const comma = await run({ op: 'restore', key: 'a,b' }, await workspace());
    expect(comma.outcome).toEqual({
      threw: true,
      name: 'ValidationError',
      message: 'Key Validation Error: a,b cannot contain commas.',
    });

    const nothing = await run({ op: 'save', key: 'none' }, await workspace());
    expect(nothing.outcome).toMatchObject({
      threw: true,
      name: 'Error',
      message: expect.stringMatching(/^Path Validation Error/),
    });
    expect(server.requests).toEqual([]);
  });
});

describe('Actions cache test server over plain HTTP', () => {
  let server: ActionsCacheServer;

  beforeAll(async () => {
    server = await startActionsCacheServer({ token: 'tok', maxCacheSize: 1000 });
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.clear();
    server.scope = 'refs/heads/main';
  });

  function call(
    method: string,
    resource: string,
    init: { json?: unknown; body?: Buffer; headers?: Record<string, string>; token?: string | null } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== null) headers.authorization = `Bearer ${init.token ?? 'tok'}`;
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${server.url}_apis/artifactcache/${resource}`, {
      method,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
  }

  /** Reserve, upload `archive` in `chunks` pieces (last first), commit; returns the id. */
  async function put(key: string, version: string, archive: Buffer, chunks = 1): Promise<number> {
    const reserved = await call('POST', 'caches', { json: { key, version, cacheSize: archive.length } });
    expect(reserved.status).toBe(201);
    const { cacheId } = (await reserved.json()) as { cacheId: number };
    const step = Math.ceil(archive.length / chunks);
    const starts = Array.from({ length: chunks }, (_, i) => i * step).reverse();
    for (const start of starts) {
      const end = Math.min(start + step, archive.length) - 1;
      const patched = await call('PATCH', `caches/${cacheId}`, {
        body: archive.subarray(start, end + 1),
        headers: { 'content-range': `bytes ${start}-${end}/*`, 'content-type': 'application/octet-stream' },
      });
      expect(patched.status).toBe(204);
    }
    expect((await call('POST', `caches/${cacheId}`, { json: { size: archive.length } })).status).toBe(204);
    return cacheId;
  }

  async function lookup(keys: string, version: string): Promise<Response> {
    return call('GET', `cache?keys=${encodeURIComponent(keys)}&version=${version}`);
  }

  it('ends its URL with a slash and requires the bearer token on API calls', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]+\/$/);
    const anonymous = await call('GET', 'cache?keys=a&version=v', { token: null });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { message: string }).message).toMatch(/bearer token/);
    expect((await call('GET', 'cache?keys=a&version=v', { token: 'wrong' })).status).toBe(401);
  });

  it('assembles out-of-order chunks and serves the archive with Range and HEAD', async () => {
    const archive = Buffer.from('0123456789abcdefghij');
    const id = await put('k', 'v1', archive, 3);
    const found = await lookup('k', 'v1');
    expect(found.status).toBe(200);
    const hit = (await found.json()) as Record<string, string>;
    expect(hit).toEqual({
      scope: 'refs/heads/main',
      cacheKey: 'k',
      cacheVersion: 'v1',
      creationTime: server.entries[0]?.createdAt,
      archiveLocation: expect.stringContaining(`/_archives/${id}?`),
    });
    const location = hit.archiveLocation ?? '';

    const whole = await fetch(location);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('20');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(archive);

    const part = await fetch(location, { headers: { range: 'bytes=5-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 5-9/20');
    expect(await part.text()).toBe('56789');
    expect(await (await fetch(location, { headers: { range: 'bytes=-3' } })).text()).toBe('hij');
    expect((await fetch(location, { headers: { range: 'bytes=30-' } })).status).toBe(416);

    const head = await fetch(location, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('20');
    // Like a SAS URL, it needs its signature rather than a token.
    expect((await fetch(location.replace(/sig=[0-9a-f]+/, 'sig=forged'))).status).toBe(403);
  });

  it('matches only the same version', async () => {
    await put('k', 'v1', Buffer.from('x'));
    expect((await lookup('k', 'v2')).status).toBe(204);
    expect((await lookup('k', 'v1')).status).toBe(200);
  });

  it('rejects malformed uploads, a wrong commit size, unknown ids and oversize reservations', async () => {
    const reserved = await call('POST', 'caches', { json: { key: 'k', version: 'v', cacheSize: 4 } });
    const { cacheId } = (await reserved.json()) as { cacheId: number };
    const octets = { 'content-type': 'application/octet-stream' };

    expect(
      (
        await call('PATCH', `caches/${cacheId}`, {
          body: Buffer.from('abcd'),
          headers: { ...octets, 'content-range': 'bytes=0-3' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('PATCH', `caches/${cacheId}`, {
          body: Buffer.from('abc'),
          headers: { ...octets, 'content-range': 'bytes 0-3/*' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('PATCH', `caches/${cacheId}`, {
          body: Buffer.from('abcd'),
          headers: { ...octets, 'content-range': 'bytes 0-3/*' },
        })
      ).status,
    ).toBe(204);
    const mismatch = await call('POST', `caches/${cacheId}`, { json: { size: 5 } });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { message: string }).message).toMatch(/does not match/);
    expect(server.entries).toEqual([]);
    expect((await call('POST', `caches/${cacheId}`, { json: { size: 4 } })).status).toBe(204);
    expect((await call('POST', `caches/${cacheId}`, { json: { size: 4 } })).status).toBe(404);
    expect(
      (
        await call('PATCH', 'caches/999', {
          body: Buffer.from('a'),
          headers: { 'content-range': 'bytes 0-0/*' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call('POST', 'caches', { json: { key: 'big', version: 'v', cacheSize: 1001 } })).status,
    ).toBe(400);
    expect((await call('POST', 'caches', { json: { version: 'v' } })).status).toBe(400);
    expect(server.entries.map((e) => e.key)).toEqual(['k']);
  });

  it('lets a pull request read the default branch, but keeps its own saves from the default branch', async () => {
    await put('main-key', 'v', Buffer.from('m'));
    server.scope = 'refs/pull/7/merge';
    await put('pr-key', 'v', Buffer.from('p'));
    // The same key may exist once per scope.
    await put('main-key', 'v', Buffer.from('m2'));

    const fromPr = (await (await lookup('main-key', 'v')).json()) as { scope: string };
    expect(fromPr.scope).toBe('refs/pull/7/merge');
    expect((await lookup('pr-key', 'v')).status).toBe(200);

    server.scope = 'refs/heads/main';
    expect((await lookup('pr-key', 'v')).status).toBe(204);
    expect(((await (await lookup('main-key', 'v')).json()) as { scope: string }).scope).toBe(
      'refs/heads/main',
    );
  });

  it('lists caches for a key (the client does this after a miss when RUNNER_DEBUG is set)', async () => {
    await put('k', 'v1', Buffer.from('x'));
    const listed = await call('GET', 'caches?key=k');
    expect(await listed.json()).toEqual({
      totalCount: 1,
      artifactCaches: [
        { cacheKey: 'k', scope: 'refs/heads/main', cacheVersion: 'v1', creationTime: expect.any(String) },
      ],
    });
  });

  it('fails the next requests on demand, by endpoint or any, and counts every request', async () => {
    server.failNext(2, 503, 'lookup');
    server.failNext(1, 500);
    expect((await call('POST', 'caches', { json: { key: 'k', version: 'v' } })).status).toBe(500);
    expect((await lookup('k', 'v')).status).toBe(503);
    expect((await lookup('k', 'v')).status).toBe(503);
    expect((await lookup('k', 'v')).status).toBe(204);
    expect(server.requests.map((r) => [r.endpoint, r.status, r.injected])).toEqual([
      ['reserve', 500, true],
      ['lookup', 503, true],
      ['lookup', 503, true],
      ['lookup', 204, false],
    ]);
    expect(server.requests[0]?.body).toEqual({ key: 'k', version: 'v' });
    server.failNext(1, 500);
    server.clear();
    expect((await lookup('k', 'v')).status).toBe(204);
    expect(server.requests).toHaveLength(1);
  });
});
