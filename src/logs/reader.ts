/**
 * Local access-log reader: files, directories and globs holding VPC Lattice access logs as
 * JSON lines (plain or gzip, as Lattice delivers to S3) or as the JSON printed by
 * `aws logs filter-log-events` / `get-log-events`. Everything is streamed, so memory does not
 * grow with file size.
 */
import { closeSync, createReadStream, openSync, type ReadStream, type Stats } from 'node:fs';
import { type FileHandle, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, addAbortSignal, pipeline } from 'node:stream';
import fg from 'fast-glob';
import Parser from 'stream-json/Parser.js';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import StreamValues from 'stream-json/streamers/StreamValues.js';
import { availableParallelism } from 'node:os';
import { AggregateSet, dayFromJSON } from '../model/aggregate.js';
import { DataError, UsageError, errorMessage } from '../errors.js';
import type { MalformedSample } from '../model/report.js';
import { LineScanner, MAX_LINE_BYTES, MAX_SAMPLES, overlongReason, type ScanCounts } from './fast-scan.js';
import {
  PARALLEL_MIN_BYTES,
  RANGE_BYTES,
  ScanPool,
  type WholeFileScan,
  scanRange,
  scanWholeFile,
  wholeFileRange,
} from './parallel.js';
import {
  type Format,
  PEEK_BYTES,
  bomLength,
  checkMagic,
  checkText,
  detectFormat,
  gunzip,
  isGzip,
  isSpace,
} from './sniff.js';
import { parseLine, toRecord, type ParseResult } from './record.js';
import { type AccessLogRecord } from '../model/record.js';

export interface ReadProgress {
  /** Bytes of input read so far, as stored (compressed size for .gz). */
  bytesRead: number;
  /** Non-blank lines (or export events) seen so far. */
  lines: number;
  /** Files opened so far, the current one included. */
  files: number;
}

export interface ReadSummary {
  /** Every file read, in the order read (sorted, deterministic). */
  files: string[];
  /** Non-blank lines / events seen. */
  lines: number;
  /** Valid records passed to the sink. */
  records: number;
  /** Skipped lines. */
  malformed: number;
  /** The first 20 skipped lines: 1-based line, or 1-based event index for CLI exports. */
  malformedSamples: MalformedSample[];
  /** Bytes of input files as stored (compressed size for .gz). */
  bytesRead: number;
}

export interface ReadOptions {
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** Longer lines are malformed. Default 64 MiB; tests set it low. */
  maxLineBytes?: number;
}

const CHUNK_BYTES = 1 << 20;
const PROGRESS_MS = 250;

const NL = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;

// ---------------------------------------------------------------------------------------------
// Path resolution

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

// ---------------------------------------------------------------------------------------------
// Reading

/** Marks an error thrown by the caller's onRecord, so it is passed on untouched. */
class SinkError extends Error {}

/** Per-run state shared by all files. */
class Run {
  readonly summary: ReadSummary = {
    files: [],
    lines: 0,
    records: 0,
    malformed: 0,
    malformedSamples: [],
    bytesRead: 0,
  };
  /** Lines of the file being read that are not in summary.lines yet (scanner paths). */
  pendingLines = 0;
  private lastProgress = Date.now();

  constructor(
    private readonly onRecord: (record: AccessLogRecord) => void,
    readonly options: ReadOptions,
  ) {}

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  get maxLineBytes(): number {
    return this.options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  emit(result: ParseResult, file: string, line: number, stats: FileStats): void {
    if (result.ok) {
      this.summary.records++;
      stats.records++;
      try {
        this.onRecord(result.record);
      } catch (error) {
        throw new SinkError('onRecord failed', { cause: error });
      }
    } else {
      this.malformed(file, line, result.reason, stats);
    }
  }

  malformed(file: string, line: number, reason: string, stats: FileStats): void {
    this.summary.malformed++;
    stats.firstBad ??= { line, reason };
    if (this.summary.malformedSamples.length < MAX_SAMPLES)
      this.summary.malformedSamples.push({ file, line, reason });
  }

  /** Adds what a LineScanner counted in a whole file (line numbers from the file's start). */
  absorb(file: string, counts: ScanCounts, stats: FileStats): void {
    const summary = this.summary;
    this.pendingLines = 0;
    summary.lines += counts.counted;
    summary.records += counts.records;
    summary.malformed += counts.malformed;
    for (const { line, reason } of counts.samples) {
      if (summary.malformedSamples.length < MAX_SAMPLES)
        summary.malformedSamples.push({ file, line, reason });
    }
    stats.lines += counts.counted;
    stats.records += counts.records;
    if (counts.samples[0]) stats.firstBad ??= counts.samples[0];
  }

  /** Time-based so the cost does not depend on the line rate; checked per chunk (JSONL) or per event. */
  progress(currentFileBytes: number): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) return;
    const now = Date.now();
    if (now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    onProgress(this.snapshot(currentFileBytes));
  }

  snapshot(currentFileBytes: number): ReadProgress {
    return {
      bytesRead: this.summary.bytesRead + currentFileBytes,
      lines: this.summary.lines + this.pendingLines,
      files: this.summary.files.length,
    };
  }
}

interface FileStats {
  lines: number;
  records: number;
  firstBad?: { line: number; reason: string };
}

/**
 * Reads every file the patterns name and passes each valid record to `onRecord`, parsing every
 * line with parseLine: the reference the fast path of aggregateLogs is tested against.
 */
export async function readLogs(
  patterns: string[],
  onRecord: (record: AccessLogRecord) => void,
  options: ReadOptions = {},
): Promise<ReadSummary> {
  options.signal?.throwIfAborted();
  const files = await resolveLogPaths(patterns);
  const run = new Run(onRecord, options);
  for (const file of files) {
    options.signal?.throwIfAborted();
    run.summary.files.push(file);
    await readFile(file, run, async (opened, stats) => {
      if (opened.format === 'jsonl') await readLines(file, opened.text, run, stats, opened.rawBytes);
      else await readJson(file, opened.format, opened.text, run, stats, opened.rawBytes);
    });
  }
  options.onProgress?.(run.snapshot(0));
  return run.summary;
}

export interface AggregateOptions extends ReadOptions {
  /** Only services in this region are aggregated; the others are counted in otherRegions. */
  region?: string;
  /**
   * A script that calls serveScanWorker() (dist/scan-worker.js), to scan large files on several
   * threads. Without it everything runs on the calling thread.
   */
  workerScript?: URL;
  /** Threads for a large plain file, the calling one included. Default: the available cores. */
  threads?: number;
  /** Plain files of at least this size are scanned in ranges (on several threads if allowed). */
  parallelMinBytes?: number;
  rangeBytes?: number;
  /** Tests: merge every range's aggregates separately, as if each had run on another thread. */
  isolateRanges?: boolean;
  /** Tests: share files out whole even without workers, each merged as if another thread had read it. */
  isolateFiles?: boolean;
  /** false: every line goes to parseLine, with the same framing. For comparisons. */
  fast?: boolean;
}

export interface AggregateResult {
  aggregates: AggregateSet;
  summary: ReadSummary;
  /** Valid records of services outside `region`. */
  otherRegions: number;
  /** Lines the fast path left to parseLine. */
  fallbacks: number;
  /** Most threads that scanned one file. */
  threads: number;
}

/**
 * Reads every file the patterns name into day aggregates: the same result as readLogs feeding
 * AggregateSet.add, but JSONL goes through the fast path (fast-scan.ts), and a large plain file is
 * scanned in ranges on several threads (parallel.ts).
 */
export async function aggregateLogs(
  patterns: string[],
  options: AggregateOptions = {},
): Promise<AggregateResult> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const files = await resolveLogPaths(patterns);
  const aggregates = new AggregateSet();
  const region = options.region;
  let otherRegions = 0;
  let fallbacks = 0;
  let threads = 1;
  // Exports and pretty-printed records are read record by record, like readLogs.
  const run = new Run((record) => {
    if (region === undefined || record.serviceArn.split(':')[3] === region) aggregates.add(record);
    else otherRegions++;
  }, options);
  const fast = options.fast ?? true;
  const parallelMinBytes = options.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  const rangeBytes = options.rangeBytes ?? RANGE_BYTES;
  const workers = Math.max(0, (options.threads ?? availableParallelism()) - 1);
  const pool = new ScanPool(options.workerScript, options.workerScript ? workers : 0);

  /** What a file's scan counted, once its records are in `aggregates`. */
  const keep = (file: string, counts: ScanCounts, names: Array<[string, string]>, stats: FileStats): void => {
    // The first name in line order wins; names from earlier files stay.
    for (const [arn, name] of names) {
      const identity = aggregates.services.get(arn);
      if (identity && identity.name === undefined) identity.name = name;
    }
    otherRegions += counts.otherRegions;
    fallbacks += counts.fallbacks;
    run.absorb(file, counts, stats);
  };

  /** One pass over the text into `aggregates`, exactly in line order. */
  const scanStream = async (
    file: string,
    text: AsyncIterable<Buffer>,
    rawBytes: () => number,
    stats: FileStats,
  ): Promise<void> => {
    const scanner = new LineScanner(aggregates, { region, maxLineBytes: run.maxLineBytes, fast, bom: true });
    for await (const chunk of text) {
      signal?.throwIfAborted();
      scanner.push(chunk);
      run.pendingLines = scanner.counts.counted;
      run.progress(rawBytes());
      // Buffered chunks would otherwise be taken without a turn of the event loop, and gunzip
      // (whose next step the event loop starts) would wait idle until the buffer ran dry.
      await new Promise(setImmediate);
    }
    scanner.end();
    scanner.release();
    keep(file, scanner.counts, scanner.names(), stats);
  };

  /** The reader's own reading of one file, in line order straight into `aggregates`. */
  const readOne = async (file: string): Promise<void> => {
    await readFile(file, run, async (opened, stats) => {
      if (opened.format !== 'jsonl') {
        await readJson(file, opened.format, opened.text, run, stats, opened.rawBytes);
        return;
      }
      const info = opened.gzip ? undefined : await stat(file);
      if (!fast || !info?.isFile()) {
        await scanStream(file, opened.text, opened.rawBytes, stats);
        return;
      }
      opened.close();
      const size = info.size;
      opened.rawBytes = () => size;
      if (size < parallelMinBytes) {
        // In one range on this thread: read straight into the scanner's buffer, no stream.
        const fd = openSync(file, 'r');
        try {
          const job = wholeFileRange(file, size, { region, maxLineBytes: run.maxLineBytes });
          const result = scanRange(fd, job, 0, aggregates);
          keep(file, result.counts, result.names, stats);
        } finally {
          closeSync(fd);
        }
        return;
      }
      let done = 0;
      const scan = await pool.scanFile(
        file,
        size,
        {
          region,
          maxLineBytes: run.maxLineBytes,
          rangeBytes,
          signal,
          isolateRanges: options.isolateRanges,
        },
        (range) => {
          done += Math.min(rangeBytes, size - range.index * rangeBytes);
          run.pendingLines += range.counts.counted;
          run.progress(done);
        },
      );
      run.pendingLines = 0;
      if (scan.counts.integral && mergeIsExact(aggregates, scan.aggregates)) {
        aggregates.merge(scan.aggregates);
        // Names are in scan.aggregates already.
        keep(file, scan.counts, [], stats);
        threads = Math.max(threads, scan.threads);
      } else {
        // A fraction or -0 somewhere, or sums past 2^53: one pass gives the exact one-pass result.
        const again = createReadStream(file, { highWaterMark: CHUNK_BYTES });
        opened.cleanup.push(again);
        if (signal) addAbortSignal(signal, again);
        await scanStream(file, again, () => again.bytesRead, stats);
      }
    });
  };

  /** A whole-file scan added as if read in line order; false when that would not be exact. */
  const mergeWhole = (file: string, scan: WholeFileScan): boolean => {
    const set = new AggregateSet();
    for (const day of scan.days) set.addDay(dayFromJSON(day));
    if (!scan.counts.integral || !mergeIsExact(aggregates, set)) return false;
    aggregates.merge(set);
    keep(file, scan.counts, scan.names, { lines: 0, records: 0 });
    run.summary.bytesRead += scan.bytes;
    return true;
  };

  try {
    if (
      fast &&
      files.length > 1 &&
      (pool.hasWorkers || options.isolateFiles) &&
      (await allSmallPlain(files, parallelMinBytes))
    ) {
      // Many plain files: shared out whole among the threads, merged here in file order.
      const fileJob = { region, maxLineBytes: run.maxLineBytes };
      const offer = pool.offerFiles(files, fileJob);
      for (let k = offer.claimFile(); k !== -1; k = offer.claimFile()) {
        signal?.throwIfAborted();
        offer.record(k, scanWholeFile(files[k]!, fileJob));
        // Lets the workers' results in, and an abort.
        await new Promise(setImmediate);
        run.progress(offer.bytesDone);
      }
      const used = new Set<number>();
      for (let k = 0; k < files.length; k++) {
        signal?.throwIfAborted();
        const file = files[k]!;
        const scan = await offer.fileScan(k);
        run.summary.files.push(file);
        if (scan !== undefined && scan !== 'here' && mergeWhole(file, scan)) used.add(scan.thread);
        else await readOne(file);
      }
      threads = Math.max(threads, used.size);
    } else {
      for (const file of files) {
        signal?.throwIfAborted();
        run.summary.files.push(file);
        await readOne(file);
      }
    }
  } finally {
    await pool.close();
  }
  options.onProgress?.(run.snapshot(0));
  return { aggregates, summary: run.summary, otherRegions, fallbacks, threads };
}

/** Whether every file is plain (not gzip) and below `limit` bytes (none is scanned in ranges). */
async function allSmallPlain(files: string[], limit: number): Promise<boolean> {
  const head = Buffer.alloc(2);
  for (const file of files) {
    let handle: FileHandle | undefined;
    try {
      handle = await open(file, 'r');
      if ((await handle.stat()).size >= limit) return false;
      head.fill(0);
      await handle.read(head, 0, 2, 0);
      if (isGzip(head)) return false;
    } catch {
      // The reader will say what is wrong with this file.
    } finally {
      await handle?.close();
    }
  }
  return true;
}

/**
 * Whether merging `from` (all of whose values are integers) into `into` gives what adding its
 * records one by one would: so when every sum involved is an integer below 2^53 and no minimum or
 * maximum is -0. A fractional sum already in `into` would round differently.
 */
function mergeIsExact(into: AggregateSet, from: AggregateSet): boolean {
  const exact = (have: number | undefined, add: number): boolean =>
    have === undefined || (Number.isInteger(have) && have + add <= Number.MAX_SAFE_INTEGER);
  for (const [key, day] of from.days) {
    const have = into.days.get(key);
    const latency = have?.latency;
    if (
      !exact(have?.bytesIn, day.bytesIn) ||
      !exact(have?.bytesOut, day.bytesOut) ||
      !exact(latency?.sum, day.latency.sum) ||
      day.bytesIn > Number.MAX_SAFE_INTEGER ||
      day.bytesOut > Number.MAX_SAFE_INTEGER ||
      day.latency.sum > Number.MAX_SAFE_INTEGER ||
      (latency !== undefined &&
        latency.count > 0 &&
        (Object.is(latency.min, -0) || Object.is(latency.max, -0)))
    ) {
      return false;
    }
  }
  return true;
}

const UNIT: Record<Format, string> = { jsonl: 'line', export: 'event', values: 'object' };

/** A log file opened, its compression and format detected. */
interface OpenedLog {
  gzip: boolean;
  format: Format;
  /** The decoded text from its first byte. */
  text: AsyncIterable<Buffer>;
  /** Bytes of the file read so far, as stored. */
  rawBytes: () => number;
  /** Streams to destroy when done. */
  cleanup: { destroy(): void }[];
  /** Stops reading the file through `text`. */
  close(): void;
}

/**
 * Opens `file`, detects gzip and the format, lets `body` read it, and turns whatever fails into a
 * DataError that names the file. Then rejects a file without lines or without one valid record.
 */
async function readFile(
  file: string,
  run: Run,
  body: (opened: OpenedLog, stats: FileStats) => Promise<void>,
): Promise<void> {
  const signal = run.signal;
  const raw: ReadStream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  // Aborts a read that is waiting on the disk, not only between chunks.
  if (signal) addAbortSignal(signal, raw);
  const stats: FileStats = { lines: 0, records: 0 };
  const cleanup: { destroy(): void }[] = [raw];
  const opened: OpenedLog = {
    gzip: false,
    format: 'jsonl',
    text: Readable.from([]),
    rawBytes: () => raw.bytesRead,
    cleanup,
    close: () => raw.destroy(),
  };
  try {
    const rawPeek = await peek(raw[Symbol.asyncIterator](), 6);
    checkMagic(file, rawPeek.head);
    let decoded: AsyncIterable<Buffer> = rawPeek.rest;
    if (isGzip(rawPeek.head)) {
      opened.gzip = true;
      const inflate = gunzip();
      cleanup.push(inflate);
      decoded = pipeline(Readable.from(rawPeek.rest, { objectMode: false }), inflate, noop);
    }
    const textPeek = await peek(decoded[Symbol.asyncIterator](), PEEK_BYTES);
    checkText(file, textPeek.head);
    opened.format = detectFormat(textPeek.head);
    opened.text = textPeek.rest;
    await body(opened, stats);
  } catch (error) {
    throw readError(file, error, signal, opened.gzip, opened.format);
  } finally {
    for (const stream of cleanup) stream.destroy();
    run.summary.bytesRead += opened.rawBytes();
  }

  const format = opened.format;
  if (stats.lines === 0) {
    throw new DataError(
      format === 'export'
        ? `${file}: no log events found (expected an "events" array as printed by aws logs filter-log-events or get-log-events)`
        : `${file}: the file is empty (no log lines)`,
    );
  }
  if (stats.records === 0) {
    const unit = UNIT[format];
    const first = stats.firstBad;
    const where = first ? ` (${unit} ${first.line}: ${first.reason})` : '';
    throw new DataError(
      `${file}: none of its ${stats.lines} ${unit}s is a valid VPC Lattice access-log record${where}`,
    );
  }
}

function noop(): void {}

/**
 * Reads from `it` until `min` bytes are buffered or the input ends; `rest` then yields
 * everything from the start again, so nothing is read twice and pipes work too.
 */
async function peek(
  it: AsyncIterator<Buffer>,
  min: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const parts: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < min) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    parts.push(next.value);
    size += next.value.length;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: rest() };
}

/** The hot path: split Buffers on \n, decode each line once, hand it to parseLine. */
async function readLines(
  file: string,
  source: AsyncIterable<Buffer>,
  run: Run,
  stats: FileStats,
  rawBytes: () => number,
): Promise<void> {
  const summary = run.summary;
  const signal = run.signal;
  const maxLineBytes = run.maxLineBytes;
  let lineNo = 0;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let overlong = false;
  let first = true;

  // A line is too long when its bytes before the \n (a \r included) exceed maxLineBytes.
  const tooLong = (): void => {
    lineNo++;
    summary.lines++;
    stats.lines++;
    run.malformed(file, lineNo, overlongReason(maxLineBytes), stats);
  };

  const handle = (buf: Buffer, start: number, end: number): void => {
    if (end - start > maxLineBytes) return tooLong();
    lineNo++;
    if (end > start && buf[end - 1] === CR) end--;
    if (start === end) return;
    if (buf[start] !== OPEN_BRACE) {
      // Rare: a record starts with "{", so only odd lines pay for the blank check.
      let i = start;
      while (i < end && isSpace(buf[i])) i++;
      if (i === end) return;
    }
    summary.lines++;
    stats.lines++;
    run.emit(parseLine(buf.toString('utf8', start, end)), file, lineNo, stats);
  };

  const finishCarried = (tail: Buffer): void => {
    if (overlong || carryBytes + tail.length > maxLineBytes) {
      overlong = false;
      carry = [];
      carryBytes = 0;
      return tooLong();
    }
    carry.push(tail);
    const line = Buffer.concat(carry);
    carry = [];
    carryBytes = 0;
    handle(line, 0, line.length);
  };

  for await (const chunk of source) {
    signal?.throwIfAborted();
    let start = 0;
    if (first) {
      first = false;
      start = bomLength(chunk);
    }
    if (carryBytes > 0 || overlong) {
      const nl = chunk.indexOf(NL, start);
      if (nl === -1) {
        if (!overlong) {
          carry.push(chunk.subarray(start));
          carryBytes += chunk.length - start;
          if (carryBytes > maxLineBytes) {
            overlong = true;
            carry = [];
            carryBytes = 0;
          }
        }
        run.progress(rawBytes());
        continue;
      }
      finishCarried(chunk.subarray(start, nl));
      start = nl + 1;
    }
    let nl = chunk.indexOf(NL, start);
    while (nl !== -1) {
      handle(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) {
      carry.push(chunk.subarray(start));
      carryBytes = chunk.length - start;
    }
    run.progress(rawBytes());
  }
  if (carryBytes > 0 || overlong) finishCarried(Buffer.alloc(0));
}

/** Exports and pretty-printed records go through stream-json, one event or object at a time. */
async function readJson(
  file: string,
  format: 'export' | 'values',
  source: AsyncIterable<Buffer>,
  run: Run,
  stats: FileStats,
  rawBytes: () => number,
): Promise<void> {
  const summary = run.summary;
  const signal = run.signal;
  const input = Readable.from(source, { objectMode: false });
  // Packed tokens only: streaming string pieces as well made parsing 3x slower.
  const items: AsyncIterable<unknown> =
    format === 'export'
      ? pipeline(
          input,
          Parser.parser({ streamValues: false }),
          Pick.pick({ filter: 'events' }),
          StreamArray.streamArray(),
          noop,
        )
      : pipeline(
          input,
          Parser.parser({ streamValues: false, jsonStreaming: true }),
          StreamValues.streamValues(),
          noop,
        );
  for await (const item of items) {
    signal?.throwIfAborted();
    const { key, value } = item as { key: number; value: unknown };
    const index = key + 1;
    summary.lines++;
    stats.lines++;
    if (format === 'values') {
      run.emit(toRecord(value), file, index, stats);
    } else {
      const message =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>).message : undefined;
      if (typeof message === 'string') run.emit(parseLine(message), file, index, stats);
      else run.malformed(file, index, 'the event has no "message" string', stats);
    }
    run.progress(rawBytes());
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

function describeSystemError(error: unknown): string {
  const code = errorCode(error);
  if (code && SYSTEM_ERRORS[code]) return `${code}: ${SYSTEM_ERRORS[code]}`;
  return code ?? errorMessage(error);
}

/** Turns whatever a stream threw into a message that names the file, never a raw stack. */
function readError(
  file: string,
  error: unknown,
  signal: AbortSignal | undefined,
  gzip: boolean,
  format: Format,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof SinkError) return error.cause;
  if (error instanceof DataError || error instanceof UsageError) return error;
  const code = errorCode(error);
  if (gzip && code?.startsWith('Z_')) {
    return new DataError(`${file}: the gzip data is truncated or corrupt (${errorMessage(error)})`, {
      cause: error,
    });
  }
  if (typeof error === 'object' && error !== null && 'syscall' in error) {
    return new DataError(`${file}: cannot read the file (${describeSystemError(error)})`, { cause: error });
  }
  if (format !== 'jsonl') {
    const what = format === 'export' ? 'the CloudWatch Logs export' : 'the pretty-printed JSON';
    return new DataError(`${file}: ${what} is not valid JSON or is truncated (${errorMessage(error)})`, {
      cause: error,
    });
  }
  return new DataError(`${file}: ${errorMessage(error)}`, { cause: error });
}
