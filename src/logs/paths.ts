/** Which files the log arguments name: files, directories (read recursively) and globs. */
import { type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { DataError, UsageError } from '../errors.js';
import { describeSystemError, errorCode } from './system-errors.js';

/** Expands files, directories (recursive, hidden entries skipped) and globs into a sorted list. */
export async function resolveLogPaths(patterns: string[]): Promise<string[]> {
  if (patterns.length === 0) {
    throw new UsageError('no log files given: pass at least one file, directory or glob');
  }
  // Keyed by absolute path so "./a.log" and "a.log" count once; the value keeps the user's form.
  const found = new Map<string, string>();
  const add = (file: string): void => {
    const key = path.resolve(file);
    if (!found.has(key)) found.set(key, path.normalize(file));
  };

  for (const pattern of patterns) {
    if (pattern.trim() === '') throw new UsageError('an empty log path was given');
    const info = await statIfExists(pattern);
    if (info?.isDirectory()) {
      const count = await walk(pattern, add, new Set());
      if (count === 0) {
        throw new UsageError(
          `log directory ${pattern} contains no files (hidden files and directories are skipped)`,
        );
      }
    } else if (info) {
      // Not only regular files: a FIFO or /dev/stdin is a fair thing to point at.
      add(pattern);
    } else if (fg.isDynamicPattern(pattern)) {
      const count = await expandGlob(pattern, add);
      if (count === 0) throw new UsageError(`log path pattern ${pattern} matched no files`);
    } else {
      throw new UsageError(`log path ${pattern} does not exist`);
    }
  }
  // Plain code-unit order: the same on every machine and locale.
  return [...found.values()].sort();
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

/** Adds every non-hidden file under `dir`; returns how many it saw. `seen` guards symlink loops. */
async function walk(dir: string, add: (file: string) => void, seen: Set<string>): Promise<number> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    throw new DataError(`${dir}: cannot read the directory (${describeSystemError(error)})`, {
      cause: error,
    });
  }
  if (seen.has(real)) return 0;
  seen.add(real);

  let entries;
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
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined); // a dangling link is not a log file
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) {
      count += await walk(full, add, seen);
    } else if (isFile) {
      add(full);
      count++;
    }
  }
  return count;
}

async function expandGlob(pattern: string, add: (file: string) => void): Promise<number> {
  let entries: fg.Entry[];
  try {
    entries = await fg(pattern, {
      dot: false,
      onlyFiles: false,
      followSymbolicLinks: true,
      objectMode: true,
    });
  } catch (error) {
    throw new DataError(`${pattern}: cannot expand the pattern (${describeSystemError(error)})`, {
      cause: error,
    });
  }
  // Sorted so a directory is walked before its subdirectories, which `seen` then skips ("logs/**").
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  let count = 0;
  for (const entry of entries) {
    let isDir = entry.dirent.isDirectory();
    let isFile = entry.dirent.isFile();
    if (entry.dirent.isSymbolicLink()) {
      const target = await stat(entry.path).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) {
      count += await walk(entry.path, add, seen);
    } else if (isFile) {
      add(entry.path);
      count++;
    }
  }
  return count;
}
