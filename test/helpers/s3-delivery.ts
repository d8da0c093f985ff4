/**
 * Access-log lines put into moto's S3 the way VPC Lattice is ASSUMED to deliver them (the key
 * layout is in no documentation read here; see src/aws/athena-query.ts):
 *   <prefix>AWSLogs/<account>/VpcLattice/AccessLogs/<region>/YYYY/MM/DD/<object>.log.gz
 * gzipped JSON lines, several objects per day, the date the delivery's: a line's startTime day,
 * or the next day for lines from 23:55 on (S3 delivery is "typically within 6 minutes", VPC
 * Lattice User Guide, "Access logs"). The object names are made up.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  type BucketLocationConstraint,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { addDays, isIsoDay } from '../../src/model/dates.js';
import { DUMMY_CREDENTIALS } from '../servers/moto.js';
import { deliveryDayOf } from './duck-athena.js';

export interface S3DeliveryOptions {
  bucket: string;
  /** '' or ending with '/'. */
  prefix: string;
  account: string;
  region: string;
  lines: readonly string[];
  /** Objects per delivery day (fewer when the day has fewer lines). Default 3. */
  objectsPerDay?: number;
  /** Create the bucket first (moto answers BucketAlreadyOwnedByYou if it exists). Default true. */
  createBucket?: boolean;
}

export interface DeliveredObject {
  key: string;
  /** The gzipped size: what S3 lists and Athena scans. */
  size: number;
  /** The delivery day, YYYY-MM-DD. */
  day: string;
  lines: number;
}

export interface S3Delivery {
  bucket: string;
  /** The log source as the action takes it: s3://bucket/prefix. */
  uri: string;
  /** The key prefix the day folders are under: one Athena `log_root`. */
  root: string;
  objects: DeliveredObject[];
  /** Every delivery day, ascending. */
  days: string[];
}

/** The day of a line written by JSON.stringify, without parsing it: the world's lines are many. */
function quickDay(line: string): string | undefined {
  const at = line.indexOf('"startTime":"');
  const m = at < 0 ? null : /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(line.slice(at + 13, at + 30));
  if (!m || !isIsoDay(m[1]!) || Number(m[2]) > 23) return undefined;
  return m[2] === '23' && Number(m[3]) >= 55 ? addDays(m[1]!, 1) : m[1]!;
}

export function s3ClientFor(motoUrl: string, region: string): S3Client {
  // moto's S3 on 127.0.0.1 takes the bucket from the path only.
  return new S3Client({ endpoint: motoUrl, region, credentials: DUMMY_CREDENTIALS, forcePathStyle: true });
}

/** Writes `lines` into moto's S3 as Lattice is assumed to deliver them; returns what was written. */
export async function deliverToS3(motoUrl: string, options: S3DeliveryOptions): Promise<S3Delivery> {
  const { bucket, prefix, account, region, lines } = options;
  if (prefix !== '' && !prefix.endsWith('/')) throw new Error(`prefix must be '' or end with '/': ${prefix}`);
  const root = `${prefix}AWSLogs/${account}/VpcLattice/AccessLogs/${region}/`;
  const perDay = Math.max(1, options.objectsPerDay ?? 3);

  const usable = new Set<string>();
  const quick = lines.map((line) => {
    const day = quickDay(line);
    if (day !== undefined) usable.add(day);
    return day;
  });
  const fallback = [...usable].sort();
  const byDay = new Map<string, string[]>();
  lines.forEach((line, i) => {
    const day = quick[i] ?? deliveryDayOf(line, i, fallback);
    let list = byDay.get(day);
    if (!list) byDay.set(day, (list = []));
    list.push(line);
  });

  const s3 = s3ClientFor(motoUrl, region);
  try {
    if (options.createBucket ?? true) {
      await s3
        .send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
          }),
        )
        .catch((error: unknown) => {
          if ((error as Error).name !== 'BucketAlreadyOwnedByYou') throw error;
        });
    }
    const objects: DeliveredObject[] = [];
    const days = [...byDay.keys()].sort();
    for (const day of days) {
      const list = byDay.get(day)!;
      const count = Math.min(perDay, list.length);
      const size = Math.ceil(list.length / count);
      for (let n = 0; n < count; n++) {
        const chunk = list.slice(n * size, (n + 1) * size);
        if (chunk.length === 0) continue;
        const body = gzipSync(chunk.join('\n') + '\n');
        const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
        const stamp = `${day.replaceAll('-', '')}T${String(n).padStart(4, '0')}Z`;
        const key = `${root}${day.replaceAll('-', '/')}/${account}_vpclattice_${region}_${stamp}_${hash}.log.gz`;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        objects.push({ key, size: body.length, day, lines: chunk.length });
      }
    }
    return { bucket, uri: `s3://${bucket}/${prefix}`, root, objects, days };
  } finally {
    s3.destroy();
  }
}
