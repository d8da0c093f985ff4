/**
 * log-source auto: an access-log subscription's destination ARN read as a place to read logs
 * (log-destinations.ts); a Firehose stream is resolved by DescribeDeliveryStream, tested here with
 * the SDK client's send stubbed.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { firehoseDestination, firehoseS3Location, s3Destination } from '../../src/aws/log-destinations.js';
import { DataError } from '../../src/errors.js';

afterEach(() => {
  jest.restoreAllMocks();
});

describe('subscription destinations', () => {
  it('reads a bucket ARN with or without a prefix, as a folder', () => {
    expect(s3Destination('arn:aws:s3:::org-logs')).toEqual({ bucket: 'org-logs', prefix: '' });
    expect(s3Destination('arn:aws:s3:::org-logs/lattice/prod')).toEqual({
      bucket: 'org-logs',
      prefix: 'lattice/prod/',
    });
    expect(s3Destination('arn:aws-cn:s3:::logs.cn/a/')).toEqual({ bucket: 'logs.cn', prefix: 'a/' });
    expect(s3Destination('arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/x')).toBeUndefined();
    expect(s3Destination('arn:aws:s3:::Bad_Bucket')).toBeUndefined();
  });

  it('reads a Firehose stream ARN', () => {
    expect(
      firehoseDestination('arn:aws:firehose:eu-west-1:111122223333:deliverystream/lattice-logs'),
    ).toEqual({
      region: 'eu-west-1',
      name: 'lattice-logs',
    });
    expect(firehoseDestination('arn:aws:s3:::org-logs')).toBeUndefined();
  });

  it("follows a stream to its S3 destination, keeping the prefix's literal part", async () => {
    const send = jest.spyOn(FirehoseClient.prototype, 'send').mockImplementation((async () => ({
      DeliveryStreamDescription: {
        Destinations: [
          {
            ExtendedS3DestinationDescription: {
              BucketARN: 'arn:aws:s3:::stream-logs',
              Prefix: 'lattice/!{timestamp:yyyy}/',
            },
          },
        ],
      },
    })) as never);
    await expect(firehoseS3Location({ region: 'eu-west-1', name: 's' })).resolves.toEqual({
      bucket: 'stream-logs',
      prefix: 'lattice/',
    });
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('says what to do when a stream has no S3 destination', async () => {
    jest
      .spyOn(FirehoseClient.prototype, 'send')
      .mockImplementation((async () => ({ DeliveryStreamDescription: { Destinations: [{}] } })) as never);
    const attempt = firehoseS3Location({ region: 'eu-west-1', name: 'http-only' });
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(
      /http-only.*no S3 destination.*log-source to s3:\/\/BUCKET\/PREFIX/,
    );
  });
});
