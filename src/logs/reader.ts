/**
 * Local access-log reader: files, directories and globs holding VPC Lattice access logs as JSON
 * lines (plain or gzip, as Lattice delivers to S3), as the JSON printed by `aws logs
 * filter-log-events` / `get-log-events`, or as pretty-printed records. Two ways in, one line
 * splitter (LineScanner):
 *
 * - a regular file of plain JSON lines is scanned in ranges, read straight into the scanner's
 *   buffer, on the calling thread alone or with worker threads (parallel.ts);
 * - everything else (gzip, a pipe, exports, pretty-printed records) is streamed in one pass, as is
 *   a plain file whose ranges would not merge exactly, and every file when `fast` is false.
 *
 * Files are taken in sorted order, each once however many paths lead to it (paths.ts), and every
 * result (sums, line numbers, samples, names, errors) is the one reading them one after another in
 * one pass gives. Memory does not grow with file size.
 */
import { closeSync, createReadStream, statSync, openSync, readSync, type ReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable, addAbortSignal, pipeline } from 'node:stream';
import Parser from 'stream-json/Parser.js';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import StreamValues from 'stream-json/streamers/StreamValues.js';
import { AggregateSet, boundDayCallers } from '../model/aggregate.js';
import { DataError, UsageError, errorMessage } from '../errors.js';
import type { MalformedSample } from '../model/report.js';
import { LineScanner, MAX_LINE_BYTES, MAX_SAMPLES, type ScanCounts } from './fast-scan.js';
import { type FileScan, MAIN_ID, RANGE_BYTES, RangeScan } from './parallel.js';
import {
  type Format,
  PEEK_BYTES,
  checkMagic,
  checkText,
  detectFormat,
  gunzip,
  isGzip,
  peek,
} from './sniff.js';
import { parseLine } from './record.js';
import { type ParseResult, toRecord } from '../model/record.js';
import { type DuplicatePath, resolveLogPaths } from './paths.js';
import { describeSystemError, errorCode } from './system-errors.js';

// ---------------------------------------------------------------------------------------------
// Reading

export interface ReadProgress {
  /** Bytes of input read so far, as stored (compressed size for .gz). */
  bytesRead: number;
  /** Non-blank lines (or export events) seen so far. */
  lines: number;
  /** Files opened so far, the current one included. */
  files: number;
}

/** What a read went through: files, lines, records, malformed lines. @testseam */
export interface ReadSummary {
  /** Every file read, in the order read (sorted, deterministic). */
  files: string[];
  /** Paths not read because they lead to a file in `files` (a link, or a second path to it). */
  duplicates: DuplicatePath[];
  /** Non-blank lines / events seen. */
  lines: number;
  /** Valid records added (or counted in otherRegions). */
  records: number;
  /** Skipped lines. */
  malformed: number;
  /** The first 20 skipped lines: 1-based line, or 1-based event index for CLI exports. */
  malformedSamples: MalformedSample[];
  /** Bytes of input files as stored (compressed size for .gz). */
  bytesRead: number;
}

export interface AggregateOptions {
  onProgress?: (progress: ReadProgress) => void;
  signal?: AbortSignal;
  /** Longer lines are malformed. Default 64 MiB; tests set it low. */
  maxLineBytes?: number;
  /** Only services in this region are aggregated; the others are counted in otherRegions. */
  region?: string;
  /**
   * A script that calls serveScanWorker() (dist/scan-worker.js), to scan plain files on several
   * threads. Without it everything runs on the calling thread.
   */
  workerScript?: URL;
  /** Threads for plain files, the calling one included. Default: the available cores. */
  threads?: number;
  /** Plain files are scanned in ranges of this size. */
  rangeBytes?: number;
  /** Tests: every range merged on its own, as if each had run on another thread. */
  isolate?: boolean;
  /**
   * false: every line goes to parseLine, with the same framing, and every file is streamed in one
   * pass: the reference the fast path is tested against.
   */
  fast?: boolean;
  /**
   * Asked a few times a second with every set being filled: days before the day it returns are
   * dropped from them (counted in their `dropped`), as the caller will not keep them. It must
   * only ever return a day at or before the first day the caller keeps.
   */
  pruneBefore?: (sets: readonly AggregateSet[]) => string | undefined;
}

export interface AggregateResult {
  aggregates: AggregateSet;
  summary: ReadSummary;
  /** Valid records of services outside `region`. */
  otherRegions: number;
  /** Lines the fast path left to parseLine. */
  fallbacks: number;
  /** Threads that read the files, the calling one included. */
  threads: number;
}

const CHUNK_BYTES = 1 << 20;
const PROGRESS_MS = 250;

/** Marks an error thrown by the caller's onProgress, so it is passed on untouched. */
class CallbackError extends Error {}

/** What one file added up to; for its checks (empty, or without a valid record). */
interface FileStats {
  lines: number;
  records: number;
  firstBad?: { line: number; reason: string };
}

/**
 * Reads every file the patterns name into day aggregates. Regular plain JSONL files are scanned
 * in ranges (parallel.ts); everything else (gzip, pipes, CloudWatch Logs exports, pretty-printed
 * records) is streamed in one pass, as is a plain file whose ranges cannot be merged exactly.
 */
export async function aggregateLogs(
  patterns: string[],
  options: AggregateOptions = {},
): Promise<AggregateResult> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const { files, duplicates } = await resolveLogPaths(patterns);
  const aggregates = new AggregateSet();
  const region = options.region;
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  const fast = options.fast ?? true;
  const summary: ReadSummary = {
    files: [],
    duplicates,
    lines: 0,
    records: 0,
    malformed: 0,
    malformedSamples: [],
    bytesRead: 0,
  };
  let otherRegions = 0;
  let fallbacks = 0;
  const threads = new Set<number>();

  // Progress: what is in `summary`, plus the ranges done and not settled yet, plus the file streaming.
  let settledBytes = 0;
  let settledLines = 0;
  let streamLines = 0;
  let lastProgress = Date.now();
  const snapshot = (streamBytes: number): ReadProgress => ({
    bytesRead: summary.bytesRead + ranges.bytesDone - settledBytes + streamBytes,
    lines: summary.lines + ranges.linesDone - settledLines + streamLines,
    files: summary.files.length,
  });
  const prune = (): void => {
    if (!options.pruneBefore) return;
    const sets = [aggregates, ...ranges.sets()];
    const before = options.pruneBefore(sets);
    if (before !== undefined) for (const set of sets) set.dropDaysBefore(before);
  };
  /** Time-based, so the cost does not depend on the line rate. */
  const progress = (streamBytes: number): void => {
    if (!options.onProgress && !options.pruneBefore) return;
    const now = Date.now();
    if (now - lastProgress < PROGRESS_MS) return;
    lastProgress = now;
    prune();
    if (!options.onProgress) return;
    try {
      options.onProgress(snapshot(streamBytes));
    } catch (error) {
      throw new CallbackError('onProgress failed', { cause: error });
    }
  };

  const malformed = (file: string, line: number, reason: string, stats: FileStats): void => {
    summary.malformed++;
    stats.firstBad ??= { line, reason };
    if (summary.malformedSamples.length < MAX_SAMPLES) summary.malformedSamples.push({ file, line, reason });
  };

  /** What a scanner counted in a whole file (line numbers from its start), its records added already. */
  const keep = (file: string, counts: ScanCounts, names: Array<[string, string]>, stats: FileStats): void => {
    // The first name in line order wins; names from earlier files stay.
    for (const [arn, name] of names) {
      const identity = aggregates.services.get(arn);
      if (identity && identity.name === undefined) identity.name = name;
    }
    otherRegions += counts.otherRegions;
    fallbacks += counts.fallbacks;
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
  };

  /** JSON lines in one pass, exactly in line order. */
  const scanStream = async (file: string, opened: OpenedLog, stats: FileStats): Promise<void> => {
    const scanner = new LineScanner(aggregates, { region, maxLineBytes, fast, bom: true });
    try {
      for await (const chunk of opened.text) {
        signal?.throwIfAborted();
        scanner.push(chunk);
        streamLines = scanner.counts.counted;
        progress(opened.rawBytes());
        // Buffered chunks would otherwise be taken without a turn of the event loop, and gunzip
        // (whose next step the event loop starts) would wait idle until the buffer ran dry.
        await new Promise(setImmediate);
      }
      scanner.end();
    } finally {
      scanner.release();
      streamLines = 0;
    }
    keep(file, scanner.counts, scanner.names(), stats);
  };

  /** Exports and pretty-printed records, one event or object at a time. */
  const readJson = async (
    file: string,
    format: 'export' | 'values',
    opened: OpenedLog,
    stats: FileStats,
  ): Promise<void> => {
    for await (const { index, value } of jsonItems(format, opened.text)) {
      signal?.throwIfAborted();
      summary.lines++;
      stats.lines++;
      let result: ParseResult;
      if (format === 'values') {
        result = toRecord(value);
      } else {
        const message =
          typeof value === 'object' && value !== null
            ? (value as Record<string, unknown>).message
            : undefined;
        result =
          typeof message === 'string'
            ? parseLine(message)
            : { ok: false, reason: 'the event has no "message" string' };
      }
      if (result.ok) {
        summary.records++;
        stats.records++;
        const record = result.record;
        if (region === undefined || record.serviceArn.split(':')[3] === region) aggregates.add(record);
        else otherRegions++;
      } else {
        malformed(file, index, result.reason, stats);
      }
      progress(opened.rawBytes());
    }
  };

  /** The one streaming path: whatever is not scanned in ranges. */
  const stream = async (file: string): Promise<void> => {
    const stats: FileStats = { lines: 0, records: 0 };
    let format: Format = 'jsonl';
    await openLog(file, signal, summary, async (opened) => {
      format = opened.format;
      if (format === 'jsonl') await scanStream(file, opened, stats);
      else await readJson(file, format, opened, stats);
    });
    checkFile(file, format, stats);
  };

  const sizes = files.map((file) => (fast ? plainSize(file) : undefined));
  const ranges = new RangeScan(files, sizes, {
    script: options.workerScript,
    workers: Math.max(0, (options.threads ?? availableParallelism()) - 1),
    region,
    maxLineBytes,
    rangeBytes: options.rangeBytes ?? RANGE_BYTES,
    direct: aggregates,
    isolate: options.isolate,
    signal,
    onProgress: () => progress(0),
  });
  try {
    for (const [k, file] of files.entries()) {
      signal?.throwIfAborted();
      summary.files.push(file);
      const size = sizes[k];
      if (size === undefined) {
        await stream(file);
        threads.add(MAIN_ID);
        continue;
      }
      let scan: FileScan;
      try {
        scan = await ranges.file(k);
      } catch (error) {
        throw readError(file, error, signal, false, 'jsonl');
      }
      settledBytes += size;
      settledLines += scan.counts.counted;
      const stats: FileStats = {
        lines: scan.counts.counted,
        records: scan.counts.records,
        firstBad: scan.counts.samples[0],
      };
      checkFile(file, 'jsonl', stats);
      if (mergeExactly(aggregates, scan)) {
        keep(file, scan.counts, scan.names, { lines: 0, records: 0 });
        summary.bytesRead += size;
        for (const id of scan.threads) threads.add(id);
      } else {
        // A fraction or -0 somewhere, or sums past 2^53: one pass gives the exact one-pass result.
        await stream(file);
        threads.add(MAIN_ID);
      }
    }
  } finally {
    await ranges.close();
  }
  options.onProgress?.(snapshot(0));
  prune();
  // Every file, range and worker is merged: the days are complete.
  boundDayCallers(aggregates.days.values());
  return { aggregates, summary, otherRegions, fallbacks, threads: Math.max(1, threads.size) };
}

/** plainSize's buffer, for one file's first bytes at a time (zero-filling one per file cost more than reading). */
let head: Buffer | undefined;

/**
 * The size of `file` when it is a regular file holding plain JSON lines (so it can be scanned in
 * ranges), else undefined: it is streamed, which also says what is wrong with it. A pipe is not
 * opened here: a writer would see its reader go away.
 */
function plainSize(file: string): number | undefined {
  let fd: number | undefined;
  try {
    const info = statSync(file);
    if (!info.isFile() || info.size === 0) return undefined;
    fd = openSync(file, 'r');
    head ??= Buffer.allocUnsafe(PEEK_BYTES);
    const want = Math.min(info.size, PEEK_BYTES);
    const bytes = head.subarray(0, readSync(fd, head, 0, want, 0));
    checkMagic(file, bytes);
    checkText(file, bytes);
    if (bytes.length < want || isGzip(bytes) || detectFormat(bytes) !== 'jsonl') return undefined;
    return info.size;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Adds a file's set into `into` when that gives what adding its records one by one would; false
 * (and `into` untouched) when not. Without a set, the ranges went straight into `into`. The set is
 * taken, not copied: it is not used again either way.
 */
function mergeExactly(into: AggregateSet, scan: FileScan): boolean {
  const file = scan.set;
  if (file === undefined) return true;
  if (!scan.exact || !mergeIsExact(into, file)) return false;
  into.absorb(file);
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

/** A file without lines, or without one valid record, is an error rather than an empty report. */
function checkFile(file: string, format: Format, stats: FileStats): void {
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

/** A log file opened as a stream, its compression and format detected. */
interface OpenedLog {
  format: Format;
  /** The decoded text from its first byte. */
  text: AsyncIterable<Buffer>;
  /** Bytes of the file read so far, as stored. */
  rawBytes: () => number;
}

/**
 * Opens `file`, detects gzip and the format, lets `body` read it, adds the bytes read to the
 * summary, and turns whatever fails into a DataError that names the file.
 */
async function openLog(
  file: string,
  signal: AbortSignal | undefined,
  summary: ReadSummary,
  body: (opened: OpenedLog) => Promise<void>,
): Promise<void> {
  const raw: ReadStream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  // Aborts a read that is waiting on the disk, not only between chunks.
  if (signal) addAbortSignal(signal, raw);
  const cleanup: { destroy(): void }[] = [raw];
  let gzip = false;
  let format: Format = 'jsonl';
  try {
    const rawPeek = await peek(raw[Symbol.asyncIterator](), 6);
    checkMagic(file, rawPeek.head);
    let decoded: AsyncIterable<Buffer> = rawPeek.rest;
    if (isGzip(rawPeek.head)) {
      gzip = true;
      const inflate = gunzip();
      cleanup.push(inflate);
      decoded = pipeline(Readable.from(rawPeek.rest, { objectMode: false }), inflate, noop);
    }
    const textPeek = await peek(decoded[Symbol.asyncIterator](), PEEK_BYTES);
    checkText(file, textPeek.head);
    format = detectFormat(textPeek.head);
    await body({ format, text: textPeek.rest, rawBytes: () => raw.bytesRead });
  } catch (error) {
    throw readError(file, error, signal, gzip, format);
  } finally {
    for (const stream of cleanup) stream.destroy();
    summary.bytesRead += raw.bytesRead;
  }
}

function noop(): void {}

/** The events of an export, or the objects of pretty-printed records, with 1-based indexes. */
async function* jsonItems(
  format: 'export' | 'values',
  source: AsyncIterable<Buffer>,
): AsyncGenerator<{ index: number; value: unknown }> {
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
    const { key, value } = item as { key: number; value: unknown };
    yield { index: key + 1, value };
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Turns whatever a stream threw into a message that names the file, never a raw stack. */
function readError(
  file: string,
  error: unknown,
  signal: AbortSignal | undefined,
  gzip: boolean,
  format: Format,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof CallbackError) return error.cause;
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
