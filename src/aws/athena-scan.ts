/**
 * Day aggregates of access logs delivered to S3: the S3 counterpart of insights.ts scanDays.
 * Each delivery day is one chunk (and one cache entry): listed, then read on the runner when it is
 * small enough and allowed (`directReadBytes`), else queried with Athena (athena-query.ts). A day
 * without objects costs one LIST and no query: Athena bills at least 10 MB a query (see
 * ATHENA_USD_PER_TB in pipeline/aws.ts).
 *
 * A record that starts before midnight can be delivered the next day, so a chunk holds rows of
 * its own day and the day before, as an Insights chunk may; the caller queries the delivery day
 * after the window's last day too, and bounds each day's callers once all chunks are in.
 */
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { S3Client } from '@aws-sdk/client-s3';
import { AggregateSet, type SourceProblems, addProblems, noProblems } from '../model/aggregate.js';
import { addAthenaRows, athenaDayQuery } from './athena-query.js';
import { runAthenaQuery } from './athena.js';
import type { S3Location } from './athena-table.js';
import type { ChunkResult } from './insights.js';
import { pool } from './pool.js';
import { listDayObjects } from './s3-logs.js';

/** What reading a day's objects on the runner gives (logs/day-objects.ts, passed in: aws/ does not scan). */
interface DirectRead {
  aggregates: AggregateSet;
  problems: SourceProblems;
  bytes: number;
}

export interface S3ScanOptions {
  location: S3Location;
  /** Delivery days (UTC, YYYY-MM-DD) to read. */
  days: string[];
  /** The log roots to read, relative to the bucket: the table's (athena-table.ts ensureAccessLogTable), so both ways read the same objects. */
  roots: readonly string[];
  /** The table the queries read, `database.table`, and the workgroup they run in. */
  table: string;
  workGroup: string;
  /** A day of at most this many bytes of objects is read on the runner; 0: never. */
  directReadBytes: number;
  /** Reads and scans a day's objects on the runner. */
  readDirect: (objects: ReadonlyArray<{ key: string }>, signal?: AbortSignal) => Promise<DirectRead>;
  /** Days handled at once: Athena's default quota is 20 active DML queries per account and region (assumed; Service Quotas). */
  concurrency?: number;
  pollMinMs?: number;
  pollMaxMs?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export interface S3ScanResult {
  aggregates: AggregateSet;
  /** Per delivery day. */
  chunks: Map<string, ChunkResult>;
  /** Athena queries run, their ids and the bytes they scanned. */
  queries: number;
  queryIds: string[];
  bytesScanned: number;
  /** What the queries are billed for: each at least ATHENA_MIN_BILLED_BYTES. */
  billedBytes: number;
  /** Days read on the runner, and their objects and bytes (as stored). */
  direct: { days: number; objects: number; bytes: number };
  problems: SourceProblems;
}

const DEFAULT_CONCURRENCY = 4;

/**
 * Athena's list price, $5 per TB scanned with at least 10 MB billed per query. The pricing page
 * could not be read in the sources searched here; the figures are those that third-party tools
 * and AWS-sample code quote, and TB and MB are taken as binary (2^40, 2^20), as those tools do.
 * An estimate, as the report says: the bill itself is in Cost Explorer.
 */
const ATHENA_USD_PER_TB = 5;
const ATHENA_MIN_BILLED_BYTES = 10 * 2 ** 20;

/** The estimated charge for `billedBytes` of Athena scans. */
export function athenaCostUsd(billedBytes: number): number {
  return (billedBytes / 2 ** 40) * ATHENA_USD_PER_TB;
}

/** A scan of no day: also what a location without logs gives. */
export function emptyS3Scan(): S3ScanResult {
  return {
    aggregates: new AggregateSet(),
    chunks: new Map(),
    queries: 0,
    queryIds: [],
    bytesScanned: 0,
    billedBytes: 0,
    direct: { days: 0, objects: 0, bytes: 0 },
    problems: noProblems(),
  };
}

export async function scanS3Days(
  clients: { s3: S3Client; athena: AthenaClient },
  options: S3ScanOptions,
): Promise<S3ScanResult> {
  const result = emptyS3Scan();
  const { location, signal } = options;
  await pool(options.days, options.concurrency ?? DEFAULT_CONCURRENCY, async (day) => {
    signal?.throwIfAborted();
    const listed = await listDayObjects(clients.s3, location.bucket, options.roots, day, signal);
    let chunk: ChunkResult;
    if (listed.objects.length === 0) {
      chunk = { aggregates: new AggregateSet(), bytesScanned: 0, problems: noProblems(), rowsPerSecond: 0 };
    } else if (listed.bytes <= options.directReadBytes) {
      const read = await options.readDirect(listed.objects, signal);
      result.direct.days += 1;
      result.direct.objects += listed.objects.length;
      result.direct.bytes += read.bytes;
      chunk = { aggregates: read.aggregates, bytesScanned: 0, problems: read.problems, rowsPerSecond: 0 };
    } else {
      const query = await runAthenaQuery(clients.athena, {
        sql: athenaDayQuery(options.table, day),
        workGroup: options.workGroup,
        ...(signal ? { signal } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.pollMinMs !== undefined ? { pollMinMs: options.pollMinMs } : {}),
        ...(options.pollMaxMs !== undefined ? { pollMaxMs: options.pollMaxMs } : {}),
      });
      const aggregates = new AggregateSet();
      const problems = noProblems();
      addAthenaRows(query.rows, aggregates, problems);
      result.queries += 1;
      result.queryIds.push(query.queryExecutionId);
      result.bytesScanned += query.bytesScanned;
      result.billedBytes += Math.max(query.bytesScanned, ATHENA_MIN_BILLED_BYTES);
      chunk = { aggregates, bytesScanned: query.bytesScanned, problems, rowsPerSecond: 0 };
    }
    result.chunks.set(day, chunk);
  });
  // In day order, whatever order the days finished in: sums in one order, names by first sight.
  for (const day of [...result.chunks.keys()].sort()) {
    const chunk = result.chunks.get(day)!;
    result.aggregates.merge(chunk.aggregates);
    addProblems(result.problems, chunk.problems);
  }
  result.queryIds.sort();
  return result;
}
