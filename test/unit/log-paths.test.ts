/**
 * Each log file is read once, whatever globs, links or directory aliases lead to it, and no
 * symbolic link loop makes a walk or a glob go round. On a real file system in a temp folder.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { aggregateLogs } from '../../src/logs/reader.js';
import { resolveLogPaths } from '../../src/logs/paths.js';

const SERVICE = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';

/** `n` valid records. */
function records(n: number): string {
  const line = JSON.stringify({
    serviceArn: SERVICE,
    startTime: '2026-11-20T10:00:00Z',
    responseCode: 200,
    bytesReceived: 100,
    bytesSent: 200,
    duration: 12,
  });
  return `${line}\n`.repeat(n);
}

let dir: string;
let counter = 0;

/** A new folder in the temp dir holding `files` (path → content), for one test. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = path.join(dir, `t${counter++}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}

/** What aggregateLogs read from `patterns`: the files, the paths left out and the records. */
async function read(patterns: string[]) {
  const { summary } = await aggregateLogs(patterns);
  return { files: summary.files, duplicates: summary.duplicates, records: summary.records };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'log-paths-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('symbolic link loops', () => {
  it('a glob over a directory with `..` and `.` links lists each file once, at once', async () => {
    const root = await tree({ 'L/a.log': records(1), 'L/sub/b.log': records(2), 'other.log': records(4) });
    await symlink('..', path.join(root, 'L', 'up'));
    await symlink('.', path.join(root, 'L', 'sub', 'here'));
    const started = Date.now();
    const expected = {
      files: [path.join(root, 'L', 'a.log'), path.join(root, 'L', 'sub', 'b.log')],
      duplicates: [],
      records: 3,
    };
    // Unguarded, the two links made fast-glob list 2^40 paths.
    expect(await read([`${root}/L/**`])).toEqual(expected);
    expect(await read([`${root}/L/**/*.log`])).toEqual(expected);
    expect(await read([path.join(root, 'L')])).toEqual(expected);
    // A glob that matches the link itself does not follow it either.
    expect(await read([`${root}/L/*`])).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a link named on its own is read, and the loop inside it stops after one turn', async () => {
    const root = await tree({ 'L/a.log': records(1), 'other.log': records(4) });
    await symlink('..', path.join(root, 'L', 'up'));
    expect(await read([path.join(root, 'L', 'up')])).toEqual({
      files: [path.join(root, 'L', 'up', 'L', 'a.log'), path.join(root, 'L', 'up', 'other.log')],
      duplicates: [],
      records: 5,
    });
  });

  it('two directories linking to each other: each file once, the second path named', async () => {
    const root = await tree({ 'A/a.log': records(1), 'B/b.log': records(2) });
    await symlink(path.join('..', 'B'), path.join(root, 'A', 'toB'));
    await symlink(path.join('..', 'A'), path.join(root, 'B', 'toA'));
    const expected = {
      files: [path.join(root, 'A', 'a.log'), path.join(root, 'A', 'toB', 'b.log')],
      duplicates: [
        { path: path.join(root, 'B', 'b.log'), sameAs: path.join(root, 'A', 'toB', 'b.log') },
        { path: path.join(root, 'B', 'toA', 'a.log'), sameAs: path.join(root, 'A', 'a.log') },
      ],
      records: 3,
    };
    expect(await read([root])).toEqual(expected);
    expect(await read([`${root}/**/*.log`])).toEqual(expected);
  });
});

describe('a second path to a file', () => {
  it('an alias directory: its files are read once, under the path that sorts first', async () => {
    const root = await tree({ 'real/a.log': records(1), 'real/b.log': records(2) });
    await symlink('real', path.join(root, 'alias'));
    const expected = {
      files: [path.join(root, 'alias', 'a.log'), path.join(root, 'alias', 'b.log')],
      duplicates: [
        { path: path.join(root, 'real', 'a.log'), sameAs: path.join(root, 'alias', 'a.log') },
        { path: path.join(root, 'real', 'b.log'), sameAs: path.join(root, 'alias', 'b.log') },
      ],
      records: 3,
    };
    expect(await read([root])).toEqual(expected);
    expect(await read([`${root}/*/*.log`])).toEqual(expected);
    expect(await read([path.join(root, 'real'), path.join(root, 'alias')])).toEqual(expected);
  });

  it('a symbolic link and a hard link to a file, named directly, in a glob or in a directory', async () => {
    const root = await tree({ 'a.log': records(2) });
    await link(path.join(root, 'a.log'), path.join(root, 'b.log'));
    await symlink('a.log', path.join(root, 'c.log'));
    const expected = {
      files: [path.join(root, 'a.log')],
      duplicates: [
        { path: path.join(root, 'b.log'), sameAs: path.join(root, 'a.log') },
        { path: path.join(root, 'c.log'), sameAs: path.join(root, 'a.log') },
      ],
      records: 2,
    };
    const names = ['c.log', 'b.log', 'a.log'].map((name) => path.join(root, name));
    expect(await read(names)).toEqual(expected);
    expect(await read([`${root}/*.log`])).toEqual(expected);
    expect(await read([root])).toEqual(expected);
  });

  it('the same path spelled two ways is one path: no second path to name', async () => {
    const root = await tree({ 'a.log': records(2) });
    const relative = path.relative(process.cwd(), path.join(root, 'a.log'));
    for (const patterns of [
      [relative, `.${path.sep}${relative}`],
      [relative, path.join(root, 'a.log'), root, `${root}/*.log`],
    ]) {
      expect(await read(patterns)).toEqual({ files: [relative], duplicates: [], records: 2 });
    }
  });

  it('keeps a file that is not a regular one by its own path', async () => {
    // A character device: no inode identity is used, and it is listed as given.
    const resolved = await resolveLogPaths(['/dev/null', '/dev/null']);
    expect(resolved).toEqual({ files: ['/dev/null'], duplicates: [] });
  });
});
