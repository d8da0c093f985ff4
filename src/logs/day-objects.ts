/**
 * One delivery day's objects of access logs (as Lattice delivers them to S3) read and scanned on
 * the runner instead of queried with Athena: each object streamed (gunzipped when its bytes start
 * with the gzip magic), its lines through a LineScanner, no temp files. It gives what
 * athenaDayQuery and addAthenaRows give for the same objects: the same day aggregates, and the
 * lines left out counted in the same SourceProblems (model/record.ts rowProblem), so the pipeline
 * can read a day either way. Where the bytes come from (S3) is the caller's: aws/s3-logs.ts
 * s3ObjectSource.
 *
 * Callers are not bounded here: a record can be delivered the day after it started, so bound
 * them (boundDayCallers) once every chunk that can hold a day is in, as for Athena's rows.
 * Differences from the Athena table that remain, where Lattice's own objects do not go: a UTF-8
 * byte order mark is skipped (as the local reader does); a line over MAX_LINE_BYTES is `invalid`;
 * an object that is zip, zstd, bzip2, xz or Parquet is an error rather than lines.
 */
import { Readable, pipeline } from 'node:stream';
import { DataError, errorMessage } from '../errors.js';
import { AggregateSet, type SourceProblems, noProblems } from '../model/aggregate.js';
import { rowProblem } from '../model/record.js';
import { LineScanner } from './fast-scan.js';
import { checkMagic, gunzip, isGzip, peek } from './sniff.js';
import { errorCode } from './system-errors.js';

/** Where the objects' bytes come from. */
export interface ObjectSource {
  /** The object as messages name it, such as s3://bucket/key. */
  name(key: string): string;
  /** The object's bytes as stored; its errors already say what failed. */
  open(key: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

export interface DayObjectsResult {
  /** Callers not bounded yet (see the header). */
  aggregates: AggregateSet;
  /** The malformed lines, counted as the Athena query counts them. */
  problems: SourceProblems;
  /** Valid records. */
  records: number;
  /** Lines left out: problems.noDay + problems.invalid. */
  malformed: number;
  /** Bytes of the objects read, as stored (compressed for gzip). */
  bytes: number;
}

/** Objects read at once: enough to hide each request's latency, with ~6 MiB of buffers each. */
const OBJECTS_AT_ONCE = 4;

/** What one object added up to, merged in key order once the objects before it are. */
interface ObjectScan {
  set: AggregateSet;
  problems: SourceProblems;
  records: number;
  malformed: number;
  bytes: number;
}

/**
 * Reads `objects` into day aggregates. Objects are read a few at a time, each into a set of its
 * own, and the sets merged in the objects' order: every value is a whole number below 2^53
 * (toRecord refuses others), so the sums are those of reading them one after another.
 */
export async function readDayObjects(
  source: ObjectSource,
  objects: ReadonlyArray<{ key: string }>,
  options: { signal?: AbortSignal } = {},
): Promise<DayObjectsResult> {
  options.signal?.throwIfAborted();
  // The first failure stops the reads still running, not only those not started.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const result: DayObjectsResult = {
    aggregates: new AggregateSet(),
    problems: noProblems(),
    records: 0,
    malformed: 0,
    bytes: 0,
  };
  const done: Array<ObjectScan | undefined> = [];
  let merged = 0;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < objects.length) {
      const index = next++;
      try {
        done[index] = await readObject(source, objects[index]!.key, signal);
      } catch (error) {
        failure ??= { error };
        stop.abort();
        return;
      }
      for (let scan = done[merged]; scan !== undefined; scan = done[merged]) {
        done[merged++] = undefined;
        result.aggregates.absorb(scan.set);
        result.problems.noDay += scan.problems.noDay;
        result.problems.invalid += scan.problems.invalid;
        result.records += scan.records;
        result.malformed += scan.malformed;
        result.bytes += scan.bytes;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(OBJECTS_AT_ONCE, objects.length) }, worker));
  options.signal?.throwIfAborted();
  if (failure) throw failure.error;
  return result;
}

/** The count a malformed line goes to: only a line toRecord refused for its startTime can be noDay. */
function lineProblem(reason: string, line: string | undefined): 'noDay' | 'invalid' {
  // A reason of toRecord's: the line is JSON.
  return line !== undefined && reason.startsWith('startTime') ? rowProblem(JSON.parse(line)) : 'invalid';
}

async function readObject(source: ObjectSource, key: string, signal: AbortSignal): Promise<ObjectScan> {
  const name = source.name(key);
  const scan: ObjectScan = {
    set: new AggregateSet(),
    problems: noProblems(),
    records: 0,
    malformed: 0,
    bytes: 0,
  };
  const scanner = new LineScanner(scan.set, {
    bom: true,
    onMalformed: (reason, line) => void scan.problems[lineProblem(reason, line)]++,
  });
  const streams: Array<{ destroy(): void }> = [];
  let gzip = false;
  try {
    const body = await source.open(key, signal);
    // A body left unread on an error would hold its connection.
    if (isDestroyable(body)) streams.push(body);
    const counted = (async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of body) {
        scan.bytes += chunk.length;
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      }
    })();
    const { head, rest } = await peek(counted, 6);
    checkMagic(name, head);
    let text: AsyncIterable<Buffer> = rest;
    if (isGzip(head)) {
      gzip = true;
      const inflate = gunzip();
      streams.push(inflate);
      text = pipeline(Readable.from(rest, { objectMode: false }), inflate, () => {});
    }
    for await (const chunk of text) {
      signal.throwIfAborted();
      scanner.push(chunk);
      // Lets gunzip, whose next step the event loop starts, run ahead while this scans.
      await new Promise(setImmediate);
    }
    scanner.end();
  } catch (error) {
    throw objectError(name, error, signal, gzip);
  } finally {
    scanner.release();
    for (const stream of streams) stream.destroy();
  }
  scan.records = scanner.counts.records;
  scan.malformed = scanner.counts.malformed;
  return scan;
}

function isDestroyable(value: object): value is { destroy(): void } {
  return typeof (value as { destroy?: unknown }).destroy === 'function';
}

/** An abort as it came; anything else a DataError that names the object. */
function objectError(name: string, error: unknown, signal: AbortSignal, gzip: boolean): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof DataError) return error;
  const what =
    gzip && errorCode(error)?.startsWith('Z_') ? 'the gzip data is truncated or corrupt' : 'reading failed';
  return new DataError(`${name}: ${what} (${errorMessage(error)})`, { cause: error });
}
