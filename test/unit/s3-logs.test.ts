/**
 * The pure parts of reading access logs delivered to S3: the S3 client's settings, the messages of
 * its failures and a day's folder (src/aws/s3-logs.ts). The calls themselves run against moto in
 * test/integration/s3-logs.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import {
  createS3Client,
  dayFolder,
  describeS3Error,
  s3EndpointFromEnvironment,
} from '../../src/aws/s3-logs.js';
import { DataError } from '../../src/errors.js';

const error = (name: string, message = name): Error => Object.assign(new Error(message), { name });

describe('the S3 client', () => {
  it('addresses buckets by path only when the environment sets an S3 endpoint', async () => {
    const cases: Array<[NodeJS.ProcessEnv, boolean]> = [
      [{}, false],
      [{ AWS_ENDPOINT_URL_S3: 'http://localhost:5000' }, true],
      [{ AWS_ENDPOINT_URL: 'http://moto:5000' }, true],
      [{ AWS_ENDPOINT_URL_S3: '' }, false],
      [{ AWS_ENDPOINT_URL_ATHENA: 'http://localhost:5000' }, false],
      [{ AWS_ENDPOINT_URL_S3: 'http://localhost:5000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, false],
      [{ AWS_ENDPOINT_URL_S3: 'http://localhost:5000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' }, true],
    ];
    for (const [env, pathStyle] of cases) {
      expect(s3EndpointFromEnvironment(env)).toBe(pathStyle);
      const s3 = createS3Client('eu-west-1', { accessKeyId: 'a', secretAccessKey: 'b' }, env);
      try {
        expect(s3.config.forcePathStyle).toBe(pathStyle);
        expect(s3.config.followRegionRedirects).toBe(true);
        expect(await s3.config.region()).toBe('eu-west-1');
      } finally {
        s3.destroy();
      }
    }
  });
});

describe('describeS3Error', () => {
  it('says which setting names a missing bucket', () => {
    const e = describeS3Error('s3:ListBucket', 'Listing s3://logs/x/', error('NoSuchBucket'), 'logs');
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(
      'Listing s3://logs/x/ failed: the bucket logs does not exist (NoSuchBucket). The log source names the ' +
        'wrong bucket: set log-source (--log-source) to s3://BUCKET/PREFIX where VPC Lattice delivers the ' +
        "access logs (the destination of the service network's or service's access log subscription).",
    );
  });

  it('names the IAM action of a denial, and says an object went missing', () => {
    expect(
      describeS3Error('s3:GetObject', 'Reading s3://logs/k', error('AccessDenied'), 'logs').message,
    ).toMatch(/^Reading s3:\/\/logs\/k was denied \(AccessDenied\)\. The role needs s3:GetObject; /);
    expect(
      describeS3Error('s3:GetObject', 'Reading s3://logs/k', error('NoSuchKey'), 'logs').message,
    ).toMatch(/^Reading s3:\/\/logs\/k failed: the object no longer exists \(NoSuchKey\)/);
    expect(
      describeS3Error('s3:GetObject', 'Reading s3://logs/k', error('SlowDown', 'Reduce your rate'), 'logs')
        .message,
    ).toBe('Reading s3://logs/k failed: SlowDown: Reduce your rate');
  });
});

describe('dayFolder', () => {
  it('is the root, then the day as YYYY/MM/DD/', () => {
    expect(dayFolder('AWSLogs/1/VpcLattice/AccessLogs/us-east-1/', '2026-03-01')).toBe(
      'AWSLogs/1/VpcLattice/AccessLogs/us-east-1/2026/03/01/',
    );
    expect(dayFolder('', '2026-03-01')).toBe('2026/03/01/');
    expect(() => dayFolder('', '2026-02-30')).toThrow(/UTC day/);
    expect(() => dayFolder('', '2026/03/01')).toThrow(/UTC day/);
  });
});
