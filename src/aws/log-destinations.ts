/**
 * Where an access-log subscription sends the logs, as a place this tool can read: a log group
 * (Logs Insights) or an S3 location (Athena), a Firehose stream being read at its S3 destination.
 *
 * Documented: a subscription's destinationArn is "a CloudWatch Log group, Firehose stream or S3
 * bucket" ARN (VPC Lattice API reference, CreateAccessLogSubscription); an S3 bucket's ARN is
 * `arn:aws:s3:::BUCKET` and the console takes "the S3 bucket path, including any prefix" (VPC
 * Lattice User Guide, "Edit monitoring details"), so a prefix is read after the bucket's name.
 * Firehose: DescribeDeliveryStream gives each destination's BucketARN and Prefix (Firehose API
 * reference, ExtendedS3DestinationDescription); a prefix's `!{...}` expressions ("Custom prefixes
 * for Amazon S3 objects") are evaluated per object, so only the literal part before the first is
 * a folder. ASSUMED: Lattice writes one JSON record per line into a stream too, and the default
 * `YYYY/MM/dd/HH/` folders (Firehose "Amazon S3 object name format") are found as day folders.
 */
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DataError } from '../errors.js';
import type { S3Location } from './athena-table.js';
import { clientSettings } from './clients.js';
import { awsCall } from './errors.js';

const S3_ARN = /^arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
const FIREHOSE_ARN = /^arn:aws[a-z-]*:firehose:([a-z0-9-]+):\d{12}:deliverystream\/(.+)$/;

/** A prefix as a folder: '' or ending with '/'. */
function folder(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** `arn:aws:s3:::bucket[/prefix]` as a location; undefined for any other ARN. */
export function s3Destination(arn: string): S3Location | undefined {
  const m = S3_ARN.exec(arn);
  return m ? { bucket: m[1]!, prefix: folder(m[2] ?? '') } : undefined;
}

/** The stream's region and name; undefined for any other ARN. */
export function firehoseDestination(arn: string): { region: string; name: string } | undefined {
  const m = FIREHOSE_ARN.exec(arn);
  return m ? { region: m[1]!, name: m[2]! } : undefined;
}

/** The S3 location a Firehose stream delivers to. */
export async function firehoseS3Location(
  stream: { region: string; name: string },
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): Promise<S3Location> {
  const firehose = new FirehoseClient({ region: stream.region, ...clientSettings(credentials) });
  try {
    const described = await awsCall(
      'firehose:DescribeDeliveryStream',
      `Reading where the Firehose stream ${stream.name} delivers`,
      () => firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: stream.name })),
    );
    for (const d of described.DeliveryStreamDescription?.Destinations ?? []) {
      const s3 = d.ExtendedS3DestinationDescription ?? d.S3DestinationDescription;
      const bucket = s3?.BucketARN ? s3Destination(s3.BucketARN) : undefined;
      if (bucket) return { bucket: bucket.bucket, prefix: folder((s3!.Prefix ?? '').split('!{')[0]!) };
    }
    throw new DataError(
      `The Firehose stream ${stream.name} that receives the access logs has no S3 destination this report can read. ` +
        'Set log-source to s3://BUCKET/PREFIX where the logs land, or send them to a log group.',
    );
  } finally {
    firehose.destroy();
  }
}
