/**
 * Access logs delivered to S3: where in the bucket they are (the log roots under which Lattice's
 * day folders lie), the objects of one delivery day, and the objects' bytes for logs/day-objects.ts
 * readDayObjects. Knows nothing of the pipeline: the log source is a bucket and a prefix.
 *
 * The key layout below the configured prefix is ASSUMED (athena-query.ts header:
 * `AWSLogs/<account>/VpcLattice/AccessLogs/<region>/YYYY/MM/DD/`), so nothing here depends on it:
 * discoverDayRoots finds every folder whose sub-folders are years and months, wherever it is.
 * Facts, from the Amazon S3 API Reference unless said otherwise:
 * - "ListObjectsV2": with a Delimiter, keys that share the part up to it come back once each in
 *   CommonPrefixes; a page holds up to 1,000 keys and prefixes together, the next one asked with
 *   ContinuationToken. Needs s3:ListBucket.
 * - "GetObject": needs s3:GetObject; the body is the object's bytes as stored.
 * - "Error responses": a missing bucket is NoSuchBucket, a missing key NoSuchKey.
 */
import { Readable, addAbortSignal } from 'node:stream';
import { GetObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DataError } from '../errors.js';
import { MAX_YEAR, MIN_YEAR, isIsoDay } from '../model/dates.js';
import { type S3Location, s3Uri } from './athena-table.js';
import { clientSettings } from './clients.js';
import { awsCall, describeAwsError, errorName } from './errors.js';
import { pool } from './pool.js';

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/**
 * Whether the SDK sends S3 calls to an endpoint set in the environment: AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (SDKs and Tools Reference
 * Guide, "Service-specific endpoints"). An endpoint_url in the shared config file is not seen here.
 * @testseam
 */
export function s3EndpointFromEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return false;
  return Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
}

/**
 * S3 for the run, with its retries and credentials (clients.ts). The endpoint is the SDK's, so
 * AWS_ENDPOINT_URL(_S3) redirects it. Two settings:
 * - Path-style addressing only when an endpoint is set in the environment. No setting outside the
 *   code turns it on for this SDK: the SDKs and Tools Reference Guide has none among the S3
 *   settings read (access points, Multi-Region Access Points), and @aws-sdk/client-s3 (3.1178)
 *   takes `forcePathStyle` from its options only, default false: no AWS_S3_FORCE_PATH_STYLE.
 *   An S3 stand-in such as moto needs it: virtual-hosted style asks DNS for `bucket.host`, which
 *   fails for `localhost` or a container name (an IP address gets path style from the SDK's
 *   endpoint rules anyway, as seen with moto on 127.0.0.1). AWS's own endpoints keep the default.
 * - followRegionRedirects: the log bucket may be a central one in another region, which is not
 *   known ahead; the SDK then retries in the region S3's 301 names. Its documentation (in
 *   @aws-sdk/middleware-sdk-s3) says to use it "only ... as a last resort if you do not know the
 *   region of your bucket(s) ahead of time", which is the case here.
 * Not in createClients until the pipeline reads S3 logs, so the bundles do not carry it before.
 */
export function createS3Client(region: string, credentials?: Credentials, env = process.env): S3Client {
  return new S3Client({
    region,
    ...clientSettings(credentials),
    followRegionRedirects: true,
    ...(s3EndpointFromEnvironment(env) ? { forcePathStyle: true } : {}),
  });
}

/** A failure of an S3 call: a missing bucket says which setting to fix; an abort passes as it came. */
async function s3Call<T>(
  action: string,
  what: string,
  bucket: string,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await awsCall(action, what, call, (a, w, error) => describeS3Error(a, w, error, bucket));
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}

/** @testseam */
export function describeS3Error(action: string, what: string, error: unknown, bucket: string): DataError {
  const name = errorName(error);
  if (name === 'NoSuchBucket') {
    return new DataError(
      `${what} failed: the bucket ${bucket} does not exist (NoSuchBucket). The log source names the wrong ` +
        'bucket: set log-source (--log-source) to s3://BUCKET/PREFIX where VPC Lattice delivers the access ' +
        "logs (the destination of the service network's or service's access log subscription).",
      { cause: error },
    );
  }
  if (name === 'NoSuchKey') {
    return new DataError(
      `${what} failed: the object no longer exists (NoSuchKey). It was deleted after it was listed, by a ` +
        'lifecycle rule for example; run again.',
      { cause: error },
    );
  }
  return describeAwsError(action, what, error);
}

// ---------------------------------------------------------------------------------------------
// Log roots

/** ListObjectsV2 requests discovery makes at most (pages, each up to 1,000 entries). @testseam */
export const DISCOVERY_MAX_REQUESTS = 1000;
/**
 * Folder levels below the prefix that discovery lists: the assumed layout puts a root 5 below it
 * (AWSLogs/<account>/VpcLattice/AccessLogs/<region>/), which leaves room for a prefix of 3 more.
 * @testseam
 */
export const DISCOVERY_MAX_DEPTH = 8;
/** Listings at once: a level of accounts or regions is listed in parallel. */
const LISTINGS_AT_ONCE = 8;
/** Prefixes a bound's warning names; the others are counted. */
const NAMED = 5;

interface DayRoots {
  /** Key prefixes relative to the bucket, each ending with '/', sorted. */
  roots: string[];
  /** ListObjectsV2 requests made. */
  requests: number;
  /** Roots left out and folders not searched, each naming where. */
  warnings: string[];
}

/** A folder name (the part after its parent, with its '/') that is a year discovery takes. */
function isYear(name: string): boolean {
  if (!/^\d{4}\/$/.test(name)) return false;
  const year = Number(name.slice(0, 4));
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

const isMonth = (name: string): boolean => /^(?:0[1-9]|1[0-2])\/$/.test(name);

/** Requests left; each request is taken before it is sent. */
interface Budget {
  left: number;
}

function take(budget: Budget): boolean {
  if (budget.left <= 0) return false;
  budget.left--;
  return true;
}

/**
 * The folders right below `prefix` (full key prefixes), listed with Delimiter '/' while `budget`
 * lasts; `complete` false when it ran out first. Stops early once `enough` says so.
 */
async function listFolders(
  s3: S3Client,
  bucket: string,
  prefix: string,
  budget: Budget,
  signal: AbortSignal | undefined,
  enough: (folders: readonly string[]) => boolean = () => false,
): Promise<{ folders: string[]; complete: boolean }> {
  const folders: string[] = [];
  if (!take(budget)) return { folders, complete: false };
  return s3Call('s3:ListBucket', `Listing ${s3Uri({ bucket, prefix })}`, bucket, signal, async () => {
    const pages = paginateListObjectsV2(
      { client: s3 },
      { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix);
      if (!page.NextContinuationToken || enough(folders)) break;
      if (!take(budget)) return { folders, complete: false };
    }
    return { folders, complete: true };
  });
}

/** `prefixes` sorted, the first NAMED as s3:// URIs and the rest counted. */
function named(bucket: string, prefixes: readonly string[]): string {
  const sorted = [...prefixes].sort();
  const shown = sorted.slice(0, NAMED).map((prefix) => s3Uri({ bucket, prefix }));
  const more = sorted.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/**
 * Every key prefix under `location.prefix` whose folders are years (MIN_YEAR-MAX_YEAR) holding
 * months (01-12): the log roots a delivery day's objects lie under, as `<root>YYYY/MM/DD/`. Folders
 * are listed level by level (breadth first), down to DISCOVERY_MAX_DEPTH levels below the prefix
 * and within `maxRequests` (DISCOVERY_MAX_REQUESTS) requests; a bound reached is a warning that
 * names the folders not searched. A root's year folders are not searched further (its other
 * folders are). A root with a comma is left out with a warning: the table's roots are a
 * comma-separated enum projection (athena-table.ts).
 * Any logs kept in dated folders under the prefix are taken for Lattice's: point the prefix at
 * the folder Lattice delivers to.
 */
export async function discoverDayRoots(
  s3: S3Client,
  location: S3Location,
  options: { maxRequests?: number; signal?: AbortSignal } = {},
): Promise<DayRoots> {
  const { bucket } = location;
  const { signal } = options;
  signal?.throwIfAborted();
  if (location.prefix !== '' && !location.prefix.endsWith('/')) {
    throw new Error(`an S3 prefix must be empty or end with '/': ${JSON.stringify(location.prefix)}`);
  }
  const maxRequests = options.maxRequests ?? DISCOVERY_MAX_REQUESTS;
  const budget: Budget = { left: maxRequests };
  const roots: string[] = [];
  const withComma: string[] = [];
  const unsearched: string[] = [];
  const tooDeep: string[] = [];

  let level = [location.prefix];
  for (let depth = 0; level.length > 0; depth++) {
    const below: string[] = [];
    await pool(level, LISTINGS_AT_ONCE, async (prefix) => {
      const { folders, complete } = await listFolders(s3, bucket, prefix, budget, signal);
      if (!complete) unsearched.push(prefix);
      const years = folders.filter((f) => isYear(f.slice(prefix.length)));
      let root = false;
      const latest = years.at(-1);
      if (latest !== undefined) {
        // The latest year is the one most likely to hold months; one listing decides.
        const hasMonth = (months: readonly string[]): boolean =>
          months.some((f) => isMonth(f.slice(latest.length)));
        const months = await listFolders(s3, bucket, latest, budget, signal, hasMonth);
        root = hasMonth(months.folders);
        if (!root && !months.complete) unsearched.push(latest);
      }
      if (root) (prefix.includes(',') ? withComma : roots).push(prefix);
      const children = root ? folders.filter((f) => !years.includes(f)) : folders;
      if (children.length === 0) return;
      if (depth >= DISCOVERY_MAX_DEPTH) tooDeep.push(prefix);
      else below.push(...children);
    });
    level = below.sort();
  }

  const where = s3Uri(location);
  const warnings: string[] = [];
  for (const root of withComma.sort()) {
    warnings.push(
      `${s3Uri({ bucket, prefix: root })} holds access-log day folders but is left out: its name has a comma, ` +
        "which the Athena table's list of log roots (comma-separated) cannot hold.",
    );
  }
  if (unsearched.length > 0) {
    warnings.push(
      `Stopped looking for access-log folders under ${where} after ${maxRequests} ListObjectsV2 requests: ` +
        `${named(bucket, [...new Set(unsearched)])} were not searched (fully), and logs under them are left out. ` +
        'Point the log source at a narrower prefix.',
    );
  }
  if (tooDeep.length > 0) {
    warnings.push(
      `Folders more than ${DISCOVERY_MAX_DEPTH} levels below ${where} were not searched for access logs: ` +
        `those below ${named(bucket, tooDeep)}. Point the log source at a prefix closer to them.`,
    );
  }
  return { roots: roots.sort(), requests: maxRequests - budget.left, warnings };
}

// ---------------------------------------------------------------------------------------------
// A day's objects

/** The folder of `day` (YYYY-MM-DD) under `root`: `<root>YYYY/MM/DD/`. @testseam */
export function dayFolder(root: string, day: string): string {
  if (!isIsoDay(day)) throw new Error(`not a UTC day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return `${root}${day.replaceAll('-', '/')}/`;
}

interface DayObjects {
  /** Sorted by root, then key. */
  objects: Array<{ key: string; size: number }>;
  /** Their total size in bytes, as stored. */
  bytes: number;
  /** ListObjectsV2 requests made. */
  requests: number;
}

/**
 * Every object under `<root>YYYY/MM/DD/` of every root (the keys Athena's partition of that day
 * reads), folder markers (keys ending with '/') aside.
 */
export async function listDayObjects(
  s3: S3Client,
  bucket: string,
  roots: readonly string[],
  day: string,
  signal?: AbortSignal,
): Promise<DayObjects> {
  signal?.throwIfAborted();
  const folders = roots.map((root) => dayFolder(root, day));
  const found: Array<Array<{ key: string; size: number }>> = folders.map(() => []);
  let requests = 0;
  await pool([...folders.keys()], LISTINGS_AT_ONCE, async (i) => {
    const prefix = folders[i]!;
    await s3Call('s3:ListBucket', `Listing ${s3Uri({ bucket, prefix })}`, bucket, signal, async () => {
      const pages = paginateListObjectsV2(
        { client: s3 },
        { Bucket: bucket, Prefix: prefix },
        { abortSignal: signal },
      );
      for await (const page of pages) {
        requests++;
        for (const o of page.Contents ?? []) {
          if (o.Key && !o.Key.endsWith('/')) found[i]!.push({ key: o.Key, size: o.Size ?? 0 });
        }
      }
    });
  });
  const objects = found.flat();
  return { objects, bytes: objects.reduce((sum, o) => sum + o.size, 0), requests };
}

/**
 * The objects of `bucket` as logs/day-objects.ts readDayObjects reads them: GetObject, the body
 * streamed as it arrives. Encrypted with a KMS key, an object also needs kms:Decrypt on that key
 * (the S3 User Guide's SSE-KMS pages say so; not re-read for this change, so the message only
 * mentions it).
 */
export function s3ObjectSource(
  s3: S3Client,
  bucket: string,
): {
  name(key: string): string;
  open(key: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
} {
  const name = (key: string): string => s3Uri({ bucket, prefix: '' }, key);
  return {
    name,
    open: async (key, signal) => {
      const output = await s3Call(
        's3:GetObject (and kms:Decrypt on the key of an object encrypted with SSE-KMS)',
        `Reading ${name(key)}`,
        bucket,
        signal,
        () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }),
      );
      const body = output.Body;
      if (!(body instanceof Readable)) throw new DataError(`Reading ${name(key)} gave no body to stream.`);
      // Aborts a read waiting on the network, not only between chunks.
      if (signal) addAbortSignal(signal, body);
      return body;
    },
  };
}
