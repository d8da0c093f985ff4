/**
 * Which files the log arguments name: files, directories (read recursively) and globs, each file
 * once however many paths lead to it (symbolic links, hard links, a directory reached twice).
 */
import { type Dirent, type Stats, stat as statWithCallback } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { DataError, UsageError } from '../errors.js';
import { describeSystemError, errorCode } from './system-errors.js';

/** A path left out because it leads to a file read under another path. */
export interface DuplicatePath {
  path: string;
  /** The path the file is read under. */
  sameAs: string;
}

export interface LogPaths {
  /** Each file once, in code-unit order. */
  files: string[];
  /** In code-unit order of `path`. */
  duplicates: DuplicatePath[];
}

/**
 * Expands files, directories (recursive, hidden entries skipped) and globs into a sorted list
 * holding each file once. Of the paths to one file the first in code-unit order is kept, so the
 * choice is the same on every machine whatever order the disk lists entries in.
 */
export async function resolveLogPaths(patterns: string[]): Promise<LogPaths> {
  if (patterns.length === 0) {
    throw new UsageError('no log files given: pass at least one file, directory or glob');
  }
  // One absolute path spelled two ways ("./a.log", "a.log") is not a second path to the file: it
  // counts once, silently, in the form first given.
  const found = new Map<string, string>();
  const add = (file: string): void => {
    const key = path.resolve(file);
    if (!found.has(key)) found.set(key, path.normalize(file));
  };
  const loops = new LoopGuard();

  for (const pattern of patterns) {
    if (pattern.trim() === '') throw new UsageError('an empty log path was given');
    const info = await statIfExists(pattern);
    if (info?.isDirectory()) {
      const count = await walk(pattern, add, loops);
      if (count === 0) {
        throw new UsageError(
          `log directory ${pattern} contains no files (hidden files and directories are skipped)`,
        );
      }
    } else if (info) {
      // Not only regular files: a FIFO or /dev/stdin is a fair thing to point at.
      add(pattern);
    } else if (fg.isDynamicPattern(pattern)) {
      const count = await expandGlob(pattern, add, loops);
      if (count === 0) throw new UsageError(`log path pattern ${pattern} matched no files`);
    } else {
      throw new UsageError(`log path ${pattern} does not exist`);
    }
  }
  // Plain code-unit order: the same on every machine and locale.
  return onePathPerFile([...found.values()].sort());
}

async function statIfExists(file: string): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new DataError(`${file}: cannot access the path (${describeSystemError(error)})`, { cause: error });
  }
}

/** Stat calls in flight at once: enough to keep the disk busy, few enough for a tree of 10^5 files. */
const STAT_BATCH = 64;

async function onePathPerFile(sorted: string[]): Promise<LogPaths> {
  const ids: string[] = [];
  for (let i = 0; i < sorted.length; i += STAT_BATCH) {
    ids.push(...(await Promise.all(sorted.slice(i, i + STAT_BATCH).map(fileIdentity))));
  }
  const kept = new Map<string, string>();
  const result: LogPaths = { files: [], duplicates: [] };
  for (const [k, file] of sorted.entries()) {
    const id = ids[k]!;
    const first = kept.get(id);
    if (first === undefined) {
      kept.set(id, file);
      result.files.push(file);
    } else {
      result.duplicates.push({ path: file, sameAs: first });
    }
  }
  return result;
}

/**
 * What makes two paths one file: the device and inode their target has (stat follows links), for
 * regular files and pipes. Where the inode is 0 (some Windows file systems) the real path stands
 * in. A character device or a path that cannot be stat'ed counts by its own path (reading it then
 * says what is wrong).
 */
async function fileIdentity(file: string): Promise<string> {
  const own = `path:${path.resolve(file)}`;
  // bigint: inode numbers past 2^53 exist (NFS, Windows) and must not round into each other.
  const info = await stat(file, { bigint: true }).catch(() => undefined);
  if (!info || !(info.isFile() || info.isFIFO())) return own;
  if (info.ino !== 0n) return `inode:${info.dev}:${info.ino}`;
  const real = await realpath(file).catch(() => undefined);
  return real === undefined ? own : `path:${real}`;
}

/** Adds every non-hidden file under `dir`; returns how many it saw. */
async function walk(dir: string, add: (file: string) => void, loops: LoopGuard): Promise<number> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new DataError(`${dir}: cannot read the directory (${describeSystemError(error)})`, {
      cause: error,
    });
  }
  let count = 0;
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const kind = await entryKind(full, entry, loops);
    if (kind === 'directory') {
      count += await walk(full, add, loops);
    } else if (kind === 'file') {
      add(full);
      count++;
    }
  }
  return count;
}

async function expandGlob(pattern: string, add: (file: string) => void, loops: LoopGuard): Promise<number> {
  let entries: fg.Entry[];
  try {
    entries = await fg(pattern, {
      dot: false,
      onlyFiles: false,
      followSymbolicLinks: true,
      objectMode: true,
      // fast-glob has no loop guard: with a `..` link `logs/**` listed each file 41 times, with
      // two it had not ended after 20 s.
      fs: { stat: loops.stat },
    });
  } catch (error) {
    throw new DataError(`${pattern}: cannot expand the pattern (${describeSystemError(error)})`, {
      cause: error,
    });
  }
  // Sorted so a directory comes before the directories under it, which it then covers ("logs/**").
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const walked = new Set<string>();
  let count = 0;
  for (const entry of entries) {
    const kind = await entryKind(entry.path, entry.dirent, loops);
    if (kind === 'directory') {
      if (hasAncestorIn(entry.path, walked)) continue;
      walked.add(entry.path);
      count += await walk(entry.path, add, loops);
    } else if (kind === 'file') {
      add(entry.path);
      count++;
    }
  }
  return count;
}

function hasAncestorIn(dir: string, dirs: Set<string>): boolean {
  for (let up = path.dirname(dir); ; up = path.dirname(up)) {
    if (dirs.has(up)) return true;
    if (path.dirname(up) === up) return false;
  }
}

/** A file to read, a directory to walk, or neither (a dangling link, a loop, a socket). */
async function entryKind(
  full: string,
  dirent: Pick<Dirent, 'isFile' | 'isDirectory' | 'isSymbolicLink'>,
  loops: LoopGuard,
): Promise<'file' | 'directory' | undefined> {
  if (!dirent.isSymbolicLink()) {
    return dirent.isDirectory() ? 'directory' : dirent.isFile() ? 'file' : undefined;
  }
  const target = await stat(full).catch(() => undefined);
  if (target?.isFile()) return 'file';
  if (target?.isDirectory() && !(await loops.isLoop(full))) return 'directory';
  return undefined;
}

/**
 * Links to directories are followed, except one that leads back to a directory on its own path (a
 * `..` link, or links that close a cycle): following it would go round until the path grew too
 * long, listing every file again at each turn, and twice as often for each further such link.
 * Checking every link entered is enough: between links a path only goes down.
 */
class LoopGuard {
  /** Real paths by absolute path, so the directories above many links are resolved once. */
  private readonly real = new Map<string, Promise<string | undefined>>();

  private realpath(dir: string): Promise<string | undefined> {
    let real = this.real.get(dir);
    if (!real) {
      real = realpath(dir).catch(() => undefined);
      this.real.set(dir, real);
    }
    return real;
  }

  /** Whether `link`, a link to a directory, holds a directory on the path to it (or is one). */
  async isLoop(link: string): Promise<boolean> {
    const absolute = path.resolve(link);
    const target = await this.realpath(absolute);
    // ELOOP and the like: the system gave up resolving it.
    if (target === undefined) return true;
    for (let up = path.dirname(absolute); ; up = path.dirname(up)) {
      const real = await this.realpath(up);
      if (real !== undefined && isWithin(real, target)) return true;
      if (path.dirname(up) === up) return false;
    }
  }

  /** fast-glob's stat: a loop fails as a dangling link does, so fast-glob does not enter it. */
  readonly stat: fg.FileSystemAdapter['stat'] = (file, callback) => {
    statWithCallback(file, (error, stats) => {
      if (error || !stats.isDirectory()) {
        callback(error, stats);
        return;
      }
      void this.isLoop(file).then((loop) => {
        callback(loop ? Object.assign(new Error(`${file}: a link loop`), { code: 'ELOOP' }) : null, stats);
      });
    });
  };
}

function isWithin(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}
